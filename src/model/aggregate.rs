//! Aggregations the views draw and the command line prints, computed once per filter change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::dataset::Dataset;
use super::date::DatePrecision;
use super::filter::{Facet, Filter};
use super::incident::{Attribution, Incident, Kind, ProvinceKey};

/// What the timeline histogram stacks by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StackBy {
    #[default]
    Kind,
    Attribution,
}

/// A category of [`StackBy`]: one legend entry, one colour, shared by timeline and map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Kind(Kind),
    Attribution(Attribution),
}

impl Category {
    pub fn of(stack_by: StackBy, incident: &Incident) -> Self {
        match stack_by {
            StackBy::Kind => Self::Kind(incident.kind),
            StackBy::Attribution => Self::Attribution(incident.attribution),
        }
    }

    pub fn all(stack_by: StackBy) -> Vec<Self> {
        match stack_by {
            StackBy::Kind => Kind::ALL.iter().copied().map(Self::Kind).collect(),
            StackBy::Attribution => Attribution::ALL
                .iter()
                .copied()
                .map(Self::Attribution)
                .collect(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Kind(kind) => kind.label(),
            Self::Attribution(attribution) => attribution.label(),
        }
    }

    /// Position within its vocabulary, used to pick a palette colour.
    pub fn ordinal(self) -> usize {
        match self {
            Self::Kind(kind) => Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0),
            Self::Attribution(attribution) => Attribution::ALL
                .iter()
                .position(|a| *a == attribution)
                .unwrap_or(0),
        }
    }
}

/// Months are numbered continuously: `year * 12 + (month - 1)`.
pub type MonthIndex = i32;

pub fn month_index(year: i32, month: u32) -> MonthIndex {
    year * 12 + month as i32 - 1
}

pub fn month_of_index(index: MonthIndex) -> (i32, u32) {
    (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

/// Incidents per month and category. Incidents known only to the year are not spread over
/// months (that would invent precision); they are counted in `year_only` instead.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MonthHistogram {
    pub stack_by: StackBy,
    /// Per month, counts per category; months without incidents are absent.
    pub bins: BTreeMap<MonthIndex, BTreeMap<Category, u32>>,
    pub year_only: u32,
}

impl MonthHistogram {
    pub fn compute<'a>(
        stack_by: StackBy,
        incidents: impl IntoIterator<Item = &'a Incident>,
    ) -> Self {
        let mut histogram = Self {
            stack_by,
            ..Self::default()
        };
        for incident in incidents {
            let Some(month) = incident.date.month_value() else {
                histogram.year_only += 1;
                continue;
            };
            let index = month_index(incident.date.year_value(), month);
            *histogram
                .bins
                .entry(index)
                .or_default()
                .entry(Category::of(stack_by, incident))
                .or_default() += 1;
        }
        histogram
    }

    /// Every incident counted: the monthly bars and those known only to their year.
    pub fn total(&self) -> u32 {
        self.bins.values().flat_map(|bin| bin.values()).sum::<u32>() + self.year_only
    }

    pub fn total_in(&self, month: MonthIndex) -> u32 {
        self.bins.get(&month).map_or(0, |bin| bin.values().sum())
    }
}

/// Sum of a count over incidents, as a range, with how many were unknown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CountTotal {
    pub min: u64,
    pub max: u64,
    pub unknown: usize,
}

impl CountTotal {
    /// Adds another total (of other incidents) to this one.
    pub fn merge(&mut self, other: &Self) {
        self.min += other.min;
        self.max += other.max;
        self.unknown += other.unknown;
    }

    /// "31-40 +1?": the range and, after it, how many tolls are unknown; for table cells.
    pub fn short_display(&self) -> String {
        self.with_unknown(|unknown| format!(" +{unknown}?"))
    }

    pub fn display(&self) -> String {
        self.with_unknown(|unknown| format!(" (+{unknown} with unknown toll)"))
    }

    /// "31-40" (or "7"), then `unknown` in words when some tolls are unknown.
    fn with_unknown(&self, unknown: impl FnOnce(usize) -> String) -> String {
        let range = if self.min == self.max {
            self.min.to_string()
        } else {
            format!("{}-{}", self.min, self.max)
        };
        match self.unknown {
            0 => range,
            count => range + &unknown(count),
        }
    }
}

/// A summary of a set of incidents: the detail panel's "nothing selected" view and `stats`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub count: usize,
    pub killed: CountTotal,
    pub injured: CountTotal,
    /// Country name -> count, keyed by (code, name).
    pub by_country: BTreeMap<(String, String), usize>,
    pub by_kind: BTreeMap<Kind, usize>,
    pub by_attribution: BTreeMap<Attribution, usize>,
    pub by_year: BTreeMap<i32, usize>,
    pub by_date_precision: BTreeMap<DatePrecision, usize>,
    pub by_location_precision: BTreeMap<super::incident::LocationPrecision, usize>,
    pub distinct_sources: usize,
}

impl Summary {
    pub fn compute<'a>(
        dataset: &Dataset,
        incidents: impl IntoIterator<Item = &'a Incident> + Clone,
    ) -> Self {
        let mut summary = Self {
            distinct_sources: dataset.distinct_sources(incidents.clone()),
            ..Self::default()
        };
        for incident in incidents {
            summary.count += 1;
            add_count(&mut summary.killed, incident.killed);
            add_count(&mut summary.injured, incident.injured);
            let location = &incident.location;
            *summary
                .by_country
                .entry((
                    location.country_code.to_string(),
                    location.country.to_string(),
                ))
                .or_default() += 1;
            *summary.by_kind.entry(incident.kind).or_default() += 1;
            *summary
                .by_attribution
                .entry(incident.attribution)
                .or_default() += 1;
            *summary
                .by_year
                .entry(incident.date.year_value())
                .or_default() += 1;
            *summary
                .by_date_precision
                .entry(incident.date.precision())
                .or_default() += 1;
            *summary
                .by_location_precision
                .entry(location.precision)
                .or_default() += 1;
        }
        summary
    }
}

fn add_count(total: &mut CountTotal, count: super::incident::Count) {
    match count.bounds() {
        Some((min, max)) => {
            total.min += u64::from(min);
            total.max += u64::from(max);
        }
        None => total.unknown += 1,
    }
}

/// Count and deaths of a group of incidents (a province, a cluster).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupTotal {
    pub count: usize,
    pub killed: CountTotal,
}

impl GroupTotal {
    pub fn add(&mut self, incident: &Incident) {
        self.count += 1;
        add_count(&mut self.killed, incident.killed);
    }

    /// Adds another group's total (of other incidents) to this one.
    pub fn merge(&mut self, other: &Self) {
        self.count += other.count;
        self.killed.merge(&other.killed);
    }

    /// Add a toll without counting an incident (the caller counts).
    pub fn add_killed(&mut self, killed: super::incident::Count) {
        add_count(&mut self.killed, killed);
    }
}

/// What a chart, the heatmap or the choropleth counts: incidents, or deaths (the upper
/// reported figure, so a range is never understated).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measure {
    #[default]
    Incidents,
    Killed,
}

impl Measure {
    /// The measure of a group of incidents.
    pub fn of(self, total: &GroupTotal) -> u64 {
        match self {
            Self::Incidents => total.count as u64,
            Self::Killed => total.killed.max,
        }
    }

    /// The measure of one incident (1, or its upper death toll).
    pub fn of_incident(self, incident: &Incident) -> u64 {
        match self {
            Self::Incidents => 1,
            Self::Killed => incident.killed.max().map_or(0, u64::from),
        }
    }

    /// "incidents" or "deaths (upper figure)", for legends and axes.
    pub fn label(self) -> &'static str {
        match self {
            Self::Incidents => "incidents",
            Self::Killed => "deaths (upper figure)",
        }
    }
}

/// How `stats --by` and the trend views group incidents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GroupBy {
    Year,
    Month,
    MonthOfYear,
    Country,
    Province,
    Kind,
    Attribution,
}

impl GroupBy {
    pub fn label(self) -> &'static str {
        match self {
            Self::Year => "year",
            Self::Month => "month",
            Self::MonthOfYear => "month of year",
            Self::Country => "country",
            Self::Province => "province",
            Self::Kind => "kind",
            Self::Attribution => "attribution",
        }
    }
}

/// A group an incident falls in. Ordered so years and months sort by time.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKey {
    Year(i32),
    Month(i32, u32),
    MonthOfYear(u32),
    Country(String, String),
    Province(ProvinceKey),
    Kind(Kind),
    Attribution(Attribution),
    /// The date is not precise enough for this grouping (a year-only incident by month).
    Imprecise,
    /// The place is not known to a province.
    NoProvince,
}

impl GroupKey {
    pub fn of(group_by: GroupBy, incident: &Incident) -> Self {
        let date = incident.date;
        let location = &incident.location;
        match group_by {
            GroupBy::Year => Self::Year(date.year_value()),
            GroupBy::Month => date.month_value().map_or(Self::Imprecise, |month| {
                Self::Month(date.year_value(), month)
            }),
            GroupBy::MonthOfYear => date
                .month_value()
                .map_or(Self::Imprecise, Self::MonthOfYear),
            GroupBy::Country => Self::Country(
                location.country_code.to_string(),
                location.country.to_string(),
            ),
            GroupBy::Province => location.province().map_or(Self::NoProvince, Self::Province),
            GroupBy::Kind => Self::Kind(incident.kind),
            GroupBy::Attribution => Self::Attribution(incident.attribution),
        }
    }

    /// Words for tables and axes: "2021", "2021-08", "Aug", "Afghanistan (AF)".
    pub fn label(&self) -> String {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        match self {
            Self::Year(year) => year.to_string(),
            Self::Month(year, month) => format!("{year}-{month:02}"),
            Self::MonthOfYear(month) => MONTHS[(*month as usize).clamp(1, 12) - 1].to_owned(),
            Self::Country(code, name) => format!("{name} ({code})"),
            Self::Province(province) => format!("{}, {}", province.name, province.country_code),
            Self::Kind(kind) => kind.label().to_owned(),
            Self::Attribution(attribution) => attribution.label().to_owned(),
            Self::Imprecise => "date not precise enough".to_owned(),
            Self::NoProvince => "province unknown".to_owned(),
        }
    }

    /// Stable key for CSV: "2021", "2021-08", "08", "AF", "AF/Nangarhar", "attack".
    pub fn key(&self) -> String {
        match self {
            Self::Year(year) => year.to_string(),
            Self::Month(year, month) => format!("{year}-{month:02}"),
            Self::MonthOfYear(month) => format!("{month:02}"),
            Self::Country(code, _) => code.clone(),
            Self::Province(province) => format!("{}/{}", province.country_code, province.name),
            Self::Kind(kind) => kind.key().to_owned(),
            Self::Attribution(attribution) => attribution.key().to_owned(),
            Self::Imprecise => "imprecise-date".to_owned(),
            Self::NoProvince => "no-province".to_owned(),
        }
    }
}

/// Incidents and deaths per group. The one function behind `stats --by` and the trend views,
/// so they always agree. Month groupings put a year-only incident in [`GroupKey::Imprecise`]
/// rather than inventing a month for it.
pub fn group_totals<'a>(
    group_by: GroupBy,
    incidents: impl IntoIterator<Item = &'a Incident>,
) -> BTreeMap<GroupKey, GroupTotal> {
    let mut totals: BTreeMap<GroupKey, GroupTotal> = BTreeMap::new();
    for incident in incidents {
        totals
            .entry(GroupKey::of(group_by, incident))
            .or_default()
            .add(incident);
    }
    totals
}

/// Incidents and deaths per first-level division, keyed by (country code, province name) as
/// written in the data. Incidents with no province are left out: they are known only to the
/// country, and colouring a province with them would invent precision.
pub fn province_totals<'a>(
    incidents: impl IntoIterator<Item = &'a Incident>,
) -> BTreeMap<ProvinceKey, GroupTotal> {
    let mut totals: BTreeMap<ProvinceKey, GroupTotal> = BTreeMap::new();
    for incident in incidents {
        let Some(province) = incident.location.province() else {
            continue;
        };
        totals.entry(province).or_default().add(incident);
    }
    totals
}

/// Counts for each value of one facet, among incidents matching every *other* part of the
/// filter: the number a user would see added by ticking that value.
pub fn facet_counts<K: Ord>(
    dataset: &Dataset,
    filter: &Filter,
    facet: Facet,
    key: impl Fn(&Incident) -> K,
) -> BTreeMap<K, usize> {
    multi_facet_counts(dataset, filter, facet, |incident| vec![key(incident)])
}

/// [`facet_counts`] for a facet an incident can hold several values of (its actors): the
/// incident counts once for each distinct value.
pub fn multi_facet_counts<K: Ord>(
    dataset: &Dataset,
    filter: &Filter,
    facet: Facet,
    keys: impl Fn(&Incident) -> Vec<K>,
) -> BTreeMap<K, usize> {
    let mut counts = BTreeMap::new();
    for incident in &dataset.incidents {
        if filter.matches_except(incident, Some(facet)) {
            let mut keys = keys(incident);
            keys.sort();
            keys.dedup();
            for key in keys {
                *counts.entry(key).or_default() += 1;
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SharedStr;
    use crate::model::incident::Count;

    fn incident(date: &str, kind: Kind, killed: Count) -> Incident {
        Incident {
            kind,
            killed,
            ..crate::model::testing::incident(&format!("{date}-{kind:?}"), date)
        }
    }

    #[test]
    fn month_index_round_trips() {
        assert_eq!(month_of_index(month_index(2021, 8)), (2021, 8));
        assert_eq!(month_of_index(month_index(2021, 12)), (2021, 12));
        assert_eq!(month_index(2022, 1) - month_index(2021, 12), 1);
    }

    #[test]
    fn histogram_counts_months_and_keeps_year_only_apart() {
        let incidents = [
            incident("2021-08-26", Kind::Attack, Count::Exact(5)),
            incident("2021-08", Kind::Attack, Count::Unknown),
            incident("2021-08-02", Kind::FoiledPlot, Count::Unknown),
            incident("2021", Kind::Attack, Count::Unknown),
        ];
        let histogram = MonthHistogram::compute(StackBy::Kind, &incidents);
        let august = month_index(2021, 8);
        assert_eq!(histogram.total_in(august), 3);
        assert_eq!(histogram.bins[&august][&Category::Kind(Kind::Attack)], 2);
        assert_eq!(
            histogram.bins[&august][&Category::Kind(Kind::FoiledPlot)],
            1
        );
        assert_eq!(histogram.year_only, 1);
    }

    #[test]
    fn summary_sums_ranges_and_counts_unknown_tolls() {
        let dataset = Dataset::default();
        let incidents = [
            incident("2021-08-26", Kind::Attack, Count::Range(169, 183)),
            incident("2022-01-01", Kind::Attack, Count::Exact(10)),
            incident("2022-02-01", Kind::Arrest, Count::Unknown),
        ];
        let summary = Summary::compute(&dataset, &incidents);
        assert_eq!(summary.count, 3);
        assert_eq!(
            summary.killed,
            CountTotal {
                min: 179,
                max: 193,
                unknown: 1
            }
        );
        assert_eq!(summary.killed.display(), "179-193 (+1 with unknown toll)");
        assert_eq!(summary.by_year[&2022], 2);
        assert_eq!(summary.by_kind[&Kind::Arrest], 1);
        assert_eq!(summary.distinct_sources, 1);
    }

    #[test]
    fn group_totals_keep_imprecise_dates_apart() {
        let incidents = [
            incident("2021-08-26", Kind::Attack, Count::Exact(5)),
            incident("2021-08", Kind::Attack, Count::Range(1, 2)),
            incident("2021", Kind::Arrest, Count::Unknown),
            incident("2022-08-01", Kind::Attack, Count::Exact(1)),
        ];
        let by_year = group_totals(GroupBy::Year, &incidents);
        assert_eq!(by_year[&GroupKey::Year(2021)].count, 3);
        assert_eq!(by_year[&GroupKey::Year(2022)].count, 1);
        let by_month = group_totals(GroupBy::Month, &incidents);
        assert_eq!(by_month[&GroupKey::Month(2021, 8)].count, 2);
        assert_eq!(by_month[&GroupKey::Month(2021, 8)].killed.max, 7);
        assert_eq!(by_month[&GroupKey::Imprecise].count, 1);
        let seasonal = group_totals(GroupBy::MonthOfYear, &incidents);
        assert_eq!(seasonal[&GroupKey::MonthOfYear(8)].count, 3);
        assert_eq!(GroupKey::MonthOfYear(8).label(), "Aug");
        let by_kind = group_totals(GroupBy::Kind, &incidents);
        assert_eq!(by_kind[&GroupKey::Kind(Kind::Arrest)].count, 1);
        let total: usize = by_month.values().map(|t| t.count).sum();
        assert_eq!(
            total,
            incidents.len(),
            "every incident is in exactly one group"
        );
    }

    #[test]
    fn province_totals_count_and_sum_per_province_and_skip_unknown_provinces() {
        let mut unknown_province = incident("2022-01-01", Kind::Attack, Count::Exact(3));
        unknown_province.location.admin1 = SharedStr::default();
        let incidents = [
            incident("2021-08-26", Kind::Attack, Count::Range(10, 12)),
            incident("2022-01-01", Kind::Attack, Count::Unknown),
            unknown_province,
        ];
        let totals = province_totals(&incidents);
        assert_eq!(totals.len(), 1);
        let nangarhar = totals[&ProvinceKey {
            country_code: "AF".to_owned(),
            name: "Nangarhar".to_owned(),
        }];
        assert_eq!(nangarhar.count, 2);
        assert_eq!(
            nangarhar.killed,
            CountTotal {
                min: 10,
                max: 12,
                unknown: 1
            }
        );
    }

    #[test]
    fn facet_counts_ignore_their_own_selection() {
        let dataset = Dataset {
            incidents: vec![
                incident("2021-08-26", Kind::Attack, Count::Unknown),
                incident("2022-01-01", Kind::Arrest, Count::Unknown),
            ],
            ..Dataset::default()
        };
        let filter = Filter {
            kinds: [Kind::Attack].into(),
            ..Filter::default()
        };
        let counts = facet_counts(&dataset, &filter, Facet::Kind, |i| i.kind);
        assert_eq!(counts[&Kind::Attack], 1);
        assert_eq!(counts[&Kind::Arrest], 1);
        let by_year = facet_counts(&dataset, &filter, Facet::Country, |i| i.date.year_value());
        assert_eq!(by_year.get(&2022), None);
    }
}
