//! Actor names: how ACLED, GTD, UCDP and analysts' own files name ISK.
//!
//! The embedded dataset is about ISK by construction: every incident in it is linked to ISK,
//! and its attribution grade says how. Imported rows name their actor in the source's own
//! words, which this module recognises when the rows are graded.

use super::incident::{Attribution, Incident};

/// What the embedded dataset's incidents are about, shown where an imported row would show
/// its actor.
pub const EMBEDDED_ACTOR: &str = "Islamic State Khorasan Province (ISK)";

/// The names the ISK preset matches, for the filter's tooltip and the README. Matching is
/// case-insensitive and ignores punctuation; see [`is_isk_name`] for the exact rules.
pub const ISK_NAMES: &[&str] = &[
    "Islamic State (Afghanistan)",
    "Islamic State (Pakistan)",
    "Islamic State Khorasan Province",
    "Islamic State - Khorasan Province",
    "Khorasan Chapter of the Islamic State",
    "Islamic State of Iraq and the Levant - Khorasan",
    "ISKP / IS-K / ISK / ISIS-K",
    "IS, ISIS, ISIL, Islamic State (only in Afghanistan and Pakistan)",
];

/// Lower case, punctuation as spaces, single spaces: "Islamic State (Afghanistan)" becomes
/// "islamic state afghanistan".
fn normalise(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `name` is one of the names the datasets use for ISK. `country_code` (ISO alpha-2)
/// decides the generic names: UCDP calls every Islamic State branch "IS", which is ISK only
/// in Afghanistan and Pakistan.
///
/// "Islamic State (Pakistan)" is included: ACLED codes ISK's attacks in Pakistan under it,
/// although the group announced a separate Pakistan province in 2019 (see README).
pub fn is_isk_name(name: &str, country_code: &str) -> bool {
    let reading = read_name_memoised(name);
    reading.isk_anywhere || (reading.generic && matches!(country_code, "AF" | "PK"))
}

/// What a name says, apart from where the row is.
#[derive(Clone, Copy)]
struct NameReading {
    /// An ISK name wherever the row is.
    isk_anywhere: bool,
    /// A generic Islamic State name, ISK only in the Khorasan heartland.
    generic: bool,
}

/// [`read_name`], remembered per thread: an import asks about the same few thousand actor
/// names a million times, and reading one allocates three times.
fn read_name_memoised(name: &str) -> NameReading {
    /// Enough for every actor of an ACLED export; past it the table starts again, so a file
    /// of unique names cannot grow it without bound.
    const REMEMBERED: usize = 16_384;
    thread_local! {
        static READINGS: std::cell::RefCell<
            std::collections::HashMap<Box<str>, NameReading, foldhash::fast::RandomState>,
        > = std::cell::RefCell::default();
    }
    READINGS.with_borrow_mut(|readings| {
        if let Some(&reading) = readings.get(name) {
            return reading;
        }
        let reading = read_name(name);
        if readings.len() >= REMEMBERED {
            readings.clear();
        }
        readings.insert(name.into(), reading);
        reading
    })
}

fn read_name(name: &str) -> NameReading {
    let name = normalise(name);
    let not_isk = NameReading {
        isk_anywhere: false,
        generic: false,
    };
    if name.is_empty() || is_other_province_name(&name) {
        return not_isk;
    }
    let words: Vec<&str> = name.split(' ').collect();
    let has = |word: &str| words.contains(&word);
    let isk = NameReading {
        isk_anywhere: true,
        generic: false,
    };
    if has("khorasan") || has("khurasan") || has("iskp") || has("isk") || has("iskp's") {
        return isk;
    }
    if name.contains("is k") || name.contains("isis k") || name.contains("isil k") {
        return isk;
    }
    let islamic_state = name.contains("islamic state") || has("isis") || has("isil") || has("is");
    if islamic_state && (has("afghanistan") || has("pakistan")) {
        return isk;
    }
    // Generic names ("IS", "Islamic State", "ISIS") count only in the Khorasan heartland.
    let generic = matches!(
        name.as_str(),
        "is" | "isis" | "isil" | "islamic state" | "islamic state is" | "daesh" | "daish"
    );
    NameReading {
        isk_anywhere: false,
        generic,
    }
}

/// IS Pakistan Province (announced in May 2019, apart from ISK) under the names its claims
/// and the press use; `name` is normalised.
fn is_other_province_name(name: &str) -> bool {
    name.contains("pakistan province")
        || name.contains("wilayat pakistan")
        || name.split(' ').any(|word| word == "ispp")
}

/// The actor as shown first: the imported name, or ISK for the embedded dataset.
pub fn actor_name(incident: &Incident) -> &str {
    incident.perpetrator.as_deref().unwrap_or(EMBEDDED_ACTOR)
}

/// Every actor name of an incident, as filtered and counted: the one shown first, then each
/// other actor the row names, once each.
pub fn actor_names(incident: &Incident) -> impl Iterator<Item = &str> {
    let first = actor_name(incident);
    std::iter::once(first).chain(
        incident
            .actors
            .iter()
            .enumerate()
            .map(|(index, actor)| (index, actor.name.as_str()))
            .filter(move |(index, name)| {
                !name.is_empty()
                    && *name != first
                    && !incident.actors[..*index]
                        .iter()
                        .any(|earlier| earlier.name.as_str() == *name)
            })
            .map(|(_, name)| name),
    )
}

/// Whether the incident is linked to ISK. Importers grade each row by its actor's name
/// ([`is_isk_name`]): a row whose actor is not ISK gets [`Attribution::NotIsk`]; every other
/// grade (a claim, an official attribution, a suspicion, a data coder naming ISK) is a link,
/// except a claim by another IS province (IS Pakistan Province), which is that province's.
pub fn is_isk(incident: &Incident) -> bool {
    !matches!(
        incident.attribution,
        Attribution::NotIsk | Attribution::ClaimedByOtherProvince
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_used_by_acled_gtd_and_ucdp_match() {
        for name in [
            "Islamic State (Afghanistan)",
            "Islamic State (Pakistan)",
            "Islamic State Khorasan Province",
            "Khorasan Chapter of the Islamic State",
            "ISKP",
            "IS-K",
            "ISIS-K",
            "Islamic State - Khorasan Province (ISKP)",
        ] {
            assert!(is_isk_name(name, "RU"), "{name}");
        }
        assert!(is_isk_name("IS", "AF"));
        assert!(is_isk_name("Islamic State", "PK"));
    }

    #[test]
    fn is_pakistan_province_is_not_isk() {
        for name in [
            "Islamic State Pakistan Province",
            "Islamic State - Pakistan Province (ISPP)",
            "ISPP",
            "Wilayat Pakistan",
        ] {
            assert!(!is_isk_name(name, "PK"), "{name}");
        }
        // ACLED's code for ISK's attacks in Pakistan stays ISK (see README).
        assert!(is_isk_name("Islamic State (Pakistan)", "PK"));
    }

    #[test]
    fn other_groups_and_other_branches_do_not_match() {
        assert!(!is_isk_name("IS", "SY"), "UCDP's IS in Syria is not ISK");
        assert!(!is_isk_name("Islamic State (Iraq)", "IQ"));
        assert!(!is_isk_name("Taliban", "AF"));
        assert!(!is_isk_name("Tehrik-i-Taliban Pakistan (TTP)", "PK"));
        assert!(!is_isk_name("Isis Street Gang", "GB"));
        assert!(!is_isk_name("", "AF"));
        assert!(!is_isk_name("Unidentified Armed Group (Afghanistan)", "AF"));
    }
}
