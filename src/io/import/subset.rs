//! The part of a file a load is for: the command line's `export --from 2020-01-01 --country AF`
//! wants the incidents its filter keeps, not the whole file. Tested as rows are read, as
//! DuckDB pushes a `WHERE` into its CSV scan, so that the rest is never held (a million
//! incidents is most of a big load's time and memory).
//!
//! The rule, the same for every format: a subset load gives exactly the incidents a whole
//! load followed by the filter gives. Rows are converted and tested with the filter; only a
//! row whose raw dates lie far outside the filter's period (farther than the incident's span
//! can reach past them) is passed over unconverted. A row not kept still has its id's hash
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

    /// Whether rows may be passed over by their raw dates: only for a filter.
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
        let reach = chrono::Days::new(u64::from(reach_days));
        let first = first.checked_sub_days(reach).unwrap_or(NaiveDate::MIN);
        let last = last.checked_add_days(reach).unwrap_or(NaiveDate::MAX);
        self.period.excludes(first, last)
    }
}

/// The span a raw date field gives: a whole year for a bare year (GTD's `iyear`), the day
/// for a day in any accepted form; `None` when it reads as neither (the row is then
/// converted, and the conversion says what is wrong).
pub fn raw_span(text: &str) -> Option<(NaiveDate, NaiveDate)> {
    let text = text.trim();
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        let year = text.parse().ok()?;
        return Some((
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year, 12, 31)?,
        ));
    }
    let day = super::fields::parse_day_text(text).ok()?;
    Some((day, day))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn raw_dates_read_as_days_or_years() {
        assert_eq!(raw_span("2021"), Some((day("2021-01-01"), day("2021-12-31"))));
        assert_eq!(raw_span(" 2021-08-26 "), Some((day("2021-08-26"), day("2021-08-26"))));
        assert_eq!(raw_span("26 August 2021"), Some((day("2021-08-26"), day("2021-08-26"))));
        assert_eq!(raw_span("2021-08"), None);
        assert_eq!(raw_span(""), None);
        assert_eq!(raw_span("20211"), None);
    }
}
