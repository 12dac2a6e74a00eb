//! A columnar copy of what the filter and the views' aggregates touch, so that a filter change
//! on a million incidents is one pass over small arrays instead of many over `Incident`s.
//!
//! [`Columns::scan`] computes, in one pass (split across threads), everything the views derive
//! from the filter: the filtered set, the timeline's set (all but the period), the monthly
//! histogram, the per-value counts beside each filter option, the province totals and the
//! summary. For each incident it records which parts of the filter it fails as a bit mask:
//! an incident failing nothing is shown; one failing exactly one facet counts towards that
//! facet's values (the filter panel's counts ignore their own facet). The results equal those
//! of [`super::Filter::matches`] and the per-incident aggregations, which the tests check.

use std::collections::{BTreeMap, HashMap};

use super::aggregate::{
    Category, CountTotal, GroupTotal, MonthHistogram, StackBy, Summary, month_index,
};
use super::dataset::Dataset;
use super::date::DatePrecision;
use super::filter::Filter;
use super::incident::{Attribution, Count, Kind, LocationPrecision, Method, Target};
use super::shared_str::SharedStr;

/// The first year a date may have (see `IncidentDate`).
const FIRST_YEAR: i16 = 1900;
/// "Unknown" in the killed and injured columns.
const UNKNOWN: u32 = u32::MAX;
/// The month column of an incident known only to its year.
const NO_MONTH: i32 = i32::MIN;

// The facets, as bits of the per-incident failure mask.
const DATE: u16 = 1 << 0;
const COUNTRY: u16 = 1 << 1;
const PROVINCE: u16 = 1 << 2;
const KIND: u16 = 1 << 3;
const METHOD: u16 = 1 << 4;
const TARGET: u16 = 1 << 5;
const ATTRIBUTION: u16 = 1 << 6;
const KILLED: u16 = 1 << 7;
const TEXT: u16 = 1 << 8;
const ACTOR: u16 = 1 << 9;

/// Dictionary-coded columns, one entry per incident of the dataset they were built from.
#[derive(Debug, Default)]
pub struct Columns {
    first_day: Vec<i32>,
    last_day: Vec<i32>,
    month: Vec<i32>,
    year: Vec<i16>,
    date_precision: Vec<u8>,
    location_precision: Vec<u8>,
    country: Vec<u16>,
    /// Index into `provinces`; `u32::MAX` when the province is unknown.
    province: Vec<u32>,
    kind: Vec<u8>,
    method: Vec<u8>,
    target: Vec<u8>,
    attribution: Vec<u8>,
    killed_min: Vec<u32>,
    killed_max: Vec<u32>,
    injured_min: Vec<u32>,
    injured_max: Vec<u32>,
    actor: Vec<u32>,
    /// Sources of incident `i`: `source_ids[source_start[i]..source_start[i + 1]]`.
    source_start: Vec<u32>,
    source_ids: Vec<u32>,
    source_count: usize,
    /// First and last month index of month- and day-precision dates.
    months: Option<(i32, i32)>,
    /// (ISO code, name)
    countries: Vec<(String, String)>,
    /// (province, ISO code)
    provinces: Vec<(String, String)>,
    actors: Vec<String>,
}

/// Interns strings (or pairs of them) into dense indices.
struct Dictionary<K> {
    // foldhash: a lookup per row and column while building.
    index: HashMap<K, u32, foldhash::fast::RandomState>,
    values: Vec<K>,
}

impl<K: std::hash::Hash + Eq + Clone> Dictionary<K> {
    fn new() -> Self {
        Self {
            index: HashMap::default(),
            values: Vec::new(),
        }
    }

    fn code(&mut self, key: K) -> u32 {
        if let Some(&code) = self.index.get(&key) {
            return code;
        }
        let code = self.values.len() as u32;
        self.index.insert(key.clone(), code);
        self.values.push(key);
        code
    }
}

fn position<T: PartialEq>(all: &[T], value: &T) -> u8 {
    all.iter().position(|v| v == value).unwrap_or(0) as u8
}

fn count_bounds(count: Count) -> (u32, u32) {
    count.bounds().unwrap_or((UNKNOWN, UNKNOWN))
}

/// What one scan derives from the filter; see the module documentation.
#[derive(Debug, Default)]
pub struct Scan {
    pub filtered: Vec<usize>,
    pub timeline: Vec<usize>,
    pub histogram: MonthHistogram,
    pub summary: Summary,
    pub provinces: BTreeMap<(String, String), GroupTotal>,
    /// Facet counts: among incidents matching every other part of the filter.
    pub countries: BTreeMap<(String, String), usize>,
    pub province_counts: BTreeMap<(String, String), usize>,
    pub kinds: BTreeMap<Kind, usize>,
    pub methods: BTreeMap<Method, usize>,
    pub targets: BTreeMap<Target, usize>,
    pub attributions: BTreeMap<Attribution, usize>,
    pub actors: BTreeMap<String, usize>,
}

/// Dense counters filled by one thread's share of the scan, summed afterwards.
#[derive(Clone)]
struct Tally {
    filtered: Vec<usize>,
    timeline: Vec<usize>,
    /// Histogram of the timeline set: (month slot) x category; the last slot is "year only".
    histogram: Vec<u32>,
    facet_country: Vec<u32>,
    facet_province: Vec<u32>,
    facet_kind: [u32; 256],
    facet_method: [u32; 256],
    facet_target: [u32; 256],
    facet_attribution: [u32; 256],
    facet_actor: Vec<u32>,
    // Of the filtered set:
    country: Vec<u32>,
    province: Vec<GroupTotal>,
    kind: [u32; 256],
    attribution: [u32; 256],
    /// Per year since [`FIRST_YEAR`] (dates are validated to 1900-2100).
    year: Vec<u32>,
    date_precision: [u32; 3],
    location_precision: [u32; 5],
    killed: CountTotal,
    injured: CountTotal,
    sources_seen: Vec<bool>,
}

/// The filter turned into lookups on dictionary codes. Every table is present (all `true`
/// when that part of the filter is empty), so the scan tests each row without branching:
/// rows differ unpredictably, and mispredicted branches cost more than the lookups.
struct Compiled<'a> {
    from: i32,
    to: i32,
    country: Vec<bool>,
    /// One more entry than there are provinces: the last stands for "no province".
    province: Vec<bool>,
    kind: [bool; 256],
    method: [bool; 256],
    target: [bool; 256],
    attribution: [bool; 256],
    actor: Vec<bool>,
    /// The code of [`Attribution::NotIsk`], or a code no incident has when ISK-only is off.
    excluded_attribution: u8,
    min_killed: u32,
    text: Option<(&'a Filter, &'a Dataset)>,
}

impl Columns {
    pub fn build(dataset: &Dataset) -> Self {
        let n = dataset.incidents.len();
        let mut columns = Self {
            first_day: Vec::with_capacity(n),
            last_day: Vec::with_capacity(n),
            month: Vec::with_capacity(n),
            year: Vec::with_capacity(n),
            date_precision: Vec::with_capacity(n),
            location_precision: Vec::with_capacity(n),
            country: Vec::with_capacity(n),
            province: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            method: Vec::with_capacity(n),
            target: Vec::with_capacity(n),
            attribution: Vec::with_capacity(n),
            killed_min: Vec::with_capacity(n),
            killed_max: Vec::with_capacity(n),
            injured_min: Vec::with_capacity(n),
            injured_max: Vec::with_capacity(n),
            actor: Vec::with_capacity(n),
            source_start: Vec::with_capacity(n + 1),
            source_ids: Vec::with_capacity(n * 2),
            ..Self::default()
        };
        let mut countries = Dictionary::new();
        let mut provinces = Dictionary::new();
        let mut actors = Dictionary::new();
        let mut sources: Dictionary<&str> = Dictionary::new();
        columns.source_start.push(0);
        for incident in &dataset.incidents {
            let (first, last) = incident.date.span();
            columns.first_day.push(first);
            columns.last_day.push(last);
            columns.month.push(
                incident
                    .date
                    .month_value()
                    .map_or(NO_MONTH, |m| month_index(incident.date.year_value(), m)),
            );
            columns.year.push(incident.date.year_value() as i16);
            columns
                .date_precision
                .push(match incident.date.precision() {
                    DatePrecision::Day => 0,
                    DatePrecision::Month => 1,
                    DatePrecision::Year => 2,
                });
            let location = &incident.location;
            columns
                .location_precision
                .push(position(LocationPrecision::ALL, &location.precision));
            columns.country.push(
                countries.code((location.country_code.clone(), location.country.clone())) as u16,
            );
            columns.province.push(if location.admin1.is_empty() {
                u32::MAX
            } else {
                provinces.code((location.admin1.clone(), location.country_code.clone()))
            });
            columns.kind.push(position(Kind::ALL, &incident.kind));
            columns.method.push(position(Method::ALL, &incident.method));
            columns.target.push(position(Target::ALL, &incident.target));
            columns
                .attribution
                .push(position(Attribution::ALL, &incident.attribution));
            let (killed_min, killed_max) = count_bounds(incident.killed);
            columns.killed_min.push(killed_min);
            columns.killed_max.push(killed_max);
            let (injured_min, injured_max) = count_bounds(incident.injured);
            columns.injured_min.push(injured_min);
            columns.injured_max.push(injured_max);
            columns
                .actor
                .push(actors.code(super::actor::actor_name(incident).to_owned()));
            let start = columns.source_ids.len();
            for source in &incident.sources {
                let code = sources.code(source.as_str());
                // The same source twice on one incident counts once.
                if !columns.source_ids[start..].contains(&code) {
                    columns.source_ids.push(code);
                }
            }
            columns.source_start.push(columns.source_ids.len() as u32);
        }
        columns.source_count = sources.values.len();
        columns.months = columns.compute_month_range();
        let to_strings = |(a, b): (SharedStr, SharedStr)| (a.to_string(), b.to_string());
        columns.countries = countries.values.into_iter().map(to_strings).collect();
        columns.provinces = provinces.values.into_iter().map(to_strings).collect();
        columns.actors = actors.values;
        columns
    }

    pub fn len(&self) -> usize {
        self.first_day.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first_day.is_empty()
    }

    /// Incident `i`'s death toll.
    pub fn killed(&self, i: usize) -> Count {
        match (self.killed_min[i], self.killed_max[i]) {
            (UNKNOWN, _) => Count::Unknown,
            (min, max) if min == max => Count::Exact(min),
            (min, max) => Count::Range(min, max),
        }
    }

    fn compile<'a>(&self, filter: &'a Filter, dataset: &'a Dataset) -> Compiled<'a> {
        fn table<const N: usize, T: PartialEq + Ord>(
            set: &std::collections::BTreeSet<T>,
            all: &[T],
        ) -> [bool; N] {
            let mut allowed = [false; N];
            for (i, value) in all.iter().enumerate() {
                allowed[i] = set.is_empty() || set.contains(value);
            }
            allowed
        }
        let (from, to) = filter.day_range();
        let needle = filter.actor_text.trim().to_lowercase();
        let mut province: Vec<bool> = self
            .provinces
            .iter()
            .map(|(name, _)| filter.provinces.is_empty() || filter.provinces.contains(name))
            .collect();
        province.push(filter.provinces.is_empty());
        Compiled {
            from: from.unwrap_or(i32::MIN),
            to: to.unwrap_or(i32::MAX),
            country: self
                .countries
                .iter()
                .map(|(code, _)| filter.countries.is_empty() || filter.countries.contains(code))
                .collect(),
            province,
            kind: table(&filter.kinds, Kind::ALL),
            method: table(&filter.methods, Method::ALL),
            target: table(&filter.targets, Target::ALL),
            attribution: table(&filter.attributions, Attribution::ALL),
            actor: self
                .actors
                .iter()
                .map(|name| {
                    (filter.actors.is_empty() || filter.actors.contains(name))
                        && (needle.is_empty() || name.to_lowercase().contains(&needle))
                })
                .collect(),
            excluded_attribution: if filter.isk_only {
                position(Attribution::ALL, &Attribution::NotIsk)
            } else {
                u8::MAX
            },
            min_killed: filter.min_killed,
            text: (!filter.text.trim().is_empty()).then_some((filter, dataset)),
        }
    }

    /// Which parts of the filter a row with these values fails, as facet bits (text aside).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn failures(
        compiled: &Compiled<'_>,
        (first_day, last_day): (i32, i32),
        country: u16,
        province: usize,
        [kind, method, target, attribution]: [u8; 4],
        killed: u32,
        actor: u32,
    ) -> u16 {
        let bit = |failed: bool, facet: u16| u16::from(failed) * facet;
        bit((last_day < compiled.from) | (first_day > compiled.to), DATE)
            | bit(!compiled.country[usize::from(country)], COUNTRY)
            | bit(!compiled.province[province], PROVINCE)
            | bit(!compiled.kind[usize::from(kind)], KIND)
            | bit(!compiled.method[usize::from(method)], METHOD)
            | bit(!compiled.target[usize::from(target)], TARGET)
            | bit(!compiled.attribution[usize::from(attribution)], ATTRIBUTION)
            | bit(
                (compiled.min_killed > 0) & ((killed == UNKNOWN) | (killed < compiled.min_killed)),
                KILLED,
            )
            | bit(
                !compiled.actor[actor as usize] | (attribution == compiled.excluded_attribution),
                ACTOR,
            )
    }

    /// Everything the views derive from `filter`, in one parallel pass. `dataset` must be the
    /// one the columns were built from.
    pub fn scan(&self, dataset: &Dataset, filter: &Filter, stack_by: StackBy) -> Scan {
        debug_assert_eq!(self.len(), dataset.incidents.len());
        let compiled = self.compile(filter, dataset);
        let months = self.month_range();
        let categories = Category::all(stack_by).len();
        let slots = months.map_or(0, |(first, last)| (last - first + 1) as usize) + 1;
        let empty = Tally {
            filtered: Vec::new(),
            timeline: Vec::new(),
            histogram: vec![0; slots * categories],
            facet_country: vec![0; self.countries.len()],
            facet_province: vec![0; self.provinces.len() + 1],
            facet_kind: [0; 256],
            facet_method: [0; 256],
            facet_target: [0; 256],
            facet_attribution: [0; 256],
            facet_actor: vec![0; self.actors.len()],
            country: vec![0; self.countries.len()],
            province: vec![GroupTotal::default(); self.provinces.len() + 1],
            kind: [0; 256],
            attribution: [0; 256],
            year: vec![0; 201],
            date_precision: [0; 3],
            location_precision: [0; 5],
            killed: CountTotal::default(),
            injured: CountTotal::default(),
            sources_seen: vec![false; self.source_count],
        };
        let first_month = months.map_or(0, |(first, _)| first);
        let tally_range = |range: std::ops::Range<usize>| {
            let mut tally = empty.clone();
            // Written without branches on the row's values (see `Compiled`): the index lists
            // are filled by writing every row and advancing only past kept ones.
            let len = range.len();
            tally.timeline = vec![0; len];
            tally.filtered = vec![0; len];
            let (mut in_timeline, mut in_filtered) = (0, 0);
            let no_province = self.provinces.len();
            // Slices of this thread's rows, read once per row.
            let offset = range.start;
            let first_days = &self.first_day[range.clone()];
            let last_days = &self.last_day[range.clone()];
            let months = &self.month[range.clone()];
            let countries = &self.country[range.clone()];
            let provinces = &self.province[range.clone()];
            let kinds = &self.kind[range.clone()];
            let methods = &self.method[range.clone()];
            let targets = &self.target[range.clone()];
            let attributions = &self.attribution[range.clone()];
            let killed = &self.killed_max[range.clone()];
            let actors = &self.actor[range.clone()];
            for j in 0..len {
                let i = offset + j;
                let province = match provinces[j] {
                    u32::MAX => no_province,
                    province => province as usize,
                };
                let (kind, attribution) = (kinds[j], attributions[j]);
                let mut mask = Self::failures(
                    &compiled,
                    (first_days[j], last_days[j]),
                    countries[j],
                    province,
                    [kind, methods[j], targets[j], attribution],
                    killed[j],
                    actors[j],
                );
                if let Some((filter, dataset)) = compiled.text
                    && !filter.matches_text(&dataset.incidents[i])
                {
                    // Text search is the one part that needs the incident itself.
                    mask |= TEXT;
                }
                // Facet counts: a shown incident counts everywhere; one failing a single
                // facet counts for that facet only.
                let counts_for = |facet: u16| u32::from(mask & !facet == 0);
                let shown = u32::from(mask == 0);

                let timeline = counts_for(DATE);
                tally.timeline[in_timeline] = i;
                in_timeline += timeline as usize;
                let month = months[j];
                let slot = if month == NO_MONTH {
                    slots - 1
                } else {
                    (month - first_month) as usize
                };
                let category = match stack_by {
                    StackBy::Kind => usize::from(kind),
                    StackBy::Attribution => usize::from(attribution),
                };
                tally.histogram[slot * categories + category] += timeline;

                tally.facet_country[usize::from(countries[j])] += counts_for(COUNTRY);
                tally.facet_province[province] += counts_for(PROVINCE);
                tally.facet_kind[usize::from(kind)] += counts_for(KIND);
                tally.facet_method[usize::from(methods[j])] += counts_for(METHOD);
                tally.facet_target[usize::from(targets[j])] += counts_for(TARGET);
                tally.facet_attribution[usize::from(attribution)] += counts_for(ATTRIBUTION);
                tally.facet_actor[actors[j] as usize] += counts_for(ACTOR);

                tally.filtered[in_filtered] = i;
                in_filtered += shown as usize;
            }
            tally.timeline.truncate(in_timeline);
            tally.filtered.truncate(in_filtered);
            // The summary of the shown incidents in a second, branch-free pass over them.
            let shown = std::mem::take(&mut tally.filtered);
            for &i in &shown {
                let province = match self.province[i] {
                    u32::MAX => no_province,
                    province => province as usize,
                };
                self.tally_filtered(&mut tally, i, province);
            }
            tally.filtered = shown;
            tally
        };
        let tallies = split_work(self.len(), tally_range);
        self.assemble(tallies, stack_by, first_month, slots, categories)
    }

    /// The summary and province totals of a shown incident.
    #[inline(always)]
    fn tally_filtered(&self, tally: &mut Tally, i: usize, province: usize) {
        tally.country[usize::from(self.country[i])] += 1;
        let total = &mut tally.province[province];
        total.count += 1;
        add_bounds(&mut total.killed, self.killed_min[i], self.killed_max[i]);
        tally.kind[usize::from(self.kind[i])] += 1;
        tally.attribution[usize::from(self.attribution[i])] += 1;
        tally.year[(self.year[i] - FIRST_YEAR) as usize] += 1;
        tally.date_precision[usize::from(self.date_precision[i])] += 1;
        tally.location_precision[usize::from(self.location_precision[i])] += 1;
        add_bounds(&mut tally.killed, self.killed_min[i], self.killed_max[i]);
        add_bounds(&mut tally.injured, self.injured_min[i], self.injured_max[i]);
        let (start, end) = (
            self.source_start[i] as usize,
            self.source_start[i + 1] as usize,
        );
        for &source in &self.source_ids[start..end] {
            tally.sources_seen[source as usize] = true;
        }
    }

    /// Incidents per month (continuous month index) among `indices`; year-only dates are left
    /// out, as in the histogram.
    pub fn month_counts(&self, indices: &[usize]) -> BTreeMap<i32, u32> {
        let Some((first, last)) = self.month_range() else {
            return BTreeMap::new();
        };
        let mut counts = vec![0u32; (last - first + 1) as usize];
        for &i in indices {
            let month = self.month[i];
            if month != NO_MONTH {
                counts[(month - first) as usize] += 1;
            }
        }
        counts
            .into_iter()
            .enumerate()
            .filter(|(_, c)| *c > 0)
            .map(|(slot, c)| (first + slot as i32, c))
            .collect()
    }

    fn month_range(&self) -> Option<(i32, i32)> {
        self.months
    }

    fn compute_month_range(&self) -> Option<(i32, i32)> {
        let mut months = self.month.iter().copied().filter(|&m| m != NO_MONTH);
        let first = months.next()?;
        Some(months.fold((first, first), |(lo, hi), m| (lo.min(m), hi.max(m))))
    }

    fn assemble(
        &self,
        mut tallies: Vec<Tally>,
        stack_by: StackBy,
        first_month: i32,
        slots: usize,
        categories: usize,
    ) -> Scan {
        let mut total = tallies.remove(0);
        for other in tallies {
            total.filtered.extend(other.filtered);
            total.timeline.extend(other.timeline);
            add_all(&mut total.histogram, &other.histogram);
            add_all(&mut total.facet_country, &other.facet_country);
            add_all(&mut total.facet_province, &other.facet_province);
            add_all(&mut total.facet_kind, &other.facet_kind);
            add_all(&mut total.facet_method, &other.facet_method);
            add_all(&mut total.facet_target, &other.facet_target);
            add_all(&mut total.facet_attribution, &other.facet_attribution);
            add_all(&mut total.facet_actor, &other.facet_actor);
            add_all(&mut total.country, &other.country);
            for (mine, theirs) in total.province.iter_mut().zip(&other.province) {
                mine.merge(theirs);
            }
            add_all(&mut total.kind, &other.kind);
            add_all(&mut total.attribution, &other.attribution);
            add_all(&mut total.year, &other.year);
            add_all(&mut total.date_precision, &other.date_precision);
            add_all(&mut total.location_precision, &other.location_precision);
            total.killed.merge(&other.killed);
            total.injured.merge(&other.injured);
            for (mine, theirs) in total.sources_seen.iter_mut().zip(&other.sources_seen) {
                *mine |= *theirs;
            }
        }
        let all_categories = Category::all(stack_by);
        let mut histogram = MonthHistogram {
            stack_by,
            ..MonthHistogram::default()
        };
        for slot in 0..slots {
            for (c, category) in all_categories.iter().enumerate() {
                let count = total.histogram[slot * categories + c];
                if count == 0 {
                    continue;
                }
                if slot == slots - 1 {
                    histogram.year_only += count;
                } else {
                    histogram
                        .bins
                        .entry(first_month + slot as i32)
                        .or_default()
                        .insert(*category, count);
                }
            }
        }
        let nonzero = |counts: &[u32]| {
            counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(i, c)| (i, *c as usize))
                .collect::<Vec<_>>()
        };
        let vocabulary =
            |counts: &[u32], len: usize| -> Vec<(usize, usize)> { nonzero(&counts[..len]) };
        let summary = Summary {
            count: total.filtered.len(),
            killed: total.killed,
            injured: total.injured,
            by_country: nonzero(&total.country)
                .into_iter()
                .map(|(i, c)| (self.countries[i].clone(), c))
                .collect(),
            by_kind: vocabulary(&total.kind, Kind::ALL.len())
                .into_iter()
                .map(|(i, c)| (Kind::ALL[i], c))
                .collect(),
            by_attribution: vocabulary(&total.attribution, Attribution::ALL.len())
                .into_iter()
                .map(|(i, c)| (Attribution::ALL[i], c))
                .collect(),
            by_year: nonzero(&total.year)
                .into_iter()
                .map(|(offset, count)| (i32::from(FIRST_YEAR) + offset as i32, count))
                .collect(),
            by_date_precision: nonzero(&total.date_precision)
                .into_iter()
                .map(|(i, c)| {
                    let precision = [
                        DatePrecision::Day,
                        DatePrecision::Month,
                        DatePrecision::Year,
                    ][i];
                    (precision, c)
                })
                .collect(),
            by_location_precision: vocabulary(
                &total.location_precision,
                LocationPrecision::ALL.len(),
            )
            .into_iter()
            .map(|(i, c)| (LocationPrecision::ALL[i], c))
            .collect(),
            distinct_sources: total.sources_seen.iter().filter(|seen| **seen).count(),
        };
        // The last slot of the province tallies is "no province": left out.
        let known_provinces = self.provinces.len();
        let provinces = total.province[..known_provinces]
            .iter()
            .enumerate()
            .filter(|(_, t)| t.count > 0)
            .map(|(i, t)| {
                let (name, code) = &self.provinces[i];
                ((code.clone(), name.clone()), *t)
            })
            .collect();
        // Threads each hold a contiguous range, in order: the indices come out sorted.
        Scan {
            filtered: total.filtered,
            timeline: total.timeline,
            histogram,
            summary,
            provinces,
            countries: nonzero(&total.facet_country)
                .into_iter()
                .map(|(i, c)| (self.countries[i].clone(), c))
                .collect(),
            province_counts: nonzero(&total.facet_province[..known_provinces])
                .into_iter()
                .map(|(i, c)| (self.provinces[i].clone(), c))
                .collect(),
            kinds: vocabulary(&total.facet_kind, Kind::ALL.len())
                .into_iter()
                .map(|(i, c)| (Kind::ALL[i], c))
                .collect(),
            methods: vocabulary(&total.facet_method, Method::ALL.len())
                .into_iter()
                .map(|(i, c)| (Method::ALL[i], c))
                .collect(),
            targets: vocabulary(&total.facet_target, Target::ALL.len())
                .into_iter()
                .map(|(i, c)| (Target::ALL[i], c))
                .collect(),
            attributions: vocabulary(&total.facet_attribution, Attribution::ALL.len())
                .into_iter()
                .map(|(i, c)| (Attribution::ALL[i], c))
                .collect(),
            actors: nonzero(&total.facet_actor)
                .into_iter()
                .map(|(i, c)| (self.actors[i].clone(), c))
                .collect(),
        }
    }
}

/// Runs `work` on `0..n` cut into one contiguous range per thread (a single range when `n` is
/// small, where starting threads would cost more than it saves), and returns the results in
/// the order of their ranges. The scan and the views' per-frame passes over a million
/// incidents use it.
pub fn split_work<T: Send>(n: usize, work: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    let threads = scan_threads();
    if n < 50_000 || threads == 1 {
        return vec![work(0..n)];
    }
    let chunk = n.div_ceil(threads);
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let range = (t * chunk).min(n)..((t + 1) * chunk).min(n);
                scope.spawn(move || work(range))
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("worker thread"))
            .collect()
    })
}

/// The `members` (ascending incident indices) in the order of `all_sorted` (every incident,
/// sorted). One linear pass on all threads, against a bit set of the members: a filter change
/// on a million incidents picks rows instead of sorting them again.
pub fn pick_in_order(all_sorted: &[u32], members: &[usize]) -> Vec<u32> {
    if members.len() == all_sorted.len() {
        return all_sorted.to_vec();
    }
    let mut is_member = vec![0u64; all_sorted.len().div_ceil(64)];
    for &index in members {
        is_member[index / 64] |= 1 << (index % 64);
    }
    let parts = split_work(all_sorted.len(), |range| {
        // Written without a branch per row: membership is unpredictable.
        let mut picked = vec![0; range.len()];
        let mut count = 0;
        for &index in &all_sorted[range] {
            picked[count] = index;
            count += (is_member[index as usize / 64] >> (index % 64)) as usize & 1;
        }
        picked.truncate(count);
        picked
    });
    parts.concat()
}

/// Threads a scan uses: the cores, at most 8; `KHORASAN_SCAN_THREADS` overrides (benchmarks).
fn scan_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        std::env::var("KHORASAN_SCAN_THREADS")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |p| p.get()))
            .clamp(1, 8)
    })
}

#[inline(always)]
fn add_bounds(total: &mut CountTotal, min: u32, max: u32) {
    // Without a branch: unknown tolls are frequent and scattered.
    let known = u64::from(min != UNKNOWN);
    total.unknown += 1 - known as usize;
    total.min += u64::from(min) * known;
    total.max += u64::from(max) * known;
}

fn add_all(total: &mut [u32], other: &[u32]) {
    for (mine, theirs) in total.iter_mut().zip(other) {
        *mine += theirs;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::aggregate::{facet_counts, province_totals};
    use crate::model::filter::Facet;

    /// The scan must give exactly what the per-incident functions give.
    fn check(dataset: &Dataset, filter: &Filter) {
        let columns = Columns::build(dataset);
        let scan = columns.scan(dataset, filter, StackBy::Attribution);
        let filtered: Vec<usize> = (0..dataset.incidents.len())
            .filter(|&i| filter.matches(&dataset.incidents[i]))
            .collect();
        assert_eq!(scan.filtered, filtered, "{filter:?}");
        let timeline: Vec<usize> = (0..dataset.incidents.len())
            .filter(|&i| filter.matches_except(&dataset.incidents[i], Some(Facet::Date)))
            .collect();
        assert_eq!(scan.timeline, timeline);
        let incidents = || filtered.iter().map(|&i| &dataset.incidents[i]);
        assert_eq!(scan.summary, Summary::compute(dataset, incidents()));
        assert_eq!(scan.provinces, province_totals(incidents()));
        assert_eq!(
            scan.histogram,
            MonthHistogram::compute(
                StackBy::Attribution,
                timeline.iter().map(|&i| &dataset.incidents[i])
            )
        );
        assert_eq!(
            scan.kinds,
            facet_counts(dataset, filter, Facet::Kind, |i| i.kind)
        );
        assert_eq!(
            scan.attributions,
            facet_counts(dataset, filter, Facet::Attribution, |i| i.attribution)
        );
        assert_eq!(
            scan.countries,
            facet_counts(dataset, filter, Facet::Country, |i| (
                i.location.country_code.to_string(),
                i.location.country.to_string()
            ))
        );
        let provinces: BTreeMap<(String, String), usize> =
            facet_counts(dataset, filter, Facet::Province, |i| {
                (
                    i.location.admin1.to_string(),
                    i.location.country_code.to_string(),
                )
            })
            .into_iter()
            .filter(|((name, _), _)| !name.is_empty())
            .collect();
        assert_eq!(scan.province_counts, provinces);
        assert_eq!(
            scan.actors,
            facet_counts(dataset, filter, Facet::Actor, |i| {
                crate::model::actor::actor_name(i).to_owned()
            })
        );
        assert_eq!(
            scan.methods,
            facet_counts(dataset, filter, Facet::Method, |i| i.method)
        );
        assert_eq!(
            scan.targets,
            facet_counts(dataset, filter, Facet::Target, |i| i.target)
        );
    }

    #[test]
    fn the_scan_agrees_with_the_filter_on_the_embedded_dataset() {
        let dataset = crate::io::embedded_dataset().unwrap();
        let day = |s: &str| s.parse().ok();
        let filters = [
            Filter::default(),
            Filter {
                from: day("2021-01-01"),
                to: day("2022-06-30"),
                ..Filter::default()
            },
            Filter {
                countries: ["PK".to_owned()].into(),
                kinds: [Kind::Attack].into(),
                ..Filter::default()
            },
            Filter {
                provinces: ["Nangarhar".to_owned(), "Kabul".to_owned()].into(),
                attributions: [Attribution::ClaimedByIsk].into(),
                min_killed: 10,
                ..Filter::default()
            },
            Filter {
                methods: [Method::SuicideBombing].into(),
                targets: [Target::ReligiousMinority].into(),
                text: "mosque".into(),
                ..Filter::default()
            },
            Filter {
                isk_only: true,
                actor_text: "khorasan".into(),
                from: day("2019-08-15"),
                ..Filter::default()
            },
        ];
        for filter in &filters {
            check(&dataset, filter);
        }
    }

    #[test]
    fn the_scan_agrees_when_split_across_threads() {
        // Over 50,000 incidents the scan is split; the results must not change.
        let mut bytes = Vec::new();
        crate::synth::write_acled(&mut bytes, 60_000, 3, |_| {}).unwrap();
        let imported = crate::io::import::import_bytes(
            &bytes,
            "synth.csv",
            Some("csv"),
            None,
            &crate::io::import::Progress::default(),
        )
        .unwrap();
        let dataset = imported.dataset;
        check(&dataset, &Filter::default());
        check(
            &dataset,
            &Filter {
                from: "2020-03-01".parse().ok(),
                isk_only: true,
                countries: ["AF".to_owned()].into(),
                min_killed: 3,
                ..Filter::default()
            },
        );
    }

    #[test]
    fn picks_members_in_sorted_order() {
        let all_sorted = [4, 0, 3, 1, 2];
        assert_eq!(pick_in_order(&all_sorted, &[0, 2, 4]), vec![4, 0, 2]);
        assert_eq!(pick_in_order(&all_sorted, &[]), Vec::<u32>::new());
        assert_eq!(
            pick_in_order(&all_sorted, &[0, 1, 2, 3, 4]),
            all_sorted.to_vec()
        );
    }

    #[test]
    fn picks_the_same_on_many_threads() {
        // Large enough to be split across threads; every third incident, in reverse order.
        let n = 200_003u32;
        let all_sorted: Vec<u32> = (0..n).rev().collect();
        let members: Vec<usize> = (0..n as usize).filter(|i| i % 3 == 0).collect();
        let expected: Vec<u32> = all_sorted.iter().copied().filter(|i| i % 3 == 0).collect();
        assert_eq!(pick_in_order(&all_sorted, &members), expected);
    }
}
