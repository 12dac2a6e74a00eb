//! File dialogs for the typed path fields. The system's dialog (rfd: the desktop portal, then
//! zenity) runs on its own thread, because a portal that never starts can hold the call; what
//! it returns fills the field. A dialog that closes at once with nothing chosen is taken to be
//! no dialog at all, and the user is told to type the path.

use std::path::PathBuf;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use super::AtlasApp;
use crate::state::{FileDialogRequest, Notice};

/// What a file dialog came back with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Picked {
    File(PathBuf),
    /// Closed with nothing chosen.
    Nothing,
}

/// Shows a file dialog and waits for it (called off the UI thread). Tests script one.
pub trait FilePicker: Send + Sync {
    fn pick(&self, request: &FileDialogRequest) -> Picked;
}

/// The system's file dialog.
pub struct SystemPicker;

impl FilePicker for SystemPicker {
    fn pick(&self, request: &FileDialogRequest) -> Picked {
        let mut dialog = rfd::FileDialog::new().set_title(&request.title);
        if let Some((name, extensions)) = &request.filter {
            dialog = dialog.add_filter(name, extensions);
        }
        if let Some(start) = &request.start {
            dialog = dialog.set_directory(start);
        }
        let chosen = if request.folder {
            dialog.pick_folder()
        } else if request.save {
            dialog.save_file()
        } else {
            dialog.pick_file()
        };
        chosen.map_or(Picked::Nothing, Picked::File)
    }
}

/// Faster than anyone chooses nothing: the dialog never opened.
const NO_DIALOG_WITHIN: Duration = Duration::from_millis(300);

/// A dialog's answer: for which field, what was picked, how long the dialog took.
type Answer = (egui::Id, Picked, Duration);

/// The picker and the answers on their way back.
pub struct FileDialogs {
    picker: Arc<dyn FilePicker>,
    answers: (mpsc::Sender<Answer>, mpsc::Receiver<Answer>),
    /// Dialogs open now.
    open: usize,
}

impl Default for FileDialogs {
    fn default() -> Self {
        Self {
            picker: Arc::new(SystemPicker),
            answers: mpsc::channel(),
            open: 0,
        }
    }
}

impl AtlasApp {
    /// Use another file dialog (tests use a scripted one).
    pub fn set_file_picker(&mut self, picker: Arc<dyn FilePicker>) {
        self.file_dialogs.picker = picker;
    }

    pub(super) fn browse(&mut self, request: FileDialogRequest) {
        let picker = self.file_dialogs.picker.clone();
        let answers = self.file_dialogs.answers.0.clone();
        let repaint = self.loader_repaint();
        let work = move || {
            let started = Instant::now();
            let picked = picker.pick(&request);
            let _ = answers.send((request.field, picked, started.elapsed()));
            if let Some(ctx) = repaint {
                ctx.request_repaint();
            }
        };
        match std::thread::Builder::new()
            .name("file-dialog".to_owned())
            .spawn(work)
        {
            Ok(_) => self.file_dialogs.open += 1,
            Err(error) => self.notices.push(Notice::warning(format!(
                "No file dialog ({error}): type the path instead."
            ))),
        }
    }

    /// Put a chosen path into its field.
    pub(super) fn poll_file_dialogs(&mut self, ctx: &egui::Context) {
        while let Ok((field, picked, took)) = self.file_dialogs.answers.1.try_recv() {
            self.file_dialogs.open = self.file_dialogs.open.saturating_sub(1);
            match picked {
                Picked::File(path) => {
                    ctx.data_mut(|data| data.insert_temp(field, path.display().to_string()));
                }
                Picked::Nothing if took < NO_DIALOG_WITHIN => {
                    self.notices.push(Notice::info(
                        "No file dialog is available here (no desktop portal or zenity): type \
                         the path instead.",
                    ));
                }
                Picked::Nothing => {}
            }
        }
        if self.file_dialogs.open > 0 {
            ctx.request_repaint_after(Duration::from_millis(200));
        }
    }
}
