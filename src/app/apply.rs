//! Carrying out commands: the one place where the state changes. Views, shortcuts, playback
//! and files dropped on the window all come through [`AtlasApp::apply`].

use super::AtlasApp;
use crate::model::Filter;
use crate::state::{CentralView, Command, Notice, PlaybackAction, UiCommand};

impl AtlasApp {
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::Select(index) => self.state.selected.select(&self.dataset, index),
            Command::SelectAndCenter(index) => {
                self.state.selected.select(&self.dataset, Some(index));
                if let Some(incident) = self.dataset.incidents.get(index) {
                    self.map
                        .center_on(incident.location.lat, incident.location.lon);
                }
            }
            Command::Hover(hover) => self.hover = hover,
            Command::SetFilter(filter) => self.state.filter = filter,
            Command::SetTimeRange(from, to) => self.state.filter.set_range(from, to),
            Command::ResetFilter => self.state.filter = Filter::default(),
            Command::SetStackBy(stack_by) => self.state.stack_by = stack_by,
            Command::FitMapToFiltered => self.fit_map_to_filtered(),
            Command::SetDarkMode(dark) => self.state.dark_mode = dark,
            Command::ShowReportedSeries(id) => self.state.reported_series = id,
            Command::SetChange(settings) => self.state.change = settings,
            Command::SetMapOverlays(overlays) => self.state.map_overlays = overlays,
            Command::SetBasemap(request) => {
                use crate::state::BasemapRequest;
                match &request {
                    BasemapRequest::File(path) => self.state.basemap.file = Some(path.clone()),
                    BasemapRequest::Offline => self.state.basemap.file = None,
                    BasemapRequest::Online => {}
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
            Command::OpenView(path) => match crate::state::view_file::load(&path) {
                Ok(loaded) => self.open_view(loaded, &path.display().to_string()),
                Err(error) => self.notices.push(Notice::warning(format!(
                    "{error}. The current view is unchanged."
                ))),
            },
            Command::ExportPicture(request) => self.pictures.request(request),
            Command::ExportAnimation(request) => self.pictures.request_animation(request),
            Command::CancelExport => {
                if let Some(job) = &self.animation {
                    job.progress.cancel();
                }
            }
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
            Command::Notify(notice) => self.notices.push(notice),
            Command::Browse(request) => self.browse(request),
            Command::DismissNotice(index) => {
                if index < self.notices.len() {
                    self.notices.remove(index);
                }
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
            | Command::ClearLayerCache
            | Command::ShowReport(_) => self.apply_data_command(command),
        }
        self.refresh_derived();
    }

    fn fit_map_to_filtered(&mut self) {
        // Fit what the filter selects now, not a result still being replaced.
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
            // The views follow the moving period through the filter.
            PlaybackAction::Advance(seconds) => playback.advance(seconds, span),
        }
        // The filter's period is the playback window's while a cursor is set.
        if self.state.playback.cursor.is_some() {
            let (from, to) = self.state.playback.range(self.month_span);
            if (self.state.filter.from, self.state.filter.to) != (Some(from), Some(to)) {
                self.state.filter.set_range(Some(from), Some(to));
            }
        }
    }

    fn run_ui_command(&mut self, command: UiCommand) {
        match command {
            UiCommand::PlayPause => self.playback(PlaybackAction::Toggle),
            UiCommand::StepBack => self.playback(PlaybackAction::Step(-1)),
            UiCommand::StepForward => self.playback(PlaybackAction::Step(1)),
            UiCommand::CloseOrClear => {
                // One window at a time, the one on top first.
                if self.palette.open {
                    self.palette.close();
                } else if self.help_open {
                    self.help_open = false;
                } else if self.mapping_dialog.is_some() {
                    self.apply(Command::CloseMappingDialog);
                } else if self.data_ui.report_layer.is_some() {
                    self.data_ui.report_layer = None;
                } else if self.map.tool_active() {
                    self.map.stop_tools();
                } else {
                    self.state.selected.clear();
                }
            }
            UiCommand::OpenPalette => self.palette.open(),
            UiCommand::DrawArea => {
                self.state.central = CentralView::Map;
                self.map.start_drawing(crate::views::map::DrawMode::Circle);
            }
            UiCommand::ClearAreas => self.state.filter.areas.clear(),
            UiCommand::ShowChange => self.state.central = CentralView::Change,
            UiCommand::ToggleFilters => self.state.show_filters = !self.state.show_filters,
            UiCommand::ToggleTimeline => self.state.show_timeline = !self.state.show_timeline,
            UiCommand::ToggleDetails => self.state.show_detail = !self.state.show_detail,
            UiCommand::FocusSearch => {
                self.state.show_filters = true;
                self.focus_search = true;
            }
            UiCommand::FitMap => self.fit_map_to_filtered(),
            UiCommand::FrameRegion => self.map.frame_region(),
            UiCommand::ToggleTrends => {
                self.state.central = match self.state.central {
                    CentralView::Map => CentralView::Trends,
                    CentralView::Trends | CentralView::Change => CentralView::Map,
                };
            }
            UiCommand::ToggleTheme => self.state.dark_mode = !self.state.dark_mode,
            UiCommand::ResetFilters => self.state.filter = Filter::default(),
            UiCommand::ToggleHelp => self.help_open = !self.help_open,
            UiCommand::TogglePresentation => self.presenting = !self.presenting,
        }
    }

    /// Files dropped on the window: a PMTiles or MBTiles file becomes the basemap, any other
    /// file a data layer.
    pub(super) fn open_dropped(&mut self, paths: Vec<std::path::PathBuf>) {
        for path in paths {
            let extension = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            if matches!(extension.as_deref(), Some("pmtiles" | "mbtiles")) {
                self.apply(Command::SetBasemap(crate::state::BasemapRequest::File(
                    path,
                )));
            } else {
                self.apply(Command::OpenData(path));
            }
        }
    }
}
