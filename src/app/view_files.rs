//! Saving the current view to a file and opening one.

use super::AtlasApp;
use crate::state::Notice;
use crate::state::view_file::{self, LoadedView, ViewFile};

impl AtlasApp {
    /// The current view as a file: filters, map, layers, selection, layout, title, theme, size.
    pub fn view_file(&self) -> ViewFile {
        ViewFile {
            window_size: self.window_size,
            presenting: self.presenting,
            state: self.persisted(),
            ..ViewFile::default()
        }
    }

    pub(super) fn save_view(&mut self, path: &std::path::Path) {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(parent);
        }
        self.notices
            .push(match view_file::save(path, &self.view_file()) {
                Ok(()) => Notice::success(format!("Saved the view to {}.", path.display())),
                Err(error) => Notice::warning(error.to_string()),
            });
    }

    /// Replace the current view with a loaded one; fields it lacks keep their defaults.
    pub fn open_view(&mut self, loaded: LoadedView, file: &str) {
        if let Some(notice) = loaded.notice(file) {
            self.notices.push(Notice::info(notice));
        }
        let view = loaded.view;
        let mut state = view.state;
        let (lat, lon) = state.map_center;
        if lat.is_finite() && lon.is_finite() {
            self.map.center_on(lat, lon);
            self.map.set_zoom(state.map_zoom);
            // The view's camera, not the region framed anew on the first frame (a view opened
            // at start, or by the screenshot command, came before that frame).
            self.map.keep_camera();
        }
        // The layer list is the truth from here on; the state's copy is written when saved.
        let specs = std::mem::take(&mut state.layers);
        self.state = state;
        self.state.playback.playing = false;
        self.apply_layer_specs(specs);
        self.rebuild_dataset();
        self.presenting = view.presenting;
        self.window_size = view.window_size;
        self.refresh_derived();
    }
}
