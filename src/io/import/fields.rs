//! What every importer shares: reading CSV rows by column name, parsing dates, numbers and
//! coordinates with precise reasons, and collecting cited sources.

use std::collections::HashMap;

/// A map keyed by strings met once per row (ids, citations): foldhash, as SipHash showed in a
/// million-row load.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

use chrono::{Datelike as _, NaiveDate};

use super::column_index::ColumnIndex;
use super::records::{self, Record, Tokeniser};
use super::subset::Subset;
use super::{Format, ImportError, ImportReport, Imported, Progress, RowIssue, countries};
use crate::model::actor;
use crate::model::{
    Attribution, Count, Dataset, Incident, IncidentDate, Interner, Location, LocationPrecision,
    Metadata, Source, SourceId,
};

/// A field longer than this is not data but a broken quote or a pasted document.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// Shown as the actor of imported rows that name none (`None` means the embedded dataset).
pub const UNNAMED_ACTOR: &str = "(actor not named in the data)";

/// CSV header: column positions by lower-case name.
pub struct HeaderColumns {
    pub names: Vec<String>,
    /// Asked about twenty times a row (see [`ColumnIndex`]).
    index: ColumnIndex,
}

impl HeaderColumns {
    pub fn new(names: Vec<String>) -> Self {
        let mut index = ColumnIndex::default();
        for (position, name) in names.iter().enumerate() {
            index.insert_first(&name.trim().to_lowercase(), position);
        }
        Self { names, index }
    }

    #[inline]
    pub fn position(&self, name: &str) -> Option<usize> {
        #[cfg(test)]
        asked::record(name);
        // Importers ask with lower-case names, several times a row: no allocation for those,
        // found or not (ACLED's `data_id` is absent from most exports, and asked every row).
        let as_keyed = |name: &str| {
            name.bytes()
                .all(|b| !b.is_ascii_uppercase() && !b.is_ascii_whitespace() && b.is_ascii())
        };
        match self.index.get(name) {
            Some(position) => Some(position),
            None if as_keyed(name) => None,
            None => self.index.get(&name.trim().to_lowercase()),
        }
    }

    pub fn has(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Let `names` be found under the first ten characters they were cut to (shapefiles and
    /// the GeoJSON and CSV made from them), where the full name is absent.
    pub fn with_truncated_names(mut self, names: &[&str]) -> Self {
        for name in names {
            let short: String = name.chars().take(10).collect();
            if short.len() < name.len()
                && !self.has(name)
                && let Some(position) = self.position(&short)
            {
                self.index.insert_first(name, position);
            }
        }
        self
    }

    /// One error naming every required column the header lacks.
    pub fn require(
        &self,
        required: &[&str],
        file: &str,
        format: Format,
    ) -> Result<(), ImportError> {
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|name| !self.has(name))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ImportError::NotFormat {
                file: file.to_owned(),
                format: format.label(),
                why: format!(
                    "line 1: the header lacks the column(s) {}",
                    missing.join(", ")
                ),
            })
        }
    }
}

/// A row's fields by position: a CSV record's, or a columnar batch's read in place.
pub trait Fields {
    fn field(&self, position: usize) -> Option<Field<'_>>;

    /// The field's day where the file stores it as a date (a Parquet `DATE`), read without
    /// going through text: a subset load tests the date of every row, and most are passed
    /// over. `None` where the field is text, empty, or a day its text would not give.
    fn day(&self, _position: usize) -> Option<NaiveDate> {
        None
    }

    /// The field's number where the file stores it as a 64-bit float, the number its text
    /// reads as (every row's coordinates are read). `None` where it is text or empty.
    fn number(&self, _position: usize) -> Option<f64> {
        None
    }
}

/// A field as its row holds it.
pub enum Field<'a> {
    /// Bytes from a file, not yet known to be UTF-8.
    Bytes(&'a [u8]),
    /// Text already checked (an Arrow string column's value).
    Text(&'a str),
}

impl Fields for Record {
    fn field(&self, position: usize) -> Option<Field<'_>> {
        self.get(position).map(Field::Bytes)
    }
}

/// `text` without the white space around it: the common case, printable ASCII at both ends,
/// without `str::trim`'s decoding of characters (it ran for every field read).
fn trimmed(text: &str) -> &str {
    let printable = |byte: Option<&u8>| byte.is_none_or(|&byte| byte > b' ' && byte < 0x7f);
    let bytes = text.as_bytes();
    if printable(bytes.first()) && printable(bytes.last()) {
        text
    } else {
        text.trim()
    }
}

/// One record with its line, read by column name.
pub struct Row<'a> {
    pub line: u64,
    columns: &'a HeaderColumns,
    fields: &'a dyn Fields,
}

impl<'a> Row<'a> {
    pub fn new(line: u64, columns: &'a HeaderColumns, fields: &'a dyn Fields) -> Self {
        Self {
            line,
            columns,
            fields,
        }
    }

    /// The trimmed text of a column; empty when the column or the field is absent.
    pub fn get(&self, column: &str) -> Result<&'a str, RowIssue> {
        let Some(position) = self.columns.position(column) else {
            return Ok("");
        };
        let bytes = match self.fields.field(position) {
            None => return Ok(""),
            Some(Field::Text(text)) => return Ok(trimmed(text)),
            Some(Field::Bytes(bytes)) => bytes,
        };
        std::str::from_utf8(bytes).map(trimmed).map_err(|error| {
            RowIssue::new(
                self.line,
                column,
                &String::from_utf8_lossy(bytes),
                format!(
                    "not UTF-8 text (invalid byte at position {})",
                    error.valid_up_to()
                ),
            )
        })
    }

    /// The column's day where the file stores it as a date (see [`Fields::day`]).
    pub fn stored_day(&self, column: &str) -> Option<NaiveDate> {
        self.fields.day(self.columns.position(column)?)
    }

    /// The column's number where the file stores it as such (see [`Fields::number`]).
    pub fn stored_number(&self, column: &str) -> Option<f64> {
        self.fields.number(self.columns.position(column)?)
    }

    /// Like [`Row::get`], but an empty value is an issue.
    pub fn required(&self, column: &str) -> Result<&'a str, RowIssue> {
        let value = self.get(column)?;
        if value.is_empty() {
            Err(self.issue(column, "", "empty, but required"))
        } else {
            Ok(value)
        }
    }

    pub fn issue(&self, column: &str, value: &str, why: impl Into<String>) -> RowIssue {
        RowIssue::new(self.line, column, value, why)
    }

    /// Parse a column with `parse`, turning its message into an issue naming the column.
    pub fn parse<T>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, RowIssue> {
        let value = self.get(column)?;
        parse(value).map_err(|why| self.issue(column, value, why))
    }
}

/// Sources cited by imported rows, one entry per distinct citation, plus the file itself.
/// Shared by the threads converting rows, hence the lock: a read lock, as nearly every
/// citation is met before (a mutex taken for each row kept the threads waiting on each other).
pub struct Citations {
    inner: std::sync::RwLock<CitationTable>,
    file_source: SourceId,
}

struct CitationTable {
    sources: Vec<Source>,
    by_text: FastMap<String, SourceId>,
}

impl Citations {
    pub fn new(file: &str, format: Format) -> Self {
        let name = std::path::Path::new(file)
            .file_name()
            .map_or_else(|| file.to_owned(), |n| n.to_string_lossy().into_owned());
        let publisher = match format {
            Format::Acled => "ACLED (Armed Conflict Location & Event Data) export",
            Format::Gtd => "Global Terrorism Database (START, University of Maryland) export",
            Format::Ucdp => "UCDP Georeferenced Event Dataset (Uppsala University) export",
            Format::GeoJson => "GeoJSON file",
            Format::Csv => "CSV file",
            Format::Ron => "Khorasan Atlas dataset",
            Format::Parquet => "Parquet file",
            Format::Arrow => "Arrow IPC file",
        };
        let file_source: SourceId = "file".into();
        Self {
            inner: std::sync::RwLock::new(CitationTable {
                sources: vec![Source {
                    id: file_source.clone(),
                    title: name,
                    publisher: publisher.to_owned(),
                    date: None,
                    url: None,
                    seed: None,
                }],
                by_text: FastMap::default(),
            }),
            file_source,
        }
    }

    /// The source entry for the file itself; every imported row cites it.
    pub fn file(&self) -> SourceId {
        self.file_source.clone()
    }

    /// The source for a citation as the file writes it ("Pajhwok Afghan News"); a URL
    /// becomes a link.
    pub fn cite(&self, text: &str) -> Option<SourceId> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        // A poisoned lock means a converting thread panicked; its table is still sound.
        if let Some(id) = self
            .inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .by_text
            .get(text)
        {
            return Some(id.clone());
        }
        let mut table = self
            .inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Another thread may have added it between the two locks.
        if let Some(id) = table.by_text.get(text) {
            return Some(id.clone());
        }
        let id: SourceId = format!("cited-{}", table.sources.len()).into();
        let is_url = text.starts_with("http://") || text.starts_with("https://");
        table.sources.push(Source {
            id: id.clone(),
            title: super::shorten(text, 300),
            publisher: if is_url {
                "Web page cited by the file".to_owned()
            } else {
                "As cited by the file".to_owned()
            },
            date: None,
            url: is_url.then(|| text.to_owned()),
            seed: None,
        });
        table.by_text.insert(text.to_owned(), id.clone());
        Some(id)
    }

    /// Every source of a row: the file, then each citation.
    pub fn row_sources<'t>(&self, texts: impl IntoIterator<Item = &'t str>) -> Vec<SourceId> {
        let mut ids = vec![self.file()];
        for text in texts {
            if let Some(id) = self.cite(text)
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
        ids
    }

    pub fn into_sources(self) -> Vec<Source> {
        self.inner
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .sources
    }
}

/// Builds the dataset and the report of one import, whatever the format.
pub struct Collector {
    pub report: ImportReport,
    pub citations: Citations,
    store: Store,
}

/// The incidents kept so far and the ids seen, kept or not.
#[derive(Default)]
struct Store {
    incidents: Vec<Incident>,
    /// Ids seen so far, to report duplicates.
    ids: SeenIds,
    /// The ids of rows a subset load did not keep, which later rows may repeat.
    not_kept: NotKept,
}

/// The rows a subset load did not keep.
#[derive(Default)]
struct NotKept {
    /// The hashes of their ids ([`id_hash`]): a kept row repeating one of them sends the
    /// file to a second reading (see [`Collector::must_read_again`]).
    id_hashes: Vec<u64>,
    rows: u64,
    /// How many were passed over unconverted.
    passed_over: u64,
}

/// `prefix:native`, the id an importer gives a row: one allocation, no formatting machinery
/// (a subset load reads the ids of a million rows it passes over).
pub fn prefixed_id(prefix: &str, native: &str) -> String {
    let mut id = String::with_capacity(prefix.len() + 1 + native.len());
    id.push_str(prefix);
    id.push(':');
    id.push_str(native);
    id
}

/// The hash of an incident id, the same on every thread and in every run.
pub fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher as _;
    foldhash::quality::FixedState::with_seed(0x4b68_6f72_6173_616e).hash_one(id)
}

/// The ids of the incidents kept so far and the line each was first seen on, without a second
/// copy of every id (a million ids are tens of megabytes): a table of (kept incident, line)
/// found by the id's hash, where the kept incident holds the text to compare.
#[derive(Default)]
struct SeenIds<S = foldhash::fast::RandomState> {
    hasher: S,
    /// (index of the kept incident, the line it was first seen on).
    table: hashbrown::HashTable<(usize, u64)>,
}

impl<S: std::hash::BuildHasher> SeenIds<S> {
    /// The line `id` was first seen on, or `None` after recording it for the incident that
    /// will be kept at `index` from `line`. `kept_id` gives the id of a kept incident.
    fn first_seen<'a>(
        &mut self,
        id: &str,
        index: usize,
        line: u64,
        kept_id: impl Fn(usize) -> &'a str,
    ) -> Option<u64> {
        use hashbrown::hash_table::Entry;
        let hasher = &self.hasher;
        let entry = self.table.entry(
            hasher.hash_one(id),
            |&(kept, _)| kept_id(kept) == id,
            |&(kept, _)| hasher.hash_one(kept_id(kept)),
        );
        match entry {
            Entry::Occupied(entry) => Some(entry.get().1),
            Entry::Vacant(entry) => {
                entry.insert((index, line));
                None
            }
        }
    }
}

impl Store {
    /// Room for `rows` more incidents, when the file's size tells about how many there are:
    /// growing the table of ids rehashes every id kept so far (each a read far into the
    /// incidents), and growing the incidents copies them.
    fn reserve(&mut self, rows: usize) {
        self.incidents.reserve(rows);
        let (incidents, hasher) = (&self.incidents, &self.ids.hasher);
        self.ids.table.reserve(rows, |&(kept, _)| {
            std::hash::BuildHasher::hash_one(hasher, incidents[kept].id.as_str())
        });
    }

    /// Count a row and keep it, its issue or the hash of a row not kept. `id_column` names
    /// the id in a duplicate report.
    fn add(&mut self, report: &mut ImportReport, line: u64, id_column: &str, row: Outcome) {
        match row {
            Outcome::Tags => report.notes.push(format!(
                "line {line}: a row of HXL hashtags (Humanitarian Data Exchange) under the \
                 header: skipped, not data"
            )),
            Outcome::Read(Err(issue)) => {
                report.rows += 1;
                report.skip(issue);
            }
            Outcome::Read(Ok(incident)) => {
                report.rows += 1;
                let incidents = &self.incidents;
                let index = incidents.len();
                if let Some(first) = self
                    .ids
                    .first_seen(&incident.id, index, line, |i| &incidents[i].id)
                {
                    let why = format!("duplicate id, first seen on line {first}");
                    report.skip(RowIssue::new(line, id_column, &incident.id, why));
                } else {
                    self.incidents.push(incident);
                }
            }
            Outcome::NotKept { id_hash, converted } => {
                report.rows += 1;
                self.not_kept.rows += 1;
                self.not_kept.passed_over += u64::from(!converted);
                self.not_kept.id_hashes.push(id_hash);
            }
        }
    }
}

impl Collector {
    /// Room for `rows` more incidents (see [`Store::reserve`]).
    pub fn reserve(&mut self, rows: usize) {
        self.store.reserve(rows);
    }

    pub fn new(file: &str, format: Format) -> Self {
        Self {
            report: ImportReport::new(file, format),
            citations: Citations::new(file, format),
            store: Store::default(),
        }
    }

    /// Count a row and keep it or its issue. `id_column` names the id in a duplicate report.
    pub fn add(&mut self, line: u64, id_column: &str, row: Result<Incident, RowIssue>) {
        self.add_outcome(line, id_column, Outcome::Read(row));
    }

    /// Count a row and keep it, its issue or the id of a row not kept.
    pub fn add_outcome(&mut self, line: u64, id_column: &str, outcome: Outcome) {
        self.store.add(&mut self.report, line, id_column, outcome);
    }

    /// Whether a subset load must be done again, whole: a kept incident's id is also a row's
    /// not kept (by hash), so a whole load might refuse one of them as a duplicate of the
    /// other. Rare (a file repeating an id across the filter's edge), and then exact.
    pub fn must_read_again(&mut self) -> bool {
        use rayon::prelude::*;
        let hashes = &mut self.store.not_kept.id_hashes;
        if hashes.is_empty() {
            return false;
        }
        // Both sides sorted, then walked together: a binary search per kept incident into
        // millions of hashes missed the cache at every step (most of a 5M-row export's wait).
        let mut kept: Vec<u64> = self
            .store
            .incidents
            .par_iter()
            .map(|incident| id_hash(&incident.id))
            .collect();
        let (_, ()) = rayon::join(|| hashes.par_sort_unstable(), || kept.par_sort_unstable());
        let (mut not_kept, mut kept) = (hashes.iter().peekable(), kept.iter().peekable());
        while let (Some(&&a), Some(&&b)) = (not_kept.peek(), kept.peek()) {
            match a.cmp(&b) {
                std::cmp::Ordering::Less => {
                    not_kept.next();
                }
                std::cmp::Ordering::Greater => {
                    kept.next();
                }
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    pub fn finish(mut self, description: String) -> Imported {
        self.report.loaded = self.store.incidents.len();
        let not_kept = &self.store.not_kept;
        if not_kept.rows > 0 {
            self.report.notes.push(format!(
                "Only the incidents the command's filter keeps were loaded: {} row(s) not kept, \
                 {} of them passed over unconverted, their dates being far outside the \
                 period or their country not asked for (problems in those rows are not \
                 listed).",
                not_kept.rows, not_kept.passed_over
            ));
        }
        self.note_points_outside_their_province();
        let title = std::path::Path::new(&self.report.file)
            .file_name()
            .map_or_else(
                || self.report.file.clone(),
                |n| n.to_string_lossy().into_owned(),
            );
        Imported {
            dataset: Dataset {
                metadata: Metadata {
                    title,
                    description,
                    ..Metadata::default()
                },
                sources: self.citations.into_sources(),
                incidents: self.store.incidents,
                reported_series: Vec::new(),
            },
            report: self.report,
        }
    }
}

impl Collector {
    /// One note for the rows whose point lies in another province than the one they name
    /// (the point's is used; the name as written is kept in the row).
    fn note_points_outside_their_province(&mut self) {
        use rayon::iter::{IntoParallelRefIterator as _, ParallelIterator as _};
        // On every core: a pass over a million incidents just loaded.
        let outside: Vec<String> = self
            .store
            .incidents
            .par_iter()
            .filter_map(|incident| {
                let location = &incident.location;
                let written = location.admin1_as_written.as_deref()?;
                super::provinces::names_another(written, &location.admin1, &location.country_code)
                    .then(|| format!("{} ({written} -> {})", incident.id, location.admin1))
            })
            .collect();
        if let Some(first) = outside.first() {
            let more = match outside.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            self.report.notes.push(format!(
                "{} row(s) name a province their point lies outside: the point's province is \
                 used and the name as written kept (e.g. {first}{more})",
                outside.len()
            ));
        }
    }
}

/// The column names a conversion asks for, recorded on this thread while a test wants them:
/// how the tests hold [`Schema::columns`] to what `convert` really reads.
#[cfg(test)]
pub(crate) mod asked {
    use std::cell::RefCell;
    use std::collections::BTreeSet;

    thread_local! {
        static ASKED: RefCell<Option<BTreeSet<String>>> = const { RefCell::new(None) };
    }

    pub(crate) fn record(name: &str) {
        ASKED.with(|asked| {
            if let Some(asked) = asked.borrow_mut().as_mut() {
                asked.insert(name.trim().to_lowercase());
            }
        });
    }

    /// The names asked for while `run` runs on this thread.
    pub(crate) fn during(run: impl FnOnce()) -> BTreeSet<String> {
        ASKED.with(|asked| *asked.borrow_mut() = Some(BTreeSet::new()));
        run();
        ASKED.with(|asked| asked.borrow_mut().take().unwrap_or_default())
    }
}

/// A known CSV schema (ACLED, GTD, UCDP): what the shared loop needs to read it.
pub struct Schema {
    pub format: Format,
    /// Columns without which the file is not this schema.
    pub required: &'static [&'static str],
    /// The id column, named in duplicate-id reports.
    pub id_column: &'static str,
    /// "ACLED export": the dataset's description, before the file name.
    pub description: &'static str,
    /// One row to an incident.
    pub convert: fn(&Row<'_>, &Citations) -> Result<Incident, RowIssue>,
    /// Every column name `convert` reads that is longer than ten characters, so that it is
    /// found under its truncated name too.
    pub long_names: &'static [&'static str],
    /// Every column `convert` reads: a Parquet or Arrow file decodes only these.
    pub columns: &'static [&'static str],
    /// The columns giving a row's first and last day, for skipping Parquet row groups and
    /// partitions outside a period, and rows far outside a filter's period.
    pub date_columns: &'static [&'static str],
    /// How many days an incident's span can reach past its row's date columns (a week or
    /// month precision widens a day to its month).
    pub reach_days: u32,
    /// The id `convert` gives a row, read without converting it, and the columns it reads.
    pub incident_id: fn(&Row<'_>) -> Result<String, RowIssue>,
    pub id_columns: &'static [&'static str],
    /// The country code `convert` surely gives a row, read from its country columns alone
    /// (see [`KnownCountry`]).
    pub known_country: KnownCountry,
}

/// The country code a row's conversion surely gives it, read without converting the row:
/// where its country column names a country of the table, the conversion takes that code
/// whatever the rest of the row says. `None` (a name the table does not know, an empty field)
/// leaves the country to the conversion (the coordinates, the ISO number).
#[derive(Clone, Copy)]
pub struct KnownCountry {
    pub code: fn(&Row<'_>) -> Option<&'static str>,
    /// The columns `code` reads.
    pub columns: &'static [&'static str],
}

/// The code of a country named as the table knows it: what [`location`] takes from a row's
/// country text.
pub fn known_country_code(text: &str) -> Option<&'static str> {
    countries::find(text).map(|country| country.alpha2.as_str())
}

impl Schema {
    /// Import a CSV of this schema held in memory.
    pub fn import(
        &self,
        bytes: &[u8],
        file: &str,
        delimiter: u8,
        progress: &Progress,
    ) -> Result<Imported, ImportError> {
        import_schema(
            self,
            bytes,
            bytes.len() as u64,
            file,
            delimiter,
            progress,
            &Subset::everything(),
        )
    }
}

/// Import a CSV of a known schema from a reader of `size` bytes.
pub fn import_schema(
    schema: &Schema,
    input: impl std::io::Read,
    size: u64,
    file: &str,
    delimiter: u8,
    progress: &Progress,
    subset: &Subset,
) -> Result<Imported, ImportError> {
    let mut collector = Collector::new(file, schema.format);
    read_rows(
        input,
        size,
        file,
        delimiter,
        progress,
        |columns| columns.require(schema.required, file, schema.format),
        schema.long_names,
        &RowRule::of_schema(schema),
        subset,
        &mut collector,
        schema.id_column,
    )?;
    if collector.must_read_again() {
        return Err(ImportError::ReadAgain {
            file: file.to_owned(),
        });
    }
    Ok(collector.finish(format!("{} {file}", schema.description)))
}

/// What a record became.
#[expect(
    clippy::large_enum_variant,
    reason = "a row's incident is moved once into the store: boxing it would add an allocation to every row"
)]
pub enum Outcome {
    /// An incident, or the reason the row was refused.
    Read(Result<Incident, RowIssue>),
    /// A row of HXL tags under the header: noted, not data.
    Tags,
    /// A row a subset load does not keep, with its [`id_hash`]: converted and refused by the
    /// filter, or passed over unconverted by its dates or country.
    NotKept { id_hash: u64, converted: bool },
}

impl Outcome {
    /// Whether the row becomes an incident of the load.
    fn is_kept(&self) -> bool {
        matches!(self, Self::Read(Ok(_)))
    }

    /// A row passed over unconverted, by its dates or country.
    pub fn passed_over(id: &str) -> Self {
        Self::NotKept {
            id_hash: id_hash(id),
            converted: false,
        }
    }
}

/// The records of a chunk, each with its line.
type Rows = Vec<(u64, Outcome)>;

/// How a row becomes an incident, and how a subset load tests it before converting it.
pub struct RowRule<'a> {
    pub convert: &'a (dyn Fn(&Row<'_>, &Citations) -> Result<Incident, RowIssue> + Sync),
    /// The id `convert` gives the row, read without converting it.
    pub incident_id: &'a (dyn Fn(&Row<'_>) -> Result<String, RowIssue> + Sync),
    /// The columns `incident_id` reads.
    pub id_columns: &'a [&'a str],
    /// The columns giving the row's first and last day.
    pub date_columns: &'a [&'a str],
    /// How many days the incident's span can reach past them.
    pub reach_days: u32,
    /// The row's country as its conversion will give it, where the raw row tells.
    pub known_country: Option<KnownCountry>,
}

impl<'a> RowRule<'a> {
    pub fn of_schema(schema: &'a Schema) -> Self {
        Self {
            convert: &schema.convert,
            incident_id: &schema.incident_id,
            id_columns: schema.id_columns,
            date_columns: schema.date_columns,
            reach_days: schema.reach_days,
            known_country: Some(schema.known_country),
        }
    }

    /// The columns a row is passed over by (its dates, its country) and its id is read from:
    /// a Parquet file decodes these first, and the rest only for the rows not passed over.
    pub fn early_columns(&self) -> impl Iterator<Item = &str> {
        self.date_columns
            .iter()
            .chain(self.id_columns)
            .chain(self.known_country.iter().flat_map(|known| known.columns))
            .copied()
    }

    /// What `row` becomes in a load of `subset`: passed over unconverted when its raw dates
    /// or country put it outside (see [`RowRule::passed_over`]), else converted, then kept or
    /// not by the filter.
    pub fn outcome(
        &self,
        row: &Row<'_>,
        citations: &Citations,
        subset: &Subset,
        interner: &mut Interner,
    ) -> Outcome {
        if let Some(id) = self.passed_over(row, subset) {
            return Outcome::passed_over(&id);
        }
        self.converted(row, citations, subset, interner)
    }

    /// What `row` becomes converted, kept or not by the subset's filter: for a row already
    /// known not to be passed over.
    pub fn converted(
        &self,
        row: &Row<'_>,
        citations: &Citations,
        subset: &Subset,
        interner: &mut Interner,
    ) -> Outcome {
        match (self.convert)(row, citations) {
            Ok(mut incident) if subset.keeps(&incident) => {
                incident.share_strings(interner);
                Outcome::Read(Ok(incident))
            }
            Ok(incident) => Outcome::NotKept {
                id_hash: id_hash(&incident.id),
                converted: true,
            },
            Err(issue) => Outcome::Read(Err(issue)),
        }
    }

    /// The row's id, when `subset` surely does not keep it whatever its other fields: every
    /// date column reads and their span is beyond the subset's period by more than the
    /// incident can reach, or the row names a country the subset's filter does not ask for.
    /// `None` sends the row to the conversion.
    pub(super) fn passed_over(&self, row: &Row<'_>, subset: &Subset) -> Option<String> {
        if !subset.passes_over_rows() {
            return None;
        }
        let by_country = || {
            self.known_country
                .and_then(|known| (known.code)(row))
                .is_some_and(|code| subset.passes_over_country(code))
        };
        if !(self.outside_period(row, subset) || by_country()) {
            return None;
        }
        (self.incident_id)(row).ok()
    }

    /// Whether the row's raw dates lie beyond the subset's period by more than the incident
    /// can reach.
    fn outside_period(&self, row: &Row<'_>, subset: &Subset) -> bool {
        let mut span: Option<(NaiveDate, NaiveDate)> = None;
        for column in self.date_columns {
            let stored = row.stored_day(column).map(|day| (day, day));
            let Some((first, last)) = stored.or_else(|| row.get(column).ok().and_then(raw_span))
            else {
                return false;
            };
            span = Some(span.map_or((first, last), |(f, l)| (f.min(first), l.max(last))));
        }
        span.is_some_and(|(first, last)| subset.passes_over(first, last, self.reach_days))
    }
}

/// Whether a record is a row of HXL hashtags (`#event+id,#date+year,...`), as files from the
/// Humanitarian Data Exchange carry under their header: every filled field a tag, and some.
fn is_hxl_tag_row(record: &Record) -> bool {
    let mut tags = 0;
    for field in record.iter().map(<[u8]>::trim_ascii) {
        if field.is_empty() {
            continue;
        }
        let is_tag = field.len() > 1
            && field[0] == b'#'
            && field[1].is_ascii_alphabetic()
            && field
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'#' | b'+' | b'_' | b'-'));
        if !is_tag {
            return false;
        }
        tags += 1;
    }
    tags > 0
}

/// Bytes read at a time, and about the most a chunk tokenised and converted on one thread
/// holds (some 3,000 ACLED rows).
const CHUNK_BYTES: usize = 2 << 20;
/// Files smaller than this are read on the calling thread.
const PARALLEL_FROM_BYTES: usize = 4 * 1024 * 1024;

/// A piece of the file cut after a newline, to be tokenised and converted on a thread.
struct Chunk {
    number: usize,
    bytes: Vec<u8>,
    /// The line of its first byte.
    line: u64,
    /// Whether it ends the file: its last record may have no line break.
    last: bool,
}

/// What a thread made of a chunk.
struct ChunkRows {
    number: usize,
    rows: Rows,
    /// The record the chunk ends inside, where the cut was not between records: its offset
    /// in the chunk and its line.
    unfinished: Option<(usize, u64)>,
    last: bool,
    /// Given back to be read again from `unfinished`, or filled with the next bytes.
    bytes: Vec<u8>,
}

/// Read every record of a CSV file, handing each to `convert` with its line. Rows with the
/// wrong number of fields or an oversized field are reported here; the rest is `convert`'s.
///
/// A file of [`PARALLEL_FROM_BYTES`] or more is cut into chunks that threads tokenise and
/// convert (see [`super::records`] for why every cut is checked); the rows are added in file
/// order, so lines, duplicate ids and the report read exactly as in a sequential load.
#[expect(
    clippy::too_many_arguments,
    reason = "every importer calls this one loop; its arguments are what differs between them"
)]
pub fn read_rows<R: std::io::Read>(
    mut input: R,
    size: u64,
    file: &str,
    delimiter: u8,
    progress: &Progress,
    mut on_header: impl FnMut(&HeaderColumns) -> Result<(), ImportError>,
    long_names: &[&str],
    rule: &RowRule<'_>,
    subset: &Subset,
    collector: &mut Collector,
    id_column: &str,
) -> Result<(), ImportError> {
    use std::io::Read as _;
    let io_error = |source| ImportError::Io {
        file: file.to_owned(),
        source,
    };
    let mut bytes_read = 0u64;
    let mut read_block = |input: &mut R, into: &mut Vec<u8>| -> Result<usize, ImportError> {
        let read = input
            .by_ref()
            .take(CHUNK_BYTES as u64)
            .read_to_end(into)
            .map_err(io_error)?;
        bytes_read += read as u64;
        progress.set_done(bytes_read);
        Ok(read)
    };
    let mut pending = Vec::new();
    let mut at = 0;
    let mut tokeniser = Tokeniser::new(delimiter, 1);
    // An empty file has an empty header, which `on_header` refuses as it lacks columns.
    let header = loop {
        if let Some((_, record)) = tokeniser.next(&pending, &mut at) {
            break record.clone();
        }
        if read_block(&mut input, &mut pending)? == 0 {
            break tokeniser
                .finish()
                .map(|(_, record)| record.clone())
                .unwrap_or_default();
        }
    };
    let names = header
        .iter()
        .map(|name| String::from_utf8_lossy(name).trim().to_owned())
        .collect();
    let columns = HeaderColumns::new(names).with_truncated_names(long_names);
    on_header(&columns)?;

    let Collector {
        report,
        citations,
        store,
    } = collector;
    let citations: &Citations = citations;
    // Each converting thread has its own interner: no lock per row, and a name repeats at
    // most once per thread.
    let row_of = |line: u64, record: &Record, first: bool, interner: &mut Interner| {
        // A blank line in the middle of a file is not a row.
        if record.len() == 1 && record.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
            return None;
        }
        if first && is_hxl_tag_row(record) {
            return Some((line, Outcome::Tags));
        }
        let refused = |column: &str, value: &str, why: String| {
            Some((
                line,
                Outcome::Read(Err(RowIssue::new(line, column, value, why))),
            ))
        };
        if record.len() != columns.names.len() {
            let why = format!(
                "the row has {} fields but the header has {} (a stray delimiter or quote?)",
                record.len(),
                columns.names.len()
            );
            return refused("", "", why);
        }
        if let Some((position, field)) = record
            .iter()
            .enumerate()
            .find(|(_, field)| field.len() > MAX_FIELD_BYTES)
        {
            let why = format!(
                "the field is {} bytes long, over the {} kB limit (an unclosed quote?)",
                field.len(),
                MAX_FIELD_BYTES / 1024
            );
            let value = String::from_utf8_lossy(&field[..200]);
            return refused(&columns.names[position], &value, why);
        }
        let row = Row::new(line, &columns, record);
        Some((line, rule.outcome(&row, citations, subset, interner)))
    };
    // With the rows the file probably holds, once known, to make room for them first.
    let mut add_rows = |rows: Rows, expected: Option<usize>| {
        if let Some(expected) = expected {
            store.reserve(expected);
        }
        for (line, outcome) in rows {
            store.add(report, line, id_column, outcome);
        }
    };
    let cancelled = || ImportError::Cancelled {
        file: file.to_owned(),
    };
    let mut interner = Interner::default();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if size < PARALLEL_FROM_BYTES as u64 || workers == 1 {
        // One tokeniser over the whole file, fed as it is read.
        let mut first = true;
        loop {
            let mut rows = Vec::new();
            while let Some((line, record)) = tokeniser.next(&pending, &mut at) {
                rows.extend(row_of(
                    line,
                    record,
                    std::mem::take(&mut first),
                    &mut interner,
                ));
            }
            add_rows(rows, None);
            if progress.is_cancelled() {
                return Err(cancelled());
            }
            pending.clear();
            at = 0;
            if read_block(&mut input, &mut pending)? == 0 {
                if let Some((line, record)) = tokeniser.finish() {
                    add_rows(
                        row_of(line, record, first, &mut interner)
                            .into_iter()
                            .collect(),
                        None,
                    );
                }
                return Ok(());
            }
        }
    }

    let convert_chunk = |chunk: Chunk, interner: &mut Interner| -> ChunkRows {
        let mut tokeniser = Tokeniser::new(delimiter, chunk.line);
        let mut rows = Vec::new();
        let mut first = chunk.number == 0;
        let mut at = 0;
        let mut record_start = 0;
        while let Some((line, record)) = tokeniser.next(&chunk.bytes, &mut at) {
            rows.extend(row_of(line, record, std::mem::take(&mut first), interner));
            record_start = at;
        }
        if chunk.last
            && let Some((line, record)) = tokeniser.finish()
        {
            rows.extend(row_of(line, record, first, interner));
        }
        let unfinished = (!tokeniser.is_between_records()).then(|| {
            // Blank lines before the record are read again, and skipped again.
            let line = chunk.line + count_newlines(&chunk.bytes[..record_start]);
            (record_start, line)
        });
        ChunkRows {
            number: chunk.number,
            rows,
            unfinished,
            last: chunk.last,
            bytes: chunk.bytes,
        }
    };
    // Set from the first chunk: the rows the whole file holds at its bytes per row, a little
    // over, capped so that a strange first chunk cannot ask for too much. A subset load
    // counts the rows the first chunk kept: room for every row would spread the table of ids
    // over memory the rows kept never fill (a cache miss per row kept).
    let mut reserved = false;
    let mut pool: Vec<Vec<u8>> = Vec::new();
    // Where a cut fell inside a record: the tokeniser reading on from that record until it
    // is between records again, and whether it has met the file's first record.
    let mut reading_on: Option<(Tokeniser, bool)> = None;
    let mut take = |chunk: ChunkRows, pool: &mut Vec<Vec<u8>>| {
        let expected = (!reserved && !chunk.rows.is_empty() && !chunk.last).then(|| {
            reserved = true;
            let kept = if subset.only.is_some() {
                let kept = chunk.rows.iter().filter(|(_, row)| row.is_kept()).count();
                kept as f64 / chunk.rows.len() as f64
            } else {
                1.0
            };
            let rows = size as f64 / chunk.bytes.len().max(1) as f64 * chunk.rows.len() as f64;
            ((rows * kept * 1.1) as usize).min(50_000_000)
        });
        match &mut reading_on {
            None => {
                let first_unread = chunk.number == 0 && chunk.rows.is_empty();
                add_rows(chunk.rows, expected);
                if let Some((start, line)) = chunk.unfinished {
                    let mut tokeniser = Tokeniser::new(delimiter, line);
                    let mut at = start;
                    // The unfinished record goes on after these bytes: nothing comes of them.
                    let finished = tokeniser.next(&chunk.bytes, &mut at).is_some();
                    debug_assert!(!finished, "read as the chunk's thread read it");
                    reading_on = Some((tokeniser, first_unread));
                }
            }
            Some((tokeniser, first)) => {
                // The chunk was read from a wrong start: its rows are read again here.
                let mut rows = Vec::new();
                let mut at = 0;
                while let Some((line, record)) = tokeniser.next(&chunk.bytes, &mut at) {
                    rows.extend(row_of(line, record, std::mem::take(first), &mut interner));
                }
                if chunk.last
                    && let Some((line, record)) = tokeniser.finish()
                {
                    rows.extend(row_of(line, record, *first, &mut interner));
                }
                add_rows(rows, expected);
                if tokeniser.is_between_records() {
                    reading_on = None;
                }
            }
        }
        pool.push(chunk.bytes);
    };

    let (work, jobs) = std::sync::mpsc::sync_channel::<Chunk>(workers * 2);
    let jobs = std::sync::Mutex::new(jobs);
    let (results, done) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (jobs, results, convert_chunk) = (&jobs, results.clone(), &convert_chunk);
            scope.spawn(move || {
                let mut interner = Interner::default();
                loop {
                    let job = jobs
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .recv();
                    let Ok(chunk) = job else { break };
                    if results.send(convert_chunk(chunk, &mut interner)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(results);
        // Chunks come back in any order; they are taken in file order.
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        let mut take_done = |result: ChunkRows, pool: &mut Vec<Vec<u8>>| {
            waiting.insert(result.number, result);
            while let Some(chunk) = waiting.remove(&next) {
                take(chunk, pool);
                next += 1;
            }
        };
        let mut line = tokeniser.line();
        let mut carry = pending.split_off(at);
        let mut number = 0;
        let outcome = loop {
            if progress.is_cancelled() {
                break Err(cancelled());
            }
            let mut bytes = pool.pop().unwrap_or_default();
            bytes.clear();
            bytes.append(&mut carry);
            let read = match read_block(&mut input, &mut bytes) {
                Ok(read) => read,
                Err(error) => break Err(error),
            };
            let last = read < CHUNK_BYTES;
            let chunk = if last {
                Chunk {
                    number,
                    bytes,
                    line,
                    last,
                }
            } else if let Some((cut, newlines)) = records::cut(&bytes) {
                carry.extend_from_slice(&bytes[cut..]);
                bytes.truncate(cut);
                let chunk = Chunk {
                    number,
                    bytes,
                    line,
                    last,
                };
                line += newlines;
                chunk
            } else {
                // Not one line break in a whole block: read on.
                carry = bytes;
                continue;
            };
            number += 1;
            if work.send(chunk).is_err() {
                break Ok(());
            }
            while let Ok(result) = done.try_recv() {
                take_done(result, &mut pool);
            }
            if last {
                break Ok(());
            }
        };
        drop(work);
        for result in done.iter() {
            take_done(result, &mut pool);
        }
        outcome
    })
}

fn count_newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// The span a raw date field gives: a whole year for a bare year (GTD's `iyear`), the day
/// for a day in any accepted form; `None` when it reads as neither (the row is then
/// converted, and the conversion says what is wrong).
pub fn raw_span(text: &str) -> Option<(NaiveDate, NaiveDate)> {
    let text = text.trim();
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        let year = text.parse().ok()?;
        return Some((
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year, 12, 31)?,
        ));
    }
    let day = parse_day_text(text).ok()?;
    Some((day, day))
}

/// Day-precision formats accepted in imported files. ACLED writes `2021-08-26`,
/// `26 August 2021` or `26-08-2021`; spreadsheets add slashes and times.
const DAY_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%m-%Y",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d.%m.%Y",
    "%d-%b-%Y",
    "%d-%B-%Y",
    "%m/%d/%Y",
    "%Y%m%d",
];

/// A day written in any of the accepted forms, with or without a time.
pub fn parse_day_text(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty, but a date is required".to_owned());
    }
    // The common form first, before looking for a time of day.
    if let Some(date) = iso_day(text) {
        return check_year(date);
    }
    // Drop a time of day: "2021-08-26T17:50:00Z", "2021-08-26 17:50".
    let date_part = match text.find(['T', ' ']) {
        Some(index)
            if index >= 8
                && text[..index]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '-') =>
        {
            &text[..index]
        }
        _ => text,
    };
    if let Some(date) = iso_day(date_part) {
        return check_year(date);
    }
    for format in DAY_FORMATS {
        if let Ok(date) = NaiveDate::parse_from_str(date_part, format) {
            return check_year(date);
        }
    }
    Err(date_error(text))
}

/// `2021-08-26`, the first of [`DAY_FORMATS`] and the one ACLED, UCDP and most exports write,
/// read without the format machinery (a tenth of a million-row load went to trying formats).
/// Anything else, an impossible day included, is left to the formats.
fn iso_day(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes[range].iter().try_fold(0u32, |value, &byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + u32::from(byte - b'0'))
        })
    };
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)
}

fn check_year(date: NaiveDate) -> Result<NaiveDate, String> {
    IncidentDate::day(date.year(), date.month(), date.day())
        .map(|_| date)
        .map_err(|error| error.to_string())
}

fn date_error(text: &str) -> String {
    // Say "impossible" rather than "unreadable" for 2021-02-30 and 31-04-2021.
    let digits: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .collect();
    if digits.len() == 3 && digits.iter().all(|d| d.len() <= 4) {
        "not a real calendar date (expected e.g. 2021-08-26, 26 August 2021 or 26-08-2021)"
            .to_owned()
    } else {
        "not a date (expected e.g. 2021-08-26, 26 August 2021, 26-08-2021, 2021-08 or 2021)"
            .to_owned()
    }
}

/// A date at the precision it is written with: a day, "2021-08" or "August 2021" (a month),
/// "2021" (a year).
pub fn parse_date_text(text: &str) -> Result<IncidentDate, String> {
    let text = text.trim();
    if let Ok(day) = parse_day_text(text) {
        return Ok(IncidentDate::from_naive(day));
    }
    if let Ok(date) = text.parse::<IncidentDate>() {
        return Ok(date);
    }
    for format in ["%B %Y", "%b %Y", "%m/%Y", "%Y/%m"] {
        if let Ok(date) = NaiveDate::parse_from_str(&format!("1 {text}"), &format!("%d {format}")) {
            return IncidentDate::month(date.year(), date.month()).map_err(|e| e.to_string());
        }
    }
    Err(parse_day_text(text)
        .err()
        .unwrap_or_else(|| date_error(text)))
}

/// The narrowest date that honestly covers `first..=last`: a day, a month or a year.
pub fn covering_date(first: NaiveDate, last: NaiveDate) -> Result<IncidentDate, String> {
    if last < first {
        return Err(format!(
            "the end date {last} is before the start date {first}"
        ));
    }
    let result = if first == last {
        IncidentDate::day(first.year(), first.month(), first.day())
    } else if (first.year(), first.month()) == (last.year(), last.month()) {
        IncidentDate::month(first.year(), first.month())
    } else if first.year() == last.year() {
        IncidentDate::year(first.year())
    } else {
        return Err(format!(
            "the dates {first} to {last} span more than a calendar year; no single date covers them"
        ));
    };
    result.map_err(|error| error.to_string())
}

/// A whole number of people: empty is unknown, "12" or "12.0" exact, "10-12" a range.
pub fn parse_count(text: &str) -> Result<Count, String> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("unknown") || text == "-99" {
        return Ok(Count::Unknown);
    }
    let one = |part: &str| -> Result<u32, String> {
        let value: f64 = part.trim().parse().map_err(|_| "not a number".to_owned())?;
        if !value.is_finite() {
            Err("not a number".to_owned())
        } else if value < 0.0 {
            Err("negative; a count of people cannot be".to_owned())
        } else if value.fract() != 0.0 {
            Err("not a whole number".to_owned())
        } else if value > 100_000.0 {
            Err("over 100,000 for one incident, not plausible".to_owned())
        } else {
            Ok(value as u32)
        }
    };
    match text
        .split_once(['-', '\u{2013}'])
        .filter(|(low, _)| !low.trim().is_empty())
    {
        Some((low, high)) => {
            let (low, high) = (one(low)?, one(high)?);
            if low > high {
                Err(format!("range {low}-{high} runs backwards"))
            } else if low == high {
                Ok(Count::Exact(low))
            } else {
                Ok(Count::Range(low, high))
            }
        }
        None => one(text).map(Count::Exact),
    }
}

/// A low and a high figure (UCDP's `low` and `high`) as one count.
pub fn count_range(low: Count, high: Count) -> Count {
    match (low.bounds(), high.bounds()) {
        (Some((low, _)), Some((_, high))) if low < high => Count::Range(low, high),
        (Some((low, _)), Some(_)) => Count::Exact(low),
        (Some(_), None) => low,
        (None, _) => high,
    }
}

/// Latitude and longitude in degrees, checked.
pub fn parse_coordinates(
    row: &Row<'_>,
    lat_column: &str,
    lon_column: &str,
) -> Result<(f64, f64), RowIssue> {
    // A number the file stores is the one its text reads as: only its range is checked.
    let degrees = |column: &str, limit: f64, what: &str| match row.stored_number(column) {
        Some(value) => check_degrees(value, limit, what)
            .map_err(|why| row.issue(column, row.get(column).unwrap_or_default(), why)),
        None => row.parse(column, |text| parse_degrees(text, limit, what)),
    };
    let lat = degrees(lat_column, 90.0, "latitude")?;
    let lon = degrees(lon_column, 180.0, "longitude")?;
    check_not_null_island(lat, lon)
        .map_err(|why| row.issue(lat_column, &format!("{lat}, {lon}"), why))
}

pub fn parse_degrees(text: &str, limit: f64, what: &str) -> Result<f64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!(
            "empty; a {what} is needed to place the incident on the map"
        ));
    }
    // A decimal comma, as some spreadsheets write it (copied only then: every row has two).
    let text = if text.contains(',') {
        std::borrow::Cow::Owned(text.replace(',', "."))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let value: f64 = text
        .parse()
        .map_err(|_| format!("not a {what} in decimal degrees"))?;
    check_degrees(value, limit, what)
}

fn check_degrees(value: f64, limit: f64, what: &str) -> Result<f64, String> {
    if !value.is_finite() || value.abs() > limit {
        return Err(format!("{what} out of range (-{limit} to {limit})"));
    }
    Ok(value)
}

/// 0,0 is the placeholder many exports write for "no coordinates".
pub fn check_not_null_island(lat: f64, lon: f64) -> Result<(f64, f64), String> {
    if lat == 0.0 && lon == 0.0 {
        Err("0, 0 is a placeholder for missing coordinates, not a place".to_owned())
    } else {
        Ok((lat, lon))
    }
}

/// A row's place. Where the file gives no country, it is read from the offline basemap at
/// the coordinates (inside its extent); the province is resolved to the basemap's name (see
/// [`super::provinces`]); where the row gives no place name, the province or the coordinates
/// stand in for it.
pub fn location(
    place: &str,
    admin1: &str,
    country_text: &str,
    (lat, lon): (f64, f64),
    precision: LocationPrecision,
) -> Location {
    // The country's name and ISO alpha-2 code from its name or code as written (an unknown
    // name kept as written, without a code), borrowed until the incident's own copies are
    // made: a copy of each was made and copied again.
    let (mut country, mut country_code) = match countries::find(country_text) {
        Some(found) => (found.name.as_str(), found.alpha2.as_str()),
        None => (country_text.trim(), ""),
    };
    let point = crate::basemap::Mercator::from_lon_lat(lon, lat);
    if country.is_empty()
        && let Some(area) = crate::basemap::Basemap::shared().and_then(|b| b.country_at(point))
    {
        (country, country_code) = (area.name.as_str(), area.country_code.as_str());
    }
    // A point placed only to the country says nothing of the province.
    let placed = (precision != LocationPrecision::Country).then_some(point);
    let province = super::provinces::resolve(admin1, country_code, placed);
    let admin1 = crate::model::SharedStr::from(province.name);
    if country.is_empty() {
        country = "Unknown country";
    }
    let place = match (place.trim(), admin1.is_empty()) {
        ("", false) => admin1.clone(),
        ("", true) => format!("{lat:.4}, {lon:.4}").into(),
        (place, _) => place.into(),
    };
    Location {
        place,
        admin1,
        admin1_as_written: province.as_written.map(Into::into),
        country: country.into(),
        country_code: country_code.into(),
        lat,
        lon,
        precision,
        footprint_km: None,
    }
}

/// The grade and the actor of an imported row: "named in data" when one of the actors is
/// ISK under any of its names, otherwise "not identified as ISK" with the first actor.
pub fn attribution<'t>(
    actors: impl IntoIterator<Item = &'t str>,
    country_code: &str,
) -> (Attribution, String) {
    // One pass, nothing collected: every row of a file is graded.
    let mut first = None;
    for name in actors.into_iter().map(str::trim).filter(|a| !a.is_empty()) {
        if actor::is_isk_name(name, country_code) {
            return (Attribution::NamedInData, name.to_owned());
        }
        first.get_or_insert(name);
    }
    (
        Attribution::NotIsk,
        first.map_or_else(|| UNNAMED_ACTOR.to_owned(), str::to_owned),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn raw_dates_read_as_days_or_years() {
        assert_eq!(
            raw_span("2021"),
            Some((day("2021-01-01"), day("2021-12-31")))
        );
        assert_eq!(
            raw_span(" 2021-08-26 "),
            Some((day("2021-08-26"), day("2021-08-26")))
        );
        assert_eq!(
            raw_span("26 August 2021"),
            Some((day("2021-08-26"), day("2021-08-26")))
        );
        assert_eq!(raw_span("2021-08"), None);
        assert_eq!(raw_span(""), None);
        assert_eq!(raw_span("20211"), None);
    }
    use crate::model::DatePrecision;

    #[test]
    fn dates_in_every_accepted_form() {
        for text in [
            "2025-05-16",
            "16 May 2025",
            "16 may 2025",
            "16-05-2025",
            "16/05/2025",
            "2025-05-16T08:30:00Z",
            "May 16, 2025",
        ] {
            assert_eq!(
                parse_day_text(text),
                Ok(NaiveDate::from_ymd_opt(2025, 5, 16).unwrap()),
                "{text}"
            );
        }
        assert_eq!(
            parse_date_text("2025-05").unwrap().precision(),
            DatePrecision::Month
        );
        assert_eq!(
            parse_date_text("May 2025").unwrap().precision(),
            DatePrecision::Month
        );
        assert_eq!(
            parse_date_text("2025").unwrap().precision(),
            DatePrecision::Year
        );
        assert!(
            parse_day_text("2021-02-30")
                .unwrap_err()
                .contains("not a real calendar date")
        );
        assert!(
            parse_day_text("yesterday")
                .unwrap_err()
                .contains("not a date")
        );
        assert!(parse_day_text("1066-10-14").is_err(), "out of range year");
    }

    #[test]
    fn the_fast_iso_day_reads_as_the_format_does() {
        let by_format = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        for year in [0, 999, 1899, 1900, 2000, 2024, 2100, 9999] {
            for month in 0..=13 {
                for day in [0, 1, 28, 29, 30, 31, 32] {
                    let text = format!("{year:04}-{month:02}-{day:02}");
                    assert_eq!(iso_day(&text), by_format(&text), "{text}");
                }
            }
        }
        // Other forms are left to the formats.
        for text in [
            "2021-1-05",
            "+202-01-01",
            "2021-01-0a",
            "2021_01_01",
            "２０２１-01-01",
        ] {
            assert_eq!(iso_day(text), None, "{text}");
        }
    }

    #[test]
    fn covering_dates_widen_honestly() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let covered = |a, b| covering_date(day(a), day(b)).unwrap().to_string();
        assert_eq!(covered("2021-08-26", "2021-08-26"), "2021-08-26");
        assert_eq!(covered("2021-08-20", "2021-08-26"), "2021-08");
        assert_eq!(covered("2021-07-30", "2021-08-02"), "2021");
        assert!(covering_date(day("2020-12-30"), day("2021-01-02")).is_err());
        assert!(covering_date(day("2021-01-02"), day("2021-01-01")).is_err());
    }

    #[test]
    fn duplicate_ids_are_found_even_when_their_hashes_collide() {
        /// Every id hashes alike: each lookup goes through the comparison and the fallback.
        #[derive(Default)]
        struct Collide;
        impl std::hash::Hasher for Collide {
            fn finish(&self) -> u64 {
                7
            }
            fn write(&mut self, _: &[u8]) {}
        }
        let mut seen = SeenIds::<std::hash::BuildHasherDefault<Collide>>::default();
        let mut kept: Vec<String> = Vec::new();
        let mut add = |id: &str, line: u64| {
            let first = seen.first_seen(id, kept.len(), line, |i| &kept[i]);
            if first.is_none() {
                kept.push(id.to_owned());
            }
            first
        };
        assert_eq!(add("a", 2), None);
        assert_eq!(add("b", 3), None);
        assert_eq!(add("a", 4), Some(2));
        assert_eq!(add("b", 5), Some(3));
        assert_eq!(add("c", 6), None);
        assert_eq!(add("c", 7), Some(6));
    }

    #[test]
    fn a_large_file_converted_on_several_threads_reads_as_in_order() {
        // Over PARALLEL_FROM_BYTES: batches are converted on worker threads.
        let mut bytes = Vec::new();
        crate::synth::write_acled(&mut bytes, 12_000, 5, |_| {}).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        // Break rows far apart, in different batches: an impossible date and a short row.
        for &line in &[3_000usize, 9_000] {
            lines[line - 1] = lines[line - 1].replacen(",20", ",1850", 1);
        }
        lines[11_000 - 1] = "SYN-short,2021-01-01".to_owned();
        let text = lines.join("\n");
        assert!(text.len() > PARALLEL_FROM_BYTES);
        let imported = super::super::import_bytes(
            text.as_bytes(),
            "big.csv",
            Some("csv"),
            None,
            &Progress::default(),
        )
        .unwrap();
        let issue_lines: Vec<u64> = imported.report.issues.iter().map(|i| i.line).collect();
        assert_eq!(issue_lines, [3_000, 9_000, 11_000]);
        assert_eq!(imported.report.loaded, 12_000 - 3);
        let ids: Vec<&str> = imported
            .dataset
            .incidents
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(ids[0], "acled:SYN0");
        // Line 3,000 held SYN2998 (line 2 holds SYN0): it is skipped, the rest keep their order.
        assert_eq!(ids[2_997], "acled:SYN2997");
        assert_eq!(ids[2_998], "acled:SYN2999", "row order is the file's");
        assert_eq!(ids.last(), Some(&"acled:SYN11999"));

        // Names repeat across rows: each thread keeps one copy of each, not one per row.
        let incidents = &imported.dataset.incidents;
        let copies = |text: fn(&Incident) -> &crate::model::SharedStr| {
            let mut distinct: Vec<&crate::model::SharedStr> = Vec::new();
            for incident in incidents {
                if !distinct.iter().any(|seen| seen.shares_with(text(incident))) {
                    distinct.push(text(incident));
                }
            }
            distinct.len()
        };
        let countries: std::collections::BTreeSet<&str> = incidents
            .iter()
            .map(|i| i.location.country.as_str())
            .collect();
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        assert!(copies(|i| &i.location.country) <= countries.len() * workers);
        assert!(copies(|i| &i.location.country_code) <= countries.len() * workers);
        assert!(copies(|i| &i.sources[0]) <= workers);
    }

    /// A file over [`PARALLEL_FROM_BYTES`], read in chunks on threads and on this thread
    /// alone (a size of 0 says "small"), to the same incidents and report.
    fn parallel_and_sequential(text: &str) -> (Imported, Imported) {
        // Several chunks, beyond the first.
        assert!(text.len() > PARALLEL_FROM_BYTES + 2 * CHUNK_BYTES);
        let read = |size: u64| {
            let schema = &super::super::acled::SCHEMA;
            import_schema(
                schema,
                text.as_bytes(),
                size,
                "big.csv",
                b',',
                &Progress::default(),
                &Subset::everything(),
            )
            .unwrap()
        };
        (read(text.len() as u64), read(0))
    }

    /// The same rows, issues and incidents; citations are numbered as threads meet them, so
    /// sources are compared by what they say.
    fn assert_same(parallel: &Imported, sequential: &Imported) {
        assert_eq!(parallel.report.rows, sequential.report.rows);
        assert_eq!(parallel.report.issues, sequential.report.issues);
        let cited = |imported: &Imported| -> Vec<(Incident, Vec<String>)> {
            let title = |id: &SourceId| {
                let source = imported.dataset.sources.iter().find(|s| &s.id == id);
                source.map(|s| s.title.clone()).unwrap_or_default()
            };
            let incidents = imported.dataset.incidents.iter().cloned();
            incidents
                .map(|mut incident| {
                    let titles = incident.sources.iter().map(title).collect();
                    incident.sources.clear();
                    (incident, titles)
                })
                .collect()
        };
        let (parallel, sequential) = (cited(parallel), cited(sequential));
        assert_eq!(parallel.len(), sequential.len());
        for (a, b) in parallel.iter().zip(&sequential) {
            assert_eq!(a, b);
        }
    }

    #[test]
    fn chunks_cut_between_quoted_line_breaks_read_as_one_thread_reads() {
        let mut bytes = Vec::new();
        crate::synth::write_acled(&mut bytes, 15_000, 7, |_| {}).unwrap();
        // A line break inside every row's quoted notes, and a row broken after them.
        let text = String::from_utf8(bytes)
            .unwrap()
            .replace("not a real incident. On", "not a real incident.\r\nOn")
            .replacen("\nSYN8000,", "\nSYN8000,1850-01-01,", 1);
        let (parallel, sequential) = parallel_and_sequential(&text);
        assert_same(&parallel, &sequential);
        assert_eq!(parallel.dataset.incidents.len(), 14_999);
        assert!(parallel.dataset.incidents[0].summary.contains(".\r\nOn"));
        // Two lines a row after the header: SYN8000 starts on line 2 + 2 * 8000.
        let lines: Vec<u64> = parallel.report.issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, [16_002]);
    }

    #[test]
    fn a_stray_quote_that_misleads_every_cut_is_found_out_and_read_again() {
        let mut bytes = Vec::new();
        crate::synth::write_acled(&mut bytes, 15_000, 7, |_| {}).unwrap();
        // A quote inside an unquoted field is text to a CSV reader, but it flips the quote
        // parity the cuts are guessed from: every cut after it falls inside quoted notes.
        let text = String::from_utf8(bytes)
            .unwrap()
            .replace("not a real incident. On", "not a real incident.\nOn")
            .replacen(",Synthetic Outlet", ",Synthetic \"Outlet", 1);
        // The premise: a cut guessed after the stray quote falls inside a record.
        let body = &text.as_bytes()[text.find('\n').unwrap() + 1..][..CHUNK_BYTES];
        let (at_cut, _) = records::cut(body).unwrap();
        let mut tokeniser = Tokeniser::new(b',', 2);
        let mut at = 0;
        while tokeniser.next(&body[..at_cut], &mut at).is_some() {}
        assert!(!tokeniser.is_between_records());
        let (parallel, sequential) = parallel_and_sequential(&text);
        assert_same(&parallel, &sequential);
        assert_eq!(parallel.dataset.incidents.len(), 15_000);
        assert!(parallel.report.issues.is_empty());
        let ids: Vec<&str> = parallel
            .dataset
            .incidents
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(
            (ids[4_321], ids[14_999]),
            ("acled:SYN4321", "acled:SYN14999")
        );
    }

    #[test]
    fn counts_reject_the_impossible() {
        assert_eq!(parse_count(""), Ok(Count::Unknown));
        assert_eq!(parse_count("13.0"), Ok(Count::Exact(13)));
        assert_eq!(parse_count("10-12"), Ok(Count::Range(10, 12)));
        assert!(parse_count("-3").unwrap_err().contains("negative"));
        assert!(parse_count("2.5").is_err());
        assert!(parse_count("many").is_err());
        assert!(parse_count("NaN").is_err());
        assert!(parse_count("12-10").is_err());
        assert_eq!(
            count_range(Count::Exact(3), Count::Exact(7)),
            Count::Range(3, 7)
        );
        assert_eq!(
            count_range(Count::Exact(3), Count::Exact(3)),
            Count::Exact(3)
        );
    }

    #[test]
    fn coordinates_are_checked() {
        assert!(parse_degrees("200", 90.0, "latitude").is_err());
        assert!(parse_degrees("inf", 90.0, "latitude").is_err());
        assert_eq!(parse_degrees("34,5", 90.0, "latitude"), Ok(34.5));
        assert!(check_not_null_island(0.0, 0.0).is_err());
    }

    #[test]
    fn attribution_names_isk_or_the_first_actor() {
        let (grade, actor) = attribution(["Taliban", "Islamic State (Afghanistan)"], "AF");
        assert_eq!(grade, Attribution::NamedInData);
        assert_eq!(actor, "Islamic State (Afghanistan)");
        let (grade, actor) = attribution(["", "Taliban"], "AF");
        assert_eq!((grade, actor.as_str()), (Attribution::NotIsk, "Taliban"));
        assert_eq!(attribution([], "AF").1, UNNAMED_ACTOR);
    }
}
