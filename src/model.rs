//! The pure model: incidents, dataset, filter, selection and aggregations. No egui here.

pub mod actor;
pub mod aggregate;
pub mod annotation;
pub mod area;
pub mod caption;
pub mod change;
pub mod columns;
pub mod dataset;
pub mod date;
pub mod dictionary;
pub mod filter;
pub mod incident;
pub mod matching;
pub mod playback;
pub mod selection;
pub mod shared_str;
#[cfg(test)]
pub(crate) mod testing;

pub use aggregate::{Category, Measure, MonthHistogram, StackBy, Summary};
pub use area::Area;
pub use dataset::{Dataset, Metadata, ReportedSeries, Source, SourceLink, ValidationIssue};
pub use date::{DatePrecision, IncidentDate};
pub use filter::{Facet, Filter};
pub use incident::{
    Actor, ActorRole, Attribution, Count, Discrepancy, Incident, IncidentId, Kind, Location,
    LocationPrecision, Method, ProvinceKey, SourceId, Target,
};
pub use selection::{Highlight, Hover, IncidentIndex, SelectedIncident};
pub use shared_str::{Interner, SharedStr};
