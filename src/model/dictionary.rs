//! Dense codes for repeated values: the scan's columns code countries, provinces, actors and
//! sources; a block of the layer cache numbers its names.

use std::collections::HashMap;

/// Values (strings, pairs of them) numbered densely in the order first met.
pub struct Dictionary<K> {
    // foldhash: a lookup per row and column while building.
    index: HashMap<K, u32, foldhash::fast::RandomState>,
    /// The values, by code.
    pub values: Vec<K>,
}

impl<K: std::hash::Hash + Eq + Clone> Dictionary<K> {
    pub fn new() -> Self {
        Self {
            index: HashMap::default(),
            values: Vec::new(),
        }
    }

    pub fn code(&mut self, key: K) -> u32 {
        if let Some(&code) = self.index.get(&key) {
            return code;
        }
        let code = self.values.len() as u32;
        self.index.insert(key.clone(), code);
        self.values.push(key);
        code
    }

    /// The code of each of `keys`, in order.
    pub fn codes(&mut self, keys: Vec<K>) -> Vec<u32> {
        keys.into_iter().map(|key| self.code(key)).collect()
    }

    /// [`Dictionary::code`] of a borrowed key, made owned only when it is new (a million
    /// rows name a few hundred actors).
    pub fn code_of<Q>(&mut self, key: &Q) -> u32
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        match self.index.get(key) {
            Some(&code) => code,
            None => self.code(key.to_owned()),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Default for Dictionary<K> {
    fn default() -> Self {
        Self::new()
    }
}
