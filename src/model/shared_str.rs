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
        serializer.serialize_str(&self.0)
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
                Ok(
                    DECODING.with(|interner| match interner.borrow_mut().as_mut() {
                        Some(interner) => interner.intern(text),
                        None => SharedStr::from(text),
                    }),
                )
            }
        }
        deserializer.deserialize_str(Text)
    }
}

thread_local! {
    /// The interner of [`interning`] on this thread, if one is running.
    static DECODING: std::cell::RefCell<Option<Interner>> = const { std::cell::RefCell::new(None) };
}

/// Run `decode` with every [`SharedStr`] it deserialises interned: a million decoded rows then
/// hold each name once, as a parsed file does, and repeated names cost no allocation.
pub fn interning<T>(decode: impl FnOnce() -> T) -> T {
    let previous = DECODING.with(|interner| interner.replace(Some(Interner::default())));
    let decoded = decode();
    DECODING.with(|interner| interner.replace(previous));
    decoded
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
    fn serialises_as_a_plain_string() {
        let name = SharedStr::from("Khost");
        let text = ron::to_string(&name).expect("serialised");
        assert_eq!(text, "\"Khost\"");
        assert_eq!(ron::from_str::<SharedStr>(&text).expect("parsed"), name);
    }
}
