//! The state under the views: what a panel may read, and the commands it may send.
//!
//! Panels import this module, never the app: `views` -> `state` -> data layers, loading and
//! tiles -> `io` -> `model`. Everything here outlives a frame: the commands the views emit,
//! the persisted state and the settings it holds, the data derived from the filter, and saved
//! view files.

pub mod command;
pub mod derived;
pub mod persisted;
pub mod settings;
pub mod ui_command;
pub mod view_file;

pub use command::{
    AnimationRequest, Command, ExportProgress, FileDialogRequest, Notice, NoticeLevel,
    PictureRequest, PictureScope, PlaybackAction,
};
pub use derived::{Derived, FacetCounts};
pub use persisted::{CentralView, PersistedState};
pub use settings::{
    BasemapRequest, MapOverlays, PresentationLayout, PresentationSettings, TrendSettings,
};
pub use ui_command::UiCommand;
