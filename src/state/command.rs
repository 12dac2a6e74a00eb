//! What a panel asks the app to do. Panels never change the state themselves: they push
//! commands, and the app applies them after the UI pass.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::persisted::CentralView;
use super::settings::{BasemapRequest, MapOverlays, PresentationSettings, TrendSettings};
use super::ui_command::UiCommand;
use crate::model::selection::{Hover, IncidentIndex};
use crate::model::{Filter, StackBy};

#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub enum Command {
    Select(Option<IncidentIndex>),
    /// Select and centre the map on it (table rows).
    SelectAndCenter(IncidentIndex),
    /// What the pointer is over this frame (cleared every frame).
    Hover(Hover),
    SetFilter(Filter),
    SetTimeRange(Option<NaiveDate>, Option<NaiveDate>),
    ResetFilter,
    SetStackBy(StackBy),
    FitMapToFiltered,
    SetDarkMode(bool),
    ShowReportedSeries(Option<String>),
    SetMapOverlays(MapOverlays),
    SetBasemap(BasemapRequest),
    SetBasemapSettings(crate::tiles::BasemapSettings),
    SetTrends(TrendSettings),
    SetChange(crate::model::change::ChangeSettings),
    Playback(PlaybackAction),
    SetTimelineLanes(bool),
    SetPresentation(PresentationSettings),
    SetAnnotations(Vec<crate::model::annotation::Annotation>),
    SaveView(PathBuf),
    OpenView(PathBuf),
    /// Write a picture of the window or of one view (PNG).
    ExportPicture(PictureRequest),
    /// Write the playback as an animated GIF, one frame per month.
    ExportAnimation(AnimationRequest),
    /// Stop the animation being exported; nothing is written.
    CancelExport,
    /// Run a command from the shared command list (buttons, menus and shortcuts).
    Ui(UiCommand),
    ShowCentral(CentralView),
    SetLayout {
        show_filters: bool,
        show_detail: bool,
        show_timeline: bool,
    },
    /// Load a file as a new data layer (Data > Open, drag and drop, `--data`).
    OpenData(PathBuf),
    /// Load the file waiting in the mapping dialog with this mapping.
    ConfirmMapping(crate::io::import::FieldMapping),
    CloseMappingDialog,
    CancelLoad,
    SetLayerVisible(usize, bool),
    SetLayerColour(usize, [u8; 3]),
    RemoveLayer(usize),
    /// Reopen the mapping dialog for a loaded CSV or GeoJSON data layer.
    RemapLayer(usize),
    /// Write the filtered incidents to a file.
    ExportData(crate::io::ExportFormat, PathBuf),
    /// Open (or close) the import report of a data layer.
    ShowReport(Option<usize>),
    /// Empty the cache of loaded files (`io::cache`).
    ClearLayerCache,
    /// Tell the user something (a basemap that could not be opened, say).
    Notify(Notice),
    /// Remove a notice from the top bar.
    DismissNotice(usize),
    /// Choose a file in the system's file dialog for a typed path field.
    Browse(FileDialogRequest),
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
    /// Wall time passed while playing (seconds since the last frame).
    Advance(f64),
}

/// Which part of the window a picture covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PictureScope {
    #[default]
    Window,
    Map,
    Timeline,
}

impl PictureScope {
    pub const ALL: [Self; 3] = [Self::Window, Self::Map, Self::Timeline];

    pub fn label(self) -> &'static str {
        match self {
            Self::Window => "whole window",
            Self::Map => "map only",
            Self::Timeline => "timeline only",
        }
    }
}

/// A picture asked for from the View menu.
#[derive(Clone, Debug, PartialEq)]
pub struct PictureRequest {
    /// `None`: copy to the clipboard.
    pub path: Option<PathBuf>,
    pub scope: PictureScope,
    /// Pixels per point: 1, 2 or 4.
    pub scale: u8,
}

/// A file dialog for the typed path field `field` (its text in egui's memory under that id):
/// the path chosen replaces the field's text, and the typed path stays the way when there is
/// no dialog.
#[derive(Clone, Debug, PartialEq)]
pub struct FileDialogRequest {
    pub field: egui::Id,
    /// Save (a new file may be named) or open (an existing file).
    pub save: bool,
    /// Choose a folder (a partitioned Parquet dataset) rather than a file.
    pub folder: bool,
    pub title: String,
    /// "GeoJSON" and its extensions, without dots; none: any file.
    pub filter: Option<(String, Vec<String>)>,
    /// Where the dialog starts: the folder of the path typed so far.
    pub start: Option<PathBuf>,
}

/// An animation asked for from the View menu: the window at `scale`, one frame per month.
#[derive(Clone, Debug, PartialEq)]
pub struct AnimationRequest {
    pub path: PathBuf,
    /// Pixels per point: 1, 2 or 4.
    pub scale: u8,
}

/// How far a long export has got, shared between its thread and the UI, which draws a
/// progress bar and can cancel it.
#[derive(Debug, Default)]
pub struct ExportProgress {
    done: AtomicUsize,
    total: AtomicUsize,
    cancelled: AtomicBool,
}

impl ExportProgress {
    pub fn set_total(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
    }

    pub fn advance(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// (done, total).
    pub fn counts(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

/// How much a message matters, which decides its colour in the top bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoticeLevel {
    /// Something done as asked: "Exported 12 incidents".
    Success,
    /// Worth knowing, nothing wrong: "The mapping remembered for files of this shape was used".
    Info,
    /// Something was not done, or not as asked: a file that could not be read.
    Warning,
}

/// A message for the user, shown in the top bar until dismissed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub level: NoticeLevel,
    pub text: String,
}

impl Notice {
    pub fn success(text: impl Into<String>) -> Self {
        Self {
            level: NoticeLevel::Success,
            text: text.into(),
        }
    }

    pub fn info(text: impl Into<String>) -> Self {
        Self {
            level: NoticeLevel::Info,
            text: text.into(),
        }
    }

    pub fn warning(text: impl Into<String>) -> Self {
        Self {
            level: NoticeLevel::Warning,
            text: text.into(),
        }
    }
}
