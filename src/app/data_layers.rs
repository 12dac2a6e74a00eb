//! Data layers in the app: opening files in the background, the mapping dialog, toggling,
//! colouring and removing layers, merging the shown ones into the views' dataset, and
//! exporting the filtered set.

use std::collections::VecDeque;
use std::sync::Arc;

use super::AtlasApp;
use crate::layers::{Layer, LayerSpec};
use crate::loading::{LoadJob, LoadOutcome, LoadRequest};
use crate::state::{Command, Notice};
use crate::views::data_menu::MappingDialog;

/// Files being loaded off the UI thread, one at a time, and those waiting.
pub struct Loader {
    /// The file being loaded.
    pub job: Option<LoadJob>,
    /// Files waiting for the current load (or the mapping dialog) to finish.
    queue: VecDeque<LoadRequest>,
    /// Numbers layers as they load, so their source ids never collide.
    layers_loaded: usize,
    /// Lets a loading thread wake the UI when it is done; set on the first frame.
    repaint: Option<egui::Context>,
}

impl Loader {
    pub(super) fn new(layers_loaded: usize) -> Self {
        Self {
            job: None,
            queue: VecDeque::new(),
            layers_loaded,
            repaint: None,
        }
    }

    /// Start a job that wakes the UI when it is done.
    fn start(
        &mut self,
        request: LoadRequest,
        mapping: Option<crate::io::import::FieldMapping>,
        remembered: std::collections::BTreeMap<String, crate::io::import::FieldMapping>,
    ) {
        let repaint = self.repaint.clone();
        self.job = Some(LoadJob::start(request, mapping, remembered, move || {
            if let Some(ctx) = &repaint {
                ctx.request_repaint();
            }
        }));
    }
}

impl AtlasApp {
    pub(super) fn apply_data_command(&mut self, command: Command) {
        match command {
            Command::OpenData(path) => self.queue_load(LoadRequest {
                path,
                spec: None,
                replaces: None,
            }),
            Command::ConfirmMapping(mapping) => {
                if let Some(dialog) = self.mapping_dialog.take() {
                    let missing = mapping.missing(dialog.has_geometry());
                    if missing.is_empty() {
                        self.state
                            .mappings
                            .insert(dialog.detected.shape_key(), mapping.clone());
                        self.start_job(dialog.request, Some(mapping));
                    } else {
                        self.mapping_dialog = Some(dialog);
                    }
                }
            }
            Command::CloseMappingDialog => {
                if let Some(dialog) = self.mapping_dialog.take() {
                    self.notices.push(Notice::info(format!(
                        "{} was not loaded (mapping cancelled).",
                        dialog.request.path.display()
                    )));
                }
            }
            Command::CancelLoad => {
                if let Some(job) = &self.loader.job {
                    job.progress.cancel();
                }
            }
            Command::SetLayerVisible(index, visible) => {
                if let Some(layer) = self.layers.get_mut(index) {
                    layer.spec.visible = visible;
                    self.rebuild_dataset();
                }
            }
            Command::SetLayerColour(index, colour) => {
                if let Some(layer) = self.layers.get_mut(index) {
                    layer.spec.colour = colour;
                }
            }
            // The embedded dataset can be hidden but not removed.
            Command::RemoveLayer(index)
                if self.layers.get(index).is_some_and(|l| !l.is_embedded()) =>
            {
                self.unmerge();
                let layer = self.layers.remove(index);
                self.data_ui.report_layer = None;
                self.notices.push(Notice::success(format!(
                    "Removed the data layer {}.",
                    layer.name
                )));
                self.rebuild_dataset();
            }
            Command::RemapLayer(index) => {
                if let Some(path) = self.layers.get(index).and_then(|l| l.spec.path.clone()) {
                    // Reading again with no remembered mapping opens the dialog on the guess
                    // (or on the mapping it was loaded with).
                    let spec = self.layers[index].spec.clone();
                    self.start_remap(path, spec);
                }
            }
            Command::ExportData(format, path) => self.export_data(format, &path),
            Command::ShowReport(layer) => self.data_ui.report_layer = layer,
            Command::ClearLayerCache => {
                let notice = match crate::io::cache::cache_dir() {
                    None => Notice::warning("The cache of loaded files is turned off."),
                    Some(dir) => match crate::io::cache::clear(&dir) {
                        Ok(freed) => Notice::success(format!(
                            "Cleared the cache of loaded files ({:.0} MB): files will be read \
                             afresh when next opened.",
                            freed as f64 / 1e6
                        )),
                        Err(error) => Notice::warning(format!(
                            "Could not clear the cache of loaded files in {}: {error}",
                            dir.display()
                        )),
                    },
                };
                self.notices.push(notice);
                self.data_ui.measure_cache();
            }
            _ => {}
        }
    }

    /// Load a file as a layer, in the background; `mapping` is used for CSV and GeoJSON
    /// files of no known schema instead of asking.
    pub fn open_file(
        &mut self,
        path: std::path::PathBuf,
        mapping: Option<crate::io::import::FieldMapping>,
    ) {
        self.queue_load(LoadRequest {
            path,
            spec: mapping.map(|mapping| LayerSpec {
                mapping: Some(mapping),
                ..LayerSpec::default()
            }),
            replaces: None,
        });
    }

    /// The context that wakes the UI from another thread, once the first frame has run.
    pub(super) fn loader_repaint(&self) -> Option<egui::Context> {
        self.loader.repaint.clone()
    }

    /// Whether a file is loading or waiting to (the screenshot command waits for them).
    pub fn is_loading(&self) -> bool {
        self.loader.job.is_some() || !self.loader.queue.is_empty()
    }

    /// Restore layers as a saved view or the last session had them: visibility and colour of
    /// those loaded, and a background load for files not loaded yet.
    pub(super) fn apply_layer_specs(&mut self, specs: Vec<LayerSpec>) {
        for spec in specs {
            match self
                .layers
                .iter_mut()
                .find(|layer| layer.spec.path == spec.path)
            {
                Some(layer) => {
                    layer.spec.visible = spec.visible;
                    layer.spec.colour = spec.colour;
                }
                None => {
                    if let Some(path) = spec.path.clone() {
                        self.queue_load(LoadRequest {
                            path,
                            spec: Some(spec),
                            replaces: None,
                        });
                    }
                }
            }
        }
    }

    fn queue_load(&mut self, request: LoadRequest) {
        let already = self
            .layers
            .iter()
            .any(|layer| layer.spec.path.as_ref() == Some(&request.path));
        if already && request.replaces.is_none() {
            self.notices.push(Notice::warning(format!(
                "{} is already loaded; remove its data layer first to load it again.",
                request.path.display()
            )));
            return;
        }
        if self.loader.job.is_some() || self.mapping_dialog.is_some() {
            self.loader.queue.push_back(request);
        } else {
            self.start_job(request, None);
        }
    }

    fn start_job(
        &mut self,
        request: LoadRequest,
        mapping: Option<crate::io::import::FieldMapping>,
    ) {
        self.loader
            .start(request, mapping, self.state.mappings.clone());
    }

    /// Open the mapping dialog for a loaded layer, starting from the mapping it used.
    fn start_remap(&mut self, path: std::path::PathBuf, spec: LayerSpec) {
        let request = LoadRequest {
            path: path.clone(),
            spec: Some(LayerSpec {
                mapping: None,
                ..spec.clone()
            }),
            replaces: Some(path),
        };
        // Forget the shape's mapping for this job only, so the dialog opens.
        self.loader.start(request, None, Default::default());
        self.data_ui.remap_from = spec.mapping;
    }

    /// Take the result of a finished load; start the next queued one.
    pub(super) fn poll_loading(&mut self, ctx: &egui::Context) {
        if self.loader.repaint.is_none() {
            self.loader.repaint = Some(ctx.clone());
        }
        let Some(job) = &self.loader.job else {
            if self.mapping_dialog.is_none()
                && let Some(next) = self.loader.queue.pop_front()
            {
                self.start_job(next, None);
                ctx.request_repaint();
            }
            return;
        };
        let Some(outcome) = job.poll() else {
            // Keep the progress bar moving.
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
            return;
        };
        self.loader.job = None;
        match outcome {
            LoadOutcome::Loaded {
                request,
                imported,
                mapping,
                remembered,
            } => {
                self.add_layer(request, *imported, mapping, remembered);
                // The load may have written an entry.
                self.data_ui.measure_cache();
            }
            LoadOutcome::NeedsMapping {
                request,
                detected,
                guess,
            } => {
                let start = self.data_ui.remap_from.take().unwrap_or(guess);
                self.mapping_dialog = Some(MappingDialog::new(request, detected, start));
            }
            LoadOutcome::Failed { error, .. } => {
                let kept = if self.layers.len() > 1 || !self.dataset.incidents.is_empty() {
                    " What was already loaded is unchanged."
                } else {
                    ""
                };
                self.notices
                    .push(Notice::warning(format!("{error}.{kept}")));
            }
        }
        ctx.request_repaint();
    }

    fn add_layer(
        &mut self,
        request: LoadRequest,
        imported: crate::io::import::Imported,
        mapping: Option<crate::io::import::FieldMapping>,
        remembered: bool,
    ) {
        let report = &imported.report;
        if report.loaded == 0 {
            let mut message = format!("{}: no row could be loaded.", report.summary());
            if let Some(first) = report.issues.first() {
                message.push_str(&format!(" First problem: {}", first.describe(&report.file)));
            }
            self.notices.push(Notice::warning(message));
            return;
        }
        let mut summary = format!("Loaded {}.", report.summary());
        if report.skipped() > 0 {
            summary.push_str(" See Data > Data layers > Report for the skipped rows.");
        }
        if remembered {
            summary.push_str(" The mapping remembered for files of this shape was used (Data > Data layers > Mapping to change it).");
        }
        for note in &report.notes {
            summary.push(' ');
            summary.push_str(note);
        }
        self.notices.push(if report.skipped() > 0 {
            Notice::warning(summary)
        } else {
            Notice::success(summary)
        });
        let show_report = report.skipped() > 0;
        self.loader.layers_loaded += 1;
        let spec = LayerSpec {
            path: Some(request.path.clone()),
            mapping,
            ..request.spec.clone().unwrap_or(LayerSpec {
                colour: crate::layers::next_colour(&self.layers),
                ..LayerSpec::default()
            })
        };
        let layer = Layer::imported(self.loader.layers_loaded, &request.path, imported, spec);
        self.unmerge();
        let index = match request.replaces.as_ref().and_then(|path| {
            self.layers
                .iter()
                .position(|l| l.spec.path.as_ref() == Some(path))
        }) {
            Some(index) => {
                self.layers[index] = layer;
                index
            }
            None => {
                self.layers.push(layer);
                self.layers.len() - 1
            }
        };
        if show_report {
            self.data_ui.report_layer = Some(index);
        }
        self.rebuild_dataset();
    }

    /// Write the filtered incidents as CSV or GeoJSON, the same columns as `export`.
    fn export_data(&mut self, format: crate::io::ExportFormat, path: &std::path::Path) {
        // The file holds what the filter selects now, not a result still being replaced.
        self.finish_derived();
        let incidents = self
            .derived
            .filtered
            .iter()
            .map(|&index| &self.dataset.incidents[index]);
        let result = (|| -> Result<(), String> {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            // Written beside the target, then renamed: a failed export never leaves half a file.
            let partial = path.with_extension("partial");
            let file = std::fs::File::create(&partial).map_err(|e| e.to_string())?;
            let mut out = std::io::BufWriter::new(file);
            match format {
                crate::io::ExportFormat::Csv => {
                    crate::io::write_csv(&mut out, &self.dataset, incidents)
                        .map_err(|e| e.to_string())?
                }
                crate::io::ExportFormat::Geojson => {
                    crate::io::write_geojson(&mut out, &self.dataset, incidents)
                        .map_err(|e| e.to_string())?
                }
            }
            use std::io::Write as _;
            out.flush().map_err(|e| e.to_string())?;
            drop(out);
            std::fs::rename(&partial, path).map_err(|e| e.to_string())
        })();
        self.notices.push(match result {
            Ok(()) => Notice::success(format!(
                "Exported {} incidents to {}.",
                self.derived.filtered.len(),
                path.display()
            )),
            Err(error) => {
                Notice::warning(format!("Could not export to {}: {error}", path.display()))
            }
        });
    }

    /// Give the merged incidents back to their layers; needed before a layer is added,
    /// replaced or removed (the merged dataset holds the shown layers' incidents).
    pub fn unmerge(&mut self) {
        let merged = std::mem::take(&mut self.dataset);
        let layer_of = std::mem::take(&mut self.layer_of);
        crate::layers::unmerge(&mut self.layers, merged, &layer_of);
        // The id stays selected; no index means anything while nothing is merged.
        self.state.selected.resolve(&self.dataset);
    }

    /// Merge the visible layers again after a layer changed; the selection follows its id.
    pub fn rebuild_dataset(&mut self) {
        self.unmerge();
        let (dataset, layer_of) = crate::layers::merge(&mut self.layers);
        let matches = crate::model::matching::find(&dataset, &layer_of);
        self.columns =
            Arc::new(crate::model::columns::Columns::build(&dataset).with_duplicates(&matches));
        self.matches = Arc::new(matches);
        self.dataset_version += 1;
        self.dataset = dataset;
        self.layer_of = layer_of;
        self.dataset_name = crate::layers::describe(&self.layers);
        self.month_span = crate::model::playback::month_span(&self.dataset);
        self.state.selected.resolve(&self.dataset);
        self.hover = crate::model::Hover::None;
        // The old result indexes the old dataset: replaced now, not a frame later.
        self.scan.invalidate();
        self.finish_derived();
    }
}
