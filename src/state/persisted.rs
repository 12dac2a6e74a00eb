//! What survives a restart (eframe persistence) and what a saved view holds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::settings::{
    MapOverlays, PresentationSettings, REGION_CENTER, REGION_ZOOM, TrendSettings,
};
use crate::model::{Filter, SelectedIncident, StackBy};

/// The key of the state in eframe's storage.
pub const STATE_KEY: &str = "khorasan-atlas-state";

/// What the central area shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CentralView {
    #[default]
    Map,
    Trends,
    /// What changed: the last months against a baseline, per province and country.
    Change,
}

/// What survives a restart. Every field has a default, so an old or partial saved state
/// still loads.
///
/// The map camera (`map_center`, `map_zoom`) and the data layers (`layers`) have their truth
/// elsewhere while the app runs: the map's own memory and the app's layer list. They are read
/// once when a state or view is opened and written only when one is saved
/// (`AtlasApp::persisted`), never synced frame by frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersistedState {
    pub filter: Filter,
    pub stack_by: StackBy,
    pub dark_mode: bool,
    /// Written when saved; see the type's documentation.
    pub map_center: (f64, f64),
    /// Written when saved; see the type's documentation.
    pub map_zoom: f64,
    pub show_filters: bool,
    pub show_detail: bool,
    pub show_timeline: bool,
    /// Saved as the incident's id (the field's name in files since the first version).
    #[serde(rename = "selected_id")]
    pub selected: SelectedIncident,
    /// The reported series drawn under the histogram, by id; `None` hides the overlay.
    pub reported_series: Option<String>,
    /// Saved as `map_layers` (the name in files since the first version).
    #[serde(rename = "map_layers")]
    pub map_overlays: MapOverlays,
    pub basemap: crate::tiles::BasemapSettings,
    pub trends: TrendSettings,
    /// The Change view's window and baseline.
    pub change: crate::model::change::ChangeSettings,
    pub central: CentralView,
    pub playback: crate::model::playback::Playback,
    /// Incident markers in one lane per category instead of height by deaths.
    pub timeline_lanes: bool,
    pub presentation: PresentationSettings,
    /// Notes pinned to the map or the timeline, drawn in presentations and exports.
    pub annotations: Vec<crate::model::annotation::Annotation>,
    /// The data layers, embedded dataset included; files are loaded again at start.
    /// Written when saved; see the type's documentation.
    pub layers: Vec<crate::layers::LayerSpec>,
    /// Field mappings remembered by file shape (format and column names).
    pub mappings: BTreeMap<String, crate::io::import::FieldMapping>,
}

impl Default for PersistedState {
    fn default() -> Self {
        Self {
            filter: Filter::default(),
            stack_by: StackBy::Kind,
            dark_mode: true,
            map_center: REGION_CENTER,
            map_zoom: REGION_ZOOM,
            show_filters: true,
            show_detail: true,
            show_timeline: true,
            selected: SelectedIncident::default(),
            reported_series: None,
            map_overlays: MapOverlays::default(),
            basemap: crate::tiles::BasemapSettings::default(),
            trends: TrendSettings::default(),
            change: crate::model::change::ChangeSettings::default(),
            central: CentralView::Map,
            playback: crate::model::playback::Playback::default(),
            timeline_lanes: false,
            presentation: PresentationSettings::default(),
            annotations: Vec::new(),
            layers: Vec::new(),
            mappings: BTreeMap::new(),
        }
    }
}

impl PersistedState {
    /// Read a saved state; an error when the text is not one (the caller says so and
    /// uses the defaults).
    pub fn parse(text: &str) -> Result<Self, ron::error::SpannedError> {
        ron::from_str(text)
    }

    /// The saved camera, or the region's when it is not a usable one (a corrupt file).
    pub fn camera(&self) -> ((f64, f64), f64) {
        let (lat, lon) = self.map_center;
        if lat.is_finite() && lon.is_finite() && (0.0..=18.0).contains(&self.map_zoom) {
            (self.map_center, self.map_zoom)
        } else {
            (REGION_CENTER, REGION_ZOOM)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    #[test]
    fn a_partial_state_keeps_defaults_for_what_it_lacks() {
        let partial = PersistedState::parse("(dark_mode: false)").unwrap();
        assert!(!partial.dark_mode);
        assert!(partial.show_timeline && partial.show_filters);
        assert_eq!(partial.map_overlays, MapOverlays::default());
    }

    #[test]
    fn unknown_fields_of_other_versions_are_ignored() {
        let old = PersistedState::parse("(dark_mode: false, retired_field: 3)").unwrap();
        assert!(!old.dark_mode);
        assert!(old.show_filters);
    }

    #[test]
    fn garbage_is_an_error_not_a_default() {
        assert!(PersistedState::parse("(((garbage").is_err());
        assert!(PersistedState::parse("(dark_mode: 7)").is_err());
    }

    #[test]
    fn an_unusable_camera_falls_back_to_the_region() {
        let state = PersistedState::parse("(map_center: (1.0, 2.0), map_zoom: 99.0)").unwrap();
        assert_eq!(state.camera(), (REGION_CENTER, REGION_ZOOM));
        let state = PersistedState::parse("(map_center: (1.0, 2.0), map_zoom: 6.0)").unwrap();
        assert_eq!(state.camera(), ((1.0, 2.0), 6.0));
    }

    #[test]
    fn state_round_trips_through_ron_under_the_old_field_names() {
        let mut state = PersistedState::default();
        state.filter.countries.insert("PK".into());
        state.filter.kinds.insert(Kind::FoiledPlot);
        state.filter.from = chrono::NaiveDate::from_ymd_opt(2021, 1, 1);
        state.map_overlays.heatmap = true;
        let text = ron::to_string(&state).unwrap();
        assert!(text.contains("map_layers:") && text.contains("selected_id:"));
        assert_eq!(PersistedState::parse(&text).unwrap(), state);
    }
}
