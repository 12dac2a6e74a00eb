//! Parquet and Arrow IPC files, and folders of Parquet partitioned the way Spark, Trino and
//! DuckDB write them (`year=2024/month=03/part-0.parquet`): how data teams hand over big
//! extracts.
//!
//! Every value is turned into the text the same export would hold as CSV and read by the
//! same row conversion (ACLED, GTD and UCDP columns found by name, anything else through a
//! field mapping), so a Parquet file gives exactly the incidents its CSV gives; a stored day or
//! 64-bit float may also be read as itself (`Fields::day`, `Fields::number`), the value its
//! text reads as. Only the
//! columns the conversion reads are decoded; with a period (the command line's `--from` and
//! `--to`), partitions and row groups whose dates fall outside it are not read at all.

use std::path::{Path, PathBuf};

use arrow_array::{Array as _, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use chrono::NaiveDate;
use parquet::arrow::arrow_reader::ArrowReaderMetadata;
use rayon::prelude::*;

use super::fields::{
    Citations, Collector, Field, Fields, HeaderColumns, Outcome, Row, RowRule, Schema,
};
use super::mapping::FieldMapping;
use super::records::Record;
use super::subset::{Period, Subset};
use super::{Detected, Format, ImportError, Imported, Progress, RowIssue, SAMPLE_ROWS};
use crate::model::{Incident, Interner};

/// How a file of columns is laid out, told by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    Parquet,
    /// The Arrow IPC file format (also Feather version 2).
    ArrowFile,
    /// The Arrow IPC stream format.
    ArrowStream,
}

/// The container a file's first bytes announce, if it is one.
pub fn container_of(head: &[u8]) -> Option<Container> {
    if head.starts_with(b"PAR1") {
        Some(Container::Parquet)
    } else if head.starts_with(b"ARROW1") {
        Some(Container::ArrowFile)
    } else if head.starts_with(&[0xFF, 0xFF, 0xFF, 0xFF]) {
        Some(Container::ArrowStream)
    } else {
        None
    }
}

/// Whether `path` is a Parquet or Arrow file (by its first bytes).
pub fn is_columnar_file(path: &Path) -> bool {
    container_of_path(path).is_ok_and(|container| container.is_some())
}

/// The container a file's first bytes announce; `None` for other files (and short ones).
fn container_of_path(path: &Path) -> std::io::Result<Option<Container>> {
    use std::io::Read as _;
    let mut head = Vec::with_capacity(8);
    std::fs::File::open(path)?.take(8).read_to_end(&mut head)?;
    Ok(container_of(&head))
}

/// One file of a dataset, with the partition values its path gives.
#[derive(Clone, Debug)]
struct Part {
    source: PartSource,
    /// `("year", "2024")` for `.../year=2024/...`, outermost first.
    partition: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
enum PartSource {
    Path(PathBuf),
    Bytes(bytes::Bytes),
}

/// The parts of a dataset and what is known of its columns before reading rows.
struct Layout {
    container: Container,
    parts: Vec<Part>,
    /// The columns of the first part's file, in its order.
    file_columns: Vec<String>,
    /// Partition keys not also stored in the files, outermost first.
    partition_columns: Vec<String>,
}

impl Layout {
    fn columns(&self) -> Vec<String> {
        let mut columns = self.file_columns.clone();
        columns.extend(self.partition_columns.iter().cloned());
        columns
    }
}

fn not_format(file: &str, container: Container, why: impl std::fmt::Display) -> ImportError {
    ImportError::NotFormat {
        file: file.to_owned(),
        format: match container {
            Container::Parquet => "Parquet",
            Container::ArrowFile | Container::ArrowStream => "Arrow IPC",
        },
        why: why.to_string(),
    }
}

fn io_error(file: &str) -> impl Fn(std::io::Error) -> ImportError + '_ {
    move |source| ImportError::Io {
        file: file.to_owned(),
        source,
    }
}

/// The layout of a path: a Parquet or Arrow file, or a folder of Parquet parts. `None` when
/// the path is a file of another kind (CSV, GeoJSON, RON).
fn layout_of_path(path: &Path, file: &str) -> Result<Option<Layout>, ImportError> {
    if path.is_dir() {
        return folder_layout(path, file).map(Some);
    }
    let Some(container) = container_of_path(path).map_err(io_error(file))? else {
        return Ok(None);
    };
    let part = Part {
        source: PartSource::Path(path.to_owned()),
        partition: Vec::new(),
    };
    let file_columns = part_columns(&part, container, file)?;
    Ok(Some(Layout {
        container,
        parts: vec![part],
        file_columns,
        partition_columns: Vec::new(),
    }))
}

/// Every Parquet file under `root`, in path order, with the `key=value` folders above it.
/// Files whose names start with `_` or `.` (Spark's `_SUCCESS`, checksums) are not data.
fn folder_layout(root: &Path, file: &str) -> Result<Layout, ImportError> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_owned()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).map_err(io_error(file))? {
            let entry = entry.map_err(io_error(file))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('_') || name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            if entry.file_type().map_err(io_error(file))?.is_dir() {
                pending.push(path);
            } else if name.to_ascii_lowercase().ends_with(".parquet") {
                found.push(path);
            }
        }
    }
    found.sort();
    if found.is_empty() {
        return Err(ImportError::NotFormat {
            file: file.to_owned(),
            format: "Parquet dataset",
            why: "the folder holds no .parquet file".to_owned(),
        });
    }
    let parts: Vec<Part> = found
        .into_iter()
        .map(|path| {
            let partition = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .parent()
                .into_iter()
                .flat_map(Path::components)
                .filter_map(|component| {
                    let text = component.as_os_str().to_string_lossy();
                    let (key, value) = text.split_once('=')?;
                    // Hive writes a null partition value as this placeholder.
                    let value = if value == "__HIVE_DEFAULT_PARTITION__" {
                        ""
                    } else {
                        value
                    };
                    // Hive escapes `/`, `=`, `%` and the like in values as `%2F`.
                    let value = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
                    Some((key.to_owned(), value.into_owned()))
                })
                .collect();
            Part {
                source: PartSource::Path(path),
                partition,
            }
        })
        .collect();
    let file_columns = part_columns(&parts[0], Container::Parquet, file)?;
    let mut partition_columns: Vec<String> = Vec::new();
    for part in &parts {
        for (key, _) in &part.partition {
            if !file_columns.contains(key) && !partition_columns.contains(key) {
                partition_columns.push(key.clone());
            }
        }
    }
    Ok(Layout {
        container: Container::Parquet,
        parts,
        file_columns,
        partition_columns,
    })
}

fn part_columns(part: &Part, container: Container, file: &str) -> Result<Vec<String>, ImportError> {
    let schema = match container {
        Container::Parquet => parquet_builder(part, file)?.schema().clone(),
        _ => open_arrow(part, None, container, file)?.schema(),
    };
    Ok(schema.fields().iter().map(|f| f.name().clone()).collect())
}

type ParquetBuilder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder<ChunkSource>;

/// A Parquet part's bytes, from disk or memory.
enum ChunkSource {
    File(std::fs::File),
    Bytes(bytes::Bytes),
}

impl parquet::file::reader::Length for ChunkSource {
    fn len(&self) -> u64 {
        match self {
            Self::File(file) => file.len(),
            Self::Bytes(bytes) => bytes.len() as u64,
        }
    }
}

impl parquet::file::reader::ChunkReader for ChunkSource {
    type T = Box<dyn std::io::Read + Send>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(match self {
            Self::File(file) => Box::new(file.get_read(start)?),
            Self::Bytes(bytes) => Box::new(bytes.get_read(start)?),
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        match self {
            Self::File(file) => file.get_bytes(start, length),
            Self::Bytes(bytes) => bytes.get_bytes(start, length),
        }
    }
}

impl ChunkSource {
    /// A new handle on the part's bytes (a file opened again has an offset of its own).
    fn of(part: &Part, file: &str) -> Result<Self, ImportError> {
        Ok(match &part.source {
            PartSource::Path(path) => {
                Self::File(std::fs::File::open(path).map_err(io_error(file))?)
            }
            PartSource::Bytes(bytes) => Self::Bytes(bytes.clone()),
        })
    }

    fn try_clone(&self) -> std::io::Result<Self> {
        Ok(match self {
            Self::File(file) => Self::File(file.try_clone()?),
            Self::Bytes(bytes) => Self::Bytes(bytes.clone()),
        })
    }
}

/// A Parquet part whose footer has been read: readers of its row groups are made from it
/// without reading the footer again.
struct OpenParquet {
    source: ChunkSource,
    metadata: ArrowReaderMetadata,
}

impl OpenParquet {
    fn open(part: &Part, file: &str) -> Result<Self, ImportError> {
        let source = ChunkSource::of(part, file)?;
        let metadata = ArrowReaderMetadata::load(&source, Default::default()).map_err(|error| {
            not_format(
                file,
                Container::Parquet,
                format!("{}: {error}", part.name()),
            )
        })?;
        Ok(Self {
            source,
            metadata: with_dictionaries(metadata),
        })
    }

    /// A part opened again, its footer already read: each decoder holds a handle of its own
    /// (clones of one handle share its offset, so two threads cannot read through them), and
    /// only on the part it reads (a folder may have more parts than a process may open files).
    fn with_footer(
        metadata: &ArrowReaderMetadata,
        part: &Part,
        file: &str,
    ) -> Result<Self, ImportError> {
        let source = ChunkSource::of(part, file)?;
        Ok(Self {
            source,
            metadata: metadata.clone(),
        })
    }

    fn builder(&self, file: &str) -> Result<ParquetBuilder, ImportError> {
        let source = self.source.try_clone().map_err(io_error(file))?;
        Ok(ParquetBuilder::new_with_metadata(
            source,
            self.metadata.clone(),
        ))
    }

    /// A reader of one row group's `columns`, of the rows `selection` picks (all without).
    fn reader(
        &self,
        group: usize,
        columns: &[String],
        selection: Option<parquet::arrow::arrow_reader::RowSelection>,
        file: &str,
    ) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader, ImportError> {
        let indices: Vec<usize> = columns
            .iter()
            .filter_map(|name| self.metadata.schema().index_of(name).ok())
            .collect();
        let mask = parquet::arrow::ProjectionMask::roots(self.metadata.parquet_schema(), indices);
        let mut builder = self
            .builder(file)?
            .with_projection(mask)
            .with_row_groups(vec![group])
            .with_batch_size(BATCH_ROWS);
        if let Some(selection) = selection {
            builder = builder.with_row_selection(selection);
        }
        builder
            .build()
            .map_err(|error| not_format(file, Container::Parquet, error))
    }
}

/// `metadata` with its string columns read as dictionaries (a key per row into the chunk's
/// distinct values) where every row group's pages are all dictionary-encoded: a row's value
/// is then found by its key instead of copied out. Copying them was a twentieth of a Parquet
/// export, and an ACLED file's countries, provinces, actors and event types are a few
/// thousand names for a million rows. Any other column, or a schema the reader refuses, is
/// read as before.
fn with_dictionaries(metadata: ArrowReaderMetadata) -> ArrowReaderMetadata {
    use arrow_schema::DataType;
    use parquet::basic::Encoding;
    use parquet::file::metadata::ColumnChunkMetaData;
    fn all_dictionary(chunk: &ColumnChunkMetaData) -> bool {
        chunk.dictionary_page_offset().is_some()
            && match chunk.page_encoding_stats_mask() {
                // What the data pages were written in.
                Some(mask) => {
                    mask.is_only(Encoding::PLAIN_DICTIONARY)
                        || mask.is_only(Encoding::RLE_DICTIONARY)
                }
                // Every encoding of the chunk, the dictionary page's included: a writer that
                // lists PLAIN may have fallen back to it for some pages.
                None => chunk.encodings().all(|encoding| {
                    matches!(
                        encoding,
                        Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY | Encoding::RLE
                    )
                }),
            }
    }
    let parquet = metadata.metadata();
    let leaves = metadata.parquet_schema();
    let schema = metadata.schema();
    let mut changed = false;
    let fields: Vec<arrow_schema::FieldRef> = schema
        .fields()
        .iter()
        .map(|field| {
            let leaf = (field.data_type() == &DataType::Utf8)
                .then(|| {
                    (0..leaves.num_columns())
                        .find(|&leaf| leaves.column(leaf).path().parts() == [field.name().as_str()])
                })
                .flatten();
            let dictionary = leaf.is_some_and(|leaf| {
                parquet.num_row_groups() > 0
                    && parquet
                        .row_groups()
                        .iter()
                        .all(|group| all_dictionary(group.column(leaf)))
            });
            if !dictionary {
                return field.clone();
            }
            changed = true;
            std::sync::Arc::new(field.as_ref().clone().with_data_type(DataType::Dictionary(
                Box::new(DataType::Int32),
                Box::new(DataType::Utf8),
            )))
        })
        .collect();
    if !changed {
        return metadata;
    }
    let schema = arrow_schema::Schema::new_with_metadata(fields, schema.metadata().clone());
    let options = parquet::arrow::arrow_reader::ArrowReaderOptions::new()
        .with_schema(std::sync::Arc::new(schema));
    ArrowReaderMetadata::try_new(parquet.clone(), options).unwrap_or(metadata)
}

fn parquet_builder(part: &Part, file: &str) -> Result<ParquetBuilder, ImportError> {
    OpenParquet::open(part, file)?.builder(file)
}

impl Part {
    fn name(&self) -> String {
        match &self.source {
            PartSource::Path(path) => path.display().to_string(),
            PartSource::Bytes(_) => "the file".to_owned(),
        }
    }
}

/// Batches of an Arrow IPC file or stream.
type ArrowBatches = Box<dyn Iterator<Item = Result<RecordBatch, arrow_schema::ArrowError>> + Send>;

struct ArrowReader {
    schema: arrow_schema::SchemaRef,
    batches: ArrowBatches,
}

impl ArrowReader {
    fn schema(&self) -> arrow_schema::SchemaRef {
        self.schema.clone()
    }
}

fn open_arrow(
    part: &Part,
    projection: Option<Vec<usize>>,
    container: Container,
    file: &str,
) -> Result<ArrowReader, ImportError> {
    use arrow_ipc::reader::{FileReader, StreamReader};
    let bad = |error: arrow_schema::ArrowError| not_format(file, container, error);
    let reader: Box<dyn ReadSeek + Send> = match &part.source {
        PartSource::Path(path) => Box::new(std::io::BufReader::new(
            std::fs::File::open(path).map_err(io_error(file))?,
        )),
        PartSource::Bytes(bytes) => Box::new(std::io::Cursor::new(bytes.clone())),
    };
    Ok(match container {
        Container::ArrowStream => {
            let reader = StreamReader::try_new(reader, projection).map_err(bad)?;
            ArrowReader {
                schema: reader.schema(),
                batches: Box::new(reader),
            }
        }
        _ => {
            let reader = FileReader::try_new(reader, projection).map_err(bad)?;
            ArrowReader {
                schema: reader.schema(),
                batches: Box::new(reader),
            }
        }
    })
}

trait ReadSeek: std::io::Read + std::io::Seek {}
impl<T: std::io::Read + std::io::Seek> ReadSeek for T {}

/// How the rows are converted: a known schema's rules, or a field mapping.
enum Reading<'a> {
    Schema(&'static Schema),
    Mapping(&'a FieldMapping, String),
}

impl Reading<'_> {
    /// The columns the conversion may read.
    fn wanted(&self) -> Vec<&str> {
        match self {
            Self::Schema(schema) => schema.columns.to_vec(),
            Self::Mapping(mapping, _) => mapping.columns(),
        }
    }

    /// The columns whose dates place a row in time: (first day, last day).
    fn date_columns(&self) -> Vec<&str> {
        match self {
            Self::Schema(schema) => schema.date_columns.to_vec(),
            Self::Mapping(mapping, _) => super::generic::date_columns(mapping),
        }
    }

    fn convert(&self, row: &Row<'_>, citations: &Citations) -> Result<Incident, RowIssue> {
        match self {
            Self::Schema(schema) => (schema.convert)(row, citations),
            Self::Mapping(mapping, stem) => super::generic::convert(row, citations, mapping, stem),
        }
    }

    fn id_columns(&self) -> Vec<&str> {
        match self {
            Self::Schema(schema) => schema.id_columns.to_vec(),
            Self::Mapping(mapping, _) => super::generic::id_columns(mapping),
        }
    }

    fn incident_id(&self, row: &Row<'_>) -> Result<String, RowIssue> {
        match self {
            Self::Schema(schema) => (schema.incident_id)(row),
            Self::Mapping(mapping, stem) => super::generic::incident_id(row, mapping, stem),
        }
    }

    fn known_country(&self) -> Option<super::fields::KnownCountry> {
        match self {
            Self::Schema(schema) => Some(schema.known_country),
            Self::Mapping(..) => None,
        }
    }

    fn reach_days(&self) -> u32 {
        match self {
            Self::Schema(schema) => schema.reach_days,
            Self::Mapping(..) => super::generic::MAPPED_REACH_DAYS,
        }
    }
}

/// What a Parquet or Arrow path holds, for the loading dialog: `None` when it is not one.
pub fn detect_path(path: &Path) -> Result<Option<Detected>, ImportError> {
    let file = path.display().to_string();
    let Some(layout) = layout_of_path(path, &file)? else {
        return Ok(None);
    };
    detected(&layout, &file).map(Some)
}

fn detected(layout: &Layout, file: &str) -> Result<Detected, ImportError> {
    let columns = layout.columns();
    let schema = Some(super::detect::schema_of_columns(&columns)).filter(|f| *f != Format::Csv);
    let samples = sample_rows(layout, &columns, file)?;
    Ok(Detected {
        format: format_of(layout.container),
        delimiter: b',',
        columns,
        samples,
        notes: Vec::new(),
        schema,
    })
}

fn format_of(container: Container) -> Format {
    match container {
        Container::Parquet => Format::Parquet,
        Container::ArrowFile | Container::ArrowStream => Format::Arrow,
    }
}

/// The first rows of the first part, as text, for guessing a mapping.
fn sample_rows(
    layout: &Layout,
    columns: &[String],
    file: &str,
) -> Result<Vec<Vec<String>>, ImportError> {
    let part = &layout.parts[0];
    let batch = match layout.container {
        Container::Parquet => parquet_builder(part, file)?
            .with_batch_size(SAMPLE_ROWS)
            .build()
            .map_err(|error| not_format(file, layout.container, error))?
            .next(),
        container => open_arrow(part, None, container, file)?.batches.next(),
    };
    let Some(batch) = batch else {
        return Ok(Vec::new());
    };
    let batch = batch.map_err(|error| not_format(file, layout.container, error))?;
    let texts = BatchText::new(&batch, &part.partition, columns, file, layout.container)?;
    Ok((0..batch.num_rows().min(SAMPLE_ROWS))
        .map(|row| {
            let mut record = Record::default();
            texts.fill(row, &mut record);
            record
                .iter()
                .map(|field| String::from_utf8_lossy(field).into_owned())
                .collect()
        })
        .collect())
}

/// A string column, read in place (most of an ACLED row: formatting its strings through
/// `Display` was most of a Parquet load, and copying them a tenth of a Parquet export).
enum StringColumn<'a> {
    Utf8(&'a arrow_array::StringArray),
    LargeUtf8(&'a arrow_array::LargeStringArray),
    Utf8View(&'a arrow_array::StringViewArray),
    /// A Parquet column read as a dictionary (see [`with_dictionaries`]).
    Dictionary {
        keys: &'a arrow_array::Int32Array,
        values: &'a arrow_array::StringArray,
    },
}

impl<'a> StringColumn<'a> {
    fn of(column: &'a dyn arrow_array::Array) -> Option<Self> {
        let any = column.as_any();
        if let Some(array) = any.downcast_ref() {
            Some(Self::Utf8(array))
        } else if let Some(array) = any.downcast_ref() {
            Some(Self::LargeUtf8(array))
        } else if let Some(array) = any.downcast_ref() {
            Some(Self::Utf8View(array))
        } else {
            let dictionary: &arrow_array::Int32DictionaryArray = any.downcast_ref()?;
            Some(Self::Dictionary {
                keys: dictionary.keys(),
                values: dictionary.values().as_any().downcast_ref()?,
            })
        }
    }

    /// The value at `row`; empty for a null, as the formatter writes it.
    #[inline]
    fn value(&self, row: usize) -> &'a str {
        fn value<'t>(null: bool, value: impl FnOnce() -> &'t str) -> &'t str {
            if null { "" } else { value() }
        }
        match self {
            Self::Utf8(array) => value(array.is_null(row), || array.value(row)),
            Self::LargeUtf8(array) => value(array.is_null(row), || array.value(row)),
            Self::Utf8View(array) => value(array.is_null(row), || array.value(row)),
            Self::Dictionary { keys, values } => {
                // (Arrow checks a dictionary's keys when it is built; a key out of range is
                // still read as a missing value, never a panic.)
                let key = (!keys.is_null(row))
                    .then(|| usize::try_from(keys.value(row)).ok())
                    .flatten()
                    .filter(|&key| key < values.len() && !values.is_null(key));
                key.map_or("", |key| values.value(key))
            }
        }
    }
}

/// A column of other values, written as text: whole numbers and days directly (every row's
/// date is read to pass rows over), anything else as Arrow displays it.
enum ValueColumn<'a> {
    /// Written as Arrow's display writes them (ryu's shortest text, which reads back as the
    /// same number).
    Float64(&'a arrow_array::Float64Array),
    Int64(&'a arrow_array::Int64Array),
    Int32(&'a arrow_array::Int32Array),
    /// Days since 1970, written as Arrow writes them for years 0 to 9999 (the formatter for
    /// the others).
    Date32(&'a arrow_array::Date32Array, ArrayFormatter<'a>),
    Formatted(ArrayFormatter<'a>),
}

impl<'a> ValueColumn<'a> {
    fn of(column: &'a dyn arrow_array::Array, formatter: ArrayFormatter<'a>) -> Self {
        let any = column.as_any();
        if let Some(array) = any.downcast_ref() {
            Self::Float64(array)
        } else if let Some(array) = any.downcast_ref() {
            Self::Int64(array)
        } else if let Some(array) = any.downcast_ref() {
            Self::Int32(array)
        } else if let Some(days) = any.downcast_ref() {
            Self::Date32(days, formatter)
        } else {
            Self::Formatted(formatter)
        }
    }

    /// The day at `row` of a column of days, where its text is `YYYY-MM-DD` (see `day_of`).
    fn day(&self, row: usize) -> Option<NaiveDate> {
        match self {
            Self::Date32(array, _) if !array.is_null(row) => day_of(array.value(row)),
            _ => None,
        }
    }

    /// The number at `row` of a column of 64-bit floats: the number its text reads as.
    fn number(&self, row: usize) -> Option<f64> {
        match self {
            Self::Float64(array) if !array.is_null(row) => Some(array.value(row)),
            _ => None,
        }
    }

    /// The value at `row` as text into `record`; `buffer` holds what a formatter writes.
    fn push(&self, row: usize, record: &mut Record, buffer: &mut String) {
        use std::fmt::Write as _;
        let mut formatted = |formatter: &ArrayFormatter<'_>| {
            buffer.clear();
            // Formatting into a String cannot fail but for a value the formatter cannot show;
            // that value is then empty, as a missing field is.
            if write!(buffer, "{}", formatter.value(row)).is_err() {
                buffer.clear();
            }
            record.push_field(buffer.as_bytes());
        };
        match self {
            Self::Float64(array) => {
                let mut digits = ryu::Buffer::new();
                record.push_field(text_at(array.is_null(row), || {
                    digits.format(array.value(row))
                }));
            }
            Self::Int64(array) => {
                let mut digits = itoa::Buffer::new();
                record.push_field(text_at(array.is_null(row), || {
                    digits.format(array.value(row))
                }));
            }
            Self::Int32(array) => {
                let mut digits = itoa::Buffer::new();
                record.push_field(text_at(array.is_null(row), || {
                    digits.format(array.value(row))
                }));
            }
            Self::Date32(array, formatter) => {
                let mut day = [0u8; 10];
                if array.is_null(row) {
                    record.push_field(b"");
                } else if write_day(array.value(row), &mut day) {
                    record.push_field(&day);
                } else {
                    formatted(formatter);
                }
            }
            Self::Formatted(formatter) => formatted(formatter),
        }
    }
}

/// `day` (days since 1970-01-01) as a date, for years 0 to 9999: those Arrow's display
/// writes as `YYYY-MM-DD`.
fn day_of(day: i32) -> Option<NaiveDate> {
    use chrono::Datelike as _;
    /// 1970-01-01 as days from 0001-01-01, that day being day 1.
    const EPOCH_FROM_CE: i32 = 719_163;
    NaiveDate::from_num_days_from_ce_opt(day.checked_add(EPOCH_FROM_CE)?)
        .filter(|date| (0..=9999).contains(&date.year()))
}

/// `day` (days since 1970-01-01) as `YYYY-MM-DD` into `out`, for years 0 to 9999 (as Arrow's
/// display writes them); `false` for any other day.
fn write_day(day: i32, out: &mut [u8; 10]) -> bool {
    use chrono::Datelike as _;
    let Some(date) = day_of(day) else {
        return false;
    };
    // Month and day always fit a byte.
    let (month, day) = (date.month() as u8, date.day() as u8);
    crate::model::date::write_iso(date.year(), Some(month), Some(day), out) == Some(10)
}

/// A string value's bytes; empty for a null, as the formatter writes it.
fn text_at<'a>(null: bool, value: impl FnOnce() -> &'a str) -> &'a [u8] {
    if null { b"" } else { value().as_bytes() }
}

/// The columns of a batch, as text in the order of `columns`.
struct BatchText<'a> {
    columns: Vec<BatchColumn<'a>>,
    buffer: std::cell::RefCell<String>,
}

/// A column of `columns`.
enum BatchColumn<'a> {
    Strings(StringColumn<'a>),
    /// Written as text by [`BatchText::row`], as its record's field number `slot`.
    Values {
        column: ValueColumn<'a>,
        slot: usize,
    },
    /// Not in the batch: the value its partition folder names (empty where none does), the
    /// same for every row.
    Partition(&'a str),
}

impl<'a> BatchText<'a> {
    fn new(
        batch: &'a RecordBatch,
        partition: &'a [(String, String)],
        columns: &[String],
        file: &str,
        container: Container,
    ) -> Result<Self, ImportError> {
        static OPTIONS: std::sync::LazyLock<FormatOptions<'static>> =
            std::sync::LazyLock::new(|| FormatOptions::default().with_null(""));
        let schema = batch.schema();
        let mut slots = 0;
        let columns = columns
            .iter()
            .map(|name| {
                let Ok(index) = schema.index_of(name) else {
                    let value = partition.iter().find(|(key, _)| key == name);
                    return Ok(BatchColumn::Partition(
                        value.map_or("", |(_, value)| value.as_str()),
                    ));
                };
                let column = batch.column(index).as_ref();
                if let Some(strings) = StringColumn::of(column) {
                    return Ok(BatchColumn::Strings(strings));
                }
                let formatter = ArrayFormatter::try_new(column, &OPTIONS)
                    .map_err(|error| not_format(file, container, format!("{name}: {error}")))?;
                slots += 1;
                Ok(BatchColumn::Values {
                    column: ValueColumn::of(column, formatter),
                    slot: slots - 1,
                })
            })
            .collect::<Result<_, ImportError>>()?;
        Ok(Self {
            columns,
            buffer: std::cell::RefCell::new(String::new()),
        })
    }

    /// The row's fields, every one copied into `record` as text.
    fn fill(&self, row: usize, record: &mut Record) {
        record.clear();
        let mut buffer = self.buffer.borrow_mut();
        for column in &self.columns {
            match column {
                BatchColumn::Strings(strings) => record.push_field(strings.value(row).as_bytes()),
                BatchColumn::Values { column, .. } => column.push(row, record, &mut buffer),
                BatchColumn::Partition(value) => record.push_field(value.as_bytes()),
            }
        }
    }

    /// The row at `index`, read by column name: its strings and partition values where they
    /// are, its other values written into `record`; with `only`, the values it marks (as text,
    /// or a stored day not as text), the other values that are not strings left empty.
    fn row<'r>(
        &'r self,
        index: usize,
        record: &'r mut Record,
        only: Option<&[Early]>,
    ) -> BatchRow<'r, 'a> {
        record.clear();
        let mut buffer = self.buffer.borrow_mut();
        for (position, column) in self.columns.iter().enumerate() {
            if let BatchColumn::Values { column, .. } = column {
                match only.map_or(Early::Text, |only| only[position]) {
                    Early::Text => column.push(index, record, &mut buffer),
                    Early::Day if column.day(index).is_none() => {
                        column.push(index, record, &mut buffer);
                    }
                    Early::Not | Early::Day => record.push_field(b""),
                }
            }
        }
        BatchRow {
            texts: self,
            record,
            index,
        }
    }
}

/// A batch's row as [`Fields`]: strings from their arrays, partition values from the folder
/// names, other values from the record [`BatchText::row`] wrote.
struct BatchRow<'r, 'a> {
    texts: &'r BatchText<'a>,
    record: &'r Record,
    index: usize,
}

impl Fields for BatchRow<'_, '_> {
    fn field(&self, position: usize) -> Option<Field<'_>> {
        match self.texts.columns.get(position)? {
            BatchColumn::Strings(strings) => Some(Field::Text(strings.value(self.index))),
            BatchColumn::Values { slot, .. } => self.record.field(*slot),
            BatchColumn::Partition(value) => Some(Field::Text(value)),
        }
    }

    fn day(&self, position: usize) -> Option<NaiveDate> {
        match self.texts.columns.get(position)? {
            BatchColumn::Values { column, .. } => column.day(self.index),
            _ => None,
        }
    }

    fn number(&self, position: usize) -> Option<f64> {
        match self.texts.columns.get(position)? {
            BatchColumn::Values { column, .. } => column.number(self.index),
            _ => None,
        }
    }
}

/// Import a Parquet or Arrow file, or a partitioned folder; `None` when the path is neither.
pub fn import_path(
    path: &Path,
    mapping: Option<&FieldMapping>,
    subset: &Subset,
    progress: &Progress,
) -> Result<Option<Imported>, ImportError> {
    let file = path.display().to_string();
    let Some(layout) = layout_of_path(path, &file)? else {
        return Ok(None);
    };
    import_layout(&layout, &file, mapping, subset, progress).map(Some)
}

/// Import a Parquet or Arrow file held in memory.
pub fn import_bytes(
    bytes: &[u8],
    container: Container,
    file: &str,
    mapping: Option<&FieldMapping>,
    progress: &Progress,
) -> Result<Imported, ImportError> {
    let part = Part {
        source: PartSource::Bytes(bytes::Bytes::copy_from_slice(bytes)),
        partition: Vec::new(),
    };
    let file_columns = part_columns(&part, container, file)?;
    let layout = Layout {
        container,
        parts: vec![part],
        file_columns,
        partition_columns: Vec::new(),
    };
    import_layout(&layout, file, mapping, &Subset::everything(), progress)
}

fn import_layout(
    layout: &Layout,
    file: &str,
    mapping: Option<&FieldMapping>,
    subset: &Subset,
    progress: &Progress,
) -> Result<Imported, ImportError> {
    let period = subset.period;
    let all_columns = layout.columns();
    let schema_format = super::detect::schema_of_columns(&all_columns);
    let guessed;
    // A mapping given for the file is the analyst's choice and wins, as for GeoJSON.
    let reading = match (mapping, schema_format) {
        (None, Format::Acled | Format::Gtd | Format::Ucdp) => {
            Reading::Schema(super::schema_of(schema_format))
        }
        (Some(mapping), _) => Reading::Mapping(mapping, super::generic::stem(file)),
        (None, _) => {
            let detected = detected(layout, file)?;
            guessed = FieldMapping::guess(&detected.columns, &detected.samples);
            Reading::Mapping(&guessed, super::generic::stem(file))
        }
    };
    let format = format_of(layout.container);
    let (long_names, id_column) = match &reading {
        Reading::Schema(schema) => (schema.long_names, schema.id_column),
        Reading::Mapping(mapping, _) => (&[][..], mapping.id.as_deref().unwrap_or("")),
    };
    // Only the columns the conversion reads are decoded.
    let probe = HeaderColumns::new(all_columns.clone()).with_truncated_names(long_names);
    let wanted: Vec<String> = reading
        .wanted()
        .iter()
        .filter_map(|name| probe.position(name))
        .map(|index| all_columns[index].clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut columns: Vec<String> = layout
        .file_columns
        .iter()
        .filter(|name| wanted.contains(name))
        .cloned()
        .collect();
    columns.extend(
        layout
            .partition_columns
            .iter()
            .filter(|name| wanted.contains(name))
            .cloned(),
    );
    let header = HeaderColumns::new(columns.clone()).with_truncated_names(long_names);
    match &reading {
        Reading::Schema(schema) => header.require(schema.required, file, format)?,
        Reading::Mapping(mapping, _) => {
            if let Some(missing) = super::generic::describe_missing(mapping, false) {
                return Err(ImportError::Mapping {
                    file: file.to_owned(),
                    why: missing,
                });
            }
            super::generic::check_columns(&header, mapping, file)?;
        }
    }
    let date_columns: Vec<String> = reading
        .date_columns()
        .iter()
        .filter_map(|name| header.position(name))
        .map(|index| columns[index].clone())
        .collect();

    let converting = |row: &Row<'_>, citations: &Citations| reading.convert(row, citations);
    let reading_id = |row: &Row<'_>| reading.incident_id(row);
    let rule_dates = reading.date_columns();
    let rule_ids = reading.id_columns();
    let rule = RowRule {
        convert: &converting,
        incident_id: &reading_id,
        id_columns: &rule_ids,
        date_columns: &rule_dates,
        reach_days: reading.reach_days(),
        known_country: reading.known_country(),
    };
    let mut collector = Collector::new(file, format);
    let mut skipped_parts = 0;
    let mut skipped_groups = 0;
    // The Parquet parts read, with the number of rows before each in file order and its
    // footer (its file closed again). Parquet rows are numbered in file order, parts not
    // read included: a part skipped for its partition still has its footer read for its rows
    // (a row's number can be its id).
    let mut read_parts: Vec<(usize, u64, ArrowReaderMetadata)> = Vec::new();
    let mut parquet_rows = 0u64;
    // (An Arrow dataset is one file, of no partition: never skipped, and read whole.)
    let parquet_parts = match layout.container {
        Container::Parquet => layout.parts.as_slice(),
        _ => &[],
    };
    for (index, part) in parquet_parts.iter().enumerate() {
        let open = OpenParquet::open(part, file)?;
        let first_row = parquet_rows;
        parquet_rows +=
            u64::try_from(open.metadata.metadata().file_metadata().num_rows()).unwrap_or(0);
        if !period.is_open()
            && partition_span(&part.partition)
                .is_some_and(|(first, last)| period.excludes(first, last))
        {
            skipped_parts += 1;
        } else {
            read_parts.push((index, first_row, open.metadata));
        }
    }
    // The row groups read, in file order, across parts.
    let mut groups = Vec::new();
    for (part, first_row, footer) in &read_parts {
        let metadata = footer.metadata();
        let mut before = *first_row;
        for index in 0..metadata.num_row_groups() {
            let rows = u64::try_from(metadata.row_group(index).num_rows()).unwrap_or(0);
            if period.is_open() || !row_group_outside(metadata, index, &date_columns, period) {
                groups.push(Group {
                    part: *part,
                    footer,
                    index,
                    before,
                    rows,
                });
            } else {
                skipped_groups += 1;
            }
            before += rows;
        }
    }
    let total_rows: u64 = groups.iter().map(|group| group.rows).sum();
    progress.set_total(total_rows.max(1));
    // A subset load keeps an unknown part of the rows (see `fields::read_rows`).
    if subset.only.is_none() {
        collector.reserve(usize::try_from(total_rows).unwrap_or(0));
    }
    // A subset load decides first, from the few columns that can pass a row over (its dates,
    // id and country), which rows to read at all: the rest is decoded for those rows only, as
    // DuckDB reads the columns of a `WHERE` first.
    let early: Vec<String> = {
        let positions: std::collections::BTreeSet<usize> = rule
            .early_columns()
            .filter_map(|name| header.position(name))
            .collect();
        positions
            .iter()
            .map(|&index| columns[index].clone())
            .collect()
    };
    // (Partition values cost nothing to read: a first pass needs a column of the files.)
    let checks_early =
        subset.passes_over_rows() && early.iter().any(|name| layout.file_columns.contains(name));
    let early = checks_early.then_some(early.as_slice());
    // How each part's rows are read (they differ in their partition values).
    let readings: Vec<ReadingRows<'_>> = layout
        .parts
        .iter()
        .map(|part| ReadingRows {
            partition: &part.partition,
            columns: &columns,
            header: &header,
            rule: &rule,
            subset,
            file,
            container: layout.container,
        })
        .collect();
    let (readings, groups) = (&readings, &groups);
    // Batches are decoded on threads of their own while the ones before are converted (on
    // every core) and added (here), two at most waiting per thread. A Parquet dataset's row
    // groups, across its parts, are dealt out to two decoders in turn (decoding is a quarter
    // of the work, and one decoder left cores idle; a folder of one group per month gains
    // most) and taken back from them in turn, so rows still arrive in file order: each group
    // ends with its `Decoded::Read`.
    std::thread::scope(|scope| {
        let channels: Vec<Receiver> = match layout.container {
            Container::Parquet => {
                let decoders = DECODERS.min(groups.len()).max(1);
                (0..decoders)
                    .map(|decoder| {
                        let mine: Vec<&Group<'_>> =
                            groups.iter().skip(decoder).step_by(decoders).collect();
                        let (send, decoded) = decoded_channel();
                        scope.spawn(move || {
                            let sent =
                                send_parquet_groups(&mine, &layout.parts, early, readings, &send);
                            send_error(sent, &send);
                        });
                        decoded
                    })
                    .collect()
            }
            container => {
                let (send, decoded) = decoded_channel();
                scope.spawn(move || {
                    // An Arrow dataset is one file: the layout's one part.
                    if let (Some(part), Some(reading)) = (layout.parts.first(), readings.first()) {
                        let sent = send_arrow_batches(
                            part,
                            &layout.file_columns,
                            container,
                            reading,
                            &send,
                        );
                        send_error(sent, &send);
                    }
                });
                vec![decoded]
            }
        };
        let mut done_rows = 0u64;
        let mut open_channels = channels.len();
        let mut turn = 0;
        while open_channels > 0 {
            let Some(channel) = channels.get(turn % channels.len()) else {
                break;
            };
            let message = match channel.recv() {
                Ok(message) => message,
                // This decoder is done: its groups are all read.
                Err(_) => {
                    open_channels -= 1;
                    turn += 1;
                    continue;
                }
            };
            if progress.is_cancelled() {
                return Err(ImportError::Cancelled {
                    file: file.to_owned(),
                });
            }
            match message? {
                Decoded::Rows { part, batch, lines } => {
                    let converted = readings[part].convert(&batch, &lines, &collector.citations)?;
                    for (line, outcome) in converted {
                        collector.add_outcome(line, id_column, outcome);
                    }
                }
                Decoded::PassedOver(hashes) => {
                    for id_hash in hashes {
                        collector.add_outcome(
                            0,
                            id_column,
                            Outcome::NotKept {
                                id_hash,
                                converted: false,
                            },
                        );
                    }
                }
                Decoded::Read(rows) => {
                    done_rows += rows;
                    progress.set_done(done_rows);
                    // The group is done: the next one is the next decoder's.
                    turn += 1;
                }
            }
        }
        Ok(())
    })?;

    let mut notes = vec![format!(
        "{}: rows are numbered from 1 in file order{}, as the file has no lines; {} of {} \
         columns read.",
        format.label(),
        if layout.parts.len() > 1 {
            " (parts in path order)"
        } else {
            ""
        },
        columns.len(),
        all_columns.len()
    )];
    if let Reading::Schema(schema) = &reading {
        notes.push(format!(
            "{} columns: read with the {} rules, as its CSV would be.",
            schema.format.label().trim_end_matches(" CSV"),
            schema.format.label().trim_end_matches(" CSV"),
        ));
    }
    if layout.parts.len() > 1 || !layout.partition_columns.is_empty() {
        notes.push(format!(
            "A partitioned dataset of {} files (partition columns: {}).",
            layout.parts.len(),
            if layout.partition_columns.is_empty() {
                "none".to_owned()
            } else {
                layout.partition_columns.join(", ")
            }
        ));
    }
    if skipped_parts + skipped_groups > 0 {
        notes.push(format!(
            "Outside the period asked for, not read: {skipped_parts} partition file(s) and \
             {skipped_groups} row group(s)."
        ));
    }
    let description = match &reading {
        Reading::Schema(schema) => format!("{} {file} ({})", schema.description, format.label()),
        Reading::Mapping(..) => format!("{} {file}", format.label()),
    };
    if collector.must_read_again() {
        return Err(ImportError::ReadAgain {
            file: file.to_owned(),
        });
    }
    let mut imported = collector.finish(description);
    imported.report.notes.extend(notes);
    Ok(imported)
}

/// What a first pass over a row (the one that passes rows over) reads of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Early {
    Not,
    Text,
    /// Its day, read as a day where the file stores one (see `Fields::day`), as text else.
    Day,
}

/// Rows converted per task on the worker threads.
const CHUNK_ROWS: usize = 2048;
/// Rows per Arrow batch read from Parquet.
const BATCH_ROWS: usize = 16 * 1024;
/// Threads decoding the row groups of a Parquet file or folder, each its own groups in turn.
const DECODERS: usize = 2;

type RowResult = (u64, Outcome);

/// A Parquet row group to read, and the number of rows before it in file order.
struct Group<'a> {
    /// The part's index in the layout.
    part: usize,
    footer: &'a ArrowReaderMetadata,
    /// The group's index in its part.
    index: usize,
    before: u64,
    rows: u64,
}

/// What the decoding thread hands the converting one.
enum Decoded {
    /// Rows of a part (its index in the layout) to convert, and their numbers in the file.
    Rows {
        part: usize,
        batch: RecordBatch,
        lines: Lines,
    },
    /// The id hashes of rows passed over by their early columns.
    PassedOver(Vec<u64>),
    /// This many more rows are done with: a row group's (Parquet) or a batch's (Arrow).
    Read(u64),
}

/// The row numbers of a batch's rows (from 1, in file order).
enum Lines {
    /// Every row from the one after this.
    After(u64),
    /// The rows a first pass over the early columns did not pass over, listed.
    Listed(Vec<u64>),
}

impl Lines {
    fn are_selected(&self) -> bool {
        matches!(self, Self::Listed(_))
    }

    fn line(&self, index: usize) -> u64 {
        match self {
            Self::After(before) => before + index as u64 + 1,
            Self::Listed(lines) => lines[index],
        }
    }
}

type Sender = std::sync::mpsc::SyncSender<Result<Decoded, ImportError>>;
type Receiver = std::sync::mpsc::Receiver<Result<Decoded, ImportError>>;

/// A decoder's channel: two messages at most waiting.
fn decoded_channel() -> (Sender, Receiver) {
    std::sync::mpsc::sync_channel(2)
}

/// A decoder's own error, passed on.
fn send_error(sent: Result<(), ImportError>, send: &Sender) {
    if let Err(error) = sent {
        // The receiver may have stopped on an error of its own.
        let _ = send.send(Err(error));
    }
}

/// How the rows of a part are read: the same for every batch.
#[derive(Clone, Copy)]
struct ReadingRows<'a> {
    partition: &'a [(String, String)],
    columns: &'a [String],
    header: &'a HeaderColumns,
    rule: &'a RowRule<'a>,
    subset: &'a Subset,
    file: &'a str,
    container: Container,
}

impl ReadingRows<'_> {
    /// Each row of `batch` converted, on every core.
    fn convert(
        &self,
        batch: &RecordBatch,
        lines: &Lines,
        citations: &Citations,
    ) -> Result<Vec<RowResult>, ImportError> {
        let Self {
            header,
            rule,
            subset,
            ..
        } = *self;
        // Rows a first pass kept are not tested again.
        let early = (!lines.are_selected())
            .then(|| self.early_marks())
            .flatten();
        self.each_row(batch, |texts, record, interner, index| {
            let line = lines.line(index);
            // The dates, id and country first: a row passed over by them is not read
            // further (its notes are most of its bytes).
            if let Some(early) = &early {
                let fields = texts.row(index, record, Some(early));
                if let Some(id) = rule.passed_over(&Row::new(line, header, &fields), subset) {
                    return (line, Outcome::passed_over(&id));
                }
            }
            let fields = texts.row(index, record, None);
            let row = Row::new(line, header, &fields);
            (line, rule.converted(&row, citations, subset, interner))
        })
    }

    /// For a batch of the early columns alone: the id hash of each row passed over, `None`
    /// for the rows to read whole.
    fn passed_over(
        &self,
        batch: &RecordBatch,
        lines: &Lines,
    ) -> Result<Vec<Option<u64>>, ImportError> {
        let early = self.early_marks().unwrap_or_default();
        self.each_row(batch, |texts, record, _, index| {
            let fields = texts.row(index, record, Some(&early));
            let row = Row::new(lines.line(index), self.header, &fields);
            self.rule
                .passed_over(&row, self.subset)
                .map(|id| super::fields::id_hash(&id))
        })
    }

    /// `read` of every row of `batch`, in order, on every core: chunks of rows each with its
    /// own formatters (they are not shared between threads), record and interner.
    fn each_row<T: Send>(
        &self,
        batch: &RecordBatch,
        read: impl Fn(&BatchText<'_>, &mut Record, &mut Interner, usize) -> T + Sync,
    ) -> Result<Vec<T>, ImportError> {
        let starts: Vec<usize> = (0..batch.num_rows()).step_by(CHUNK_ROWS).collect();
        let chunks: Vec<Vec<T>> = starts
            .into_par_iter()
            .map_init(Interner::default, |interner, start| {
                let texts = self.texts(batch)?;
                let mut record = Record::default();
                Ok((start..(start + CHUNK_ROWS).min(batch.num_rows()))
                    .map(|index| read(&texts, &mut record, interner, index))
                    .collect())
            })
            .collect::<Result<_, ImportError>>()?;
        Ok(chunks.into_iter().flatten().collect())
    }

    /// What a first pass reads of each of `columns`, where rows may be passed over.
    fn early_marks(&self) -> Option<Vec<Early>> {
        self.subset.passes_over_rows().then(|| {
            let rule = self.rule;
            let mut early = vec![Early::Not; self.columns.len()];
            let mut mark = |names: &mut dyn Iterator<Item = &str>, how: Early| {
                for position in names.filter_map(|name| self.header.position(name)) {
                    if early[position] == Early::Not {
                        early[position] = how;
                    }
                }
            };
            // A date column that also gives the id or the country is read as text.
            let mut not_dates = rule
                .early_columns()
                .filter(|name| !rule.date_columns.contains(name));
            mark(&mut not_dates, Early::Text);
            mark(&mut rule.date_columns.iter().copied(), Early::Day);
            early
        })
    }

    fn texts<'b>(&'b self, batch: &'b RecordBatch) -> Result<BatchText<'b>, ImportError> {
        BatchText::new(
            batch,
            self.partition,
            self.columns,
            self.file,
            self.container,
        )
    }
}

/// Decode row groups and send their rows. With `early` (a subset load), each group's early
/// columns are read first, and the other columns only for the rows they do not pass over.
fn send_parquet_groups(
    groups: &[&Group<'_>],
    parts: &[Part],
    early: Option<&[String]>,
    readings: &[ReadingRows<'_>],
    send: &Sender,
) -> Result<(), ImportError> {
    // This decoder's own handle on the part it reads (see `OpenParquet::with_footer`).
    let mut handle: Option<(usize, OpenParquet)> = None;
    for group in groups {
        let part = group.part;
        let reading = &readings[part];
        let file = reading.file;
        let bad = |error: arrow_schema::ArrowError| not_format(file, Container::Parquet, error);
        let open = match handle {
            Some((open_part, ref open)) if open_part == part => open,
            _ => {
                &handle
                    .insert((
                        part,
                        OpenParquet::with_footer(group.footer, &parts[part], file)?,
                    ))
                    .1
            }
        };
        let (before, rows) = (group.before, group.rows);
        let Some(early) = early else {
            let mut read = 0;
            for batch in open.reader(group.index, reading.columns, None, file)? {
                let batch = batch.map_err(bad)?;
                let lines = Lines::After(before + read);
                read += batch.num_rows() as u64;
                if send.send(Ok(Decoded::Rows { part, batch, lines })).is_err() {
                    return Ok(());
                }
            }
            if send.send(Ok(Decoded::Read(rows))).is_err() {
                return Ok(());
            }
            continue;
        };
        let mut keep = Vec::with_capacity(usize::try_from(rows).unwrap_or(0));
        let mut kept_lines = Vec::new();
        let mut passed = Vec::new();
        let mut early_batches = Vec::new();
        for batch in open.reader(group.index, early, None, file)? {
            let batch = batch.map_err(bad)?;
            let first = before + keep.len() as u64;
            for (index, hash) in reading
                .passed_over(&batch, &Lines::After(first))?
                .into_iter()
                .enumerate()
            {
                keep.push(hash.is_none());
                match hash {
                    Some(hash) => passed.push(hash),
                    None => kept_lines.push(first + index as u64 + 1),
                }
            }
            early_batches.push(batch);
        }
        if send.send(Ok(Decoded::PassedOver(passed))).is_err() {
            return Ok(());
        }
        if let Some(first) = early_batches.first()
            && !kept_lines.is_empty()
        {
            // The kept rows' early columns, decoded once: the second pass reads the others.
            // Batches whose columns do not join (dictionaries whose merged keys would overflow
            // their type, as a pandas categorical's 8-bit keys may) have the early columns
            // decoded again with the others, as a load without this shortcut does.
            let keep = arrow_array::BooleanArray::from(keep);
            let kept_early = arrow_select::concat::concat_batches(&first.schema(), &early_batches)
                .and_then(|all| arrow_select::filter::filter_record_batch(&all, &keep))
                .ok();
            drop(early_batches);
            let rest: Vec<String> = reading
                .columns
                .iter()
                .filter(|name| kept_early.is_none() || !early.contains(name))
                .filter(|name| open.metadata.schema().index_of(name).is_ok())
                .cloned()
                .collect();
            let mut lines = kept_lines.into_iter();
            let mut sent_rows = 0;
            let mut send_rows = |batch: RecordBatch| {
                let lines = Lines::Listed(lines.by_ref().take(batch.num_rows()).collect());
                send.send(Ok(Decoded::Rows { part, batch, lines })).is_ok()
            };
            if let Some(kept_early) = kept_early.as_ref().filter(|_| rest.is_empty()) {
                while sent_rows < kept_early.num_rows() {
                    let length = BATCH_ROWS.min(kept_early.num_rows() - sent_rows);
                    if !send_rows(kept_early.slice(sent_rows, length)) {
                        return Ok(());
                    }
                    sent_rows += length;
                }
            } else {
                let selection = parquet::arrow::arrow_reader::RowSelection::from_filters(&[keep]);
                for batch in open.reader(group.index, &rest, Some(selection), file)? {
                    let batch = batch.map_err(bad)?;
                    let batch = match &kept_early {
                        Some(kept_early) => {
                            let early = kept_early.slice(sent_rows, batch.num_rows());
                            side_by_side(&batch, &early).map_err(bad)?
                        }
                        None => batch,
                    };
                    sent_rows += batch.num_rows();
                    if !send_rows(batch) {
                        return Ok(());
                    }
                }
            }
        }
        if send.send(Ok(Decoded::Read(rows))).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// The columns of two batches of the same rows as one batch.
fn side_by_side(
    rest: &RecordBatch,
    early: &RecordBatch,
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let fields: Vec<arrow_schema::FieldRef> = rest
        .schema()
        .fields()
        .iter()
        .chain(early.schema().fields().iter())
        .cloned()
        .collect();
    let columns = rest
        .columns()
        .iter()
        .chain(early.columns())
        .cloned()
        .collect();
    RecordBatch::try_new(
        std::sync::Arc::new(arrow_schema::Schema::new(fields)),
        columns,
    )
}

/// Decode an Arrow IPC file or stream (a layout of one part) and send its batches.
fn send_arrow_batches(
    part: &Part,
    file_columns: &[String],
    container: Container,
    reading: &ReadingRows<'_>,
    send: &Sender,
) -> Result<(), ImportError> {
    let file = reading.file;
    // An Arrow dataset is one file, whose columns the layout holds.
    let indices: Vec<usize> = reading
        .columns
        .iter()
        .filter_map(|name| file_columns.iter().position(|c| c == name))
        .collect();
    let reader = open_arrow(part, Some(indices), container, file)?;
    let mut read = 0;
    for batch in reader.batches {
        let batch = batch.map_err(|error| not_format(file, container, error))?;
        let rows = batch.num_rows() as u64;
        let lines = Lines::After(read);
        read += rows;
        let rows_sent = send.send(Ok(Decoded::Rows {
            part: 0,
            batch,
            lines,
        }));
        if rows_sent.is_err() || send.send(Ok(Decoded::Read(rows))).is_err() {
            break;
        }
    }
    Ok(())
}

/// The days a part's `year=`/`month=`/`date=` partition values cover, if they say.
fn partition_span(partition: &[(String, String)]) -> Option<(NaiveDate, NaiveDate)> {
    let value = |key: &str| {
        partition
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    };
    if let Some(day) = value("date").or_else(|| value("event_date")) {
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
        return Some(widened(day, day));
    }
    let year: i32 = value("year").or_else(|| value("iyear"))?.parse().ok()?;
    let (first, last) = match value("month").and_then(|m| m.parse::<u32>().ok()) {
        Some(month) => {
            let first = NaiveDate::from_ymd_opt(year, month, 1)?;
            let next = first.checked_add_months(chrono::Months::new(1))?;
            (first, next.pred_opt()?)
        }
        None => (
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year, 12, 31)?,
        ),
    };
    Some(widened(first, last))
}

/// A span widened by a year each way: an incident known to its year only may cover days its
/// written date does not.
fn widened(first: NaiveDate, last: NaiveDate) -> (NaiveDate, NaiveDate) {
    super::subset::widened(first, last, 366)
}

/// Whether a row group's statistics put every date column's values outside the period.
fn row_group_outside(
    metadata: &parquet::file::metadata::ParquetMetaData,
    group: usize,
    date_columns: &[String],
    period: Period,
) -> bool {
    let group = metadata.row_group(group);
    let schema = metadata.file_metadata().schema_descr();
    let mut first = None::<NaiveDate>;
    let mut last = None::<NaiveDate>;
    for name in date_columns {
        let Some(index) = (0..schema.num_columns()).find(|&i| schema.column(i).name() == name)
        else {
            return false;
        };
        let column = schema.column(index);
        let Some((low, high)) = group
            .column(index)
            .statistics()
            .and_then(|stats| date_bounds(stats, &column, name))
        else {
            // No statistics, or of a kind not understood: the group is read.
            return false;
        };
        first = Some(first.map_or(low, |f| f.min(low)));
        last = Some(last.map_or(high, |l| l.max(high)));
    }
    match (first, last) {
        (Some(first), Some(last)) => {
            let (first, last) = widened(first, last);
            period.excludes(first, last)
        }
        _ => false,
    }
}

/// The lowest and highest day a column chunk's statistics give: DATE columns, ISO-8601
/// text, and whole years (GTD's `iyear`).
fn date_bounds(
    stats: &parquet::file::statistics::Statistics,
    column: &parquet::schema::types::ColumnDescriptor,
    name: &str,
) -> Option<(NaiveDate, NaiveDate)> {
    use parquet::basic::LogicalType;
    use parquet::file::statistics::Statistics;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    let is_date = matches!(column.logical_type_ref(), Some(LogicalType::Date));
    let year = |y: i64| -> Option<(NaiveDate, NaiveDate)> {
        let y = i32::try_from(y).ok()?;
        Some((
            NaiveDate::from_ymd_opt(y, 1, 1)?,
            NaiveDate::from_ymd_opt(y, 12, 31)?,
        ))
    };
    let is_year = name.eq_ignore_ascii_case("iyear") || name.eq_ignore_ascii_case("year");
    match stats {
        Statistics::Int32(values) if is_date => {
            let day = |d: &i32| epoch.checked_add_signed(chrono::TimeDelta::days(i64::from(*d)));
            Some((day(values.min_opt()?)?, day(values.max_opt()?)?))
        }
        Statistics::Int32(values) if is_year => Some((
            year(i64::from(*values.min_opt()?))?.0,
            year(i64::from(*values.max_opt()?))?.1,
        )),
        Statistics::Int64(values) if is_year => {
            Some((year(*values.min_opt()?)?.0, year(*values.max_opt()?)?.1))
        }
        Statistics::ByteArray(values) => {
            let day = |bytes: &parquet::data_type::ByteArray| {
                let text = std::str::from_utf8(bytes.data()).ok()?;
                NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
            };
            Some((day(values.min_opt()?)?, day(values.max_opt()?)?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
