//! A columnar copy of what the filter and the views' aggregates touch, so that a filter change
//! on a million incidents is one pass over small arrays instead of many over `Incident`s.
//!
//! [`Columns::scan`] computes, in one pass (split across threads), everything the views derive
//! from the filter: the filtered set, the timeline's set (all but the period), the monthly
//! histogram, the per-value counts beside each filter option, the province totals and the
//! summary. For each incident it records which parts of the filter it fails as a bit mask:
//! an incident failing nothing is shown; one failing exactly one facet counts towards that
//! facet's values (the filter panel's counts ignore their own facet). A second pass over the
//! shown incidents makes the summary. The results equal those of [`super::Filter::matches`]
//! and the per-incident aggregations, which the tests check.
//!
//! The scan is bound by the bytes it reads, so the columns are narrow: a date is its first day
//! and a 16-bit span, the histogram's month is a 16-bit slot, year and precisions share one
//! 16-bit code, and tolls are 16-bit with an exact table for the rare larger ones.

use std::collections::{BTreeMap, HashMap};

use super::aggregate::{
    Category, CountTotal, GroupTotal, MonthHistogram, StackBy, Summary, month_index,
};
use super::area::{self, Prepared};
use super::dataset::Dataset;
use super::date::DatePrecision;
use super::dictionary::Dictionary;
use super::filter::Filter;
use super::incident::{Attribution, Count, Kind, LocationPrecision, Method, ProvinceKey, Target};
use super::shared_str::SharedStr;

/// The first year a date may have (see `IncidentDate`).
const FIRST_YEAR: i32 = 1900;
/// "Unknown" in a toll's bounds as `Count::bounds` gives them, widened.
const UNKNOWN: u32 = u32::MAX;
/// The tolls are kept in 16 bits, which halves what a scan reads for them (a scan is bound by
/// how many bytes it reads). `TOLL_UNKNOWN` is an unknown toll; `TOLL_LARGE`, in all four
/// bounds, marks the rare incident with a bound that does not fit, kept exactly in
/// `Columns::large_tolls`.
const TOLL_UNKNOWN: u16 = u16::MAX;
const TOLL_LARGE: u16 = u16::MAX - 1;
/// Distinct values of the packed dating column: see [`pack_dating`].
const DATINGS: usize = 1 << 13;

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
const AREA: u16 = 1 << 10;

/// The layout of a tally's histogram: month slots (the last is "year only") by categories.
struct HistogramShape {
    categories: usize,
    stack_by: StackBy,
}

/// The timeline's set is listed only up to this many incidents. Past it the timeline draws
/// one marker per incident no more (the histogram counts them), and writing a list of most of
/// a million indices would cost a scan more than anything else it does.
pub const TIMELINE_LIST_LIMIT: usize = 20_000;

/// Dictionary-coded columns, one entry per incident of the dataset they were built from.
#[derive(Debug, Default)]
pub struct Columns {
    first_day: Vec<i32>,
    /// Last day minus first day: 0 for a date known to the day, at most 30 for one known to
    /// its month, 364 or 365 for one known only to its year.
    span: Vec<u16>,
    /// Year, date precision and location precision: see [`pack_dating`].
    dating: Vec<u16>,
    country: Vec<u16>,
    /// Index into `provinces`; `u32::MAX` when the province is unknown.
    province: Vec<u32>,
    kind: Vec<u8>,
    method: Vec<u8>,
    target: Vec<u8>,
    attribution: Vec<u8>,
    /// (min, max) of each toll; see [`TOLL_LARGE`].
    killed: Vec<[u16; 2]>,
    injured: Vec<[u16; 2]>,
    /// Exact (killed min, killed max, injured min, injured max) of the incidents marked
    /// [`TOLL_LARGE`], by index; `UNKNOWN` where unknown.
    large_tolls: HashMap<u32, [u32; 4], foldhash::fast::RandomState>,
    /// The actor shown first (every incident has one).
    actor: Vec<u32>,
    /// Whether each incident is counted in an incident of an earlier layer (one event in
    /// several layers); empty when nothing matched.
    duplicate: Vec<bool>,
    /// The other actors of incident `i`, distinct from the first and each other:
    /// `more_actor_ids[more_actor_start[i]..more_actor_start[i + 1]]` (empty for most rows).
    more_actor_start: Vec<u32>,
    more_actor_ids: Vec<u32>,
    /// Sources of incident `i`: `source_ids[source_start[i]..source_start[i + 1]]`.
    source_start: Vec<u32>,
    source_ids: Vec<u32>,
    source_count: usize,
    /// First and last month index of month- and day-precision dates.
    months: Option<(i32, i32)>,
    /// The histogram's month slot of each row: months since the first of `months`, or one
    /// past the last month for a date known only to its year (the histogram's last slot).
    month_slot: Vec<u16>,
    /// Each incident's point and footprint radius (`Location::uncertainty_km`), for areas.
    lat: Vec<f64>,
    lon: Vec<f64>,
    reach_km: Vec<f64>,
    /// The widest footprint, which bounds where an incident can meet an area.
    max_reach_km: f64,
    /// Each row's footprint as an index into `reaches` (the distinct radii, at most 255; a row
    /// past them has `u8::MAX`), so that a circle's limit is worked out once per radius.
    reach_index: Vec<u8>,
    reaches: Vec<f64>,
    /// Each row's point as a unit vector, made the first time an area is asked for.
    unit: std::sync::OnceLock<Vec<[f64; 3]>>,
    /// (lat, lon) in single precision, for the bounds of boxes and polygons.
    coarse: Vec<[f32; 2]>,
    /// (ISO code, name)
    countries: Vec<(String, String)>,
    /// (province, ISO code)
    provinces: Vec<ProvinceKey>,
    actors: Vec<String>,
}

/// Dictionary codes of shared names (or pairs of them) by their copies: a million rows hold a
/// few thousand copies of a few hundred names, and a copy's address is cheaper to hash than
/// its text. Every copy is held by the dataset while the columns are built, so no address is
/// reused meanwhile.
#[derive(Default)]
struct CodesByCopy {
    known: HashMap<(usize, usize), u32, foldhash::fast::RandomState>,
}

impl CodesByCopy {
    /// The code of the key of `copies` (addresses, 0 for none), made by `key` the first time.
    fn code<K: std::hash::Hash + Eq + Clone>(
        &mut self,
        copies: (&SharedStr, Option<&SharedStr>),
        dictionary: &mut Dictionary<K>,
        key: impl FnOnce() -> K,
    ) -> u32 {
        let addresses = (copies.0.address(), copies.1.map_or(0, SharedStr::address));
        *self
            .known
            .entry(addresses)
            .or_insert_with(|| dictionary.code(key()))
    }
}

fn position<T: PartialEq>(all: &[T], value: &T) -> u8 {
    all.iter().position(|v| v == value).unwrap_or(0) as u8
}

fn count_bounds(count: Count) -> (u32, u32) {
    count.bounds().unwrap_or((UNKNOWN, UNKNOWN))
}

/// A toll's bound in 16 bits, if it fits (see [`TOLL_LARGE`]).
fn narrow(bound: u32) -> Option<u16> {
    match bound {
        UNKNOWN => Some(TOLL_UNKNOWN),
        bound => u16::try_from(bound).ok().filter(|&b| b < TOLL_LARGE),
    }
}

fn widen(bound: u16) -> u32 {
    match bound {
        TOLL_UNKNOWN => UNKNOWN,
        bound => u32::from(bound),
    }
}

/// Year since [`FIRST_YEAR`] (8 bits: dates are validated to 1900-2100), date precision
/// (2 bits) and location precision (3 bits) in one code below [`DATINGS`]: the summary counts
/// all three with one addition per incident.
fn pack_dating(year: i32, date_precision: usize, location_precision: usize) -> u16 {
    ((year - FIRST_YEAR) as u16) | (date_precision as u16) << 8 | (location_precision as u16) << 10
}

fn unpack_dating(code: usize) -> (i32, usize, usize) {
    (
        FIRST_YEAR + (code & 0xff) as i32,
        (code >> 8) & 0b11,
        (code >> 10) & 0b111,
    )
}

/// What one scan derives from the filter; see the module documentation.
#[derive(Debug, Default)]
pub struct Scan {
    pub filtered: Vec<usize>,
    /// How many incidents match every part of the filter but the period (the timeline's set).
    pub timeline_count: usize,
    /// Those incidents, listed when there are at most [`TIMELINE_LIST_LIMIT`].
    pub timeline: Option<Vec<usize>>,
    pub histogram: MonthHistogram,
    pub summary: Summary,
    pub provinces: BTreeMap<ProvinceKey, GroupTotal>,
    /// Facet counts: among incidents matching every other part of the filter.
    pub countries: BTreeMap<(String, String), usize>,
    pub province_counts: BTreeMap<ProvinceKey, usize>,
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
    /// The timeline's set, while it has at most the scan's limit (then the rest is discarded).
    timeline: Vec<usize>,
    timeline_count: usize,
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
    /// Per packed dating code (see [`pack_dating`]).
    dating: Vec<u32>,
    killed: CountTotal,
    injured: CountTotal,
    sources_seen: Vec<bool>,
}

/// The filter turned into lookups on dictionary codes. The scan tests a row against the
/// facets in use without branching on the row's values: rows differ unpredictably, and
/// mispredicted branches cost more than the lookups.
struct Compiled<'a> {
    from: i32,
    to: i32,
    /// Each area, ready for a million rows.
    areas: Vec<Prepared<'a>>,
    country: Vec<bool>,
    /// One more entry than there are provinces: the last stands for "no province".
    province: Vec<bool>,
    kind: [bool; 256],
    method: [bool; 256],
    target: [bool; 256],
    attribution: [bool; 256],
    actor: Vec<bool>,
    /// The codes of the grades that are not ISK's ([`Attribution::NotIsk`] and
    /// [`Attribution::ClaimedByOtherProvince`]), or codes no incident has when ISK-only is off.
    excluded_attributions: [u8; 2],
    min_killed: u32,
    text: Option<(&'a Filter, &'a Dataset)>,
    /// The facets (bits) this filter can fail; the scan tests only these row by row.
    in_use: u16,
}

/// The dictionaries of a build: countries and provinces as (code, name), actors, sources.
#[derive(Default)]
struct Dictionaries<'a> {
    countries: Dictionary<(SharedStr, SharedStr)>,
    provinces: Dictionary<(SharedStr, SharedStr)>,
    actors: Dictionary<String>,
    sources: Dictionary<&'a str>,
}

/// A share of the incidents as columns, with codes into its own dictionaries (see
/// [`Columns::build`]).
struct Part<'a> {
    columns: Columns,
    names: Dictionaries<'a>,
    months: Vec<Option<i32>>,
}

impl<'a> Part<'a> {
    fn of(incidents: &'a [crate::model::Incident]) -> Self {
        let mut columns = Columns::with_capacity(incidents.len());
        let mut names = Dictionaries::default();
        let (mut country_codes, mut province_codes, mut source_codes) = (
            CodesByCopy::default(),
            CodesByCopy::default(),
            CodesByCopy::default(),
        );
        let mut months = Vec::with_capacity(incidents.len());
        for incident in incidents {
            months.push(
                incident
                    .date
                    .month_value()
                    .map(|m| month_index(incident.date.year_value(), m)),
            );
            let (first, last) = incident.date.span();
            columns.first_day.push(first);
            columns.span.push((last - first) as u16);
            let date_precision = match incident.date.precision() {
                DatePrecision::Day => 0,
                DatePrecision::Month => 1,
                DatePrecision::Year => 2,
            };
            let location = &incident.location;
            columns.lat.push(location.lat);
            columns.lon.push(location.lon);
            columns
                .coarse
                .push([location.lat as f32, location.lon as f32]);
            let reach = location.uncertainty_km();
            columns.reach_km.push(reach);
            columns.max_reach_km = columns.max_reach_km.max(reach);
            let index = columns.reach_index_of(reach);
            columns.reach_index.push(index);
            columns.dating.push(pack_dating(
                incident.date.year_value(),
                date_precision,
                usize::from(position(LocationPrecision::ALL, &location.precision)),
            ));
            columns.country.push(country_codes.code(
                (&location.country_code, Some(&location.country)),
                &mut names.countries,
                || (location.country_code.clone(), location.country.clone()),
            ) as u16);
            columns.province.push(if location.admin1.is_empty() {
                u32::MAX
            } else {
                province_codes.code(
                    (&location.country_code, Some(&location.admin1)),
                    &mut names.provinces,
                    || (location.country_code.clone(), location.admin1.clone()),
                )
            });
            columns.kind.push(position(Kind::ALL, &incident.kind));
            columns.method.push(position(Method::ALL, &incident.method));
            columns.target.push(position(Target::ALL, &incident.target));
            columns
                .attribution
                .push(position(Attribution::ALL, &incident.attribution));
            let (killed_min, killed_max) = count_bounds(incident.killed);
            let (injured_min, injured_max) = count_bounds(incident.injured);
            let exact = [killed_min, killed_max, injured_min, injured_max];
            match exact.map(narrow) {
                [Some(a), Some(b), Some(c), Some(d)] => {
                    columns.killed.push([a, b]);
                    columns.injured.push([c, d]);
                }
                _ => {
                    let row = columns.killed.len() as u32;
                    columns.large_tolls.insert(row, exact);
                    columns.killed.push([TOLL_LARGE; 2]);
                    columns.injured.push([TOLL_LARGE; 2]);
                }
            }
            let mut actors = super::actor::actor_names(incident);
            let first = actors.next().unwrap_or(super::actor::EMBEDDED_ACTOR);
            columns.actor.push(names.actors.code_of(first));
            for name in actors {
                columns.more_actor_ids.push(names.actors.code_of(name));
            }
            columns
                .more_actor_start
                .push(columns.more_actor_ids.len() as u32);
            let start = columns.source_ids.len();
            for source in &incident.sources {
                let code =
                    source_codes.code((source, None), &mut names.sources, || source.as_str());
                // The same source twice on one incident counts once.
                if !columns.source_ids[start..].contains(&code) {
                    columns.source_ids.push(code);
                }
            }
            columns.source_start.push(columns.source_ids.len() as u32);
        }
        Self {
            columns,
            names,
            months,
        }
    }
}

impl Columns {
    pub fn build(dataset: &Dataset) -> Self {
        let incidents = &dataset.incidents;
        let n = incidents.len();
        // Each thread's share of the incidents into columns with dictionaries of its own,
        // then the shares appended in order, their codes made the whole's: the same codes, in
        // the same order, as one pass over every incident gives (tested).
        Self::from_parts(split_work(n, |range| Part::of(&incidents[range])), n)
    }

    /// The columns of `n` incidents built in `parts`, in order.
    fn from_parts(parts: Vec<Part<'_>>, n: usize) -> Self {
        let mut columns = Self::with_capacity(n);
        let mut names = Dictionaries::default();
        // Month indices, until their range is known; year-only dates have none.
        let mut months = Vec::with_capacity(n);
        for part in parts {
            columns.append(part, &mut names, &mut months);
        }
        columns.source_count = names.sources.values.len();
        columns.months = month_range(&months);
        columns.month_slot = month_slots(&months, columns.months);
        let to_strings = |(a, b): (SharedStr, SharedStr)| (a.to_string(), b.to_string());
        columns.countries = names.countries.values.into_iter().map(to_strings).collect();
        columns.provinces = names
            .provinces
            .values
            .into_iter()
            .map(|(code, name)| ProvinceKey {
                country_code: code.to_string(),
                name: name.to_string(),
            })
            .collect();
        columns.actors = names.actors.values;
        columns
    }

    /// Empty columns with room for `n` rows.
    fn with_capacity(n: usize) -> Self {
        Self {
            first_day: Vec::with_capacity(n),
            span: Vec::with_capacity(n),
            dating: Vec::with_capacity(n),
            country: Vec::with_capacity(n),
            province: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            method: Vec::with_capacity(n),
            target: Vec::with_capacity(n),
            attribution: Vec::with_capacity(n),
            killed: Vec::with_capacity(n),
            injured: Vec::with_capacity(n),
            actor: Vec::with_capacity(n),
            more_actor_start: {
                let mut starts = Vec::with_capacity(n + 1);
                starts.push(0);
                starts
            },
            source_start: {
                let mut starts = Vec::with_capacity(n + 1);
                starts.push(0);
                starts
            },
            source_ids: Vec::with_capacity(n * 2),
            lat: Vec::with_capacity(n),
            lon: Vec::with_capacity(n),
            reach_km: Vec::with_capacity(n),
            reach_index: Vec::with_capacity(n),
            coarse: Vec::with_capacity(n),
            ..Self::default()
        }
    }

    /// The index of the footprint radius `reach` in `reaches`, added if there is room.
    fn reach_index_of(&mut self, reach: f64) -> u8 {
        match self
            .reaches
            .iter()
            .position(|&r| r.to_bits() == reach.to_bits())
        {
            Some(index) => index as u8,
            None if self.reaches.len() < usize::from(u8::MAX) => {
                self.reaches.push(reach);
                (self.reaches.len() - 1) as u8
            }
            None => u8::MAX,
        }
    }

    /// `part`'s rows after these, its codes turned into codes of `names`.
    fn append<'a>(
        &mut self,
        part: Part<'a>,
        names: &mut Dictionaries<'a>,
        months: &mut Vec<Option<i32>>,
    ) {
        let Part {
            columns: part,
            names: part_names,
            months: part_months,
        } = part;
        let country = names.countries.codes(part_names.countries.values);
        let province = names.provinces.codes(part_names.provinces.values);
        let actor = names.actors.codes(part_names.actors.values);
        let source = names.sources.codes(part_names.sources.values);
        let rows_before = self.first_day.len() as u32;
        for (row, tolls) in part.large_tolls {
            self.large_tolls.insert(row + rows_before, tolls);
        }
        self.first_day.extend(part.first_day);
        self.span.extend(part.span);
        self.dating.extend(part.dating);
        self.kind.extend(part.kind);
        self.method.extend(part.method);
        self.target.extend(part.target);
        self.attribution.extend(part.attribution);
        self.killed.extend(part.killed);
        self.injured.extend(part.injured);
        self.lat.extend(part.lat);
        self.lon.extend(part.lon);
        self.coarse.extend(part.coarse);
        self.country.extend(
            part.country
                .iter()
                .map(|&code| country[usize::from(code)] as u16),
        );
        self.province.extend(part.province.iter().map(|&code| {
            if code == u32::MAX {
                code
            } else {
                province[code as usize]
            }
        }));
        self.actor
            .extend(part.actor.iter().map(|&code| actor[code as usize]));
        let base = self.more_actor_ids.len() as u32;
        self.more_actor_ids
            .extend(part.more_actor_ids.iter().map(|&code| actor[code as usize]));
        self.more_actor_start
            .extend(part.more_actor_start[1..].iter().map(|&start| start + base));
        let base = self.source_ids.len() as u32;
        self.source_ids
            .extend(part.source_ids.iter().map(|&code| source[code as usize]));
        self.source_start
            .extend(part.source_start[1..].iter().map(|&start| start + base));
        // Radii in row order, as one pass would meet them (a part's index past its 255 is
        // found again by the row's radius).
        self.max_reach_km = self.max_reach_km.max(part.max_reach_km);
        let mut radius = vec![None; part.reaches.len()];
        for (&index, &reach) in part.reach_index.iter().zip(&part.reach_km) {
            let whole = match radius.get(usize::from(index)).copied().flatten() {
                Some(whole) => whole,
                None => {
                    let whole = self.reach_index_of(reach);
                    if let Some(slot) = radius.get_mut(usize::from(index)) {
                        *slot = Some(whole);
                    }
                    whole
                }
            };
            self.reach_index.push(whole);
        }
        self.reach_km.extend(part.reach_km);
        months.extend(part_months);
    }

    pub fn len(&self) -> usize {
        self.first_day.len()
    }

    /// Every row's point as a unit vector (see [`Prepared`]), made once.
    fn units(&self) -> &[[f64; 3]] {
        self.unit.get_or_init(|| {
            self.lat
                .iter()
                .zip(&self.lon)
                .map(|(&lat, &lon)| area::unit_vector(lat, lon))
                .collect()
        })
    }

    pub fn is_empty(&self) -> bool {
        self.first_day.is_empty()
    }

    /// Incident `i`'s actors after the first.
    fn more_actors(&self, i: usize) -> &[u32] {
        &self.more_actor_ids
            [self.more_actor_start[i] as usize..self.more_actor_start[i + 1] as usize]
    }

    /// Incident `i`'s tolls exactly: (killed min, killed max, injured min, injured max),
    /// `UNKNOWN` where unknown.
    fn tolls(&self, i: usize) -> [u32; 4] {
        let ([killed_min, killed_max], [injured_min, injured_max]) =
            (self.killed[i], self.injured[i]);
        if killed_max == TOLL_LARGE {
            self.large_tolls[&(i as u32)]
        } else {
            [killed_min, killed_max, injured_min, injured_max].map(widen)
        }
    }

    /// Incident `i`'s death toll.
    pub fn killed(&self, i: usize) -> Count {
        let [min, max, _, _] = self.tolls(i);
        match (min, max) {
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
            .map(|key| filter.provinces.is_empty() || filter.provinces.contains(&key.name))
            .collect();
        province.push(filter.provinces.is_empty());
        Compiled {
            from: from.unwrap_or(i32::MIN),
            to: to.unwrap_or(i32::MAX),
            areas: filter
                .areas
                .iter()
                .map(|area| Prepared::new(area, self.max_reach_km, &self.reaches))
                .collect(),
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
            excluded_attributions: if filter.isk_only {
                [
                    position(Attribution::ALL, &Attribution::NotIsk),
                    position(Attribution::ALL, &Attribution::ClaimedByOtherProvince),
                ]
            } else {
                [u8::MAX; 2]
            },
            min_killed: filter.min_killed,
            text: (!filter.text.trim().is_empty()).then_some((filter, dataset)),
            in_use: [
                (from.is_some() || to.is_some(), DATE),
                (!filter.countries.is_empty(), COUNTRY),
                (!filter.provinces.is_empty(), PROVINCE),
                (!filter.kinds.is_empty(), KIND),
                (!filter.methods.is_empty(), METHOD),
                (!filter.targets.is_empty(), TARGET),
                (!filter.attributions.is_empty(), ATTRIBUTION),
                (filter.min_killed > 0, KILLED),
                (
                    !filter.actors.is_empty() || !needle.is_empty() || filter.isk_only,
                    ACTOR,
                ),
                (!filter.areas.is_empty(), AREA),
            ]
            .into_iter()
            .filter(|(used, _)| *used)
            .fold(0, |bits, (_, facet)| bits | facet),
        }
    }

    /// Everything the views derive from `filter`, in one parallel pass. `dataset` must be the
    /// one the columns were built from.
    ///
    /// Only the facets the filter uses are tested row by row. For a facet it leaves open, the
    /// counts beside its options are simply those of the shown incidents, which the second
    /// pass (over the shown incidents only) counts. Whether a facet is in use is the same for
    /// every row, so those branches are always predicted.
    /// The same columns, with the incidents that `matches` counts in another layer's marked,
    /// so that "count each event once" leaves them out.
    pub fn with_duplicates(mut self, matches: &super::matching::Matches) -> Self {
        self.duplicate = matches.duplicates(self.len());
        self
    }

    pub fn scan(&self, dataset: &Dataset, filter: &Filter, stack_by: StackBy) -> Scan {
        self.scan_listing(dataset, filter, stack_by, TIMELINE_LIST_LIMIT)
    }

    /// [`Self::scan`], listing the timeline's set up to `timeline_limit` incidents.
    fn scan_listing(
        &self,
        dataset: &Dataset,
        filter: &Filter,
        stack_by: StackBy,
        timeline_limit: usize,
    ) -> Scan {
        debug_assert_eq!(self.len(), dataset.incidents.len());
        let compiled = self.compile(filter, dataset);
        let months = self.month_range();
        let categories = Category::all(stack_by).len();
        let slots = months.map_or(0, |(first, last)| (last - first + 1) as usize) + 1;
        let empty = Tally {
            filtered: Vec::new(),
            timeline: Vec::new(),
            timeline_count: 0,
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
            dating: vec![0; DATINGS],
            killed: CountTotal::default(),
            injured: CountTotal::default(),
            sources_seen: vec![false; self.source_count],
        };
        let first_month = months.map_or(0, |(first, _)| first);
        let in_use = |facet: u16| compiled.in_use & facet != 0;
        let no_province = self.provinces.len();
        let province_slot = |code: u32| match code {
            u32::MAX => no_province,
            province => province as usize,
        };
        let shape = HistogramShape {
            categories,
            stack_by,
        };
        let rows = area::AreaRows {
            // Made (once) only for a circle: boxes and polygons do not read them.
            unit: if compiled.areas.iter().any(Prepared::is_circle) {
                self.units()
            } else {
                &[]
            },
            coarse: &self.coarse,
            reach_index: &self.reach_index,
            lat: &self.lat,
            lon: &self.lon,
            reach_km: &self.reach_km,
        };
        let tally_range = |range: std::ops::Range<usize>| {
            let mut tally = empty.clone();
            // Written without branches on the row's values (see `Compiled`): the index lists
            // are filled by writing every row and advancing only past kept ones.
            let len = range.len();
            if in_use(DATE) {
                // One slot past the limit takes the writes of rows beyond it.
                tally.timeline = vec![0; len.min(timeline_limit) + 1];
            }
            tally.filtered = vec![0; len];
            let (mut in_timeline, mut in_filtered) = (0, 0);
            let skip_duplicates = filter.count_once && !self.duplicate.is_empty();
            for i in range {
                // Counted in another layer's incident: not there at all, in any count.
                if skip_duplicates && self.duplicate[i] {
                    continue;
                }
                let bit = |failed: bool, facet: u16| u16::from(failed) * facet;
                let mut mask = 0;
                if in_use(DATE) {
                    let first_day = self.first_day[i];
                    let last_day = first_day + i32::from(self.span[i]);
                    let outside = (last_day < compiled.from) | (first_day > compiled.to);
                    mask |= bit(outside, DATE);
                }
                if in_use(COUNTRY) {
                    mask |= bit(!compiled.country[usize::from(self.country[i])], COUNTRY);
                }
                if in_use(PROVINCE) {
                    let province = province_slot(self.province[i]);
                    mask |= bit(!compiled.province[province], PROVINCE);
                }
                if in_use(KIND) {
                    mask |= bit(!compiled.kind[usize::from(self.kind[i])], KIND);
                }
                if in_use(METHOD) {
                    mask |= bit(!compiled.method[usize::from(self.method[i])], METHOD);
                }
                if in_use(TARGET) {
                    mask |= bit(!compiled.target[usize::from(self.target[i])], TARGET);
                }
                if in_use(ATTRIBUTION) {
                    let attribution = usize::from(self.attribution[i]);
                    mask |= bit(!compiled.attribution[attribution], ATTRIBUTION);
                }
                if in_use(KILLED) {
                    let killed = match self.killed[i][1] {
                        TOLL_LARGE => self.tolls(i)[1],
                        killed => widen(killed),
                    };
                    mask |= bit((killed == UNKNOWN) | (killed < compiled.min_killed), KILLED);
                }
                if in_use(ACTOR) {
                    let allowed = compiled.actor[self.actor[i] as usize]
                        || self
                            .more_actors(i)
                            .iter()
                            .any(|&actor| compiled.actor[actor as usize]);
                    let attribution = self.attribution[i];
                    let not_isk = (attribution == compiled.excluded_attributions[0])
                        | (attribution == compiled.excluded_attributions[1]);
                    let failed = !allowed | not_isk;
                    mask |= bit(failed, ACTOR);
                }
                if in_use(AREA) {
                    let inside = compiled.areas.iter().any(|area| area.meets_row(&rows, i));
                    mask |= bit(!inside, AREA);
                }
                if let Some((filter, dataset)) = compiled.text
                    && !filter.matches_text(&dataset.incidents[i])
                {
                    // Text search is the one part that needs the incident itself.
                    mask |= TEXT;
                }
                // Facet counts: a shown incident counts everywhere; one failing a single
                // facet counts for that facet only.
                let counts_for = |facet: u16| u32::from(mask & !facet == 0);
                if in_use(DATE) {
                    let timeline = counts_for(DATE);
                    tally.timeline[in_timeline.min(timeline_limit)] = i;
                    in_timeline += timeline as usize;
                    tally.histogram[self.histogram_cell(i, &shape)] += timeline;
                }
                if in_use(COUNTRY) {
                    tally.facet_country[usize::from(self.country[i])] += counts_for(COUNTRY);
                }
                if in_use(PROVINCE) {
                    tally.facet_province[province_slot(self.province[i])] += counts_for(PROVINCE);
                }
                if in_use(KIND) {
                    tally.facet_kind[usize::from(self.kind[i])] += counts_for(KIND);
                }
                if in_use(METHOD) {
                    tally.facet_method[usize::from(self.method[i])] += counts_for(METHOD);
                }
                if in_use(TARGET) {
                    tally.facet_target[usize::from(self.target[i])] += counts_for(TARGET);
                }
                if in_use(ATTRIBUTION) {
                    let attribution = usize::from(self.attribution[i]);
                    tally.facet_attribution[attribution] += counts_for(ATTRIBUTION);
                }
                if in_use(ACTOR) {
                    let counts = counts_for(ACTOR);
                    tally.facet_actor[self.actor[i] as usize] += counts;
                    for &actor in self.more_actors(i) {
                        tally.facet_actor[actor as usize] += counts;
                    }
                }
                tally.filtered[in_filtered] = i;
                in_filtered += usize::from(mask == 0);
            }
            tally.timeline.truncate(in_timeline.min(timeline_limit));
            tally.timeline_count = in_timeline;
            tally.filtered.truncate(in_filtered);
            // The second pass, over the shown incidents: the summary, the province totals,
            // and what the first pass left to it. Sums that every row adds to are kept in
            // locals (registers) rather than in `tally`, where each addition would wait for
            // the one before it through memory.
            let shown = std::mem::take(&mut tally.filtered);
            let (mut killed, mut injured) = (CountTotal::default(), CountTotal::default());
            for &i in &shown {
                let [killed_min, killed_max, injured_min, injured_max] = self.tolls(i);
                add_bounds(&mut killed, killed_min, killed_max);
                add_bounds(&mut injured, injured_min, injured_max);
                let province = &mut tally.province[province_slot(self.province[i])];
                province.count += 1;
                add_bounds(&mut province.killed, killed_min, killed_max);
                tally.dating[usize::from(self.dating[i]) % DATINGS] += 1;
                let sources = self.source_start[i] as usize..self.source_start[i + 1] as usize;
                for &source in &self.source_ids[sources] {
                    tally.sources_seen[source as usize] = true;
                }
                // A facet in use has counted the shown incidents among its own (below); one
                // left open is counted here.
                if !in_use(COUNTRY) {
                    tally.country[usize::from(self.country[i])] += 1;
                }
                if !in_use(KIND) {
                    tally.kind[usize::from(self.kind[i])] += 1;
                }
                if !in_use(ATTRIBUTION) {
                    tally.attribution[usize::from(self.attribution[i])] += 1;
                }
                if !in_use(DATE) {
                    tally.histogram[self.histogram_cell(i, &shape)] += 1;
                }
                if !in_use(METHOD) {
                    tally.facet_method[usize::from(self.method[i])] += 1;
                }
                if !in_use(TARGET) {
                    tally.facet_target[usize::from(self.target[i])] += 1;
                }
                if !in_use(ACTOR) {
                    tally.facet_actor[self.actor[i] as usize] += 1;
                    for &actor in self.more_actors(i) {
                        tally.facet_actor[actor as usize] += 1;
                    }
                }
            }
            tally.killed = killed;
            tally.injured = injured;
            if !in_use(DATE) {
                tally.timeline_count = shown.len();
                if shown.len() <= timeline_limit {
                    tally.timeline = shown.clone();
                }
            }
            // A facet left open counts exactly the shown incidents; a facet in use counted,
            // for each of its allowed values, exactly the shown incidents with that value.
            shown_or_facet(
                in_use(COUNTRY),
                &compiled.country,
                &mut tally.country,
                &mut tally.facet_country,
            );
            shown_or_facet(
                in_use(KIND),
                &compiled.kind,
                &mut tally.kind,
                &mut tally.facet_kind,
            );
            shown_or_facet(
                in_use(ATTRIBUTION),
                &compiled.attribution,
                &mut tally.attribution,
                &mut tally.facet_attribution,
            );
            if !in_use(PROVINCE) {
                for (facet, total) in tally.facet_province.iter_mut().zip(&tally.province) {
                    *facet = total.count as u32;
                }
            }
            tally.filtered = shown;
            tally
        };
        let tallies = split_work(self.len(), tally_range);
        self.assemble(
            tallies,
            stack_by,
            first_month,
            slots,
            categories,
            timeline_limit,
        )
    }

    /// Incidents per month (continuous month index) among `indices`; year-only dates are left
    /// out, as in the histogram.
    pub fn month_counts(&self, indices: &[usize]) -> BTreeMap<i32, u32> {
        let Some((first, last)) = self.month_range() else {
            return BTreeMap::new();
        };
        let mut counts = vec![0u32; (last - first + 1) as usize];
        let year_only = counts.len();
        for &i in indices {
            let slot = usize::from(self.month_slot[i]);
            if slot != year_only {
                counts[slot] += 1;
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

    /// Where row `i` counts in a tally's histogram.
    #[inline(always)]
    fn histogram_cell(&self, i: usize, shape: &HistogramShape) -> usize {
        let category = match shape.stack_by {
            StackBy::Kind => usize::from(self.kind[i]),
            StackBy::Attribution => usize::from(self.attribution[i]),
        };
        usize::from(self.month_slot[i]) * shape.categories + category
    }

    fn assemble(
        &self,
        mut tallies: Vec<Tally>,
        stack_by: StackBy,
        first_month: i32,
        slots: usize,
        categories: usize,
        timeline_limit: usize,
    ) -> Scan {
        let mut total = tallies.remove(0);
        for other in tallies {
            total.filtered.extend(other.filtered);
            total.timeline.extend(other.timeline);
            total.timeline_count += other.timeline_count;
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
            add_all(&mut total.dating, &other.dating);
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
        let (mut years, mut date_precisions, mut location_precisions) =
            ([0u32; 256], [0u32; 3], [0u32; 8]);
        for (code, &count) in total.dating.iter().enumerate().filter(|(_, c)| **c > 0) {
            let (year, date_precision, location_precision) = unpack_dating(code);
            years[(year - FIRST_YEAR) as usize] += count;
            date_precisions[date_precision] += count;
            location_precisions[location_precision] += count;
        }
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
            by_year: nonzero(&years)
                .into_iter()
                .map(|(offset, count)| (FIRST_YEAR + offset as i32, count))
                .collect(),
            by_date_precision: nonzero(&date_precisions)
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
            by_location_precision: vocabulary(&location_precisions, LocationPrecision::ALL.len())
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
            .map(|(i, t)| (self.provinces[i].clone(), *t))
            .collect();
        // Threads each hold a contiguous range, in order: the indices come out sorted.
        Scan {
            filtered: total.filtered,
            timeline_count: total.timeline_count,
            // Within the limit in all, each thread was within it and listed all its share.
            timeline: (total.timeline_count <= timeline_limit).then_some(total.timeline),
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

/// Runs `work` on `0..n` cut into one contiguous range per thread of the scan pool (a single
/// range on this thread when `n` is small, where handing work out would cost more than it
/// saves), and returns the results in the order of their ranges. The scan and the views'
/// per-frame passes over a million incidents use it.
pub fn split_work<T: Send>(n: usize, work: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    use rayon::iter::{IntoParallelIterator as _, ParallelIterator as _};
    let threads = scan_threads();
    let Some(pool) = scan_pool().filter(|_| n >= 50_000 && threads > 1) else {
        return vec![work(0..n)];
    };
    let chunk = n.div_ceil(threads);
    // Collecting an indexed parallel iterator keeps the ranges' order.
    pool.install(|| {
        (0..threads)
            .into_par_iter()
            .map(|t| work((t * chunk).min(n)..((t + 1) * chunk).min(n)))
            .collect()
    })
}

/// The scan's threads, started once and kept (rather than started again for every scan);
/// `None` if the system refused them, and the work then runs on the calling thread.
fn scan_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(scan_threads())
            .thread_name(|index| format!("scan-{index}"))
            .build()
            .inspect_err(|error| log::warn!("no scan threads: {error}"))
            .ok()
    })
    .as_ref()
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

/// Fills whichever of a value's two counts the scan left to the other: with its facet in use,
/// the shown incidents with an allowed value are those its facet count counted (and none with
/// a value not allowed); with the facet open, the facet count is the shown count.
fn shown_or_facet(in_use: bool, allowed: &[bool], shown: &mut [u32], facet: &mut [u32]) {
    if in_use {
        for ((shown, facet), allowed) in shown.iter_mut().zip(facet.iter()).zip(allowed) {
            *shown = if *allowed { *facet } else { 0 };
        }
    } else {
        facet.copy_from_slice(shown);
    }
}

/// First and last of the month indices.
fn month_range(months: &[Option<i32>]) -> Option<(i32, i32)> {
    let mut months = months.iter().flatten().copied();
    let first = months.next()?;
    Some(months.fold((first, first), |(lo, hi), m| (lo.min(m), hi.max(m))))
}

/// The month slot column (see `Columns::month_slot`): dates span 1900-2100, so at most
/// 2,412 months.
fn month_slots(months: &[Option<i32>], range: Option<(i32, i32)>) -> Vec<u16> {
    let (first, last) = range.unwrap_or((0, -1));
    let year_only = (last - first + 1) as u16;
    months
        .iter()
        .map(|month| month.map_or(year_only, |m| (m - first) as u16))
        .collect()
}

fn add_all(total: &mut [u32], other: &[u32]) {
    for (mine, theirs) in total.iter_mut().zip(other) {
        *mine += theirs;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Area;
    use crate::model::aggregate::{facet_counts, multi_facet_counts, province_totals};
    use crate::model::filter::Facet;

    #[test]
    fn columns_built_in_parts_are_those_of_one_pass() {
        let mut bytes = Vec::new();
        crate::synth::write_acled(&mut bytes, 3_000, 5, |_| {}).unwrap();
        let imported = crate::io::import::acled::SCHEMA
            .import(&bytes, "parts.csv", b',', &Default::default())
            .unwrap();
        let mut dataset = imported.dataset;
        // Tolls too large for the narrow columns, and dates known only to their year.
        for (index, incident) in dataset.incidents.iter_mut().enumerate().step_by(97) {
            incident.killed = Count::Exact(70_000 + index as u32);
            incident.date = crate::model::IncidentDate::year(2019).unwrap();
        }
        let incidents = &dataset.incidents;
        let described = |mut columns: Columns| {
            let mut large: Vec<_> = std::mem::take(&mut columns.large_tolls)
                .into_iter()
                .collect();
            large.sort_unstable();
            format!("{columns:?} {large:?}")
        };
        let one = Columns::from_parts(vec![Part::of(incidents)], incidents.len());
        let parts: Vec<Part> = incidents.chunks(401).map(Part::of).collect();
        assert!(parts.len() > 5);
        let in_parts = Columns::from_parts(parts, incidents.len());
        assert!(!one.large_tolls.is_empty() && one.months.is_some());
        assert_eq!(described(in_parts), described(one));
    }

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
        assert_eq!(scan.timeline_count, timeline.len());
        let listed = (timeline.len() <= TIMELINE_LIST_LIMIT).then(|| timeline.clone());
        assert_eq!(scan.timeline, listed);
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
        // Per-month counts of the filtered set (the comparison script's histogram).
        let per_month: BTreeMap<i32, u32> = MonthHistogram::compute(StackBy::Kind, incidents())
            .bins
            .into_iter()
            .map(|(month, counts)| (month, counts.values().sum()))
            .collect();
        assert_eq!(columns.month_counts(&filtered), per_month);
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
        let provinces: BTreeMap<ProvinceKey, usize> =
            facet_counts(dataset, filter, Facet::Province, |i| i.location.province())
                .into_iter()
                .filter_map(|(key, count)| Some((key?, count)))
                .collect();
        assert_eq!(scan.province_counts, provinces);
        assert_eq!(
            scan.actors,
            multi_facet_counts(dataset, filter, Facet::Actor, |i| {
                crate::model::actor::actor_names(i)
                    .map(str::to_owned)
                    .collect()
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
    fn the_scan_agrees_for_every_combination_of_facets_in_use() {
        // The scan tests only the facets in use and counts the others in its second pass;
        // every combination must give what the per-incident functions give.
        let dataset = crate::io::embedded_dataset().unwrap();
        let parts: [fn(&mut Filter); 10] = [
            |f| f.from = "2020-06-01".parse().ok(),
            // Near Jalalabad, or a box around Kabul: both cities' centroid footprints, exact
            // sites and province-wide records fall on either side of these edges.
            |f| {
                f.areas = vec![
                    Area::Within {
                        lat: 34.43,
                        lon: 70.45,
                        km: 60.0,
                        label: None,
                    },
                    Area::Box {
                        west: 69.0,
                        south: 34.4,
                        east: 69.3,
                        north: 34.6,
                    },
                ]
            },
            |f| f.countries = ["AF".to_owned()].into(),
            |f| f.provinces = ["Kabul".to_owned(), "Nangarhar".to_owned()].into(),
            |f| f.kinds = [Kind::Attack].into(),
            |f| f.methods = [Method::SuicideBombing, Method::Bombing].into(),
            |f| f.targets = [Target::Civilians, Target::ReligiousMinority].into(),
            |f| f.attributions = [Attribution::ClaimedByIsk].into(),
            |f| f.min_killed = 2,
            |f| f.isk_only = true,
        ];
        for combination in 0..1u32 << parts.len() {
            let mut filter = Filter::default();
            for (bit, part) in parts.iter().enumerate() {
                if combination & (1 << bit) != 0 {
                    part(&mut filter);
                }
            }
            check(&dataset, &filter);
        }
    }

    #[test]
    fn incidents_with_several_actors_match_and_count_under_each() {
        // Imported rows name several actors (UCDP's sides, ACLED's associated actors): the
        // actor facet passes an incident when any of them is ticked, and counts it once
        // under each.
        use crate::model::{Actor, ActorRole};
        let mut dataset = crate::io::embedded_dataset().unwrap();
        for (index, incident) in dataset.incidents.iter_mut().enumerate() {
            match index % 4 {
                0 => {
                    incident.perpetrator = Some("IS".into());
                    incident.actors = vec![
                        Actor::new("IS", ActorRole::Perpetrator),
                        Actor::new("Fixture Group", ActorRole::Associated),
                        Actor::new("Government of Afghanistan", ActorRole::Opponent),
                    ];
                }
                1 => {
                    incident.perpetrator = Some("Taliban".into());
                    incident.actors = vec![
                        Actor::new("Taliban", ActorRole::Perpetrator),
                        Actor::new("IS", ActorRole::Opponent),
                        // Named twice in one row: counted once.
                        Actor::new("IS", ActorRole::Opponent),
                    ];
                }
                _ => {}
            }
        }
        let filters = [
            Filter::default(),
            Filter {
                actors: ["IS".to_owned()].into(),
                ..Filter::default()
            },
            Filter {
                actors: ["Fixture Group".to_owned(), "Taliban".to_owned()].into(),
                kinds: [Kind::Attack].into(),
                ..Filter::default()
            },
            Filter {
                actor_text: "government".into(),
                countries: ["AF".to_owned()].into(),
                ..Filter::default()
            },
        ];
        for filter in &filters {
            check(&dataset, filter);
        }
        let columns = Columns::build(&dataset);
        let scan = columns.scan(&dataset, &filters[1], StackBy::Kind);
        let with_is = dataset.incidents.len().div_ceil(4) + (dataset.incidents.len() + 2) / 4;
        assert_eq!(scan.filtered.len(), with_is, "rows with IS on either side");
    }

    #[test]
    fn counting_each_event_once_scans_as_if_the_duplicates_were_not_there() {
        // Two layers: the embedded dataset, and a copy of its first 40 incidents a day later.
        let embedded = crate::io::embedded_dataset().unwrap();
        let base = embedded.incidents.len();
        let mut incidents = embedded.incidents.clone();
        for incident in embedded.incidents.iter().take(40) {
            let mut copy = incident.clone();
            copy.id = format!("copy:{}", incident.id);
            incidents.push(copy);
        }
        let dataset = Dataset {
            incidents,
            ..embedded
        };
        let layer_of: Vec<u16> = (0..dataset.incidents.len())
            .map(|i| u16::from(i >= base))
            .collect();
        let matches = crate::model::matching::find(&dataset, &layer_of);
        assert!(
            matches.duplicate_count() > 10,
            "{}",
            matches.duplicate_count()
        );
        let columns = Columns::build(&dataset).with_duplicates(&matches);
        let without = Dataset {
            incidents: (0..dataset.incidents.len())
                .filter(|&i| !matches.is_duplicate(i))
                .map(|i| dataset.incidents[i].clone())
                .collect(),
            ..dataset.clone()
        };
        let kept: Vec<usize> = (0..dataset.incidents.len())
            .filter(|&i| !matches.is_duplicate(i))
            .collect();
        let reference_columns = Columns::build(&without);
        for filter in [
            Filter::default(),
            Filter {
                countries: ["AF".to_owned()].into(),
                kinds: [Kind::Attack].into(),
                ..Filter::default()
            },
        ] {
            let once = Filter {
                count_once: true,
                ..filter.clone()
            };
            let scan = columns.scan(&dataset, &once, StackBy::Kind);
            let reference = reference_columns.scan(&without, &filter, StackBy::Kind);
            let mapped: Vec<usize> = reference.filtered.iter().map(|&i| kept[i]).collect();
            assert_eq!(scan.filtered, mapped);
            assert_eq!(scan.summary, reference.summary);
            assert_eq!(scan.kinds, reference.kinds);
            assert_eq!(scan.countries, reference.countries);
            assert_eq!(scan.histogram.total(), reference.histogram.total());
            // Off, the duplicates count like any incident.
            let all = columns.scan(&dataset, &filter, StackBy::Kind);
            assert!(all.filtered.len() > scan.filtered.len());
        }
    }

    #[test]
    fn tolls_too_large_for_sixteen_bits_stay_exact() {
        // Tolls are kept in 16 bits with an escape to an exact table; the scan, the toll
        // filter and `killed` must not see the difference.
        let mut dataset = crate::io::embedded_dataset().unwrap();
        let tolls = [
            (Count::Exact(70_000), Count::Exact(3)),
            (Count::Range(5, 65_535), Count::Unknown),
            (Count::Unknown, Count::Exact(1_000_000)),
            (Count::Exact(65_534), Count::Range(65_533, 65_534)),
        ];
        for (incident, (killed, injured)) in dataset.incidents.iter_mut().zip(tolls) {
            incident.killed = killed;
            incident.injured = injured;
        }
        let columns = Columns::build(&dataset);
        for (i, (killed, _)) in tolls.iter().enumerate() {
            assert_eq!(columns.killed(i), *killed);
        }
        for min_killed in [0, 10, 65_533, 65_534, 65_535, 70_000, 70_001] {
            check(
                &dataset,
                &Filter {
                    min_killed,
                    ..Filter::default()
                },
            );
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
        // The timeline's set is listed only within the limit, counted always: here each of
        // two threads stays within a limit of 40,000 while the whole set does not.
        let columns = Columns::build(&dataset);
        let period = Filter {
            from: "2017-01-01".parse().ok(),
            ..Filter::default()
        };
        for filter in [Filter::default(), period] {
            let everything: Vec<usize> = (0..dataset.incidents.len()).collect();
            let listed = |limit| columns.scan_listing(&dataset, &filter, StackBy::Kind, limit);
            let within = listed(60_000);
            assert_eq!(within.timeline_count, 60_000);
            assert_eq!(within.timeline, Some(everything));
            let beyond = listed(40_000);
            assert_eq!(beyond.timeline_count, 60_000);
            assert_eq!(beyond.timeline, None);
            assert_eq!(beyond.histogram, within.histogram);
        }
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
