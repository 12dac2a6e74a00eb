//! Immutable strings shared between incidents.
//!
//! Place names, provinces, countries, codes, actors and source ids repeat across thousands of
//! rows of an import: a million ACLED rows name a few thousand places. Each row holding its own
//! `String` of them cost about 200 bytes a row in allocations alone; a [`SharedStr`] made by an
//! [`Interner`] is one pointer to a single copy.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::dictionary::Dictionary;

/// An immutable, cheaply cloned string; reads like a `&str`.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedStr(Arc<str>);

impl SharedStr {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both are the same copy (not merely equal text).
    pub fn shares_with(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Where this copy lives: the same for every clone of it, different for any other copy
    /// alive at the same time (a key cheaper than the text, while the copy is held).
    pub fn address(&self) -> usize {
        self.0.as_ptr() as usize
    }
}

impl Deref for SharedStr {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

// Hashes and compares like the `str` it holds (derived from `Arc<str>`), so sets of
// `SharedStr` can be searched with a `&str`.
impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> Self {
        Self(text.into())
    }
}

impl From<String> for SharedStr {
    fn from(text: String) -> Self {
        Self(text.into())
    }
}

impl From<SharedStr> for String {
    fn from(text: SharedStr) -> Self {
        text.0.to_string()
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == &*other.0
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == &*other.0
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match NUMBERING
            .with_borrow_mut(|table| table.as_mut().map(|table| table.code(self.clone())))
        {
            Some(number) => serializer.serialize_u32(number),
            None => serializer.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = SharedStr;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a string")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<SharedStr, E> {
                Ok(SharedStr::from(text))
            }
        }
        if NUMBERED.with_borrow(Option::is_some) {
            let number = u32::deserialize(deserializer)?;
            return NUMBERED
                .with_borrow(|table| table.as_ref()?.get(number as usize).cloned())
                .ok_or_else(|| {
                    serde::de::Error::custom(format!("name number {number} is not in the table"))
                });
        }
        deserializer.deserialize_str(Text)
    }
}

thread_local! {
    /// The table of [`numbering`] on this thread, if one is running.
    static NUMBERING: std::cell::RefCell<Option<Dictionary<SharedStr>>> = const { std::cell::RefCell::new(None) };
    /// The names of [`numbered`] on this thread, if one is running.
    static NUMBERED: std::cell::RefCell<Option<Vec<SharedStr>>> = const { std::cell::RefCell::new(None) };
}

/// Run `encode` with every [`SharedStr`] it serialises written as the number of its text in a
/// table of the distinct texts, returned beside: a block of the layer cache holds each name
/// once, and its incidents a number for each, so that a reopen neither hashes nor checks the
/// text of a million rows' names (see [`numbered`]).
pub fn numbering<T>(encode: impl FnOnce() -> T) -> (T, Vec<SharedStr>) {
    let guard = Restore::set(&NUMBERING, Dictionary::new());
    let encoded = encode();
    (
        encoded,
        guard.finish().map(|table| table.values).unwrap_or_default(),
    )
}

/// Run `decode` with every [`SharedStr`] it deserialises read as a number into `names`, as
/// [`numbering`] wrote it: the incidents of a block share one copy of each name, as a parsed
/// file's do. A number outside the table is an error of the deserialiser.
pub fn numbered<T>(names: Vec<SharedStr>, decode: impl FnOnce() -> T) -> T {
    let guard = Restore::set(&NUMBERED, names);
    let decoded = decode();
    guard.finish();
    decoded
}

type Slot<T> = std::thread::LocalKey<std::cell::RefCell<Option<T>>>;

/// A thread-local state set for a while, put back as it was when dropped: a panic inside
/// cannot leave a worker thread writing names as numbers afterwards.
struct Restore<T: 'static> {
    slot: &'static Slot<T>,
    previous: Option<Option<T>>,
}

impl<T: 'static> Restore<T> {
    fn set(slot: &'static Slot<T>, value: T) -> Self {
        let previous = slot.with(|cell| cell.replace(Some(value)));
        Self {
            slot,
            previous: Some(previous),
        }
    }

    /// Put the previous state back, and give the one set (as the closure left it).
    fn finish(mut self) -> Option<T> {
        let previous = self.previous.take().flatten();
        self.slot.with(|cell| cell.replace(previous))
    }
}

impl<T: 'static> Drop for Restore<T> {
    fn drop(&mut self) {
        if let Some(previous) = self.previous.take() {
            self.slot.with(|cell| cell.replace(previous));
        }
    }
}

/// Hands out one [`SharedStr`] per distinct text.
#[derive(Debug, Default)]
pub struct Interner {
    // foldhash: SipHash made interning a million rows' names a visible part of a load.
    known: HashSet<SharedStr, foldhash::fast::RandomState>,
}

impl Interner {
    pub fn intern(&mut self, text: &str) -> SharedStr {
        if let Some(shared) = self.known.get(text) {
            return shared.clone();
        }
        let shared = SharedStr::from(text);
        self.known.insert(shared.clone());
        shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_texts_share_one_copy() {
        let mut interner = Interner::default();
        let first = interner.intern("Nangarhar");
        let second = interner.intern(&String::from("Nangarhar"));
        assert!(first.shares_with(&second));
        assert_ne!(interner.intern("Kunar"), first);
    }

    #[test]
    fn reads_and_compares_like_a_str() {
        let name = SharedStr::from("Kabul");
        assert_eq!(name, "Kabul");
        assert_eq!("Kabul", name);
        assert_eq!(name.len(), 5);
        assert_eq!(format!("{name} {name:?}"), "Kabul \"Kabul\"");
        let set: HashSet<SharedStr> = [name.clone()].into();
        assert!(set.contains("Kabul"));
        assert_eq!(String::from(name), "Kabul");
    }

    #[test]
    fn numbered_names_read_back_as_one_copy_each() {
        let names: Vec<SharedStr> = ["Kabul", "Kunar", "Kabul"].map(SharedStr::from).into();
        let (bytes, table) = numbering(|| postcard::to_stdvec(&names).expect("encoded"));
        assert_eq!(table, [SharedStr::from("Kabul"), SharedStr::from("Kunar")]);
        let read: Vec<SharedStr> = numbered(table.clone(), || {
            postcard::from_bytes(&bytes).expect("decoded")
        });
        assert_eq!(read, names);
        assert!(read[0].shares_with(&read[2]) && read[0].shares_with(&table[0]));
        // A number past the table is refused, never a wrong name.
        assert!(
            numbered(
                table[..1].to_vec(),
                || postcard::from_bytes::<Vec<SharedStr>>(&bytes)
            )
            .is_err()
        );
        // Outside both, a name is its text.
        let plain = postcard::to_stdvec(&names).expect("encoded");
        assert_eq!(
            postcard::from_bytes::<Vec<SharedStr>>(&plain).expect("decoded"),
            names
        );
    }

    #[test]
    fn serialises_as_a_plain_string() {
        let name = SharedStr::from("Khost");
        let text = ron::to_string(&name).expect("serialised");
        assert_eq!(text, "\"Khost\"");
        assert_eq!(ron::from_str::<SharedStr>(&text).expect("parsed"), name);
    }
}
