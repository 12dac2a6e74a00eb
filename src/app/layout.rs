//! One frame of UI: the panels placed and drawn from the state. They return commands,
//! applied once every panel has drawn.

use super::AtlasApp;
use crate::state::{CentralView, Command, PlaybackAction, PresentationLayout, UiCommand};
use crate::views;

/// Which panels a frame shows.
struct Panels {
    filters: bool,
    detail: bool,
    timeline: bool,
    /// The timeline alone, in the central area (a timeline-only presentation).
    timeline_in_centre: bool,
}

impl AtlasApp {
    fn panels(&self) -> Panels {
        let panels = |filters, detail, timeline, timeline_in_centre| Panels {
            filters,
            detail,
            timeline,
            timeline_in_centre,
        };
        if self.presenting {
            match self.state.presentation.layout {
                PresentationLayout::MapAndTimeline => panels(false, false, true, false),
                PresentationLayout::MapOnly => panels(false, false, false, false),
                PresentationLayout::TimelineOnly => panels(false, false, false, true),
                PresentationLayout::AllThree => panels(false, true, true, false),
            }
        } else {
            panels(
                self.state.show_filters,
                self.state.show_detail,
                self.state.show_timeline,
                false,
            )
        }
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
        let hover = std::mem::take(&mut self.hover);
        let mut commands = Vec::new();
        self.poll_scan();
        if self.is_deriving() {
            // Look again soon: the result lands without any input event.
            ctx.request_repaint();
        }
        // Larger type on slides.
        let zoom = self.base_zoom * if self.presenting { 1.2 } else { 1.0 };
        if (ctx.zoom_factor() - zoom).abs() > f32::EPSILON {
            ctx.set_zoom_factor(zoom);
        }
        let content = ctx.content_rect();
        self.window_size = (content.width() * zoom, content.height() * zoom);
        let panels = self.panels();
        self.view_rects = Default::default();

        let (lat, lon, _) = self.map.center_and_zoom();
        let overlays = &self.state.map_overlays;
        let change_shown = self.state.central == CentralView::Change
            || (overlays.choropleth && overlays.choropleth_change);
        let change = change_shown.then(|| {
            self.change_cache.get(
                &self.dataset,
                self.dataset_version,
                self.derived.generation,
                &self.state.filter,
                self.state.change,
            )
        });
        let view = views::ViewContext {
            map_center: (lat, lon),
            dataset: &self.dataset,
            dataset_name: &self.dataset_name,
            state: &self.state,
            derived: &self.derived,
            selected: self.state.selected.index(),
            hover: &hover,
            presenting: self.presenting,
            month_span: self.month_span,
            layers: &self.layers,
            layer_of: &self.layer_of,
            matches: &self.matches,
            dataset_version: self.dataset_version,
            columns: &self.columns,
            deriving: self.scan.is_running(),
            export_progress: self.animation.as_ref().map(|job| &*job.progress),
            cache_bytes: self.data_ui.cache_bytes,
            change,
        };
        if self.presenting {
            views::presentation::header(ui, &view, &mut commands);
            views::presentation::footer(ui, &view, self.map.tile_credit().as_deref());
        } else {
            views::top_bar::show(
                ui,
                &view,
                views::top_bar::TopBarState {
                    notices: &self.notices,
                    loading: self.loader.job.as_ref(),
                },
                &mut commands,
            );
        }
        if panels.filters {
            egui::Panel::left("filters")
                .resizable(true)
                .default_size(230.0)
                .min_size(190.0)
                .show(ui, |ui| {
                    views::filters::show(ui, &view, &mut self.filters, &mut commands)
                });
        }
        if panels.detail {
            egui::Panel::right("detail")
                .resizable(true)
                .default_size(370.0)
                .min_size(280.0)
                .show(ui, |ui| {
                    views::detail::show(ui, &view, &mut self.table, &mut commands)
                });
        }
        if panels.timeline {
            let mut panel = egui::Panel::bottom("timeline")
                .resizable(true)
                .default_size(250.0)
                .min_size(160.0);
            if self.presenting {
                // A slide gives the map the larger share at any size, whatever the app's
                // timeline was dragged to.
                let height = ui.available_height();
                panel = panel
                    .resizable(false)
                    .exact_size((height * 0.36).clamp(160.0, 420.0));
            }
            let response = panel
                .show(ui, |ui| self.timeline.show(ui, &view, &mut commands))
                .response;
            self.view_rects.timeline = Some(response.rect);
        }
        if panels.timeline_in_centre {
            let response = egui::CentralPanel::default()
                .show(ui, |ui| self.timeline.show(ui, &view, &mut commands))
                .response;
            self.view_rects.timeline = Some(response.rect);
        } else {
            match self.state.central {
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
                CentralView::Change => {
                    egui::CentralPanel::default().show(ui, |ui| {
                        views::change::show(ui, &view, &mut self.change_table, &mut commands);
                    });
                }
            }
        }

        // The palette takes its keys (Esc, Enter, arrows) before the shortcuts do.
        views::palette::palette_window(&ctx, &mut self.palette, &mut commands);
        commands.extend(UiCommand::pressed(&ctx).into_iter().map(Command::Ui));
        views::help::help_window(&ctx, &mut self.help_open);
        if let Some(dialog) = &mut self.mapping_dialog {
            views::data_menu::mapping_window(&ctx, dialog, &mut commands);
        }
        if let Some(layer) = self.data_ui.report_layer {
            views::data_menu::report_window(&ctx, &view, layer, &mut commands);
        }
        self.end_frame(&ctx, commands);
    }

    /// After the panels: pictures, focus, playback, then the frame's commands, dropped
    /// files and finished loads.
    fn end_frame(&mut self, ctx: &egui::Context, mut commands: Vec<Command>) {
        self.export_picture(ctx);
        if std::mem::take(&mut self.focus_search) {
            ctx.memory_mut(|memory| memory.request_focus(views::filters::search_id()));
        }
        if self.state.playback.playing {
            let seconds = f64::from(ctx.input(|input| input.stable_dt).min(0.1));
            commands.push(Command::Playback(PlaybackAction::Advance(seconds)));
        }
        if !commands.is_empty() {
            // Show the result at once rather than on the next input event.
            ctx.request_repaint();
        }
        for command in commands {
            self.apply(command);
        }
        let dropped: Vec<std::path::PathBuf> = ctx.input(|input| {
            input
                .raw
                .dropped_files
                .iter()
                .map(|file| file.path().to_path_buf())
                .filter(|path| !path.as_os_str().is_empty())
                .collect()
        });
        self.open_dropped(dropped);
        self.poll_loading(ctx);
        self.poll_file_dialogs(ctx);
    }
}
