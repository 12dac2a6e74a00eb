//! Loading and exporting data. Every error names the file, the line and the field.

pub mod cache;
pub mod export;
pub mod import;
pub mod ron_dataset;

pub use export::{ExportFormat, FormulaCells, write_csv, write_csv_with, write_geojson};
pub use ron_dataset::{LoadError, embedded_dataset, parse_dataset};
