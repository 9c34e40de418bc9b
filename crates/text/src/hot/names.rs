//! Strings numbered in the order first seen (words, places, categories): the hot issues count
//! numbers, and a snapshot stores each string once.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Names {
    list: Vec<String>,
    /// Rebuilt from `list` after loading ([`Names::reindex`]).
    #[serde(skip)]
    ids: HashMap<String, u32>,
}

impl Names {
    /// The string's number, given it now when it is new.
    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(id) = self.ids.get(s) {
            return *id;
        }
        let id = self.list.len() as u32;
        self.list.push(s.to_string());
        self.ids.insert(s.to_string(), id);
        id
    }

    /// Every name, by number.
    pub fn all(&self) -> &[String] {
        &self.list
    }

    pub fn reindex(&mut self) {
        self.ids = self
            .list
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_stable_and_survive_a_reindex() {
        let mut n = Names::default();
        assert_eq!((n.id("东区"), n.id("西区"), n.id("东区")), (0, 1, 0));
        let mut copy: Names = postcard::from_bytes(&postcard::to_allocvec(&n).unwrap()).unwrap();
        copy.reindex();
        assert_eq!((copy.id("西区"), copy.id("南区")), (1, 2));
        assert_eq!(copy.all()[0], "东区");
    }
}
