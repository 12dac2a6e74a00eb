//! Importing analysts' own data: ACLED, GTD and UCDP GED exports, any CSV or GeoJSON through a
//! field mapping, and our own RON.
//!
//! Every loader follows the same rules:
//! - the format is detected from the content (the extension only breaks ties and explains
//!   mistakes);
//! - a malformed row costs that row: it is skipped and reported with its line, column, value
//!   and why, and every valid row loads;
//! - a file that is not what it claims to be gets one clear error;
//! - nothing panics, whatever the bytes.

pub mod acled;
pub mod column_index;
pub mod columnar;
pub mod countries;
pub mod detect;
pub mod fields;
pub mod generic;
pub mod geojson;
pub mod gtd;
pub mod mapping;
pub mod provinces;
pub mod records;
pub mod subset;
pub mod ucdp;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::model::Dataset;

pub use detect::{Detected, detect};
pub use mapping::FieldMapping;
pub use subset::{Period, Subset};

/// Rows (or features) sampled to guess a field mapping.
pub const SAMPLE_ROWS: usize = 50;

/// Whether the content starts like JSON: GeoJSON must be parsed whole, even to detect it.
pub fn looks_like_json(bytes: &[u8]) -> bool {
    let bytes = strip_bom(bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b'{' | b'['))
}

/// The content without a UTF-8 byte order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The formats a file can be loaded as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    /// The Khorasan Atlas RON schema (the embedded dataset's).
    Ron,
    Acled,
    Gtd,
    Ucdp,
    GeoJson,
    /// Any other CSV, read through a [`FieldMapping`].
    Csv,
    /// Apache Parquet: one file, or a folder of them partitioned by `key=value` folders.
    Parquet,
    /// Apache Arrow IPC, file (Feather 2) or stream.
    Arrow,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Self::Ron => "Khorasan Atlas RON",
            Self::Acled => "ACLED CSV",
            Self::Gtd => "GTD CSV",
            Self::Ucdp => "UCDP GED CSV",
            Self::GeoJson => "GeoJSON",
            Self::Csv => "CSV",
            Self::Parquet => "Parquet",
            Self::Arrow => "Arrow IPC",
        }
    }

    /// Whether rows are read through a user-correctable field mapping.
    pub fn needs_mapping(self) -> bool {
        matches!(
            self,
            Self::GeoJson | Self::Csv | Self::Parquet | Self::Arrow
        )
    }
}

/// One skipped row: where it is and why it was skipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowIssue {
    /// 1-based line the row starts on.
    pub line: u64,
    /// The column or property at fault; empty when the whole row is.
    pub column: String,
    /// The offending value, shortened for display.
    pub value: String,
    pub why: String,
}

impl RowIssue {
    pub fn new(line: u64, column: &str, value: &str, why: impl Into<String>) -> Self {
        Self {
            line,
            column: column.to_owned(),
            value: shorten(value, 80),
            why: why.into(),
        }
    }

    /// "file:12: column 'event_date' = '2021-13-01': not a date".
    pub fn describe(&self, file: &str) -> String {
        let mut text = format!("{file}:{}:", self.line);
        if !self.column.is_empty() {
            text.push_str(&format!(" column '{}'", self.column));
            if !self.value.is_empty() {
                text.push_str(&format!(" = '{}'", self.value));
            }
            text.push(':');
        }
        text.push(' ');
        text.push_str(&self.why);
        text
    }
}

/// At most this many row issues are kept in a report; the rest are only counted.
pub const MAX_REPORTED_ISSUES: usize = 2_000;

/// What happened to every row of one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub file: String,
    pub format: Format,
    /// Data rows (or features) read, good and bad.
    pub rows: u64,
    pub loaded: usize,
    /// Skipped rows, in file order, up to [`MAX_REPORTED_ISSUES`].
    pub issues: Vec<RowIssue>,
    /// Skipped rows beyond those listed in `issues`.
    pub unlisted_issues: u64,
    /// Remarks about the whole file (the extension did not match the content, etc.).
    pub notes: Vec<String>,
}

impl ImportReport {
    pub fn new(file: &str, format: Format) -> Self {
        Self {
            file: file.to_owned(),
            format,
            rows: 0,
            loaded: 0,
            issues: Vec::new(),
            unlisted_issues: 0,
            notes: Vec::new(),
        }
    }

    pub fn skip(&mut self, issue: RowIssue) {
        if self.issues.len() < MAX_REPORTED_ISSUES {
            self.issues.push(issue);
        } else {
            self.unlisted_issues += 1;
        }
    }

    pub fn skipped(&self) -> u64 {
        self.issues.len() as u64 + self.unlisted_issues
    }

    /// "acled.csv (ACLED CSV): 48 of 50 rows loaded, 2 skipped".
    pub fn summary(&self) -> String {
        format!(
            "{} ({}): {} of {} rows loaded, {} skipped",
            self.file,
            self.format.label(),
            self.loaded,
            self.rows,
            self.skipped()
        )
    }
}

/// A loaded file: its incidents as a dataset, and the report.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Imported {
    pub dataset: Dataset,
    pub report: ImportReport,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: not a text file (binary data at byte {offset}); expected CSV, GeoJSON or RON")]
    Binary { file: String, offset: usize },
    #[error("{file}: not UTF-8 text (invalid byte at line {line}); save it as UTF-8")]
    NotUtf8 { file: String, line: u64 },
    #[error("{file}: not a valid {format} file: {why}")]
    NotFormat {
        file: String,
        format: &'static str,
        why: String,
    },
    #[error("{file}: {why}")]
    Mapping { file: String, why: String },
    #[error("{file}: loading cancelled")]
    Cancelled { file: String },
    /// A kept row of a subset load repeats the id of a row not kept: the file is read again,
    /// whole, then filtered ([`import_file_within`] does it; never shown).
    #[error("{file}: to be read again whole")]
    ReadAgain { file: String },
    #[error(transparent)]
    Ron(#[from] super::LoadError),
}

/// Shared with a loading thread: how far it got, and whether to stop.
#[derive(Debug, Default)]
pub struct Progress {
    done_bytes: AtomicU64,
    total_bytes: AtomicU64,
    cancelled: AtomicBool,
}

impl Progress {
    pub fn set_total(&self, bytes: u64) {
        self.total_bytes.store(bytes, Ordering::Relaxed);
    }

    pub fn set_done(&self, bytes: u64) {
        self.done_bytes.store(bytes, Ordering::Relaxed);
    }

    /// 0.0 to 1.0.
    pub fn fraction(&self) -> f32 {
        let total = self.total_bytes.load(Ordering::Relaxed);
        if total == 0 {
            return 0.0;
        }
        (self.done_bytes.load(Ordering::Relaxed) as f64 / total as f64).clamp(0.0, 1.0) as f32
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

/// Bytes read from the start of a file to recognise its format and sample its columns.
const HEAD_BYTES: u64 = 256 * 1024;

/// The start of a file, for [`detect`]: enough for the header and the sampled rows.
pub fn read_head(path: &Path) -> Result<Vec<u8>, ImportError> {
    use std::io::Read as _;
    let io_error = |source| ImportError::Io {
        file: path.display().to_string(),
        source,
    };
    let mut head = Vec::new();
    std::fs::File::open(path)
        .map_err(io_error)?
        .take(HEAD_BYTES)
        .read_to_end(&mut head)
        .map_err(io_error)?;
    Ok(head)
}

/// Read and import a file. `mapping` is used for generic CSV and GeoJSON; without one, the
/// guessed mapping is used. CSV files are read as they are parsed, not held whole in memory.
pub fn import_file(
    path: &Path,
    mapping: Option<&FieldMapping>,
    progress: &Progress,
) -> Result<Imported, ImportError> {
    import_file_within(path, mapping, &Subset::everything(), progress)
}

/// [`import_file`], where only `subset` is wanted: a Parquet dataset's partitions and row
/// groups wholly outside its period are not read, and with a filter the load holds exactly
/// the incidents it keeps (see [`subset`]).
pub fn import_file_within(
    path: &Path,
    mapping: Option<&FieldMapping>,
    subset: &Subset,
    progress: &Progress,
) -> Result<Imported, ImportError> {
    match import_file_once(path, mapping, subset, progress) {
        Err(ImportError::ReadAgain { .. }) => {
            let mut imported = import_file_once(path, mapping, &Subset::everything(), progress)?;
            imported.keep_only(subset);
            Ok(imported)
        }
        other => other,
    }
}

fn import_file_once(
    path: &Path,
    mapping: Option<&FieldMapping>,
    subset: &Subset,
    progress: &Progress,
) -> Result<Imported, ImportError> {
    use std::io::{Seek as _, SeekFrom};
    // Rows are placed by the basemap, parsed on first use; the converting threads would wait
    // for it together (tens of milliseconds), so it is parsed here while the file is opened
    // and its first rows decoded (without a thread to spare, the first row parses it).
    let _ = std::thread::Builder::new()
        .name("basemap".into())
        .spawn(crate::basemap::Basemap::shared);
    // Parquet and Arrow files, and folders of Parquet, say what they are in their first bytes
    // (or by being a folder) and are read by column.
    if let Some(imported) = columnar::import_path(path, mapping, subset, progress)? {
        return Ok(imported);
    }
    let file = path.display().to_string();
    let io_error = |source| ImportError::Io {
        file: file.clone(),
        source,
    };
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let size = std::fs::metadata(path).map_err(io_error)?.len();
    let head = read_head(path)?;
    if (head.len() as u64) < size && !looks_like_json(&head) {
        let detected = detect(&head, &file, extension.as_deref())?;
        let csv = matches!(
            detected.format,
            Format::Acled | Format::Gtd | Format::Ucdp | Format::Csv
        );
        if csv {
            progress.set_total(size);
            let mut handle = std::fs::File::open(path).map_err(io_error)?;
            let bom = (head.len() - strip_bom(&head).len()) as u64;
            handle.seek(SeekFrom::Start(bom)).map_err(io_error)?;
            // Not buffered: the reader takes blocks of megabytes, straight into its chunks.
            let input = handle;
            let delimiter = detected.delimiter;
            let mut imported = match detected.format {
                Format::Csv => generic::import_csv_from(
                    input,
                    size,
                    &file,
                    delimiter,
                    &mapping_or_guess(mapping, &detected),
                    progress,
                    subset,
                )?,
                format => fields::import_schema(
                    schema_of(format),
                    input,
                    size,
                    &file,
                    delimiter,
                    progress,
                    subset,
                )?,
            };
            imported.report.notes.extend(detected.notes);
            progress.set_done(size);
            return Ok(imported);
        }
    }
    // Small files, GeoJSON and RON are parsed from memory, whole.
    let bytes = std::fs::read(path).map_err(io_error)?;
    let mut imported = import_bytes(&bytes, &file, extension.as_deref(), mapping, progress)?;
    imported.keep_only(subset);
    Ok(imported)
}

impl Imported {
    /// Keep only the incidents `subset` keeps, as a subset load would have.
    pub fn keep_only(&mut self, subset: &Subset) {
        if subset.only.is_none() {
            return;
        }
        let before = self.dataset.incidents.len();
        self.dataset
            .incidents
            .retain(|incident| subset.keeps(incident));
        self.report.only_kept(self.dataset.incidents.len(), before);
    }
}

impl ImportReport {
    /// Says that only `kept` of the `of` incidents were loaded, a filter keeping them.
    pub fn only_kept(&mut self, kept: usize, of: usize) {
        self.loaded = kept;
        self.notes.push(format!(
            "Only the incidents the command's filter keeps were loaded: {kept} of {of}."
        ));
    }
}

/// Import from memory; `file` names it in messages, `extension` (lower case) is what the
/// name claims.
pub fn import_bytes(
    bytes: &[u8],
    file: &str,
    extension: Option<&str>,
    mapping: Option<&FieldMapping>,
    progress: &Progress,
) -> Result<Imported, ImportError> {
    progress.set_total(bytes.len() as u64);
    if let Some(container) = columnar::container_of(bytes) {
        return columnar::import_bytes(bytes, container, file, mapping, progress);
    }
    let detected = detect(bytes, file, extension)?;
    let bytes = strip_bom(bytes);
    let mut imported = match detected.format {
        Format::Ron => {
            let text = std::str::from_utf8(bytes).map_err(|error| ImportError::NotUtf8 {
                file: file.to_owned(),
                line: line_of_offset(bytes, error.valid_up_to()),
            })?;
            let dataset = super::parse_dataset(text, file)?;
            let mut report = ImportReport::new(file, Format::Ron);
            report.rows = dataset.incidents.len() as u64;
            report.loaded = dataset.incidents.len();
            Imported { dataset, report }
        }
        Format::Acled | Format::Gtd | Format::Ucdp => fields::import_schema(
            schema_of(detected.format),
            bytes,
            bytes.len() as u64,
            file,
            detected.delimiter,
            progress,
            &Subset::everything(),
        )?,
        Format::Csv => generic::import_csv(
            bytes,
            file,
            detected.delimiter,
            &mapping_or_guess(mapping, &detected),
            progress,
        )?,
        // Told by their first bytes above; `detect` never answers these.
        Format::Parquet | Format::Arrow => {
            return Err(ImportError::NotFormat {
                file: file.to_owned(),
                format: detected.format.label(),
                why: "the file does not start with the format's magic bytes".to_owned(),
            });
        }
        Format::GeoJson => match detected.schema {
            // A mapping given for the file is the analyst's choice and wins.
            Some(schema) if mapping.is_none() => {
                geojson::import_geojson_schema(bytes, file, schema_of(schema), progress)?
            }
            _ => geojson::import_geojson(
                bytes,
                file,
                &mapping_or_guess(mapping, &detected),
                progress,
            )?,
        },
    };
    imported.report.notes.extend(detected.notes);
    progress.set_done(bytes.len() as u64);
    Ok(imported)
}

/// The schema of a known CSV format; callers pass ACLED, GTD or UCDP.
fn schema_of(format: Format) -> &'static fields::Schema {
    match format {
        Format::Gtd => &gtd::SCHEMA,
        Format::Ucdp => &ucdp::SCHEMA,
        _ => &acled::SCHEMA,
    }
}

/// The mapping given, or the one guessed from the file's columns and first rows.
fn mapping_or_guess<'a>(
    mapping: Option<&'a FieldMapping>,
    detected: &Detected,
) -> std::borrow::Cow<'a, FieldMapping> {
    mapping.map_or_else(
        || std::borrow::Cow::Owned(FieldMapping::guess(&detected.columns, &detected.samples)),
        std::borrow::Cow::Borrowed,
    )
}

/// 1-based line of a byte offset.
pub fn line_of_offset(bytes: &[u8], offset: usize) -> u64 {
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// At most `max` characters, with an ellipsis when cut.
pub fn shorten(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{head}\u{2026}")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_csv_files_stream_from_disk_and_give_the_same_result() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        crate::synth::write_acled(&mut bytes, 3_000, 9, |_| {}).unwrap();
        assert!(
            bytes.len() as u64 > HEAD_BYTES,
            "past the head, so it streams"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        std::fs::write(&path, &bytes).unwrap();
        let progress = Progress::default();
        let streamed = import_file(&path, None, &progress).unwrap();
        let in_memory =
            import_bytes(&bytes, "big.csv", Some("csv"), None, &Progress::default()).unwrap();
        assert_eq!(streamed.report.format, Format::Acled);
        assert_eq!(streamed.report.loaded, 3_000);
        assert_eq!(streamed.dataset.incidents, in_memory.dataset.incidents);
        assert_eq!(progress.fraction(), 1.0);
    }

    #[test]
    fn a_large_geojson_file_is_still_detected_whole() {
        let feature = r#"{"type": "Feature", "geometry": {"type": "Point", "coordinates": [69.2, 34.5]}, "properties": {"when": "2021-08-26", "notes": "Fixture feature for tests"}}"#;
        let features = vec![feature; 3_000].join(",\n");
        let text = format!("{{\"type\": \"FeatureCollection\", \"features\": [\n{features}\n]}}");
        assert!(text.len() as u64 > HEAD_BYTES);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.geojson");
        std::fs::write(&path, &text).unwrap();
        let imported = import_file(&path, None, &Progress::default()).unwrap();
        assert_eq!(imported.report.format, Format::GeoJson);
        // Every feature shares one id-less shape: all load, ids come from their lines.
        assert_eq!(imported.report.loaded, 3_000);
    }
}
