//! Column positions by name, for the lookups every field of every row makes: an importer asks
//! about twenty names a row, and hashing the name's bytes and comparing the strings were a
//! twentieth of a million-row load. A name of up to 16 bytes is hashed and compared as three
//! numbers (its length, its first and its last eight bytes), which together hold every byte
//! of it; a longer one is compared as text too.

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
    fn hash(self) -> u64 {
        (self.head ^ self.tail.rotate_left(29) ^ self.len as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    /// Whether the key alone tells the whole name (up to 16 bytes).
    fn is_whole(self) -> bool {
        self.len <= 16
    }
}

/// Names and their positions, found by [`Key`].
#[derive(Default)]
pub struct ColumnIndex {
    table: hashbrown::HashTable<(Key, Box<str>, usize)>,
}

impl ColumnIndex {
    /// The position of `name`, compared exactly.
    #[inline]
    pub fn get(&self, name: &str) -> Option<usize> {
        let key = Key::of(name.as_bytes());
        self.table
            .find(key.hash(), |(found, text, _)| {
                *found == key && (key.is_whole() || &**text == name)
            })
            .map(|&(_, _, position)| position)
    }

    /// Give `name` `position` unless it has one already (the first column of a name wins).
    pub fn insert_first(&mut self, name: &str, position: usize) {
        if self.get(name).is_none() {
            let key = Key::of(name.as_bytes());
            self.table
                .insert_unique(key.hash(), (key, name.into(), position), |(key, ..)| {
                    key.hash()
                });
        }
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
