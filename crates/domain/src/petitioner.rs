//! Petitioners and the checks on their identity data (GB 11643 ID numbers, phone numbers).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Petitioner {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Where notices may also be e-mailed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// The names errors give for a person's fields (the petitioner's, or a representative's).
#[derive(Debug, Clone, Copy)]
pub struct PersonFields {
    pub name: &'static str,
    pub id_number: &'static str,
    pub phone: &'static str,
    pub address: &'static str,
    pub email: &'static str,
}

pub const PETITIONER_FIELDS: PersonFields = PersonFields {
    name: "petitioner.name",
    id_number: "petitioner.id_number",
    phone: "petitioner.phone",
    address: "petitioner.address",
    email: "petitioner.email",
};

pub const REPRESENTATIVE_FIELDS: PersonFields = PersonFields {
    name: "collective.representatives",
    id_number: "collective.representatives",
    phone: "collective.representatives",
    address: "collective.representatives",
    email: "collective.representatives",
};

impl Petitioner {
    /// Trims the fields, upper-cases the ID check digit and validates everything; the first
    /// problem is the error.
    pub fn normalized(self, fields: PersonFields) -> Result<Self, DomainError> {
        self.checked(fields).map_err(|mut all| all.remove(0))
    }

    /// As [`Petitioner::normalized`], with every problem found (for forms that mark each field).
    pub fn checked(mut self, f: PersonFields) -> Result<Self, Vec<DomainError>> {
        let mut problems = Vec::new();
        for (field, name, v) in [
            (f.name, "信访人姓名", Some(&self.name)),
            (f.address, "地址", self.address.as_ref()),
            (f.email, "电子邮箱", self.email.as_ref()),
            (f.phone, "电话号码", self.phone.as_ref()),
            (f.id_number, "身份证号", self.id_number.as_ref()),
        ] {
            if let Some(Err(e)) = v.map(|v| crate::text_rule::check(field, name, v)) {
                problems.push(e);
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        self.name = self.name.trim().to_string();
        if crate::text_rule::is_blank(&self.name) {
            problems.push(DomainError::invalid(f.name, "信访人姓名不能为空"));
        } else if self.name.chars().count() > 50 {
            problems.push(DomainError::invalid(f.name, "信访人姓名不能超过50个字"));
        }
        self.id_number = non_empty(self.id_number).map(|s| s.to_uppercase());
        if let Some(Err(m)) = self.id_number.as_deref().map(check_id_number) {
            problems.push(DomainError::invalid(f.id_number, m));
        }
        self.phone = non_empty(self.phone).map(|s| s.replace([' ', '-'], ""));
        if let Some(Err(m)) = self.phone.as_deref().map(check_phone) {
            problems.push(DomainError::invalid(f.phone, m));
        }
        self.address = non_empty(self.address);
        if self
            .address
            .as_ref()
            .is_some_and(|a| a.chars().count() > 200)
        {
            problems.push(DomainError::invalid(f.address, "地址不能超过200个字"));
        }
        self.email = non_empty(self.email);
        if let Some(Err(m)) = self.email.as_deref().map(check_email) {
            problems.push(DomainError::invalid(f.email, m));
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }

    /// The same person with phone and ID number masked, for viewers who do not need them.
    pub fn masked(&self) -> Petitioner {
        Petitioner {
            name: self.name.clone(),
            id_number: self.id_number.as_deref().map(mask_id_number),
            phone: self.phone.as_deref().map(mask_phone),
            address: self.address.as_ref().map(|_| "***".to_string()),
            email: self.email.as_ref().map(|_| "***".to_string()),
        }
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CODES: &[u8; 11] = b"10X98765432";

/// The GB 11643-1999 check character for the first 17 digits.
pub fn id_check_char(first17: &str) -> Option<char> {
    let digits: Vec<u32> = first17
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    if digits.len() != 17 {
        return None;
    }
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    Some(CHECK_CODES[(sum % 11) as usize] as char)
}

/// Validates an 18-character resident ID number: digits, birth date and checksum.
pub fn check_id_number(id: &str) -> Result<(), String> {
    if id.len() != 18 || !id.is_ascii() {
        return Err("身份证号码应为18位".into());
    }
    let (first17, last) = id.split_at(17);
    let Some(expected) = id_check_char(first17) else {
        return Err("身份证号码前17位应为数字".into());
    };
    let birth = &id[6..14];
    if NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() {
        return Err("身份证号码中的出生日期无效".into());
    }
    if !last.eq_ignore_ascii_case(&expected.to_string()) {
        return Err("身份证号码校验位不正确".into());
    }
    Ok(())
}

/// A plausible e-mail address (the mail server has the last word).
pub fn check_email(email: &str) -> Result<(), String> {
    let ok = email.len() <= 100
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !host.contains('@')
        });
    if ok {
        Ok(())
    } else {
        Err("电子邮箱格式不正确".into())
    }
}

/// Mobile numbers (11 digits starting 13–19) and landlines with area code (0xx-xxxxxxx).
pub fn check_phone(phone: &str) -> Result<(), String> {
    let digits = phone.bytes().all(|b| b.is_ascii_digit());
    let mobile =
        phone.len() == 11 && phone.starts_with('1') && (b'3'..=b'9').contains(&phone.as_bytes()[1]);
    let landline = phone.starts_with('0') && (10..=12).contains(&phone.len());
    if digits && (mobile || landline) {
        Ok(())
    } else {
        Err("电话号码格式不正确（手机11位，固话需带区号）".into())
    }
}

pub fn mask_phone(phone: &str) -> String {
    mask_middle(phone, 3, 4)
}

pub fn mask_id_number(id: &str) -> String {
    mask_middle(id, 6, 4)
}

fn mask_middle(s: &str, keep_front: usize, keep_back: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= keep_front + keep_back {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..keep_front].iter().collect();
    out.push_str(&"*".repeat(chars.len() - keep_front - keep_back));
    out.extend(&chars[chars.len() - keep_back..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_valid_id_number_passes() {
        // The GB 11643 worked example.
        assert_eq!(check_id_number("11010519491231002X"), Ok(()));
        assert_eq!(check_id_number("11010519491231002x"), Ok(()));
    }

    #[test]
    fn wrong_check_digit_and_bad_dates_fail() {
        assert!(check_id_number("110105194912310021").is_err());
        assert!(check_id_number("110105194913310020").is_err());
        assert!(check_id_number("1101051949123100").is_err());
    }

    #[test]
    fn phones() {
        assert!(check_phone("13812345678").is_ok());
        assert!(check_phone("07552345678").is_ok());
        assert!(check_phone("12812345678").is_err());
        assert!(check_phone("1381234567").is_err());
        assert!(check_phone("abc").is_err());
    }

    #[test]
    fn masking_keeps_ends_only() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
    }

    proptest! {
        #[test]
        fn computed_check_digit_always_validates(area in 110000u32..660000, days in 0i64..30000, seq in 0u32..1000) {
            let birth = NaiveDate::from_ymd_opt(1930, 1, 1).unwrap() + chrono::Duration::days(days);
            let first17 = format!("{area:06}{}{seq:03}", birth.format("%Y%m%d"));
            let id = format!("{first17}{}", id_check_char(&first17).unwrap());
            prop_assert_eq!(check_id_number(&id), Ok(()));
            // Any other check character is refused.
            for c in "0123456789X".chars().filter(|c| *c != id.chars().last().unwrap()) {
                let wrong = format!("{first17}{c}");
                prop_assert!(check_id_number(&wrong).is_err());
            }
        }
    }
}
