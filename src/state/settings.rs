//! Settings the persisted state holds for the panels: map overlays, basemap, trend charts
//! and presentations. Plain data; the panels that draw them read them from the state.

use serde::{Deserialize, Serialize};

use crate::model::Measure;

/// The Khorasan region: Afghanistan, Pakistan, eastern Iran and Central Asia. (lat, lon)
pub const REGION_CENTER: (f64, f64) = (34.5, 66.5);
pub const REGION_ZOOM: f64 = 4.6;

/// Which map overlays are drawn over the basemap; remembered between runs. (Not to be
/// confused with data layers, the files loaded: see `crate::layers`.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MapOverlays {
    pub symbols: bool,
    pub clusters: bool,
    pub heatmap: bool,
    pub heatmap_weight: Measure,
    pub choropleth: bool,
    pub choropleth_measure: Measure,
    /// The choropleth colours provinces by their change (the Change view's window against
    /// its baseline) instead of by `choropleth_measure`.
    pub choropleth_change: bool,
    pub labels: bool,
}

impl Default for MapOverlays {
    fn default() -> Self {
        Self {
            symbols: true,
            clusters: true,
            heatmap: false,
            heatmap_weight: Measure::Incidents,
            choropleth: false,
            choropleth_measure: Measure::Incidents,
            choropleth_change: false,
            labels: true,
        }
    }
}

/// Which basemap to show.
#[derive(Clone, Debug, PartialEq)]
pub enum BasemapRequest {
    /// Only the embedded offline basemap: no tiles, no network.
    Offline,
    /// Online tiles from the settings' URL template (the only path to the network).
    Online,
    /// A local PMTiles or MBTiles file.
    File(std::path::PathBuf),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrendSettings {
    pub measure: Measure,
    /// Stack the yearly chart by province (true) or by country.
    pub by_province: bool,
    /// The year drawn in colour over the others in the seasonal profile; `None`: the latest.
    pub highlight_year: Option<i32>,
}

impl Default for TrendSettings {
    fn default() -> Self {
        Self {
            measure: Measure::Incidents,
            by_province: true,
            highlight_year: None,
        }
    }
}

/// Which views a presentation shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PresentationLayout {
    #[default]
    MapAndTimeline,
    MapOnly,
    TimelineOnly,
    AllThree,
}

impl PresentationLayout {
    pub const ALL: [Self; 4] = [
        Self::MapAndTimeline,
        Self::MapOnly,
        Self::TimelineOnly,
        Self::AllThree,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::MapAndTimeline => "Map and timeline",
            Self::MapOnly => "Map only",
            Self::TimelineOnly => "Timeline only",
            Self::AllThree => "Map, timeline and details",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PresentationSettings {
    /// Empty: "Islamic State Khorasan incidents".
    pub title: String,
    pub subtitle: String,
    pub layout: PresentationLayout,
}

impl PresentationSettings {
    pub fn title_or_default(&self) -> &str {
        if self.title.trim().is_empty() {
            "Islamic State Khorasan incidents"
        } else {
            &self.title
        }
    }
}
