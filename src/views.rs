//! One file per panel. Views read the state through [`ViewContext`] and push
//! [`crate::state::Command`]s; they never change the state themselves. They import the state
//! layer, never the app.

pub mod change;
pub mod data_menu;
pub mod detail;
pub mod event_matches;
pub mod filters;
pub mod help;
pub mod map;
pub mod notes;
pub mod palette;
pub mod path_field;
pub mod presentation;
pub mod style;
pub mod table;
pub mod timeline;
pub mod top_bar;
pub mod trends;

use crate::model::{Dataset, Highlight, Hover, Incident, IncidentIndex};
use crate::state::{Derived, PersistedState};

/// What every view may read during a frame.
pub struct ViewContext<'a> {
    pub dataset: &'a Dataset,
    pub dataset_name: &'a str,
    pub state: &'a PersistedState,
    pub derived: &'a Derived,
    /// The selected incident's index in `dataset`.
    pub selected: Option<IncidentIndex>,
    /// Last frame's hover, so every view highlights the same incidents this frame.
    pub hover: &'a Hover,
    /// The map's centre (lat, lon) as it is this frame (new notes are pinned there).
    pub map_center: (f64, f64),
    /// Presentation mode: controls hidden, larger type.
    pub presenting: bool,
    /// First and last month the data covers (computed once per dataset).
    pub month_span: crate::model::playback::MonthSpan,
    /// `dataset` in columns (the map's density bins read tolls from it).
    pub columns: &'a crate::model::columns::Columns,
    /// Changes whenever `dataset` is rebuilt (a layer loaded, hidden or removed).
    pub dataset_version: u64,
    /// Every data layer, shown or not.
    pub layers: &'a [crate::layers::Layer],
    /// The layer of each incident of `dataset`.
    pub layer_of: &'a [u16],
    /// Incidents of different layers found to be one event.
    pub matches: &'a crate::model::matching::Matches,
    /// `derived` is still the previous filter's: a large dataset's scan is running.
    pub deriving: bool,
    /// The animation being exported, if one is.
    pub export_progress: Option<&'a crate::state::ExportProgress>,
    /// See [`data_menu::DataUiState::cache_bytes`].
    pub cache_bytes: Option<u64>,
    /// What changed, when the Change view or the map's change choropleth shows it.
    pub change: Option<&'a crate::model::change::Change>,
}

/// A menu of fields, choices and buttons (View, Data, the map's Overlays and Basemap): it stays
/// open while the user types a path or ticks a box, and closes on a click outside it or Esc.
pub fn form_menu<R>(
    ui: &mut egui::Ui,
    label: &str,
    contents: impl FnOnce(&mut egui::Ui) -> R,
) -> egui::Response {
    use egui::containers::menu::{MenuButton, MenuConfig};
    MenuButton::new(label)
        .config(MenuConfig::new().close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside))
        .ui(ui, contents)
        .0
}

impl ViewContext<'_> {
    /// How strongly to highlight an incident: selection, then hover of it or of its group.
    pub fn highlight(&self, index: IncidentIndex) -> Highlight {
        Highlight::of(index, self.selected, self.hover)
    }

    /// The layer an incident comes from.
    pub fn layer_of(&self, index: usize) -> Option<&crate::layers::Layer> {
        self.layer_of
            .get(index)
            .and_then(|&layer| self.layers.get(usize::from(layer)))
    }

    /// Whether a legend lists this kind or grade: only those the filtered set holds, so that
    /// a slide of attacks does not explain arrests. With nothing matching, every kind and the
    /// embedded dataset's four grades, so that an empty picture still explains its symbols.
    pub fn legend_lists(&self, category: crate::model::Category) -> bool {
        use crate::model::{Attribution, Category};
        let summary = &self.derived.summary;
        match category {
            Category::Kind(kind) => summary.count == 0 || summary.by_kind.contains_key(&kind),
            Category::Attribution(attribution) if summary.count == 0 => {
                !matches!(attribution, Attribution::NamedInData | Attribution::NotIsk)
            }
            Category::Attribution(attribution) => summary.by_attribution.contains_key(&attribution),
        }
    }

    /// What the embedded dataset covers and when it was reviewed ("2014-10 to 2026-02-06,
    /// reviewed 2026-12-02"), while it is shown.
    pub fn embedded_coverage(&self) -> Option<String> {
        let layer = self
            .layers
            .iter()
            .find(|layer| layer.is_embedded() && layer.spec.visible)?;
        Some(layer.dataset.metadata.coverage_line()).filter(|line| !line.is_empty())
    }

    /// Whether more than one layer is shown, so incidents need their layer marked.
    pub fn several_layers(&self) -> bool {
        self.layers.iter().filter(|l| l.spec.visible).count() > 1
    }

    pub fn incident(&self, index: usize) -> &Incident {
        &self.dataset.incidents[index]
    }

    pub fn filtered_incidents(&self) -> impl Iterator<Item = (usize, &Incident)> + '_ {
        self.derived
            .filtered
            .iter()
            .map(|&index| (index, &self.dataset.incidents[index]))
    }

    /// "12 of 168 incidents shown".
    pub fn shown_caption(&self) -> String {
        format!(
            "{} of {} incidents shown",
            self.derived.filtered.len(),
            self.dataset.incidents.len()
        )
    }

    /// The filter and its result as one sentence, the same in the top bar, the trends view
    /// and presentations: "Attacks claimed by ISK, Afghanistan, Jan 2021 – Dec 2022: 214 incidents".
    pub fn filter_caption(&self) -> String {
        crate::model::caption::caption(
            &self.state.filter,
            self.dataset,
            self.derived.filtered.len(),
        )
    }
}

/// A view context built by hand, so a panel can be tested alone, without the app.
#[cfg(test)]
pub(crate) mod test_context {
    use super::ViewContext;
    use crate::model::columns::Columns;
    use crate::model::{Dataset, Hover, IncidentIndex};
    use crate::state::{Derived, PersistedState};

    /// Everything a [`ViewContext`] borrows, owned.
    pub(crate) struct TestView {
        pub dataset: Dataset,
        pub state: PersistedState,
        pub derived: Derived,
        pub columns: Columns,
        pub hover: Hover,
        pub selected: Option<IncidentIndex>,
        pub layers: Vec<crate::layers::Layer>,
        pub layer_of: Vec<u16>,
        pub matches: crate::model::matching::Matches,
    }

    impl TestView {
        /// The embedded dataset under `state`'s filter, scanned as the app scans it.
        pub(crate) fn embedded(state: PersistedState) -> Self {
            let dataset = crate::io::embedded_dataset().expect("embedded dataset");
            let columns = Columns::build(&dataset);
            let derived = Derived::compute(&dataset, &columns, &state.filter, state.stack_by);
            Self {
                layer_of: vec![0; dataset.incidents.len()],
                dataset,
                state,
                derived,
                columns,
                hover: Hover::None,
                selected: None,
                layers: Vec::new(),
                matches: Default::default(),
            }
        }

        pub(crate) fn context(&self) -> ViewContext<'_> {
            ViewContext {
                dataset: &self.dataset,
                dataset_name: "embedded dataset",
                state: &self.state,
                derived: &self.derived,
                selected: self.selected,
                hover: &self.hover,
                map_center: self.state.map_center,
                presenting: false,
                month_span: crate::model::playback::month_span(&self.dataset),
                columns: &self.columns,
                dataset_version: 1,
                layers: &self.layers,
                layer_of: &self.layer_of,
                matches: &self.matches,
                deriving: false,
                export_progress: None,
                cache_bytes: None,
                change: None,
            }
        }
    }
}
