//! Khorasan Atlas: explore Islamic State Khorasan incidents on a linked timeline, map and
//! detail panel, all driven by one filter.
#![forbid(unsafe_code)]

pub mod app;
pub mod basemap;
pub mod cli;
pub mod export;
pub mod io;
pub mod layers;
pub mod loading;
pub mod model;
pub mod screenshot;
pub mod synth;
pub mod tiles;
pub mod view_file;
pub mod views;

pub use app::AtlasApp;
