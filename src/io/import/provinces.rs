//! Provinces of imported rows under one name: the embedded basemap's (the current name, with
//! its ISO 3166-2 code), so that UCDP's "Balochistan province", ACLED's "Balochistan" and the
//! embedded dataset's "Balochistan" are one province in the filter, the choropleth, the
//! trends, `--province` and the exports.
//!
//! The rule, the same for every row: a row whose point is known more finely than its country
//! gets the basemap province the point lies in (Afghanistan and Pakistan, the provinces the
//! basemap has); otherwise the name it gives is looked up in the basemap's names and in
//! [`SPELLINGS`], the spellings the datasets use (FATA and NWFP, merged into Khyber
//! Pakhtunkhwa in 2018; UCDP's "Khyber Pakhtunkwa province"; Afghan transliterations); a
//! name found in neither stays as written. The name as written is kept beside the canonical
//! one (the detail panel shows it), and a point lying outside the province its row names is
//! counted in the import report.

use crate::basemap::{Basemap, Mercator};

/// Spellings of Afghan and Pakistani provinces in ACLED, GTD, UCDP and press usage, as
/// comparison keys (see [`key`]), with the basemap's name and the country.
const SPELLINGS: &[(&str, &str, &str)] = &[
    // Pakistan: the tribal areas and the North-West Frontier Province are Khyber
    // Pakhtunkhwa since the 2010 renaming and the 2018 merger.
    ("fata", "Khyber Pakhtunkhwa", "PK"),
    (
        "federallyadministeredtribalareas",
        "Khyber Pakhtunkhwa",
        "PK",
    ),
    ("tribalareas", "Khyber Pakhtunkhwa", "PK"),
    ("nwfp", "Khyber Pakhtunkhwa", "PK"),
    ("northwestfrontier", "Khyber Pakhtunkhwa", "PK"),
    ("northwestfrontierprovince", "Khyber Pakhtunkhwa", "PK"),
    ("khyberpakhtunkwa", "Khyber Pakhtunkhwa", "PK"),
    ("khyberpakhtoonkhwa", "Khyber Pakhtunkhwa", "PK"),
    ("khyberpakhtunkhawa", "Khyber Pakhtunkhwa", "PK"),
    ("kpk", "Khyber Pakhtunkhwa", "PK"),
    ("kp", "Khyber Pakhtunkhwa", "PK"),
    ("baluchistan", "Balochistan", "PK"),
    ("islamabadcapitalterritory", "Islamabad", "PK"),
    ("federalcapitalterritory", "Islamabad", "PK"),
    ("ict", "Islamabad", "PK"),
    ("azadkashmir", "Azad Jammu and Kashmir", "PK"),
    ("azadjammukashmir", "Azad Jammu and Kashmir", "PK"),
    ("ajk", "Azad Jammu and Kashmir", "PK"),
    ("northernareas", "Gilgit-Baltistan", "PK"),
    ("sind", "Sindh", "PK"),
    // Afghanistan: transliterations.
    ("nangrahar", "Nangarhar", "AF"),
    ("ningarhar", "Nangarhar", "AF"),
    ("hilmand", "Helmand", "AF"),
    ("qandahar", "Kandahar", "AF"),
    ("hirat", "Herat", "AF"),
    ("paktya", "Paktia", "AF"),
    ("konar", "Kunar", "AF"),
    ("nooristan", "Nuristan", "AF"),
    ("maidanwardak", "Wardak", "AF"),
    ("maydanwardak", "Wardak", "AF"),
    ("wardag", "Wardak", "AF"),
    ("zabol", "Zabul", "AF"),
    ("oruzgan", "Uruzgan", "AF"),
    ("urozgan", "Uruzgan", "AF"),
    ("daikundi", "Daykundi", "AF"),
    ("daikondi", "Daykundi", "AF"),
    ("bamian", "Bamyan", "AF"),
    ("parvan", "Parwan", "AF"),
    ("panjsher", "Panjshir", "AF"),
    ("kondoz", "Kunduz", "AF"),
    ("qunduz", "Kunduz", "AF"),
    ("saripul", "Sar-e Pol", "AF"),
    ("sarepul", "Sar-e Pol", "AF"),
    ("jawzjan", "Jowzjan", "AF"),
    ("jozjan", "Jowzjan", "AF"),
    ("faryob", "Faryab", "AF"),
    ("ghowr", "Ghor", "AF"),
    ("nimruz", "Nimroz", "AF"),
    ("khowst", "Khost", "AF"),
];

/// Words a dataset adds to a province's name that are not part of it.
const NOT_THE_NAME: &[&str] = &["province", "provincia", "wilayat", "velayat", "of", "the"];

/// A province name as a comparison key: lower case, Latin letters without their accents,
/// without "province" and the like, and without spaces or punctuation ("Sar-e Pol" and
/// "Sar-e-Pol" agree).
pub fn key(name: &str) -> String {
    let folded: String = name
        .chars()
        .map(|c| match c {
            'ā' | 'á' | 'à' | 'â' | 'ä' | 'Ā' | 'Á' => 'a',
            'ē' | 'é' | 'è' | 'ê' | 'É' => 'e',
            'ī' | 'í' | 'ì' | 'î' => 'i',
            'ō' | 'ó' | 'ò' | 'ô' | 'ö' => 'o',
            'ū' | 'ú' | 'ù' | 'û' | 'ü' => 'u',
            c if c.is_alphanumeric() => c.to_ascii_lowercase(),
            _ => ' ',
        })
        .collect();
    folded
        .split_whitespace()
        .filter(|word| !NOT_THE_NAME.contains(word))
        .collect()
}

/// The basemap's name for a province written `written` in country `country_code`, from the
/// basemap's names and the known spellings; `None` when neither knows it.
pub fn by_spelling(basemap: &Basemap, written: &str, country_code: &str) -> Option<String> {
    let wanted = key(written);
    if wanted.is_empty() {
        return None;
    }
    // The shared basemap's keys made once: this runs for rows of a million-row file.
    static SHARED_KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let keys_of = |basemap: &Basemap| basemap.provinces.iter().map(|a| key(&a.name)).collect();
    let keys = if Basemap::shared().is_some_and(|shared| std::ptr::eq(shared, basemap)) {
        std::borrow::Cow::Borrowed(SHARED_KEYS.get_or_init(|| keys_of(basemap)))
    } else {
        std::borrow::Cow::Owned(keys_of(basemap))
    };
    basemap
        .provinces
        .iter()
        .zip(keys.iter())
        .find(|(area, key)| area.country_code == country_code && **key == wanted)
        .map(|(area, _)| area.name.clone())
        .or_else(|| {
            SPELLINGS
                .iter()
                .find(|(spelling, _, country)| *spelling == wanted && *country == country_code)
                .map(|(_, name, _)| (*name).to_owned())
        })
}

/// A row's province resolved by the rule in the module's documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The name filters, maps and exports use.
    pub name: String,
    /// The name as the row writes it, when it differs from `name`.
    pub as_written: Option<String>,
}

/// Resolve a row's province: `point` is `None` when the row is placed only to its country.
pub fn resolve(written: &str, country_code: &str, point: Option<Mercator>) -> Resolved {
    let written = written.trim();
    let Some(basemap) = Basemap::shared() else {
        return Resolved {
            name: written.to_owned(),
            as_written: None,
        };
    };
    let from_point = point
        .and_then(|point| basemap.province_at(point))
        .filter(|area| country_code.is_empty() || area.country_code == country_code)
        .map(|area| area.name.clone());
    let name = from_point
        .or_else(|| by_spelling(basemap, written, country_code))
        .unwrap_or_else(|| written.to_owned());
    let as_written = (!written.is_empty() && written != name).then(|| written.to_owned());
    Resolved { name, as_written }
}

/// Whether a row's written province names another province than the one its point lies in
/// (`name` is the resolved one): a spelling the table knows that resolves elsewhere.
pub fn names_another(written: &str, name: &str, country_code: &str) -> bool {
    Basemap::shared()
        .and_then(|basemap| by_spelling(basemap, written, country_code))
        .is_some_and(|named| named != name)
}

/// The ISO 3166-2 code of a basemap province, e.g. `PK-BA` for Balochistan.
pub fn iso_code(name: &str, country_code: &str) -> Option<&'static str> {
    Basemap::shared()?
        .provinces
        .iter()
        .find(|area| area.name == name && area.country_code == country_code)
        .and_then(|area| area.iso_3166_2.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lon: f64) -> Option<Mercator> {
        Some(Mercator::from_lon_lat(lon, lat))
    }

    #[test]
    fn spellings_of_the_datasets_resolve_to_the_basemap_names() {
        let basemap = Basemap::shared().unwrap();
        for (written, country, name) in [
            ("Balochistan province", "PK", "Balochistan"),
            ("Khyber Pakhtunkwa province", "PK", "Khyber Pakhtunkhwa"),
            (
                "Federally Administered Tribal Areas",
                "PK",
                "Khyber Pakhtunkhwa",
            ),
            ("FATA", "PK", "Khyber Pakhtunkhwa"),
            ("N.W.F.P.", "PK", "Khyber Pakhtunkhwa"),
            ("Nangarhar province", "AF", "Nangarhar"),
            ("Ningarhar", "AF", "Nangarhar"),
            ("Sar-e-Pul", "AF", "Sar-e Pol"),
            ("Hilmand", "AF", "Helmand"),
            ("Kābul", "AF", "Kabul"),
        ] {
            assert_eq!(
                by_spelling(basemap, written, country).as_deref(),
                Some(name),
                "{written}"
            );
        }
        assert_eq!(
            by_spelling(basemap, "Balochistan", "AF"),
            None,
            "wrong country"
        );
        assert_eq!(by_spelling(basemap, "Sistan and Baluchestan", "IR"), None);
    }

    #[test]
    fn the_point_decides_and_the_name_as_written_is_kept() {
        // Quetta, written as UCDP writes it.
        let quetta = resolve("Balochistan province", "PK", point(30.18, 66.975));
        assert_eq!(quetta.name, "Balochistan");
        assert_eq!(quetta.as_written.as_deref(), Some("Balochistan province"));
        // Bajaur, in the former tribal areas: Khyber Pakhtunkhwa by its point.
        let bajaur = resolve(
            "Federally Administered Tribal Areas",
            "PK",
            point(34.73, 71.52),
        );
        assert_eq!(bajaur.name, "Khyber Pakhtunkhwa");
        // A name that is already the basemap's is not repeated.
        assert_eq!(
            resolve("Kabul", "AF", point(34.53, 69.17)),
            Resolved {
                name: "Kabul".to_owned(),
                as_written: None
            }
        );
        // Known only to the country: the spelling table decides.
        assert_eq!(resolve("FATA", "PK", None).name, "Khyber Pakhtunkhwa");
        // Outside the basemap's provinces: as written.
        assert_eq!(resolve("Tehran", "IR", point(35.69, 51.39)).name, "Tehran");
        // A point in Peshawar for a row that names Balochistan: the point wins, and the
        // mismatch is told.
        let peshawar = resolve("Balochistan", "PK", point(34.0151, 71.5249));
        assert_eq!(peshawar.name, "Khyber Pakhtunkhwa");
        assert!(names_another("Balochistan", &peshawar.name, "PK"));
        assert!(!names_another("Balochistan province", "Balochistan", "PK"));
        assert_eq!(iso_code("Balochistan", "PK"), Some("PK-BA"));
    }
}
