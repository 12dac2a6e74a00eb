//! Column positions by name, for the lookups every field of every row makes: an importer asks
//! about twenty names a row, and a general-purpose map's hashing and string comparison were
//! a twentieth of a million-row load. A name of up to 16 bytes is compared as three numbers
//! (its length, its first and its last eight bytes), which together hold every byte of it.

/// A name as the numbers it is hashed and compared by.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    len: usize,
    head: u64,
    tail: u64,
}

impl Key {
    #[inline]
    fn of(name: &[u8]) -> Self {
        let len = name.len();
        let (head, tail) = match (name.first_chunk::<8>(), name.last_chunk::<8>()) {
            (Some(head), Some(tail)) => (u64::from_le_bytes(*head), u64::from_le_bytes(*tail)),
            // Shorter than a word: its bytes, the rest zero.
            _ => {
                let word = name
                    .iter()
                    .rev()
                    .fold(0u64, |word, &byte| (word << 8) | u64::from(byte));
                (word, word)
            }
        };
        Self { len, head, tail }
    }

    #[inline]
    fn hash(self) -> usize {
        let mixed = (self.head ^ self.tail.rotate_left(29) ^ self.len as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        // The high bits are the well-mixed ones.
        (mixed >> 32) as usize
    }

    /// Whether the key alone tells the whole name (up to 16 bytes).
    fn is_whole(self) -> bool {
        self.len <= 16
    }
}

/// A table of names and their positions: open addressing, at most half full.
#[derive(Default)]
pub struct ColumnIndex {
    slots: Vec<Option<(Key, Box<str>, usize)>>,
    len: usize,
}

impl ColumnIndex {
    /// The position of `name`, compared exactly.
    #[inline]
    pub fn get(&self, name: &str) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let key = Key::of(name.as_bytes());
        let mask = self.slots.len() - 1;
        let mut slot = key.hash() & mask;
        loop {
            match &self.slots[slot] {
                None => return None,
                Some((found, text, position))
                    if *found == key && (key.is_whole() || &**text == name) =>
                {
                    return Some(*position);
                }
                Some(_) => slot = (slot + 1) & mask,
            }
        }
    }

    /// Give `name` `position` unless it has one already (the first column of a name wins).
    pub fn insert_first(&mut self, name: &str, position: usize) {
        if self.get(name).is_some() {
            return;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        self.place(Key::of(name.as_bytes()), name.into(), position);
        self.len += 1;
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, (0..size).map(|_| None).collect());
        for (key, name, position) in old.into_iter().flatten() {
            self.place(key, name, position);
        }
    }

    fn place(&mut self, key: Key, name: Box<str>, position: usize) {
        let mask = self.slots.len() - 1;
        let mut slot = key.hash() & mask;
        while self.slots[slot].is_some() {
            slot = (slot + 1) & mask;
        }
        self.slots[slot] = Some((key, name, position));
    }
}

#[cfg(test)]
mod tests {
    use super::ColumnIndex;

    #[test]
    fn finds_every_name_exactly_and_no_other() {
        let names = [
            "",
            "a",
            "id",
            "event_id_cnty",
            "event_id_no_cnty",
            "event_date",
            "country",
            "country_txt",
            "assoc_actor_1",
            "assoc_actor_2",
            "civilian_targeting",
            "a_name_longer_than_sixteen_bytes",
            "a_name_longer_than_sixteen_bytez",
            "notes",
            "abcdefgh",
            "abcdefghi",
            "abcdefghabcdefgh",
            "abcdefghXabcdefgh",
        ];
        let mut index = ColumnIndex::default();
        for (position, name) in names.iter().enumerate() {
            index.insert_first(name, position);
        }
        // A repeated name keeps its first position.
        index.insert_first("notes", 99);
        for (position, name) in names.iter().enumerate() {
            assert_eq!(index.get(name), Some(position), "{name}");
        }
        for absent in [
            "b",
            "ID",
            "event_id",
            "event_id_cnt",
            "event_id_cntyy",
            "data_id",
            "iso",
            "a_name_longer_than_sixteen_bytex",
            "abcdefgX",
            "abcdefghabcdefgX",
            "abcdefghYabcdefgh",
            "note",
            "notes ",
        ] {
            assert_eq!(index.get(absent), None, "{absent}");
        }
    }

    #[test]
    fn grows_past_its_first_size() {
        let mut index = ColumnIndex::default();
        let names: Vec<String> = (0..500).map(|i| format!("column_{i}")).collect();
        for (position, name) in names.iter().enumerate() {
            index.insert_first(name, position);
        }
        for (position, name) in names.iter().enumerate() {
            assert_eq!(index.get(name), Some(position));
        }
        assert_eq!(index.get("column_500"), None);
    }
}
