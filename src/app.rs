//! The application: one state, panels that emit commands, commands applied after the UI pass.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::basemap::Basemap;
use crate::model::selection::IncidentIndex;
use crate::model::{
    Attribution, Dataset, Filter, Kind, Method, MonthHistogram, Selection, StackBy, Summary, Target,
};
use crate::views::{self, map::MapView};

mod data;

/// What a panel asks the app to do. Panels never change the state themselves.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub enum Command {
    Select(Option<IncidentIndex>),
    /// Select and centre the map on it (table rows).
    SelectAndCenter(IncidentIndex),
    Hover(IncidentIndex),
    /// Hover several incidents at once (a map cluster).
    HoverGroup(Vec<IncidentIndex>),
    SetFilter(Filter),
    SetTimeRange(Option<NaiveDate>, Option<NaiveDate>),
    ResetFilter,
    SetStackBy(StackBy),
    FitMapToFiltered,
    SetDarkMode(bool),
    ShowReportedSeries(Option<String>),
    SetMapLayers(views::map::MapLayers),
    SetBasemap(views::map::BasemapRequest),
    SetBasemapSettings(crate::tiles::BasemapSettings),
    SetTrends(views::trends::TrendSettings),
    Playback(PlaybackAction),
    SetTimelineLanes(bool),
    SetPresentation(views::presentation::PresentationSettings),
    SetAnnotations(Vec<crate::model::annotation::Annotation>),
    SaveView(std::path::PathBuf),
    OpenView(std::path::PathBuf),
    Export(crate::export::ExportRequest),
    /// Run a command from the shared command list (buttons, menus and shortcuts).
    Ui(views::shortcuts::UiCommand),
    ShowCentral(CentralView),
    SetLayout {
        show_filters: bool,
        show_detail: bool,
        show_timeline: bool,
    },
    /// Load a file as a new layer (File > Open, drag and drop, `--data`).
    OpenData(std::path::PathBuf),
    /// Load the file waiting in the mapping dialog with this mapping.
    ConfirmMapping(crate::io::import::FieldMapping),
    CloseMappingDialog,
    CancelLoad,
    SetLayerVisible(usize, bool),
    SetLayerColour(usize, [u8; 3]),
    RemoveLayer(usize),
    /// Reopen the mapping dialog for a loaded CSV or GeoJSON layer.
    RemapLayer(usize),
    /// Write the filtered incidents to a file.
    ExportData(crate::io::ExportFormat, std::path::PathBuf),
    /// Open (or close) the import report of a layer.
    ShowReport(Option<usize>),
}

/// Playback controls.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PlaybackAction {
    Toggle,
    Step(i32),
    JumpTo(i32, u32),
    SetSpeed(f64),
    SetWindow(crate::model::playback::PlaybackWindow),
    SetLooping(bool),
}

/// What the central area shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CentralView {
    #[default]
    Map,
    Trends,
}

/// What survives a restart (eframe persistence). Every field has a default, so an old or
/// partial saved state still loads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersistedState {
    pub filter: Filter,
    pub stack_by: StackBy,
    pub dark_mode: bool,
    pub map_center: (f64, f64),
    pub map_zoom: f64,
    pub show_filters: bool,
    pub show_detail: bool,
    pub show_timeline: bool,
    pub selected_id: Option<String>,
    /// The reported series drawn under the histogram, by id; `None` hides the overlay.
    pub reported_series: Option<String>,
    pub map_layers: views::map::MapLayers,
    pub basemap: crate::tiles::BasemapSettings,
    pub trends: views::trends::TrendSettings,
    pub central: CentralView,
    pub playback: crate::model::playback::Playback,
    /// Incident markers in one lane per category instead of height by deaths.
    pub timeline_lanes: bool,
    pub presentation: views::presentation::PresentationSettings,
    /// Notes pinned to the map or the timeline, drawn in presentations and exports.
    pub annotations: Vec<crate::model::annotation::Annotation>,
    /// The data layers, embedded dataset included; files are loaded again at start.
    pub layers: Vec<crate::layers::LayerSpec>,
    /// Field mappings remembered by file shape (format and column names).
    pub mappings: std::collections::BTreeMap<String, crate::io::import::FieldMapping>,
}

impl Default for PersistedState {
    fn default() -> Self {
        Self {
            filter: Filter::default(),
            stack_by: StackBy::Kind,
            dark_mode: true,
            map_center: views::map::REGION_CENTER,
            map_zoom: views::map::REGION_ZOOM,
            show_filters: true,
            show_detail: true,
            show_timeline: true,
            selected_id: None,
            reported_series: None,
            map_layers: views::map::MapLayers::default(),
            basemap: crate::tiles::BasemapSettings::default(),
            trends: views::trends::TrendSettings::default(),
            central: CentralView::Map,
            playback: crate::model::playback::Playback::default(),
            timeline_lanes: false,
            presentation: views::presentation::PresentationSettings::default(),
            annotations: Vec::new(),
            layers: Vec::new(),
            mappings: Default::default(),
        }
    }
}

const STATE_KEY: &str = "khorasan-atlas-state";

/// Everything the views draw that depends only on the data and the filter.
#[derive(Debug, Default)]
pub struct Derived {
    /// Changes on every recomputation, so views can cache what they build from it.
    pub generation: u64,
    pub filtered: Vec<IncidentIndex>,
    /// How many incidents match every part of the filter except the period: the timeline
    /// shows them all (those outside the period dimmed), so brushing keeps its context.
    pub timeline_count: usize,
    /// Those incidents, listed when there are few enough to mark one by one
    /// (`columns::TIMELINE_LIST_LIMIT`).
    pub timeline: Option<Vec<IncidentIndex>>,
    /// Per-month counts of `timeline`.
    pub histogram: MonthHistogram,
    /// Incidents and deaths per province of the filtered set (choropleth, province hover).
    pub provinces:
        std::collections::BTreeMap<(String, String), crate::model::aggregate::GroupTotal>,
    pub summary: Summary,
    pub facets: FacetCounts,
    /// The table's rows for this result, picked on the background scan's thread from the
    /// table's full order (identified by the number it gave that order).
    pub table_order: Option<(u64, Arc<Vec<u32>>)>,
}

/// Per-value counts shown next to each filter option.
#[derive(Debug, Default)]
pub struct FacetCounts {
    pub countries: Vec<(String, String, usize)>,
    pub provinces: Vec<((String, String), usize)>,
    pub kinds: std::collections::BTreeMap<Kind, usize>,
    pub methods: std::collections::BTreeMap<Method, usize>,
    pub targets: std::collections::BTreeMap<Target, usize>,
    pub attributions: std::collections::BTreeMap<Attribution, usize>,
    /// Actors by number of incidents, most first.
    pub actors: Vec<(String, usize)>,
}

/// From this many incidents a filter change is scanned off the UI thread (about 1 ms of scan).
pub const BACKGROUND_DERIVE_FROM: usize = 200_000;

/// A filter scan running on its own thread.
struct BackgroundDerive {
    inputs: (Filter, StackBy),
    /// The dataset it scans; a result for an older one is dropped.
    dataset_version: u64,
    result: std::sync::mpsc::Receiver<Derived>,
}

impl BackgroundDerive {
    fn start(
        dataset: Arc<Dataset>,
        columns: Arc<crate::model::columns::Columns>,
        inputs: (Filter, StackBy),
        dataset_version: u64,
        table_order: Option<(u64, Arc<Vec<u32>>)>,
    ) -> Self {
        let (send, result) = std::sync::mpsc::channel();
        let (filter, stack_by) = inputs.clone();
        std::thread::spawn(move || {
            let mut derived = Derived::compute(&dataset, &columns, &filter, stack_by);
            // The table's rows too: picking them is the larger part of drawing a new result.
            derived.table_order = table_order.map(|(id, all)| {
                let picked = crate::model::columns::pick_in_order(&all, &derived.filtered);
                (id, Arc::new(picked))
            });
            // The receiver is gone when the result is no longer wanted.
            let _ = send.send(derived);
        });
        Self {
            inputs,
            dataset_version,
            result,
        }
    }
}

impl Derived {
    /// Everything derived from the filter, in one scan of the dataset's columns.
    pub fn compute(
        dataset: &Dataset,
        columns: &crate::model::columns::Columns,
        filter: &Filter,
        stack_by: StackBy,
    ) -> Self {
        let scan = columns.scan(dataset, filter, stack_by);
        let mut countries: Vec<(String, String, usize)> = scan
            .countries
            .into_iter()
            .map(|((code, name), count)| (code, name, count))
            .collect();
        // Most incidents first: Afghanistan and Pakistan lead, the reach abroad follows.
        countries.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
        let mut provinces: Vec<((String, String), usize)> =
            scan.province_counts.into_iter().collect();
        provinces.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut actors: Vec<(String, usize)> = scan.actors.into_iter().collect();
        actors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Self {
            generation: 0,
            filtered: scan.filtered,
            timeline_count: scan.timeline_count,
            timeline: scan.timeline,
            histogram: scan.histogram,
            provinces: scan.provinces,
            summary: scan.summary,
            facets: FacetCounts {
                countries,
                provinces,
                kinds: scan.kinds,
                methods: scan.methods,
                targets: scan.targets,
                attributions: scan.attributions,
                actors,
            },
            table_order: None,
        }
    }
}

pub struct AtlasApp {
    /// The visible layers merged: what every view shows.
    pub dataset: Arc<Dataset>,
    /// What the data is, for captions: "embedded dataset + acled.csv".
    pub dataset_name: String,
    pub layers: Vec<crate::layers::Layer>,
    /// Counts rebuilds of `dataset`, so views can cache per dataset.
    pub dataset_version: u64,
    /// `dataset` in columns, for the filter scan (shared with a background scan).
    pub columns: Arc<crate::model::columns::Columns>,
    /// For each incident of `dataset`, the index of its layer in `layers`.
    pub layer_of: Vec<u16>,
    /// Numbers layers as they load, so their source ids never collide.
    layers_loaded: usize,
    /// The file being loaded, off the UI thread.
    pub loading: Option<crate::loading::LoadJob>,
    /// Files waiting for the current load to finish.
    load_queue: std::collections::VecDeque<crate::loading::LoadRequest>,
    pub mapping_dialog: Option<views::data::MappingDialog>,
    pub data_ui: views::data::DataUiState,
    /// Group totals of the trend charts for the current filter.
    trends_cache: views::trends::TrendsCache,
    /// Lets a loading thread wake the UI when it is done; set on the first frame.
    repaint: Option<egui::Context>,
    pub state: PersistedState,
    pub selection: Selection,
    /// Incidents hovered together (a map cluster), sorted; cleared every frame like hover.
    pub hovered_group: Vec<IncidentIndex>,
    pub derived: Derived,
    /// The inputs `derived` was computed from; recomputed only when they change.
    derived_from: Option<(Filter, StackBy)>,
    /// A scan of a large dataset running off the UI thread.
    background_derive: Option<BackgroundDerive>,
    /// Datasets of this many incidents or more are scanned off the UI thread.
    pub background_derive_from: usize,
    pub map: MapView,
    pub timeline: views::timeline::TimelineState,
    pub table: views::table::TableState,
    pub filters: views::filters::FiltersState,
    /// Messages for the user (e.g. a saved state that could not be read).
    pub notices: Vec<String>,
    /// First and last month the data covers, for playback.
    pub month_span: crate::model::playback::MonthSpan,
    pub help_open: bool,
    /// The search field gets the keyboard focus next frame (Ctrl+F).
    focus_search: bool,
    /// Presentation mode: controls hidden, title, caption and source line shown.
    pub presenting: bool,
    /// Pixels per point on top of the screen's (the screenshot command's --scale).
    pub base_zoom: f32,
    /// Window size last frame, in points, saved with a view.
    window_size: (f32, f32),
    /// A PNG export asked for; the screenshot is requested in the next frame.
    pending_export: Option<crate::export::ExportRequest>,
    /// Results of exports, sent back from the screenshot callback or the renderer.
    export_results: (
        std::sync::mpsc::Sender<crate::export::ExportResult>,
        std::sync::mpsc::Receiver<crate::export::ExportResult>,
    ),
    /// Where the map and the timeline were drawn last frame, to export one of them.
    pub view_rects: crate::export::ViewRects,
}

impl AtlasApp {
    pub fn new(
        creation: &eframe::CreationContext<'_>,
        dataset: Dataset,
        dataset_name: String,
    ) -> Self {
        let mut notices = Vec::new();
        let state = creation
            .storage
            .and_then(|storage| storage.get_string(STATE_KEY))
            .map_or_else(PersistedState::default, |text| {
                ron::from_str(&text).unwrap_or_else(|error| {
                    log::warn!("saved state unreadable, using defaults: {error}");
                    notices.push(
                        "The saved view from last time could not be read; defaults are used."
                            .to_owned(),
                    );
                    PersistedState::default()
                })
            });
        let mut app = Self::with_state(dataset, dataset_name, state);
        app.notices.extend(notices);
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
        let basemap = Basemap::embedded().unwrap_or_else(|error| {
            notices.push(format!("The offline basemap could not be loaded: {error}"));
            Basemap::default()
        });
        if !state.map_center.0.is_finite()
            || !state.map_center.1.is_finite()
            || !(0.0..=18.0).contains(&state.map_zoom)
        {
            state.map_center = views::map::REGION_CENTER;
            state.map_zoom = views::map::REGION_ZOOM;
        }
        let mut map = MapView::new(basemap, state.map_center, state.map_zoom);
        // A basemap file opened last time is reopened; online tiles never switch on by themselves.
        if let Some(path) = &state.basemap.file {
            map.request_basemap(views::map::BasemapRequest::File(path.clone()));
        }
        let specs = std::mem::take(&mut state.layers);
        let mut app = Self {
            dataset: Arc::new(Dataset::default()),
            dataset_name: String::new(),
            layers_loaded: layers.len(),
            layers,
            columns: Default::default(),
            dataset_version: 0,
            layer_of: Vec::new(),
            loading: None,
            load_queue: Default::default(),
            mapping_dialog: None,
            data_ui: Default::default(),
            trends_cache: Default::default(),
            repaint: None,
            state,
            selection: Selection::default(),
            hovered_group: Vec::new(),
            derived: Derived::default(),
            derived_from: None,
            background_derive: None,
            background_derive_from: BACKGROUND_DERIVE_FROM,
            map,
            timeline: Default::default(),
            table: Default::default(),
            filters: Default::default(),
            notices,
            month_span: (0, 0),
            help_open: false,
            focus_search: false,
            presenting: false,
            base_zoom: 1.0,
            window_size: (1280.0, 800.0),
            pending_export: None,
            export_results: std::sync::mpsc::channel(),
            view_rects: Default::default(),
        };
        // Playback never resumes by itself after a restart.
        app.state.playback.playing = false;
        app.apply_layer_specs(specs);
        app.rebuild_dataset();
        app.selection.selected = app
            .state
            .selected_id
            .as_deref()
            .and_then(|id| app.dataset.incidents.iter().position(|i| i.id == id));
        app
    }

    /// The layers as the saved state and views record them (files are reloaded at start).
    fn remember_layers(&mut self) {
        self.state.layers = self.layers.iter().map(|layer| layer.spec.clone()).collect();
    }

    /// Give the merged incidents back to their layers; needed before a layer is added,
    /// replaced or removed (the merged dataset holds the shown layers' incidents).
    pub fn unmerge(&mut self) {
        let selected_id = self.selected_id_now();
        if selected_id.is_some() {
            self.state.selected_id = selected_id;
        }
        let merged = std::mem::take(&mut self.dataset);
        let layer_of = std::mem::take(&mut self.layer_of);
        crate::layers::unmerge(&mut self.layers, merged, &layer_of);
        self.selection.selected = None;
    }

    fn selected_id_now(&self) -> Option<String> {
        self.selection
            .selected
            .and_then(|i| self.dataset.incidents.get(i))
            .map(|incident| incident.id.clone())
    }

    /// Merge the visible layers again after a layer changed; the selection follows its id.
    pub fn rebuild_dataset(&mut self) {
        let selected_id = self
            .selected_id_now()
            .or_else(|| self.state.selected_id.clone());
        self.unmerge();
        let (dataset, layer_of) = crate::layers::merge(&mut self.layers);
        self.columns = Arc::new(crate::model::columns::Columns::build(&dataset));
        self.dataset_version += 1;
        self.dataset = dataset;
        self.layer_of = layer_of;
        self.dataset_name = crate::layers::describe(&self.layers);
        self.month_span = month_span(&self.dataset);
        self.selection = Selection {
            selected: selected_id
                .and_then(|id| self.dataset.incidents.iter().position(|i| i.id == id)),
            hovered: None,
        };
        self.hovered_group.clear();
        self.remember_layers();
        // The old result indexes the old dataset: replaced now, not a frame later.
        self.background_derive = None;
        self.derived_from = None;
        self.finish_derived();
    }

    fn playback(&mut self, action: PlaybackAction) {
        let span = self.month_span;
        let playback = &mut self.state.playback;
        match action {
            PlaybackAction::Toggle => playback.toggle(span),
            PlaybackAction::Step(months) => {
                playback.playing = false;
                playback.step(months, span);
            }
            PlaybackAction::JumpTo(year, month) => playback.jump_to(year, month, span),
            PlaybackAction::SetSpeed(speed) => playback.months_per_second = speed.clamp(0.1, 12.0),
            PlaybackAction::SetWindow(window) => playback.window = window,
            PlaybackAction::SetLooping(looping) => playback.looping = looping,
        }
        if playback.cursor.is_some() {
            let (from, to) = playback.range(span);
            self.state.filter.set_range(Some(from), Some(to));
        }
    }

    fn run_ui_command(&mut self, command: views::shortcuts::UiCommand) {
        use views::shortcuts::UiCommand;
        match command {
            UiCommand::PlayPause => self.playback(PlaybackAction::Toggle),
            UiCommand::StepBack => self.playback(PlaybackAction::Step(-1)),
            UiCommand::StepForward => self.playback(PlaybackAction::Step(1)),
            UiCommand::ClearSelection => {
                self.selection.selected = None;
                self.map.measure = None;
            }
            UiCommand::FocusSearch => {
                self.state.show_filters = true;
                self.focus_search = true;
            }
            UiCommand::FitMap => self.apply(Command::FitMapToFiltered),
            UiCommand::FrameRegion => self.map.frame_region(),
            UiCommand::ToggleTrends => {
                self.state.central = match self.state.central {
                    CentralView::Map => CentralView::Trends,
                    CentralView::Trends => CentralView::Map,
                };
            }
            UiCommand::ToggleTheme => self.state.dark_mode = !self.state.dark_mode,
            UiCommand::ResetFilters => self.state.filter = Filter::default(),
            UiCommand::ToggleHelp => self.help_open = !self.help_open,
            UiCommand::TogglePresentation => self.presenting = !self.presenting,
        }
    }

    /// The current view as a file: filters, map, layers, selection, layout, title, theme, size.
    pub fn view_file(&self) -> crate::view_file::ViewFile {
        crate::view_file::ViewFile {
            window_size: self.window_size,
            presenting: self.presenting,
            state: self.state.clone(),
            ..crate::view_file::ViewFile::default()
        }
    }

    fn save_view(&mut self, path: &std::path::Path) {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(parent);
        }
        let message = match crate::view_file::save(path, &self.view_file()) {
            Ok(()) => format!("Saved the view to {}.", path.display()),
            Err(error) => error.to_string(),
        };
        self.notices.push(message);
    }

    /// Replace the current view with a loaded one; fields it lacks keep their defaults.
    pub fn open_view(&mut self, loaded: crate::view_file::LoadedView, file: &str) {
        if let Some(notice) = loaded.notice(file) {
            self.notices.push(notice);
        }
        let view = loaded.view;
        let state = view.state;
        self.selection.selected = state
            .selected_id
            .as_deref()
            .and_then(|id| self.dataset.incidents.iter().position(|i| i.id == id));
        let (lat, lon) = state.map_center;
        if lat.is_finite() && lon.is_finite() {
            self.map.center_on(lat, lon);
            self.map.set_zoom(state.map_zoom);
        }
        let specs = state.layers.clone();
        self.state = state;
        self.state.playback.playing = false;
        self.apply_layer_specs(specs);
        self.rebuild_dataset();
        self.presenting = view.presenting;
        self.window_size = view.window_size;
        self.refresh_derived();
    }

    /// Recomputes the derived data if the filter changed: at once on small datasets; on large
    /// ones in the background, while the views keep drawing the previous result, so that a
    /// filter change or playback never holds up a frame (the result lands a frame or two later).
    pub fn refresh_derived(&mut self) {
        self.poll_background_derive();
        if self.derived_is_current() {
            return;
        }
        let inputs = (self.state.filter.clone(), self.state.stack_by);
        // An export must show the filter it names, so it waits for the result.
        if self.dataset.incidents.len() < self.background_derive_from
            || self.pending_export.is_some()
        {
            self.finish_derived();
        } else if self.background_derive.is_none() {
            // One scan at a time: when it lands, the next starts from the filter as it is then.
            self.background_derive = Some(BackgroundDerive::start(
                self.dataset.clone(),
                self.columns.clone(),
                inputs,
                self.dataset_version,
                self.table.full_order(self.dataset_version),
            ));
        }
    }

    /// Makes the derived data match the filter now, on this thread.
    pub fn finish_derived(&mut self) {
        self.background_derive = None;
        if !self.derived_is_current() {
            let inputs = (self.state.filter.clone(), self.state.stack_by);
            let derived = Derived::compute(&self.dataset, &self.columns, &inputs.0, inputs.1);
            self.install_derived(derived, inputs);
        }
    }

    /// Whether `derived` was computed from the filter as it is. Checked after every command
    /// (hover included), so without cloning the filter.
    fn derived_is_current(&self) -> bool {
        self.derived_from
            .as_ref()
            .is_some_and(|(filter, stack_by)| {
                *filter == self.state.filter && *stack_by == self.state.stack_by
            })
    }

    /// Whether the views show an older filter's result while a background scan runs.
    pub fn is_deriving(&self) -> bool {
        self.background_derive.is_some()
    }

    fn install_derived(&mut self, derived: Derived, inputs: (Filter, StackBy)) {
        let generation = self.derived.generation + 1;
        self.derived = derived;
        self.derived.generation = generation;
        self.derived_from = Some(inputs);
    }

    /// Takes a finished background scan, then starts the next if the filter moved on.
    fn poll_background_derive(&mut self) {
        let Some(job) = &self.background_derive else {
            return;
        };
        let landed = match job.result.try_recv() {
            Ok(derived) => Some(derived),
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            // The scan thread died (it cannot without a bug): scan here instead.
            Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
        };
        let job = self.background_derive.take().expect("checked above");
        match landed {
            Some(derived) if job.dataset_version == self.dataset_version => {
                self.install_derived(derived, job.inputs);
            }
            Some(_) => {}
            None => self.finish_derived(),
        }
        self.refresh_derived();
    }

    pub fn apply(&mut self, command: Command) {
        match command {
            Command::Select(index) => self.selection.selected = index,
            Command::SelectAndCenter(index) => {
                self.selection.selected = Some(index);
                if let Some(incident) = self.dataset.incidents.get(index) {
                    self.map
                        .center_on(incident.location.lat, incident.location.lon);
                }
            }
            Command::Hover(index) => self.selection.hovered = Some(index),
            Command::HoverGroup(indices) => self.hovered_group = indices,
            Command::SetFilter(filter) => self.state.filter = filter,
            Command::SetTimeRange(from, to) => self.state.filter.set_range(from, to),
            Command::ResetFilter => self.state.filter = Filter::default(),
            Command::SetStackBy(stack_by) => self.state.stack_by = stack_by,
            Command::FitMapToFiltered => {
                self.finish_derived();
                let points: Vec<(f64, f64)> = self
                    .derived
                    .filtered
                    .iter()
                    .map(|&i| {
                        let location = &self.dataset.incidents[i].location;
                        (location.lat, location.lon)
                    })
                    .collect();
                self.map.fit(&points);
            }
            Command::SetDarkMode(dark) => self.state.dark_mode = dark,
            Command::ShowReportedSeries(id) => self.state.reported_series = id,
            Command::SetMapLayers(layers) => self.state.map_layers = layers,
            Command::SetBasemap(request) => {
                match &request {
                    views::map::BasemapRequest::File(path) => {
                        self.state.basemap.file = Some(path.clone());
                    }
                    views::map::BasemapRequest::Offline => self.state.basemap.file = None,
                    views::map::BasemapRequest::Online => {}
                }
                self.map.request_basemap(request);
            }
            Command::SetBasemapSettings(settings) => self.state.basemap = settings,
            Command::SetTrends(settings) => self.state.trends = settings,
            Command::ShowCentral(central) => self.state.central = central,
            Command::Playback(action) => self.playback(action),
            Command::SetTimelineLanes(lanes) => self.state.timeline_lanes = lanes,
            Command::SetPresentation(settings) => self.state.presentation = settings,
            Command::SetAnnotations(annotations) => self.state.annotations = annotations,
            Command::SaveView(path) => self.save_view(&path),
            Command::OpenView(path) => match crate::view_file::load(&path) {
                Ok(loaded) => self.open_view(loaded, &path.display().to_string()),
                Err(error) => self
                    .notices
                    .push(format!("{error}. The current view is unchanged.")),
            },
            Command::Export(request) => self.pending_export = Some(request),
            Command::Ui(command) => self.run_ui_command(command),
            Command::SetLayout {
                show_filters,
                show_detail,
                show_timeline,
            } => {
                self.state.show_filters = show_filters;
                self.state.show_detail = show_detail;
                self.state.show_timeline = show_timeline;
            }
            Command::OpenData(_)
            | Command::ConfirmMapping(_)
            | Command::CloseMappingDialog
            | Command::CancelLoad
            | Command::SetLayerVisible(..)
            | Command::SetLayerColour(..)
            | Command::RemoveLayer(_)
            | Command::RemapLayer(_)
            | Command::ExportData(..)
            | Command::ShowReport(_) => self.apply_data_command(command),
        }
        self.refresh_derived();
    }

    /// One frame of UI: panels draw from the state and return commands, applied afterwards.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        ctx.set_theme(if self.state.dark_mode {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        // Hover is transient: whichever view the pointer is over sets it again this frame.
        let previous_hover = self.selection.hovered.take();
        let previous_group = std::mem::take(&mut self.hovered_group);
        let mut commands = Vec::new();
        self.poll_background_derive();
        if self.is_deriving() {
            // Look again soon: the result lands without any input event.
            ctx.request_repaint();
        }

        let view = views::ViewContext {
            dataset: &self.dataset,
            dataset_name: &self.dataset_name,
            state: &self.state,
            derived: &self.derived,
            selection: Selection {
                selected: self.selection.selected,
                hovered: previous_hover,
            },
            hovered_group: &previous_group,
            presenting: self.presenting,
            month_span: self.month_span,
            layers: &self.layers,
            layer_of: &self.layer_of,
            dataset_version: self.dataset_version,
            columns: &self.columns,
            deriving: self.is_deriving(),
        };

        // Larger type on slides.
        let zoom = self.base_zoom * if self.presenting { 1.2 } else { 1.0 };
        if (ctx.zoom_factor() - zoom).abs() > f32::EPSILON {
            ctx.set_zoom_factor(zoom);
        }
        let content = ctx.content_rect();
        self.window_size = (content.width() * zoom, content.height() * zoom);
        let (show_filters, show_detail, show_timeline, timeline_in_centre) = if self.presenting {
            use views::presentation::PresentationLayout as Layout;
            match self.state.presentation.layout {
                Layout::MapAndTimeline => (false, false, true, false),
                Layout::MapOnly => (false, false, false, false),
                Layout::TimelineOnly => (false, false, false, true),
                Layout::AllThree => (false, true, true, false),
            }
        } else {
            (
                self.state.show_filters,
                self.state.show_detail,
                self.state.show_timeline,
                false,
            )
        };
        if self.presenting {
            views::presentation::header(ui, &view, &mut commands);
            views::presentation::footer(ui, &view, self.map.tile_credit().as_deref());
        } else {
            views::top_bar::show(
                ui,
                &view,
                views::top_bar::TopBarState {
                    notices: &mut self.notices,
                    data_ui: &mut self.data_ui,
                    loading: self.loading.as_ref(),
                },
                &mut commands,
            );
        }
        if show_filters {
            egui::Panel::left("filters")
                .resizable(true)
                .default_size(230.0)
                .min_size(190.0)
                .show(ui, |ui| {
                    views::filters::show(ui, &view, &mut self.filters, &mut commands)
                });
        }
        if show_detail {
            egui::Panel::right("detail")
                .resizable(true)
                .default_size(370.0)
                .min_size(280.0)
                .show(ui, |ui| {
                    views::detail::show(ui, &view, &mut self.table, &mut commands)
                });
        }
        self.view_rects = Default::default();
        if show_timeline {
            let response = egui::Panel::bottom("timeline")
                .resizable(true)
                .default_size(250.0)
                .min_size(160.0)
                .show(ui, |ui| {
                    self.timeline.show(ui, &view, &mut commands);
                })
                .response;
            self.view_rects.timeline = Some(response.rect);
        }
        match self.state.central {
            _ if timeline_in_centre => {
                let response = egui::CentralPanel::default()
                    .show(ui, |ui| {
                        self.timeline.show(ui, &view, &mut commands);
                    })
                    .response;
                self.view_rects.timeline = Some(response.rect);
            }
            CentralView::Map => {
                let response = egui::CentralPanel::default()
                    .frame(egui::Frame::NONE)
                    .show(ui, |ui| self.map.show(ui, &view, &mut commands))
                    .response;
                self.view_rects.map = Some(response.rect);
            }
            CentralView::Trends => {
                egui::CentralPanel::default().show(ui, |ui| {
                    views::trends::show(ui, &view, &mut self.trends_cache, &mut commands);
                });
            }
        }

        commands.extend(
            views::shortcuts::UiCommand::pressed(&ctx)
                .into_iter()
                .map(Command::Ui),
        );
        views::shortcuts::help_window(&ctx, &mut self.help_open);
        if let Some(dialog) = &mut self.mapping_dialog {
            views::data::mapping_window(&ctx, dialog, &mut commands);
        }
        if let Some(layer) = self.data_ui.report_layer {
            views::data::report_window(&ctx, &view, layer, &mut commands);
        }
        self.export_png(&ctx);
        if std::mem::take(&mut self.focus_search) {
            ctx.memory_mut(|memory| memory.request_focus(views::filters::search_id()));
        }
        // Playback moves the period with wall time; the views follow through the filter.
        if self.state.playback.playing {
            let seconds = f64::from(ctx.input(|input| input.stable_dt).min(0.1));
            self.state.playback.advance(seconds, self.month_span);
            let (from, to) = self.state.playback.range(self.month_span);
            if (self.state.filter.from, self.state.filter.to) != (Some(from), Some(to)) {
                self.state.filter.set_range(Some(from), Some(to));
                self.refresh_derived();
            }
            ctx.request_repaint();
        }

        if !commands.is_empty() {
            // Show the result at once rather than on the next input event.
            ctx.request_repaint();
        }
        for command in commands {
            self.apply(command);
        }
        if !self.map.notices.is_empty() {
            self.notices.append(&mut self.map.notices);
            ctx.request_repaint();
        }
        // Files dropped on the window: a PMTiles or MBTiles file becomes the basemap, any
        // other file a data layer.
        let dropped: Vec<std::path::PathBuf> = ctx.input(|input| {
            input
                .raw
                .dropped_files
                .iter()
                .map(|file| file.path().to_path_buf())
                .filter(|path| !path.as_os_str().is_empty())
                .collect()
        });
        for path in dropped {
            let extension = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            if matches!(extension.as_deref(), Some("pmtiles" | "mbtiles")) {
                self.apply(Command::SetBasemap(views::map::BasemapRequest::File(path)));
            } else {
                self.apply(Command::OpenData(path));
            }
        }
        self.poll_loading(&ctx);
        let (lat, lon, zoom) = self.map.center_and_zoom();
        self.state.map_center = (lat, lon);
        self.state.map_zoom = zoom;
        self.state.selected_id = self
            .selection
            .selected
            .and_then(|i| self.dataset.incidents.get(i))
            .map(|incident| incident.id.clone());
    }
}

impl AtlasApp {
    /// Carry out an export: a screenshot at 1x (to a file or the clipboard), or a re-render
    /// at 2x/4x through the screenshot command.
    fn export_png(&mut self, ctx: &egui::Context) {
        use crate::export::{ExportResult, crop, render_scaled};
        if let Some(request) = self.pending_export.take() {
            let results = self.export_results.0.clone();
            let repaint = ctx.clone();
            if request.scale > 1 || request.target != crate::export::ExportTarget::Window {
                let file = std::env::temp_dir().join(format!(
                    "khorasan-atlas-export-{}.view.ron",
                    std::process::id()
                ));
                let mut view = self.view_file();
                let layout = match request.target {
                    crate::export::ExportTarget::Window => None,
                    crate::export::ExportTarget::Map => {
                        Some(views::presentation::PresentationLayout::MapOnly)
                    }
                    crate::export::ExportTarget::Timeline => {
                        Some(views::presentation::PresentationLayout::TimelineOnly)
                    }
                };
                if let Some(layout) = layout {
                    view.presenting = true;
                    view.state.presentation.layout = layout;
                }
                match crate::view_file::save(&file, &view) {
                    Ok(()) => render_scaled(file, request, self.window_size, results, repaint),
                    Err(error) => self.notices.push(error.to_string()),
                }
            } else {
                let rect = self.view_rects.of(request.target);
                let pixels_per_point = ctx.pixels_per_point();
                ctx.request_screenshot(move |image| {
                    let image = crop(&image, rect, pixels_per_point);
                    let result = match &request.path {
                        None => ExportResult::Copy(image),
                        Some(path) => ExportResult::Message(match save_png(path, &image) {
                            Ok(()) => format!(
                                "Exported {} ({}x{} px) to {}.",
                                request.target.label(),
                                image.size[0],
                                image.size[1],
                                path.display()
                            ),
                            Err(error) => format!("Could not export {}: {error}", path.display()),
                        }),
                    };
                    let _ = results.send(result);
                    repaint.request_repaint();
                });
            }
        }
        while let Ok(result) = self.export_results.1.try_recv() {
            match result {
                ExportResult::Message(message) => self.notices.push(message),
                ExportResult::Copy(image) => {
                    let size = image.size;
                    ctx.copy_image(image);
                    self.notices.push(format!(
                        "Copied a {}x{} picture to the clipboard.",
                        size[0], size[1]
                    ));
                }
            }
        }
    }
}

/// Write a screenshot (premultiplied RGBA) as a PNG file.
pub fn save_png(path: &std::path::Path, image: &egui::ColorImage) -> Result<(), String> {
    let [width, height] = image.size;
    let bytes: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|pixel| pixel.to_srgba_unmultiplied())
        .collect();
    let buffer = image::RgbaImage::from_raw(width as u32, height as u32, bytes)
        .ok_or_else(|| "the screenshot has no pixels".to_owned())?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|error| error.to_string())?;
    }
    buffer.save(path).map_err(|error| error.to_string())
}

/// First and last month any incident may fall in.
fn month_span(dataset: &Dataset) -> crate::model::playback::MonthSpan {
    use crate::model::aggregate::month_index;
    use chrono::Datelike as _;
    let first = dataset.incidents.iter().map(|i| i.date.first_day()).min();
    let last = dataset.incidents.iter().map(|i| i.date.last_day()).max();
    match (first, last) {
        (Some(first), Some(last)) => (
            month_index(first.year(), first.month()),
            month_index(last.year(), last.month()),
        ),
        _ => (month_index(2015, 1), month_index(2024, 12)),
    }
}

impl eframe::App for AtlasApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        match ron::to_string(&self.state) {
            Ok(text) => storage.set_string(STATE_KEY, text),
            Err(error) => log::warn!("could not save state: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_or_partial_saved_state_falls_back_to_defaults() {
        assert!(ron::from_str::<PersistedState>("(((garbage").is_err());
        let partial: PersistedState = ron::from_str("(dark_mode: false)").unwrap();
        assert!(!partial.dark_mode);
        assert!(partial.show_timeline);
        let old: PersistedState =
            ron::from_str("(dark_mode: false, retired_field: 3)").unwrap_or_default();
        assert!(old.show_filters);
    }

    #[test]
    fn state_round_trips_through_ron() {
        let mut state = PersistedState::default();
        state.filter.countries.insert("PK".into());
        state.filter.kinds.insert(Kind::FoiledPlot);
        state.filter.from = NaiveDate::from_ymd_opt(2021, 1, 1);
        let text = ron::to_string(&state).unwrap();
        assert_eq!(ron::from_str::<PersistedState>(&text).unwrap(), state);
    }
}
