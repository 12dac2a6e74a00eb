//! The one filter every view and the command line share.
//!
//! Semantics, stated once here and in the README:
//! - An empty set (countries, kinds, ...) means "no restriction".
//! - Dates: an incident matches when the span of days it may fall on *overlaps* the range, so
//!   an incident known only to "2021-08" matches a range starting on 2021-08-20.
//! - Minimum killed: an incident matches when the *highest* reported figure reaches the
//!   minimum (disputed tolls are not hidden); unknown tolls match only a minimum of 0.
//! - Free text: case-insensitive substring of id, place, province, country, summary,
//!   perpetrator and discrepancy notes.
//! - Actor: the ISK preset keeps incidents linked to ISK: every incident of the embedded
//!   dataset, and imported rows whose actor is one of the names the datasets use for ISK
//!   ([`super::actor::is_isk_name`]); the actor list keeps the ticked names; the actor text
//!   is a case-insensitive substring of the actor's name.
//! - Area: an incident is in an area when its footprint (its point widened by its place's
//!   uncertainty) meets it; several areas mean inside any ([`super::area`]).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::actor;
use super::area::Area;
use super::date::{DayNumber, day_number};
use super::incident::{Attribution, Incident, Kind, Method, Target};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Inclusive first day; `None` means open.
    pub from: Option<NaiveDate>,
    /// Inclusive last day; `None` means open.
    pub to: Option<NaiveDate>,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: BTreeSet<String>,
    /// First-level division names as written in the data.
    pub provinces: BTreeSet<String>,
    pub kinds: BTreeSet<Kind>,
    pub methods: BTreeSet<Method>,
    pub targets: BTreeSet<Target>,
    pub attributions: BTreeSet<Attribution>,
    pub min_killed: u32,
    pub text: String,
    /// Only incidents whose actor is ISK under any of the names the datasets use.
    pub isk_only: bool,
    /// Actor names exactly as written in the data (see [`super::actor::actor_name`]).
    pub actors: BTreeSet<String>,
    /// Case-insensitive part of the actor's name.
    pub actor_text: String,
    /// Parts of the map; an incident passes when its footprint meets any of them.
    pub areas: Vec<Area>,
    /// Count each event once across layers: an incident matched to one of an earlier layer
    /// (see [`super::matching`]) is left out of every view and count.
    pub count_once: bool,
}

/// One part of the filter, so facet counts can ignore their own selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Facet {
    Date,
    Country,
    Province,
    Kind,
    Method,
    Target,
    Attribution,
    Killed,
    Text,
    Actor,
    Area,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub fn matches(&self, incident: &Incident) -> bool {
        self.matches_except(incident, None)
    }

    /// Like [`Filter::matches`] but ignoring one facet. Filter panels use this so that the
    /// count next to "Pakistan" says how many incidents ticking it would add.
    pub fn matches_except(&self, incident: &Incident, skip: Option<Facet>) -> bool {
        let check = |facet: Facet| skip != Some(facet);
        (!check(Facet::Date) || self.matches_dates(incident))
            && (!check(Facet::Country)
                || set_allows(&self.countries, incident.location.country_code.as_str()))
            && (!check(Facet::Province)
                || set_allows(&self.provinces, incident.location.admin1.as_str()))
            && (!check(Facet::Kind) || set_allows(&self.kinds, &incident.kind))
            && (!check(Facet::Method) || set_allows(&self.methods, &incident.method))
            && (!check(Facet::Target) || set_allows(&self.targets, &incident.target))
            && (!check(Facet::Attribution) || set_allows(&self.attributions, &incident.attribution))
            && (!check(Facet::Killed) || self.matches_killed(incident))
            && (!check(Facet::Text) || self.matches_text(incident))
            && (!check(Facet::Actor) || self.matches_actor(incident))
            && (!check(Facet::Area) || self.matches_area(incident))
    }

    fn matches_area(&self, incident: &Incident) -> bool {
        let location = &incident.location;
        let reach = location.uncertainty_km();
        self.areas.is_empty()
            || self
                .areas
                .iter()
                .any(|area| area.meets(location.lat, location.lon, reach))
    }

    fn matches_actor(&self, incident: &Incident) -> bool {
        if self.isk_only && !actor::is_isk(incident) {
            return false;
        }
        // Any of the incident's actors, whatever its role, passes the actor facet.
        let needle = self.actor_text.trim().to_lowercase();
        actor::actor_names(incident).any(|name| {
            set_allows(&self.actors, name)
                && (needle.is_empty() || name.to_lowercase().contains(&needle))
        })
    }

    pub fn day_range(&self) -> (Option<DayNumber>, Option<DayNumber>) {
        (self.from.map(day_number), self.to.map(day_number))
    }

    fn matches_dates(&self, incident: &Incident) -> bool {
        self.meets_span(incident.date.span())
    }

    /// Whether a date span `(first, last)` meets the period.
    fn meets_span(&self, (first, last): (DayNumber, DayNumber)) -> bool {
        let (from, to) = self.day_range();
        from.is_none_or(|from| last >= from) && to.is_none_or(|to| first <= to)
    }

    /// Whether an incident of the country `code` may pass the country facet.
    pub fn allows_country(&self, code: &str) -> bool {
        set_allows(&self.countries, code)
    }

    /// Whether an incident of this date span and country (`None`: not known) may pass the
    /// period and country facets: what a stored incident's sketch tells before it is decoded.
    pub fn may_match(&self, span: (DayNumber, DayNumber), country_code: Option<&str>) -> bool {
        self.meets_span(span) && country_code.is_none_or(|code| self.allows_country(code))
    }

    fn matches_killed(&self, incident: &Incident) -> bool {
        self.min_killed == 0
            || incident
                .killed
                .max()
                .is_some_and(|max| max >= self.min_killed)
    }

    pub(crate) fn matches_text(&self, incident: &Incident) -> bool {
        let needle = self.text.trim();
        if needle.is_empty() {
            return true;
        }
        let needle = needle.to_lowercase();
        let location = &incident.location;
        [
            incident.id.as_str(),
            &location.place,
            &location.admin1,
            &location.country,
            &incident.summary,
            incident.perpetrator.as_deref().unwrap_or(""),
        ]
        .into_iter()
        .chain(incident.actors.iter().map(|actor| actor.name.as_str()))
        .chain(incident.discrepancies.iter().map(|d| d.note.as_str()))
        .any(|haystack| haystack.to_lowercase().contains(&needle))
    }

    /// Set the date range, keeping it ordered whichever way the user brushed.
    pub fn set_range(&mut self, a: Option<NaiveDate>, b: Option<NaiveDate>) {
        match (a, b) {
            (Some(a), Some(b)) if a > b => {
                self.from = Some(b);
                self.to = Some(a);
            }
            _ => {
                self.from = a;
                self.to = b;
            }
        }
    }
}

fn set_allows<T: Ord + ?Sized, Q: Ord + std::borrow::Borrow<T>>(
    set: &BTreeSet<Q>,
    value: &T,
) -> bool {
    set.is_empty() || set.contains(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::incident::Count;

    /// A suicide bombing of civilians at a market in `country`.
    fn incident(id: &str, date: &str, country: &str, killed: Count) -> Incident {
        let mut incident = Incident {
            method: Method::SuicideBombing,
            target: Target::Civilians,
            killed,
            summary: "A bombing at a market.".into(),
            ..crate::model::testing::incident(id, date)
        };
        incident.location.place = format!("{id} town").into();
        incident.location.country_code = country.into();
        incident
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn empty_filter_matches_everything() {
        let filter = Filter::default();
        assert!(filter.is_empty());
        assert!(filter.matches(&incident("a", "2021", "AF", Count::Unknown)));
    }

    #[test]
    fn month_precision_incident_matches_any_overlapping_range() {
        let august = incident("a", "2021-08", "AF", Count::Unknown);
        let mut filter = Filter::default();
        filter.set_range(Some(day("2021-08-31")), Some(day("2021-12-31")));
        assert!(
            filter.matches(&august),
            "range starting on the month's last day"
        );
        filter.set_range(Some(day("2021-09-01")), None);
        assert!(!filter.matches(&august), "range starting after the month");
        filter.set_range(None, Some(day("2021-08-01")));
        assert!(
            filter.matches(&august),
            "range ending on the month's first day"
        );
        filter.set_range(None, Some(day("2021-07-31")));
        assert!(!filter.matches(&august));
    }

    #[test]
    fn year_precision_incident_spans_its_year() {
        let year = incident("a", "2019", "AF", Count::Unknown);
        let mut filter = Filter::default();
        filter.set_range(Some(day("2019-12-31")), Some(day("2020-06-30")));
        assert!(filter.matches(&year));
        filter.set_range(Some(day("2020-01-01")), None);
        assert!(!filter.matches(&year));
    }

    #[test]
    fn day_precision_edges_are_inclusive() {
        let on_day = incident("a", "2021-08-26", "AF", Count::Unknown);
        let mut filter = Filter::default();
        filter.set_range(Some(day("2021-08-26")), Some(day("2021-08-26")));
        assert!(filter.matches(&on_day));
        filter.set_range(Some(day("2021-08-27")), None);
        assert!(!filter.matches(&on_day));
    }

    #[test]
    fn reversed_brush_is_reordered() {
        let mut filter = Filter::default();
        filter.set_range(Some(day("2022-01-01")), Some(day("2021-01-01")));
        assert_eq!(filter.from, Some(day("2021-01-01")));
        assert_eq!(filter.to, Some(day("2022-01-01")));
    }

    #[test]
    fn min_killed_uses_highest_reported_figure_and_excludes_unknown() {
        let disputed = incident("a", "2021", "AF", Count::Range(8, 12));
        let unknown = incident("b", "2021", "AF", Count::Unknown);
        let filter = Filter {
            min_killed: 10,
            ..Filter::default()
        };
        assert!(filter.matches(&disputed));
        assert!(!filter.matches(&unknown));
        let filter = Filter {
            min_killed: 13,
            ..Filter::default()
        };
        assert!(!filter.matches(&disputed));
    }

    #[test]
    fn sets_restrict_and_facets_can_be_ignored() {
        let pakistani = incident("a", "2021", "PK", Count::Unknown);
        let filter = Filter {
            countries: ["AF".to_owned()].into(),
            ..Filter::default()
        };
        assert!(!filter.matches(&pakistani));
        assert!(filter.matches_except(&pakistani, Some(Facet::Country)));
        assert!(!filter.matches_except(&pakistani, Some(Facet::Kind)));
    }

    #[test]
    fn actor_preset_list_and_text_combine() {
        let embedded = incident("a", "2021", "AF", Count::Unknown);
        let mut acled = incident("b", "2021", "AF", Count::Unknown);
        acled.perpetrator = Some("Islamic State (Afghanistan)".into());
        let mut taliban = incident("c", "2021", "AF", Count::Unknown);
        taliban.perpetrator = Some("Taliban".into());
        taliban.attribution = Attribution::NotIsk;
        let isk = Filter {
            isk_only: true,
            ..Filter::default()
        };
        assert!(isk.matches(&embedded) && isk.matches(&acled) && !isk.matches(&taliban));
        let listed = Filter {
            actors: ["Taliban".to_owned()].into(),
            ..Filter::default()
        };
        assert!(!listed.matches(&acled) && listed.matches(&taliban));
        assert!(listed.matches_except(&acled, Some(Facet::Actor)));
        let text = Filter {
            actor_text: "AFGHAN".into(),
            ..Filter::default()
        };
        assert!(text.matches(&acled) && !text.matches(&taliban) && !text.matches(&embedded));
    }

    #[test]
    fn text_search_is_case_insensitive_over_place_and_summary() {
        let market = incident("kabul-1", "2021", "AF", Count::Unknown);
        for text in ["MARKET", "kabul-1 TOWN", "nangarhar", "afghan"] {
            let filter = Filter {
                text: text.into(),
                ..Filter::default()
            };
            assert!(filter.matches(&market), "{text}");
        }
        let filter = Filter {
            text: "Moscow".into(),
            ..Filter::default()
        };
        assert!(!filter.matches(&market));
    }
}
