//! What changed: per province and per country, the incidents and deaths of the last N months
//! against a baseline, with a surge flag. One function for the app's Change view and
//! `khorasan-atlas stats --change`, so both give the same numbers.
//!
//! Rules (README, "Change and surge"):
//! - The window is the last `months` whole months up to the end month: the month of the
//!   filter's last day if it has one, else the latest month any incident is dated in.
//! - The baseline is the `months` before the window (`Baseline::Previous`), or the same
//!   months a year earlier (`Baseline::YearEarlier`).
//! - Incidents are those the filter keeps, its period aside (the window and the baseline are
//!   the period). An incident dated to the day or the month counts in its month; one known
//!   only to its year is left out of both, and counted as left out.
//! - Deaths are summed as ranges (low to high), as everywhere else.
//! - **Surge**, after ACLED's Surge Tracker (flagged at 100% or more over the recent average
//!   when that average is at least 1): the baseline's monthly average is at least 1 incident
//!   and the window has at least twice the baseline's incidents. **New**: no incident in the
//!   baseline and at least one in the window.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::aggregate::{GroupTotal, MonthIndex, month_index, month_of_index};
use super::filter::{Facet, Filter};
use super::{Dataset, ProvinceKey};

/// What the window is compared with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Baseline {
    /// The months just before the window.
    #[default]
    Previous,
    /// The same months a year earlier.
    YearEarlier,
}

impl Baseline {
    pub fn label(self) -> &'static str {
        match self {
            Self::Previous => "the months before",
            Self::YearEarlier => "the same months a year earlier",
        }
    }
}

/// The change view's settings, kept in saved views.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChangeSettings {
    /// Months in the window (and in the baseline).
    pub months: u32,
    pub baseline: Baseline,
}

impl Default for ChangeSettings {
    fn default() -> Self {
        Self {
            months: 3,
            baseline: Baseline::Previous,
        }
    }
}

/// One place's numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlaceChange {
    pub now: GroupTotal,
    pub before: GroupTotal,
}

impl PlaceChange {
    /// Incidents in the window less those in the baseline.
    pub fn difference(&self) -> i64 {
        self.now.count as i64 - self.before.count as i64
    }

    /// The change as a share of the baseline (1.0 is +100%); `None` without a baseline.
    pub fn ratio(&self) -> Option<f64> {
        (self.before.count > 0).then(|| self.difference() as f64 / self.before.count as f64)
    }

    /// The rule in the module's documentation.
    pub fn flag(&self, months: u32) -> Option<Flag> {
        let average = self.before.count as f64 / f64::from(months.max(1));
        if average >= 1.0 && self.now.count >= 2 * self.before.count {
            Some(Flag::Surge)
        } else if self.before.count == 0 && self.now.count > 0 {
            Some(Flag::New)
        } else {
            None
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    Surge,
    New,
}

impl Flag {
    pub fn label(self) -> &'static str {
        match self {
            Self::Surge => "surge",
            Self::New => "new",
        }
    }
}

/// A country or a province.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Country,
    Province,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Self::Country => "country",
            Self::Province => "province",
        }
    }
}

/// One row of the change table.
#[derive(Clone, Copy, Debug)]
pub struct ChangeRow<'a> {
    pub level: Level,
    pub name: &'a str,
    pub country_code: &'a str,
    pub place: &'a PlaceChange,
}

impl ChangeRow<'_> {
    /// "+200%", "-100%", "new" (no baseline), "0%".
    pub fn percent_words(&self) -> String {
        match self.place.ratio() {
            Some(ratio) => format!("{:+.0}%", ratio * 100.0),
            None if self.place.now.count > 0 => "new".to_owned(),
            None => String::new(),
        }
    }
}

/// The change of every province and country.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Change {
    pub settings: ChangeSettings,
    /// First and last month of the window and of the baseline; `None` without dated data.
    pub window: Option<(MonthIndex, MonthIndex)>,
    pub baseline: Option<(MonthIndex, MonthIndex)>,
    pub provinces: BTreeMap<ProvinceKey, PlaceChange>,
    /// By (ISO code, name).
    pub countries: BTreeMap<(String, String), PlaceChange>,
    /// Incidents the filter keeps that are known only to their year: in neither count.
    pub year_only: usize,
    /// Incidents counted in the window or the baseline without a province.
    pub without_province: usize,
}

impl Change {
    pub fn compute(dataset: &Dataset, filter: &Filter, settings: ChangeSettings) -> Self {
        let months = settings.months.max(1) as i32;
        let kept = || {
            dataset
                .incidents
                .iter()
                .filter(|incident| filter.matches_except(incident, Some(Facet::Date)))
        };
        let month_of = |incident: &super::Incident| {
            incident
                .date
                .month_value()
                .map(|month| month_index(incident.date.year_value(), month))
        };
        let end = match filter.to {
            Some(to) => Some(month_index(
                chrono::Datelike::year(&to),
                chrono::Datelike::month(&to),
            )),
            None => kept().filter_map(month_of).max(),
        };
        let mut change = Self {
            settings,
            ..Self::default()
        };
        let Some(end) = end else {
            change.year_only = kept().count();
            return change;
        };
        let window = (end - months + 1, end);
        let baseline = match settings.baseline {
            Baseline::Previous => (window.0 - months, window.0 - 1),
            Baseline::YearEarlier => (window.0 - 12, window.1 - 12),
        };
        change.window = Some(window);
        change.baseline = Some(baseline);
        let within = |month: MonthIndex, (first, last): (MonthIndex, MonthIndex)| {
            (first..=last).contains(&month)
        };
        for incident in kept() {
            let Some(month) = month_of(incident) else {
                change.year_only += 1;
                continue;
            };
            // A year-earlier baseline of one month or more never overlaps the window.
            let (in_window, in_baseline) = (within(month, window), within(month, baseline));
            if !in_window && !in_baseline {
                continue;
            }
            let location = &incident.location;
            let country = (
                location.country_code.to_string(),
                location.country.to_string(),
            );
            let add = |place: &mut PlaceChange| {
                if in_window {
                    place.now.add(incident);
                } else {
                    place.before.add(incident);
                }
            };
            add(change.countries.entry(country).or_default());
            match location.province() {
                Some(province) => add(change.provinces.entry(province).or_default()),
                None => change.without_province += 1,
            }
        }
        change
    }

    /// Every country, then every province, each with its numbers: the rows of the Change
    /// view's table and of `stats --change`, largest increase first.
    pub fn rows(&self) -> Vec<ChangeRow<'_>> {
        let countries = self
            .countries
            .iter()
            .map(|((code, name), place)| ChangeRow {
                level: Level::Country,
                name,
                country_code: code,
                place,
            });
        let provinces = self.provinces.iter().map(|(key, place)| ChangeRow {
            level: Level::Province,
            name: &key.name,
            country_code: &key.country_code,
            place,
        });
        let mut rows: Vec<ChangeRow<'_>> = countries.chain(provinces).collect();
        rows.sort_by(|a, b| {
            (a.level, -a.place.difference(), a.name).cmp(&(b.level, -b.place.difference(), b.name))
        });
        rows
    }

    /// "Feb 2026 – Apr 2026" for a span of months.
    pub fn span_words((first, last): (MonthIndex, MonthIndex)) -> String {
        let words = |index: MonthIndex| {
            let (year, month) = month_of_index(index);
            chrono::NaiveDate::from_ymd_opt(year, month, 1).map_or_else(
                || format!("{year}-{month:02}"),
                |d| d.format("%b %Y").to_string(),
            )
        };
        if first == last {
            words(first)
        } else {
            format!("{} \u{2013} {}", words(first), words(last))
        }
    }

    /// The window and baseline in words: "Feb 2026 – Apr 2026 against Nov 2025 – Jan 2026".
    pub fn describe(&self) -> String {
        match (self.window, self.baseline) {
            (Some(window), Some(baseline)) => format!(
                "{} against {}",
                Self::span_words(window),
                Self::span_words(baseline)
            ),
            _ => "no incident dated to a month".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::incident;
    use crate::model::{Count, IncidentDate};

    /// Kabul: 1 incident in Jan-Mar 2025 (baseline), 3 in Apr-Jun (window), one of them known
    /// only to its month. Nangarhar: none before, 1 now. Herat: 2 before, 0 now. One incident
    /// known only to its year. Worked out by hand below.
    fn fixture() -> Dataset {
        let at = |id: &str, date: &str, province: &str, killed: u32| {
            let mut incident = incident(id, "2025-01-01");
            incident.date = date.parse::<IncidentDate>().unwrap();
            incident.location.admin1 = province.into();
            incident.killed = Count::Exact(killed);
            incident
        };
        Dataset {
            incidents: vec![
                at("a", "2025-02-10", "Kabul", 4),
                at("b", "2025-04-02", "Kabul", 1),
                at("c", "2025-05", "Kabul", 0),
                at("d", "2025-06-30", "Kabul", 10),
                at("e", "2025-06-01", "Nangarhar", 2),
                at("f", "2025-01-15", "Herat", 3),
                at("g", "2025-03-31", "Herat", 0),
                at("h", "2025", "Kabul", 100),
                at("old", "2024-05-05", "Kabul", 7),
            ],
            ..Dataset::default()
        }
    }

    fn province(change: &Change, name: &str) -> PlaceChange {
        change
            .provinces
            .iter()
            .find(|(key, _)| key.name == name)
            .map(|(_, place)| place.clone())
            .unwrap_or_default()
    }

    #[test]
    fn the_window_against_the_months_before_by_hand() {
        let change = Change::compute(&fixture(), &Filter::default(), ChangeSettings::default());
        // The latest month is June 2025: window Apr-Jun, baseline Jan-Mar.
        assert_eq!(
            change.describe(),
            "Apr 2025 \u{2013} Jun 2025 against Jan 2025 \u{2013} Mar 2025"
        );
        let kabul = province(&change, "Kabul");
        assert_eq!((kabul.now.count, kabul.before.count), (3, 1));
        assert_eq!((kabul.now.killed.min, kabul.before.killed.min), (11, 4));
        assert_eq!(kabul.difference(), 2);
        assert_eq!(kabul.ratio(), Some(2.0));
        // A baseline average of 1/3 a month is under the surge rule's 1.
        assert_eq!(kabul.flag(3), None);
        let nangarhar = province(&change, "Nangarhar");
        assert_eq!((nangarhar.now.count, nangarhar.before.count), (1, 0));
        assert_eq!(nangarhar.flag(3), Some(Flag::New));
        let herat = province(&change, "Herat");
        assert_eq!(
            (herat.now.count, herat.before.count, herat.difference()),
            (0, 2, -2)
        );
        assert_eq!(herat.ratio(), Some(-1.0));
        assert_eq!(change.year_only, 1);
        let country = change.countries.values().next().unwrap();
        assert_eq!((country.now.count, country.before.count), (4, 3));
    }

    #[test]
    fn a_surge_needs_a_baseline_average_of_one_and_twice_its_count() {
        let settings = ChangeSettings {
            months: 1,
            baseline: Baseline::Previous,
        };
        let filter = Filter {
            to: "2025-06-30".parse().ok(),
            ..Filter::default()
        };
        // June against May: Kabul 1 (d) against 1 (c), no surge; with two in June, a surge.
        let mut dataset = fixture();
        let change = Change::compute(&dataset, &filter, settings);
        assert_eq!(province(&change, "Kabul").flag(1), None);
        let mut extra = dataset.incidents[3].clone();
        extra.id = "d2".into();
        dataset.incidents.push(extra);
        let change = Change::compute(&dataset, &filter, settings);
        let kabul = province(&change, "Kabul");
        assert_eq!((kabul.now.count, kabul.before.count), (2, 1));
        assert_eq!(kabul.flag(1), Some(Flag::Surge));
    }

    #[test]
    fn a_year_earlier_and_the_filter_decide_what_counts() {
        let settings = ChangeSettings {
            months: 3,
            baseline: Baseline::YearEarlier,
        };
        let change = Change::compute(&fixture(), &Filter::default(), settings);
        assert_eq!(
            change.describe(),
            "Apr 2025 \u{2013} Jun 2025 against Apr 2024 \u{2013} Jun 2024"
        );
        let kabul = province(&change, "Kabul");
        assert_eq!(
            (kabul.now.count, kabul.before.count),
            (3, 1),
            "2024-05-05 is a year earlier"
        );
        // The filter's other facets apply; its period only sets the end month.
        let filter = Filter {
            min_killed: 2,
            ..Filter::default()
        };
        let change = Change::compute(&fixture(), &filter, settings);
        assert_eq!(
            province(&change, "Kabul").now.count,
            1,
            "only d has 2 or more killed"
        );
    }
}
