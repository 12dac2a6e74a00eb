//! A plain incident for unit tests to start from; each test changes what it is about with
//! struct update syntax (`Incident { kind, ..incident("a", "2021-08-26") }`).

use super::incident::{
    Attribution, Count, Incident, Kind, Location, LocationPrecision, Method, Target,
};

/// An attack claimed by ISK in Jalalabad (Nangarhar, Afghanistan) on `date`, toll unknown,
/// citing source `s1`.
pub(crate) fn incident(id: &str, date: &str) -> Incident {
    Incident {
        id: id.into(),
        date: date.parse().expect("a test date"),
        location: Location {
            place: "Jalalabad".into(),
            admin1: "Nangarhar".into(),
            admin1_as_written: None,
            country: "Afghanistan".into(),
            country_code: "AF".into(),
            lat: 34.43,
            lon: 70.45,
            precision: LocationPrecision::Town,
            footprint_km: None,
        },
        kind: Kind::Attack,
        method: Method::Unknown,
        target: Target::Unknown,
        attribution: Attribution::ClaimedByIsk,
        killed: Count::Unknown,
        injured: Count::Unknown,
        perpetrator: None,
        actors: Vec::new(),
        summary: "An attack.".into(),
        sources: vec!["s1".into()],
        discrepancies: vec![],
    }
}
