//! Incidents of different layers that are likely one event, so that an analyst who loads
//! ACLED, GTD and UCDP beside the embedded dataset can count each event once. The approach is
//! the published one for these datasets (MELTT, Donnay et al. 2019, "Integrating Conflict
//! Event Data", Journal of Conflict Resolution): events of different sources match when they
//! are close in time and space within their stated precision and compatible in what they
//! record. The rules, applied the same way to every pair:
//!
//! - the two incidents are in **different layers** (a dataset's own rows are never merged);
//! - their **dates overlap** once each is widened by [`DAY_TOLERANCE`] days (sources often
//!   date an overnight attack a day apart); dates known only to the year are never matched;
//! - their **points are within the larger of their precision radii** ([`radius_km`]: 5 km for
//!   an exact site up to 150 km for a province); places known only to the country are never
//!   matched;
//! - their **kinds are compatible**: the same, or attack and fighting, fighting and
//!   counter-operation, counter-operation and arrest (coders file the same clash differently);
//! - their **actors are compatible**: both linked to ISK (any grade but "not identified as
//!   ISK" and "claimed by another IS province"), or neither and sharing an actor's name.
//!
//! Each incident matches at most one incident of each other layer: candidate pairs are taken
//! best first (fewest days apart, then nearest relative to the radius, then tolls that agree).
//! Matched incidents form an event; the member of the first layer (the embedded dataset, then
//! the layers in their order) is the one counted when "count each event once" is on.

use std::collections::HashMap;

use super::dataset::Dataset;
use super::incident::{Incident, Kind, LocationPrecision};

/// Days each date is widened by before two are compared.
pub const DAY_TOLERANCE: i32 = 1;

/// How far from its point an incident's place may be, by the precision of the place.
pub fn radius_km(precision: LocationPrecision) -> Option<f64> {
    match precision {
        LocationPrecision::Exact => Some(5.0),
        LocationPrecision::Town => Some(15.0),
        LocationPrecision::District => Some(40.0),
        LocationPrecision::Province => Some(150.0),
        LocationPrecision::Country => None,
    }
}

/// Dates spanning more days than this (a year) are not matched.
const MAX_SPAN_DAYS: i32 = 31;
/// Grid cells of half a degree for finding neighbours.
const CELL_DEGREES: f64 = 0.5;

/// The events found across layers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matches {
    /// Each event's incidents (two or more), the counted one first.
    pub events: Vec<Vec<u32>>,
    /// For each incident, its event in `events`; empty when nothing matched.
    event_of: Vec<Option<u32>>,
}

impl Matches {
    /// The other incidents of incident `index`'s event.
    pub fn others(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        self.event_of
            .get(index)
            .copied()
            .flatten()
            .map(|event| self.events[event as usize].as_slice())
            .unwrap_or_default()
            .iter()
            .map(|&i| i as usize)
            .filter(move |&i| i != index)
    }

    /// Whether incident `index` is counted in another incident of its event.
    pub fn is_duplicate(&self, index: usize) -> bool {
        self.event_of
            .get(index)
            .copied()
            .flatten()
            .is_some_and(|event| self.events[event as usize][0] as usize != index)
    }

    /// For each incident, whether it is counted in another (for the scan).
    pub fn duplicates(&self, len: usize) -> Vec<bool> {
        if self.events.is_empty() {
            return Vec::new();
        }
        (0..len).map(|index| self.is_duplicate(index)).collect()
    }

    /// Incidents left out when each event is counted once.
    pub fn duplicate_count(&self) -> usize {
        self.events.iter().map(|event| event.len() - 1).sum()
    }
}

/// One incident as matching sees it.
struct Candidate {
    first: i32,
    last: i32,
    lat: f64,
    lon: f64,
    radius: f64,
}

fn candidate(incident: &Incident) -> Option<Candidate> {
    let (first, last) = incident.date.span();
    // A centroid standing for a whole city may be matched anywhere in it.
    let radius =
        radius_km(incident.location.precision)?.max(incident.location.footprint_km.unwrap_or(0.0));
    (last - first <= MAX_SPAN_DAYS).then_some(Candidate {
        first,
        last,
        lat: incident.location.lat,
        lon: incident.location.lon,
        radius,
    })
}

fn cell(lat: f64, lon: f64) -> (i32, i32) {
    (
        (lat / CELL_DEGREES).floor() as i32,
        (lon / CELL_DEGREES).floor() as i32,
    )
}

fn kinds_compatible(a: Kind, b: Kind) -> bool {
    use Kind::{Arrest, Attack, CounterOperation, Fighting};
    a == b
        || matches!(
            (a.min(b), a.max(b)),
            (Attack, Fighting) | (CounterOperation, Fighting) | (Arrest, CounterOperation)
        )
}

fn actors_compatible(a: &Incident, b: &Incident) -> bool {
    let linked = super::actor::is_isk;
    match (linked(a), linked(b)) {
        (true, true) => true,
        (false, false) => super::actor::actor_names(a)
            .any(|name| super::actor::actor_names(b).any(|other| other.eq_ignore_ascii_case(name))),
        _ => false,
    }
}

/// Whether the tolls two sources give can be the same count.
fn tolls_agree(a: &Incident, b: &Incident) -> bool {
    match (a.killed.bounds(), b.killed.bounds()) {
        (Some((low_a, high_a)), Some((low_b, high_b))) => low_a <= high_b && low_b <= high_a,
        _ => true,
    }
}

/// Indexed incidents by (day, cell row, cell column); foldhash, since a large layer asks it
/// millions of times.
type Grid = HashMap<(i32, i32, i32), Vec<u32>, foldhash::fast::RandomState>;

/// Candidate pairs between two layers, with their scores: `(score, lower index, higher)`.
fn pairs_between(
    incidents: &[Incident],
    candidates: &[Option<Candidate>],
    indexed: &[u32],
    asking: &[u32],
    pairs: &mut Vec<(f64, u32, u32)>,
) {
    let radius_of = |index: u32| {
        candidates[index as usize]
            .as_ref()
            .map_or(0.0, |c| c.radius)
    };
    // An indexed incident reaches as far as the larger radius of any pair it can be in.
    let widest_asking = asking.iter().map(|&i| radius_of(i)).fold(0.0, f64::max);
    // Each indexed incident under every day of its date and every cell its reach covers;
    // an asking incident looks in its own cell only.
    let mut grid: Grid = Grid::default();
    // The days the index holds, to pass over most asking incidents without a look-up.
    let day_range = indexed
        .iter()
        .filter_map(|&i| candidates[i as usize].as_ref())
        .fold(None, |range: Option<(i32, i32)>, c| {
            Some(range.map_or((c.first, c.last), |(low, high)| {
                (low.min(c.first), high.max(c.last))
            }))
        });
    let Some((first_day, last_day)) = day_range else {
        return;
    };
    let mut indexed_days = vec![false; (last_day - first_day + 1) as usize];
    for &index in indexed {
        let Some(c) = &candidates[index as usize] else {
            continue;
        };
        let reach = c.radius.max(widest_asking);
        let dlat = reach / 111.0;
        let dlon = reach / (111.0 * c.lat.to_radians().cos().max(0.1));
        let (low, high) = (
            cell(c.lat - dlat, c.lon - dlon),
            cell(c.lat + dlat, c.lon + dlon),
        );
        for day in c.first..=c.last {
            indexed_days[(day - first_day) as usize] = true;
            for y in low.0..=high.0 {
                for x in low.1..=high.1 {
                    grid.entry((day, y, x)).or_default().push(index);
                }
            }
        }
    }
    let mut seen: Vec<u32> = Vec::new();
    for &j in asking {
        let Some(b) = &candidates[j as usize] else {
            continue;
        };
        let window =
            (b.first - DAY_TOLERANCE).max(first_day)..=(b.last + DAY_TOLERANCE).min(last_day);
        if !window
            .clone()
            .any(|day| indexed_days[(day - first_day) as usize])
        {
            continue;
        }
        let own = cell(b.lat, b.lon);
        seen.clear();
        for day in window {
            let Some(found) = grid.get(&(day, own.0, own.1)) else {
                continue;
            };
            for &i in found {
                if seen.contains(&i) {
                    continue;
                }
                seen.push(i);
                let Some(a) = &candidates[i as usize] else {
                    continue;
                };
                let (first, second) = (&incidents[i as usize], &incidents[j as usize]);
                if !kinds_compatible(first.kind, second.kind) || !actors_compatible(first, second) {
                    continue;
                }
                let gap = (a.first - b.last).max(b.first - a.last).max(0);
                if gap > DAY_TOLERANCE {
                    continue;
                }
                let radius = a.radius.max(b.radius);
                let distance = super::area::distance_km((a.lat, a.lon), (b.lat, b.lon));
                if distance > radius {
                    continue;
                }
                let toll = if tolls_agree(first, second) { 0.0 } else { 0.5 };
                pairs.push((
                    f64::from(gap) + distance / radius + toll,
                    i.min(j),
                    i.max(j),
                ));
            }
        }
    }
}

/// Find the events that incidents of different layers share; `layer_of[i]` is incident
/// `i`'s layer, in the layers' order.
pub fn find(dataset: &Dataset, layer_of: &[u16]) -> Matches {
    let incidents = &dataset.incidents;
    let several_layers = layer_of.windows(2).any(|pair| pair[0] != pair[1]);
    if !several_layers || layer_of.len() != incidents.len() {
        return Matches::default();
    }
    let candidates: Vec<Option<Candidate>> = incidents.iter().map(candidate).collect();
    let mut by_layer: std::collections::BTreeMap<u16, Vec<u32>> = Default::default();
    for (index, candidate) in candidates.iter().enumerate() {
        if candidate.is_some() {
            by_layer
                .entry(layer_of[index])
                .or_default()
                .push(index as u32);
        }
    }
    let layers: Vec<&Vec<u32>> = by_layer.values().collect();
    let mut pairs: Vec<(f64, u32, u32)> = Vec::new();
    for (number, first) in layers.iter().enumerate() {
        for second in &layers[number + 1..] {
            // The smaller layer is indexed, the larger one asks: a file of a million rows
            // beside the embedded dataset costs a million look-ups, not a million inserts.
            let (indexed, asking) = if first.len() <= second.len() {
                (first, second)
            } else {
                (second, first)
            };
            pairs_between(incidents, &candidates, indexed, asking, &mut pairs);
        }
    }
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    // At most one partner per other layer; the matched pairs then joined into events.
    let mut partner: HashMap<(u32, u16), u32> = HashMap::new();
    let mut parent: Vec<u32> = (0..incidents.len() as u32).collect();
    fn root(parent: &mut [u32], mut i: u32) -> u32 {
        while parent[i as usize] != i {
            parent[i as usize] = parent[parent[i as usize] as usize];
            i = parent[i as usize];
        }
        i
    }
    for (_, i, j) in pairs {
        let (layer_i, layer_j) = (layer_of[i as usize], layer_of[j as usize]);
        if partner.contains_key(&(i, layer_j)) || partner.contains_key(&(j, layer_i)) {
            continue;
        }
        let (root_i, root_j) = (root(&mut parent, i), root(&mut parent, j));
        if root_i == root_j {
            continue;
        }
        partner.insert((i, layer_j), j);
        partner.insert((j, layer_i), i);
        parent[root_i.max(root_j) as usize] = root_i.min(root_j);
    }
    // Only incidents that found a partner can be in an event.
    let mut matched: Vec<u32> = partner.keys().map(|&(index, _)| index).collect();
    matched.sort_unstable();
    matched.dedup();
    let mut by_root: HashMap<u32, Vec<u32>> = HashMap::new();
    for index in matched {
        let top = root(&mut parent, index);
        by_root.entry(top).or_default().push(index);
    }
    let mut events: Vec<Vec<u32>> = by_root
        .into_values()
        .filter(|members| members.len() > 1)
        .collect();
    for event in &mut events {
        // The counted incident first: the first layer's, then the earliest row.
        event.sort_by_key(|&i| (layer_of[i as usize], i));
    }
    events.sort();
    let mut event_of = vec![None; incidents.len()];
    for (number, event) in events.iter().enumerate() {
        for &i in event {
            event_of[i as usize] = Some(number as u32);
        }
    }
    Matches { events, event_of }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::incident;
    use crate::model::{Attribution, Count, Dataset};

    fn at(id: &str, date: &str, lat: f64, lon: f64, precision: LocationPrecision) -> Incident {
        let mut incident = incident(id, date);
        incident.location.lat = lat;
        incident.location.lon = lon;
        incident.location.precision = precision;
        incident
    }

    #[test]
    fn the_same_attack_in_two_layers_is_one_event_and_near_misses_are_not() {
        use LocationPrecision::{Country, Exact, Town};
        let dataset = Dataset {
            incidents: vec![
                at("a1", "2021-08-26", 34.565, 69.212, Exact),
                at("a2", "2022-03-04", 34.01, 71.52, Exact),
                // Layer 1: the airport attack a day later in the record, 3 km off; the
                // Peshawar one 30 km off (beyond 5 km and 15 km); a year-old one.
                at("b1", "2021-08-27", 34.54, 69.20, Exact),
                at("b2", "2022-03-04", 34.20, 71.80, Town),
                at("b3", "2021", 34.565, 69.212, Exact),
                // Layer 2: the airport again, placed in town; and one known only to Kabul's
                // country.
                at("c1", "2021-08-26", 34.53, 69.17, Town),
                at("c2", "2022-03-04", 34.01, 71.52, Country),
            ],
            ..Dataset::default()
        };
        let layer_of = [0, 0, 1, 1, 1, 2, 2];
        let matches = find(&dataset, &layer_of);
        assert_eq!(matches.events, [vec![0, 2, 5]]);
        assert!(!matches.is_duplicate(0), "the first layer's is counted");
        assert!(matches.is_duplicate(2) && matches.is_duplicate(5));
        assert_eq!(matches.others(2).collect::<Vec<_>>(), [0, 5]);
        assert_eq!(matches.duplicate_count(), 2);
        assert_eq!(
            matches.duplicates(7),
            [false, false, true, false, false, true, false]
        );
    }

    #[test]
    fn one_partner_per_layer_and_incompatible_records_stay_apart() {
        use LocationPrecision::Exact;
        let mut fighting = at("b2", "2021-08-26", 34.566, 69.213, Exact);
        fighting.kind = Kind::Fighting;
        let mut other_group = at("b3", "2021-08-26", 34.565, 69.212, Exact);
        other_group.attribution = Attribution::NotIsk;
        other_group.perpetrator = Some("Taliban".into());
        let mut far_toll = at("c1", "2021-08-26", 34.565, 69.212, Exact);
        far_toll.killed = Count::Exact(500);
        let mut first = at("a1", "2021-08-26", 34.565, 69.212, Exact);
        first.killed = Count::Range(169, 183);
        let dataset = Dataset {
            incidents: vec![
                first,
                // Two in layer 1 near the same place: only the better one is its partner.
                at("b1", "2021-08-26", 34.565, 69.212, Exact),
                fighting,
                other_group,
                far_toll,
            ],
            ..Dataset::default()
        };
        let matches = find(&dataset, &[0, 1, 1, 1, 2]);
        // a1 with b1 (exact), and with c1 (tolls disagree, but the only one in layer 2).
        assert_eq!(matches.events, [vec![0, 1, 4]]);
        // Alone, one layer: nothing.
        assert_eq!(find(&dataset, &[0; 5]), Matches::default());
    }
}
