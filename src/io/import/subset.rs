//! The part of a file a load is for: the command line's `export --from 2020-01-01 --country AF`
//! wants the incidents its filter keeps, not the whole file. Tested as rows are read, as
//! DuckDB pushes a `WHERE` into its CSV scan, so that the rest is never held (a million
//! incidents is most of a big load's time and memory).
//!
//! The rule, the same for every format: a subset load gives exactly the incidents a whole
//! load followed by the filter gives. Rows are converted and tested with the filter; only a
//! row whose raw dates lie far outside the filter's period (farther than the incident's span
//! can reach past them), or whose country column names a country the filter does not ask for
//! (see `fields::KnownCountry`), is passed over unconverted. A row not kept still has its id's hash
//! remembered: where a kept incident's id has one of those hashes, a whole load might have
//! refused one of the two as a duplicate of the other, so the file is read again, whole, and
//! filtered (`Collector::must_read_again`): slower, never different.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::model::{Filter, Incident};

/// A period the data is wanted for: partitions and row groups wholly outside it are skipped.
/// The skip is on the raw date columns widened by a year, so an incident known only to its
/// month or year (whose span reaches past its written date) is never skipped wrongly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    /// Whether every date in `first..=last` is outside the period.
    pub fn excludes(&self, first: NaiveDate, last: NaiveDate) -> bool {
        self.to.is_some_and(|to| first > to) || self.from.is_some_and(|from| last < from)
    }

    /// No period: everything is wanted.
    pub fn is_open(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }
}

/// What of a file a load is for.
#[derive(Clone, Debug, Default)]
pub struct Subset {
    /// Parquet partitions and row groups wholly outside it are not read.
    pub period: Period,
    /// When given, the load holds exactly the incidents this filter keeps.
    pub only: Option<Arc<Filter>>,
}

impl Subset {
    /// Everything in the file.
    pub fn everything() -> Self {
        Self::default()
    }

    /// Parts of a columnar file outside `period` may be skipped; every incident read is kept.
    pub fn within(period: Period) -> Self {
        Self {
            period,
            ..Self::default()
        }
    }

    /// Exactly the incidents `filter` keeps.
    pub fn only(filter: Filter) -> Self {
        Self {
            period: Period {
                from: filter.from,
                to: filter.to,
            },
            only: Some(Arc::new(filter)),
        }
    }

    /// Whether rows may be passed over by their raw dates or country: only for a filter.
    pub fn passes_over_rows(&self) -> bool {
        self.only.is_some()
    }

    /// Whether the whole file is wanted.
    pub fn is_everything(&self) -> bool {
        self.period.is_open() && self.only.is_none()
    }

    /// Whether the load keeps `incident`.
    pub fn keeps(&self, incident: &Incident) -> bool {
        self.only
            .as_ref()
            .is_none_or(|filter| filter.matches(incident))
    }

    /// Whether a row whose raw dates span `first..=last` is surely not kept, whatever its
    /// other fields: its incident's span reaches at most `reach_days` past those dates.
    /// Only with [`Subset::only`]: a plain period keeps every row read.
    pub fn passes_over(&self, first: NaiveDate, last: NaiveDate, reach_days: u32) -> bool {
        if !self.passes_over_rows() {
            return false;
        }
        let (first, last) = widened(first, last, reach_days);
        self.period.excludes(first, last)
    }

    /// Whether a row whose conversion surely gives it the country `code` is not kept: the
    /// filter asks for other countries.
    pub fn passes_over_country(&self, code: &str) -> bool {
        self.only
            .as_ref()
            .is_some_and(|filter| !filter.allows_country(code))
    }
}

/// `first..=last` widened by `days` each way (as far as dates go).
pub fn widened(first: NaiveDate, last: NaiveDate, days: u32) -> (NaiveDate, NaiveDate) {
    let days = chrono::Days::new(u64::from(days));
    (
        first.checked_sub_days(days).unwrap_or(NaiveDate::MIN),
        last.checked_add_days(days).unwrap_or(NaiveDate::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::import::{Imported, Progress, import_file_within};

    /// The incidents as the export writes them: sources as citations, not as the load's ids
    /// (a subset load numbers fewer citations).
    fn exported(dataset: &crate::model::Dataset, incidents: &[&Incident]) -> String {
        let mut out = Vec::new();
        crate::io::write_csv(&mut out, dataset, incidents.iter().copied()).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// What a whole load followed by `filter` gives, and what a load of `Subset::only`
    /// gives, both as exported.
    fn whole_then_filtered_and_subset(path: &std::path::Path, filter: &Filter) -> (String, String) {
        let progress = Progress::default();
        let whole = import_file_within(path, None, &Subset::everything(), &progress).unwrap();
        let kept: Vec<&Incident> = whole
            .dataset
            .incidents
            .iter()
            .filter(|incident| filter.matches(incident))
            .collect();
        let subset: Imported =
            import_file_within(path, None, &Subset::only(filter.clone()), &progress).unwrap();
        let all: Vec<&Incident> = subset.dataset.incidents.iter().collect();
        (
            exported(&whole.dataset, &kept),
            exported(&subset.dataset, &all),
        )
    }

    #[test]
    fn a_subset_load_holds_exactly_what_a_whole_load_and_the_filter_give() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        // Over the size read on several threads.
        let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        crate::synth::write_acled(file, 8_000, 11, |_| {}).unwrap();
        let filters = [
            Filter {
                from: Some(day("2020-01-01")),
                to: Some(day("2022-12-31")),
                countries: ["AF".to_owned()].into(),
                ..Filter::default()
            },
            Filter {
                from: Some(day("2024-03-01")),
                ..Filter::default()
            },
            Filter {
                to: Some(day("2018-02-14")),
                min_killed: 3,
                ..Filter::default()
            },
            Filter {
                kinds: [crate::model::Kind::Fighting].into(),
                ..Filter::default()
            },
        ];
        for filter in &filters {
            let (expected, got) = whole_then_filtered_and_subset(&path, filter);
            assert!(expected.lines().count() > 100, "{filter:?}");
            assert_eq!(got, expected, "{filter:?}");
        }
    }

    /// An ACLED file of synthetic rows: the first synthetic row with the fields of each of
    /// `rows` set, one row each.
    fn acled_file_of(rows: &[&[(&str, &str)]]) -> (tempfile::TempDir, std::path::PathBuf) {
        let mut bytes = Vec::new();
        crate::synth::write_acled(&mut bytes, 3_000, 4, |_| {}).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let header = reader.headers().unwrap().clone();
        let template: Vec<String> = reader
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let mut writer = csv::Writer::from_writer(bytes);
        for fields in rows {
            let mut row = template.clone();
            for (name, value) in *fields {
                let column = header.iter().position(|h| h == *name).unwrap();
                row[column] = (*value).to_owned();
            }
            writer.write_record(row).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        std::fs::write(&path, writer.into_inner().unwrap()).unwrap();
        (dir, path)
    }

    #[test]
    fn an_id_repeated_across_the_filters_edge_reads_as_in_a_whole_load() {
        let (id, date, lat) = ("event_id_cnty", "event_date", "latitude");
        let (_dir, path) = acled_file_of(&[
            // Far before the period, passed over unconverted; then inside it: the whole load
            // refuses the second as a duplicate of the first.
            &[(id, "DUP1"), (date, "2015-03-01")],
            &[(id, "DUP1"), (date, "2021-05-05")],
            // The first does not convert (latitude 200): the whole load keeps the second.
            &[(id, "DUP2"), (date, "2015-03-01"), (lat, "200")],
            &[(id, "DUP2"), (date, "2021-05-05")],
            // Inside, then far after: the first is kept either way.
            &[(id, "DUP3"), (date, "2021-05-05")],
            &[(id, "DUP3"), (date, "2025-11-01")],
        ]);
        let filter = Filter {
            from: Some(day("2020-01-01")),
            to: Some(day("2022-12-31")),
            ..Filter::default()
        };
        let (expected, got) = whole_then_filtered_and_subset(&path, &filter);
        assert_eq!(got, expected);
        assert!(!expected.contains("acled:DUP1,"));
        assert!(expected.contains("acled:DUP2,") && expected.contains("acled:DUP3,"));
    }

    #[test]
    fn a_row_is_passed_over_by_its_country_only_where_the_conversion_would_give_that_country() {
        let (id, date, country, iso) = ("event_id_cnty", "event_date", "country", "iso");
        let in_period = (date, "2021-05-05");
        let (_dir, path) = acled_file_of(&[
            // Named Pakistan, whatever the ISO number says: passed over.
            &[(id, "C1"), in_period, (country, "Pakistan"), (iso, "4")],
            // No name: the ISO number gives Afghanistan.
            &[(id, "C2"), in_period, (country, ""), (iso, "4")],
            // A name the table does not know: the conversion decides (the ISO number).
            &[(id, "C3"), in_period, (country, "Narnia"), (iso, "4")],
            // Written otherwise, the same country.
            &[(id, "C4"), in_period, (country, " pakistan "), (iso, "4")],
            // Passed over by its country, then repeated in Afghanistan: the whole load
            // refuses the second as a duplicate of the first, and so does the subset's.
            &[(id, "C5"), in_period, (country, "Pakistan"), (iso, "586")],
            &[(id, "C5"), in_period, (country, "Afghanistan"), (iso, "4")],
            &[(id, "C6"), in_period, (country, "Afghanistan"), (iso, "4")],
        ]);
        let filter = Filter {
            from: Some(day("2020-01-01")),
            to: Some(day("2022-12-31")),
            countries: ["AF".to_owned()].into(),
            ..Filter::default()
        };
        let (expected, got) = whole_then_filtered_and_subset(&path, &filter);
        assert_eq!(got, expected);
        for kept in ["C2", "C3", "C6"] {
            assert!(expected.contains(&format!("acled:{kept},")), "{kept}");
        }
        for left in ["C1", "C4", "C5"] {
            assert!(!expected.contains(&format!("acled:{left},")), "{left}");
        }
        // Without the repeat, rows are passed over by their country and nothing is read again.
        let progress = Progress::default();
        let (_dir, path) = acled_file_of(&[
            &[(id, "C1"), in_period, (country, "Pakistan")],
            &[(id, "C6"), in_period, (country, "Afghanistan")],
        ]);
        let subset = import_file_within(&path, None, &Subset::only(filter), &progress).unwrap();
        let ids: Vec<&str> = subset
            .dataset
            .incidents
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        assert!(
            ids.contains(&"acled:C6") && !ids.contains(&"acled:C1"),
            "{ids:?}"
        );
        assert!(
            subset
                .report
                .notes
                .iter()
                .any(|note| note.contains("not asked for")),
            "{:?}",
            subset.report.notes
        );
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_row_is_passed_over_only_beyond_its_reach_and_only_for_a_filter() {
        let filter = Filter {
            from: Some(day("2020-01-01")),
            to: Some(day("2022-12-31")),
            ..Filter::default()
        };
        let only = Subset::only(filter);
        let at = |text| (day(text), day(text));
        let (first, last) = at("2019-12-15");
        assert!(!only.passes_over(first, last, 31), "within a month's reach");
        assert!(only.passes_over(first, last, 10));
        let (first, last) = at("2023-02-02");
        assert!(only.passes_over(first, last, 31));
        assert!(!only.passes_over(first, last, 366));
        // A plain period never passes a row over: it keeps what it reads.
        let within = Subset::within(only.period);
        assert!(!within.passes_over(day("1990-01-01"), day("1990-01-01"), 0));
    }
}
