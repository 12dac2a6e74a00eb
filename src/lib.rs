//! Khorasan Atlas: explore Islamic State Khorasan incidents on a linked timeline, map and
//! detail panel, all driven by one filter.
//!
//! The modules form layers, each importing only those below it:
//!
//! | layer | modules | what |
//! |---|---|---|
//! | entry points | `main.rs`, [`cli`], [`screenshot`] | the command line, the headless picture |
//! | app | [`app`] | owns the state, lays out the frame, applies commands |
//! | views | [`views`] | one file per panel: draw from the state, emit commands |
//! | state | [`state`] | commands, persisted state and its settings, derived data, saved views |
//! | data layers, loading, maps | [`layers`], [`loading`], [`tiles`], [`basemap`] | files as data layers, background loads, basemaps |
//! | io | [`io`] | importers and exporters with precise errors |
//! | model | [`model`] | incidents, dates with precision, the filter, the columnar scan, aggregations |
//!
//! [`synth`] writes synthetic data for scale tests and sits beside `io`; [`render`] draws egui
//! frames offscreen (wgpu) for pictures and knows nothing of the app.
#![forbid(unsafe_code)]

pub mod app;
pub mod basemap;
pub mod cli;
pub mod io;
pub mod layers;
pub mod loading;
pub mod model;
pub mod render;
pub mod screenshot;
pub mod state;
pub mod synth;
pub mod tiles;
pub mod vector;
pub mod views;

pub use app::AtlasApp;
