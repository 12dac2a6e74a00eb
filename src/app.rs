//! The application: the struct that owns the state, its construction and the eframe glue.
//!
//! Panels draw from the state and return commands; [`AtlasApp::apply`] is the one place the
//! state changes. The rest of the app is split by the seams that move:
//! - `layout`: one frame of UI, the panels placed and drawn;
//! - `apply`: commands, shortcuts and playback carried out;
//! - `scan`: the filter scan, at once or on a background thread for large datasets;
//! - `data_layers`: loading files as data layers, the mapping dialog, merging layers;
//! - `view_files`: saving and opening views;
//! - `picture`: pictures drawn offscreen (PNG, clipboard), `animation`: the playback as a GIF;
//! - `file_dialogs`: the system's file dialog for the typed path fields, off the UI thread.

pub mod animation;
mod apply;
mod data_layers;
pub mod file_dialogs;
mod layout;
pub mod picture;
mod scan;
mod view_files;

use std::sync::Arc;

use crate::basemap::Basemap;
use crate::model::{Dataset, Hover};
use crate::state::persisted::STATE_KEY;
use crate::state::{Derived, Notice, PersistedState};
use crate::views::{self, map::MapView};

pub use scan::BACKGROUND_SCAN_FROM;

pub struct AtlasApp {
    /// The visible data layers merged: what every view shows.
    pub dataset: Arc<Dataset>,
    /// What the data is, for captions: "embedded dataset + acled.csv".
    pub dataset_name: String,
    /// Every data layer, shown or not: the one list of them while the app runs.
    pub layers: Vec<crate::layers::Layer>,
    /// Counts rebuilds of `dataset`, so views can cache per dataset.
    pub dataset_version: u64,
    /// `dataset` in columns, for the filter scan (shared with a background scan).
    pub columns: Arc<crate::model::columns::Columns>,
    /// For each incident of `dataset`, the index of its layer in `layers`.
    pub layer_of: Vec<u16>,
    /// Incidents of different layers found to be one event (computed with `layer_of`).
    pub matches: Arc<crate::model::matching::Matches>,
    /// Files being loaded off the UI thread, and those waiting.
    pub loader: data_layers::Loader,
    pub mapping_dialog: Option<views::data_menu::MappingDialog>,
    pub data_ui: views::data_menu::DataUiState,
    pub state: PersistedState,
    /// What the pointer was over last frame; every view highlights it this frame.
    pub hover: Hover,
    pub derived: Derived,
    /// Keeps `derived` matching the filter.
    pub scan: scan::Scan,
    pub map: MapView,
    pub timeline: views::timeline::TimelineState,
    pub table: views::table::TableState,
    pub filters: views::filters::FiltersState,
    /// Group totals of the trend charts for the current filter.
    trends_cache: views::trends::TrendsCache,
    change_cache: views::change::ChangeCache,
    change_table: views::change::ChangeTable,
    /// Messages for the user (e.g. a saved state that could not be read).
    pub notices: Vec<Notice>,
    /// First and last month the data covers, for playback.
    pub month_span: crate::model::playback::MonthSpan,
    pub help_open: bool,
    /// The command palette (Ctrl+K).
    pub palette: views::palette::PaletteState,
    /// The search field gets the keyboard focus next frame (Ctrl+F).
    focus_search: bool,
    /// Presentation mode: controls hidden, title, caption and source line shown.
    pub presenting: bool,
    /// Pixels per point on top of the screen's (the screenshot command's --scale).
    pub base_zoom: f32,
    /// Window size last frame, in points, saved with a view.
    window_size: (f32, f32),
    /// Pictures asked for and their results.
    pictures: picture::Pictures,
    /// The animation being exported, with its progress.
    animation: Option<animation::AnimationJob>,
    /// File dialogs open for the typed path fields.
    file_dialogs: file_dialogs::FileDialogs,
    /// Where the map and the timeline were drawn last frame, to export one of them.
    pub view_rects: picture::ViewRects,
}

impl AtlasApp {
    /// The app as eframe starts it: the state saved last time, or the defaults with a notice
    /// when it cannot be read.
    pub fn new(
        creation: &eframe::CreationContext<'_>,
        dataset: Dataset,
        dataset_name: String,
    ) -> Self {
        let saved = creation
            .storage
            .and_then(|storage| storage.get_string(STATE_KEY));
        Self::from_saved(saved.as_deref(), dataset, dataset_name)
    }

    /// The app from a saved state's text (`None`: first start).
    pub fn from_saved(saved: Option<&str>, dataset: Dataset, dataset_name: String) -> Self {
        let mut notice = None;
        let state = saved.map_or_else(PersistedState::default, |text| {
            PersistedState::parse(text).unwrap_or_else(|error| {
                log::warn!("saved state unreadable, using defaults: {error}");
                notice = Some(Notice::warning(
                    "The saved view from last time could not be read; defaults are used.",
                ));
                PersistedState::default()
            })
        });
        let mut app = Self::with_state(dataset, dataset_name, state);
        app.notices.extend(notice);
        app
    }

    /// Build the app without eframe (tests drive it through egui_kittest).
    pub fn with_state(dataset: Dataset, dataset_name: String, state: PersistedState) -> Self {
        let mut embedded = crate::layers::Layer::embedded(dataset);
        embedded.name = dataset_name;
        Self::with_layers(vec![embedded], state)
    }

    /// Build the app on layers already loaded; files the state lists but `layers` lacks are
    /// loaded in the background.
    pub fn with_layers(layers: Vec<crate::layers::Layer>, mut state: PersistedState) -> Self {
        let mut notices = Vec::new();
        // Parsed and triangulated once per process (pictures and tests build many apps); an
        // error is read again to be told.
        let basemap = Basemap::shared()
            .cloned()
            .map_or_else(Basemap::embedded, Ok);
        let basemap = basemap.unwrap_or_else(|error| {
            notices.push(Notice::warning(format!(
                "The offline basemap could not be loaded: {error}"
            )));
            Basemap::default()
        });
        let (center, zoom) = state.camera();
        let mut map = MapView::new(basemap, center, zoom);
        // A basemap file opened last time is reopened; online tiles never switch on by themselves.
        if let Some(path) = &state.basemap.file {
            map.request_basemap(crate::state::BasemapRequest::File(path.clone()));
        }
        // The layer list is the truth from here on; the state's copy is written when saved.
        let specs = std::mem::take(&mut state.layers);
        let mut app = Self {
            dataset: Arc::new(Dataset::default()),
            dataset_name: String::new(),
            loader: data_layers::Loader::new(layers.len()),
            layers,
            columns: Default::default(),
            dataset_version: 0,
            layer_of: Vec::new(),
            matches: Default::default(),
            mapping_dialog: None,
            data_ui: {
                let mut data_ui = views::data_menu::DataUiState::default();
                data_ui.measure_cache();
                data_ui
            },
            trends_cache: Default::default(),
            change_cache: Default::default(),
            change_table: Default::default(),
            state,
            hover: Hover::None,
            derived: Derived::default(),
            scan: scan::Scan::default(),
            map,
            timeline: Default::default(),
            table: Default::default(),
            filters: Default::default(),
            notices,
            month_span: (0, 0),
            help_open: false,
            palette: views::palette::PaletteState::default(),
            focus_search: false,
            presenting: false,
            base_zoom: 1.0,
            window_size: (1280.0, 800.0),
            pictures: Default::default(),
            animation: None,
            file_dialogs: Default::default(),
            view_rects: Default::default(),
        };
        // Playback never resumes by itself after a restart.
        app.state.playback.playing = false;
        app.apply_layer_specs(specs);
        app.rebuild_dataset();
        app
    }

    /// A copy of the view for drawing a picture of it on another thread: the same merged
    /// data (shared, not copied) under the view file's state; no file is loaded again.
    fn for_picture(data: picture::PictureData) -> Self {
        let picture::PictureData {
            dataset,
            columns,
            layer_of,
            matches,
            layers,
            dataset_name,
            view,
        } = data;
        let state = PersistedState {
            layers: Vec::new(),
            ..view.state
        };
        let mut app = Self::with_layers(Vec::new(), state);
        app.layers = layers;
        app.month_span = crate::model::playback::month_span(&dataset);
        app.dataset = dataset;
        app.columns = columns;
        app.layer_of = layer_of;
        app.matches = matches;
        app.dataset_name = dataset_name;
        app.dataset_version += 1;
        app.state.selected.resolve(&app.dataset);
        app.scan.invalidate();
        app.finish_derived();
        app.presenting = view.presenting;
        app.window_size = view.window_size;
        app
    }

    /// The state as it is saved (eframe storage, view files): with the map camera and the
    /// data layers, whose truth is elsewhere while the app runs.
    pub fn persisted(&self) -> PersistedState {
        let (lat, lon, zoom) = self.map.center_and_zoom();
        PersistedState {
            map_center: (lat, lon),
            map_zoom: zoom,
            layers: self.layers.iter().map(|layer| layer.spec.clone()).collect(),
            ..self.state.clone()
        }
    }

    /// Whether the views show an older filter's result while a background scan runs.
    pub fn is_deriving(&self) -> bool {
        self.scan.is_running()
    }
}

impl eframe::App for AtlasApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        match ron::to_string(&self.persisted()) {
            Ok(text) => storage.set_string(STATE_KEY, text),
            Err(error) => log::warn!("could not save state: {error}"),
        }
    }
}
