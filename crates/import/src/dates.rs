//! Dates in every form registers use: ISO with or without a time, 2020/9/3, 9/3/2020 and 3/9/2020
//! (told apart by the column's values), 2020年9月3日, 2020.9.3, and Excel serial numbers.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// How a column writes day and month when the year comes last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOrder {
    /// 09/03/2020 is 3 September (US, and Excel's default export).
    MonthFirst,
    /// 03/09/2020 is 3 September.
    DayFirst,
}

impl DayOrder {
    /// The order a column's values follow: day first when some first part exceeds 12, month
    /// first otherwise (also when nothing tells them apart).
    pub fn of_column<'a>(values: impl IntoIterator<Item = &'a str>) -> DayOrder {
        for v in values {
            if let Some((a, b, _)) = year_last(v)
                && a > 12
                && b <= 12
            {
                return DayOrder::DayFirst;
            }
        }
        DayOrder::MonthFirst
    }
}

/// The three numbers of `a/b/yyyy` (also with `-` or `.`), the year last.
fn year_last(v: &str) -> Option<(u32, u32, i32)> {
    let date = v.split_whitespace().next()?;
    let parts: Vec<&str> = date.split(['/', '-', '.']).collect();
    match parts[..] {
        [a, b, y] if y.len() == 4 && a.len() <= 2 && b.len() <= 2 => {
            Some((a.parse().ok()?, b.parse().ok()?, y.parse().ok()?))
        }
        _ => None,
    }
}

/// The moment a cell names, or why not (in Chinese). A date without a time is taken at 00:00.
pub fn parse(value: &str, order: DayOrder) -> Result<NaiveDateTime, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("日期为空".into());
    }
    let bad = || format!("无法识别的日期“{v}”");
    // Excel serial numbers (days since 1899-12-30, a fraction for the time); 20200903 is a date.
    if let Ok(serial) = v.parse::<f64>()
        && v.len() != 8
    {
        if (1.0..2_958_466.0).contains(&serial) {
            let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("a valid date");
            let days = serial.trunc() as i64;
            let secs = ((serial - serial.trunc()) * 86_400.0).round() as i64;
            return Ok(
                (base + Duration::days(days)).and_time(NaiveTime::MIN) + Duration::seconds(secs)
            );
        }
        return Err(bad());
    }
    // 2020年9月3日 [14:22[:01]] / [14时22分]
    let v = v
        .replace(['年', '月'], "-")
        .replace('日', " ")
        .replace(['时', '分'], ":")
        .replace('秒', "")
        .replace('T', " ");
    let v = v.trim().trim_end_matches(':').to_string();
    let (date, time) = match v.split_once(char::is_whitespace) {
        Some((d, t)) => (d.trim(), Some(t.trim())),
        None => (v.as_str(), None),
    };
    let day = date_of(date, order).ok_or_else(bad)?;
    let time = match time.filter(|t| !t.is_empty()) {
        None => NaiveTime::MIN,
        Some(t) => ["%H:%M:%S", "%H:%M", "%H:%M:%S%.f"]
            .iter()
            .find_map(|f| NaiveTime::parse_from_str(t, f).ok())
            .ok_or_else(bad)?,
    };
    Ok(day.and_time(time))
}

fn date_of(date: &str, order: DayOrder) -> Option<NaiveDate> {
    let parts: Vec<&str> = date
        .split(['/', '-', '.'])
        .filter(|p| !p.is_empty())
        .collect();
    let n = |s: &str| s.parse::<u32>().ok();
    match parts[..] {
        [y, m, d] if y.len() == 4 => NaiveDate::from_ymd_opt(y.parse().ok()?, n(m)?, n(d)?),
        [a, b, y] if y.len() == 4 => {
            let (m, d) = match order {
                DayOrder::MonthFirst => (n(a)?, n(b)?),
                DayOrder::DayFirst => (n(b)?, n(a)?),
            };
            NaiveDate::from_ymd_opt(y.parse().ok()?, m, d)
        }
        // 20200903
        [compact] if compact.len() == 8 => NaiveDate::parse_from_str(compact, "%Y%m%d").ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn every_usual_form_reads() {
        let m = DayOrder::MonthFirst;
        for (v, want) in [
            ("2020-09-03", "2020-09-03 00:00:00"),
            ("2020-09-03 14:22:01", "2020-09-03 14:22:01"),
            ("2020-09-03T14:22", "2020-09-03 14:22:00"),
            ("2020/9/3", "2020-09-03 00:00:00"),
            ("2020/09/03 8:05", "2020-09-03 08:05:00"),
            ("2020年9月3日", "2020-09-03 00:00:00"),
            ("2020年9月3日 14时22分", "2020-09-03 14:22:00"),
            ("2020.9.3", "2020-09-03 00:00:00"),
            ("20200903", "2020-09-03 00:00:00"),
            ("09/03/2020", "2020-09-03 00:00:00"),
            ("44077", "2020-09-03 00:00:00"),
            ("44077.5", "2020-09-03 12:00:00"),
        ] {
            assert_eq!(parse(v, m), Ok(day(want)), "{v}");
        }
        assert_eq!(
            parse("03/09/2020", DayOrder::DayFirst),
            Ok(day("2020-09-03 00:00:00"))
        );
        for bad in ["", "明天", "2020-13-01", "32/01/2020", "12:00", "-5"] {
            assert!(parse(bad, m).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_column_tells_day_first_from_month_first_by_its_values() {
        assert_eq!(
            DayOrder::of_column(["09/03/2020", "12/25/2020"]),
            DayOrder::MonthFirst
        );
        assert_eq!(
            DayOrder::of_column(["09/03/2020", "25/12/2020"]),
            DayOrder::DayFirst
        );
        assert_eq!(DayOrder::of_column(["2020-09-03"]), DayOrder::MonthFirst);
    }
}
