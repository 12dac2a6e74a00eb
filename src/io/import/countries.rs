//! Country names and codes (ISO 3166-1), so imported rows get the alpha-2 code the filters use.
//!
//! The table is `assets/reference/countries.csv`, made from pycountry by the script beside it.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../../assets/reference/countries.csv");

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Country {
    pub alpha2: String,
    /// The name shown: the first of the table's names (ISO's short name).
    pub name: String,
}

struct Table {
    /// Lower-case names, alpha-2, alpha-3 and numeric codes (without leading zeros).
    by_key: HashMap<String, usize>,
    countries: Vec<Country>,
}

fn table() -> &'static Table {
    static TABLE_CELL: OnceLock<Table> = OnceLock::new();
    TABLE_CELL.get_or_init(|| {
        let mut by_key = HashMap::new();
        let mut countries = Vec::new();
        let mut reader = csv::Reader::from_reader(TABLE.as_bytes());
        for record in reader.records().flatten() {
            let (Some(alpha2), Some(alpha3), Some(numeric), Some(names)) =
                (record.get(0), record.get(1), record.get(2), record.get(3))
            else {
                continue;
            };
            let index = countries.len();
            let names: Vec<&str> = names.split('|').collect();
            // Prefer the alias when ISO's name is the formal one ("Iran, Islamic Republic of",
            // "Syrian Arab Republic"): a briefing says Iran and Syria.
            let formal = [",", "Federation", "Republic", "Darussalam"]
                .iter()
                .any(|marker| names[0].contains(marker));
            let shown = names
                .iter()
                .skip(1)
                .find(|n| !n.contains(',') && !n.contains("Republic") && n.len() < names[0].len())
                .filter(|_| formal)
                .unwrap_or(&names[0]);
            countries.push(Country {
                alpha2: alpha2.to_owned(),
                name: (*shown).to_owned(),
            });
            for key in names.iter().copied().chain([alpha2, alpha3]) {
                by_key.entry(normalise(key)).or_insert(index);
            }
            if let Ok(number) = numeric.parse::<u32>() {
                by_key.entry(number.to_string()).or_insert(index);
            }
        }
        Table { by_key, countries }
    })
}

fn normalise(text: &str) -> String {
    text.trim().to_lowercase().replace(['\u{2019}', '`'], "'")
}

/// A country by name ("Afghanistan", "Russia"), alpha-2 ("AF"), alpha-3 ("AFG") or numeric
/// code ("4", "004").
pub fn find(text: &str) -> Option<&'static Country> {
    // A file names a few countries a million times: each text is normalised and looked up
    // once per thread (a bounded memo: a file of endless distinct names only refills it).
    thread_local! {
        static SEEN: std::cell::RefCell<HashMap<Box<str>, Option<usize>, foldhash::fast::RandomState>> =
            std::cell::RefCell::default();
    }
    const MEMO_ENTRIES: usize = 1024;
    let table = table();
    let index = SEEN.with_borrow_mut(|seen| {
        if let Some(&index) = seen.get(text) {
            return index;
        }
        let index = index_of(table, text);
        if seen.len() >= MEMO_ENTRIES {
            seen.clear();
        }
        seen.insert(text.into(), index);
        index
    });
    index.map(|index| &table.countries[index])
}

fn index_of(table: &Table, text: &str) -> Option<usize> {
    let key = normalise(text);
    let key = match key.parse::<u32>() {
        Ok(number) => number.to_string(),
        Err(_) => key,
    };
    table.by_key.get(&key).copied()
}

/// Whether `code` is an ISO 3166-1 alpha-2 code of the table (upper case, as the filters use
/// them), XK for Kosovo included.
pub fn is_alpha2(code: &str) -> bool {
    code.len() == 2
        && code.bytes().all(|b| b.is_ascii_uppercase())
        && table()
            .countries
            .iter()
            .any(|country| country.alpha2 == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha2_codes_are_those_of_the_table() {
        assert!(is_alpha2("AF") && is_alpha2("PK") && is_alpha2("XK"));
        assert!(!is_alpha2("af") && !is_alpha2("AFG") && !is_alpha2("ZZ") && !is_alpha2(""));
        assert_eq!(
            table()
                .countries
                .iter()
                .filter(|c| is_alpha2(&c.alpha2))
                .count(),
            250
        );
    }

    #[test]
    fn names_and_codes_resolve() {
        assert_eq!(find("Afghanistan").unwrap().alpha2, "AF");
        assert_eq!(find("  pakistan ").unwrap().alpha2, "PK");
        assert_eq!(find("Russia").unwrap().alpha2, "RU");
        assert_eq!(find("Russian Federation").unwrap().name, "Russia");
        assert_eq!(find("Iran").unwrap().name, "Iran");
        // Formal names give way to the common one; a name that is not formal stays.
        assert_eq!(find("Syrian Arab Republic").unwrap().name, "Syria");
        assert_eq!(find("LA").unwrap().name, "Laos");
        assert_eq!(find("Brunei Darussalam").unwrap().name, "Brunei");
        assert_eq!(find("Czech Republic").unwrap().name, "Czechia");
        assert_eq!(
            find("Central African Republic").unwrap().name,
            "Central African Republic"
        );
        assert_eq!(find("004").unwrap().alpha2, "AF");
        assert_eq!(find("586").unwrap().alpha2, "PK");
        assert_eq!(find("TJK").unwrap().alpha2, "TJ");
        assert_eq!(find("Turkey").unwrap().alpha2, "TR");
        assert!(find("Atlantis").is_none());
        assert!(find("").is_none());
    }
}
