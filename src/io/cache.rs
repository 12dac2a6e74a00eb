//! Loaded layers kept on disk, so that opening an unchanged file again is one read rather than
//! a parse: analysts reopen the same export every day.
//!
//! A cache entry is keyed by the file's path, size and modification time, a hash of its first
//! and last 64 KiB, the field mapping it was read with and the program's version. The entry
//! repeats its key and carries a CRC-32 of its contents: a changed file, a truncated or
//! damaged entry, or one written by another version is ignored and the file parsed again (and
//! the entry rewritten), never read as a wrong dataset. Only files of [`CACHE_FROM_BYTES`] or
//! more are kept (smaller ones parse in well under a second), and the folder is kept under
//! [`MAX_CACHE_BYTES`] by dropping the least recently used entries.
//!
//! `KHORASAN_ATLAS_CACHE_DIR` puts the cache elsewhere; `KHORASAN_ATLAS_CACHE=off` turns it off.

use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::import::{FieldMapping, ImportError, Imported, Progress, Subset, import_file_within};
use crate::model::date::DayNumber;

/// Files smaller than this are not cached.
pub const CACHE_FROM_BYTES: u64 = 16 * 1024 * 1024;
/// The cache folder is trimmed to this size, least recently used entries first.
pub const MAX_CACHE_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Bytes hashed at each end of the file.
const EDGE_BYTES: u64 = 64 * 1024;
const MAGIC: &[u8; 8] = b"KAlayer\x03";
/// Bumped when what a layer holds changes shape, with the program version as a second guard.
const LAYOUT_VERSION: u32 = 3;

/// Load a file as [`import_file_within`] does, from the cache when the file is unchanged since
/// it was last loaded, keeping it there otherwise. What the viewer and the command line call.
///
/// With a filter ([`Subset::only`]), a reopen decodes only the incidents whose stored sketch
/// (date span and country) the filter can keep, and whole blocks outside its period are not
/// read; a first load is read whole, kept, then filtered.
pub fn load_file(
    path: &Path,
    mapping: Option<&FieldMapping>,
    subset: &Subset,
    progress: &Progress,
) -> Result<Imported, ImportError> {
    // A load of part of a Parquet file is not kept: the cache holds whole files. Other
    // formats are parsed whole for the cache, then filtered.
    let columnar = super::import::columnar::is_columnar_file(path);
    let whole = subset.is_everything() || !columnar;
    let cache = whole.then(cache_dir).flatten().and_then(|dir| {
        let key = Key::of(path, mapping, CACHE_FROM_BYTES)?;
        Some((dir, key))
    });
    let Some((dir, key)) = &cache else {
        return import_file_within(path, mapping, subset, progress);
    };
    if let Some(mut imported) = load_within(dir, key, subset) {
        progress.set_total(1);
        progress.set_done(1);
        imported.report.notes.push(
            "Read from the cache of loaded files: the file is unchanged since it was last \
             loaded (Data > Clear the cache of loaded files to read it afresh)."
                .to_owned(),
        );
        return Ok(imported);
    }
    let mut imported = import_file_within(path, mapping, &Subset::everything(), progress)?;
    if let Err(error) = store(dir, key, &imported) {
        // The layer is loaded either way; only the next opening is slower.
        log::warn!("cannot keep {} in the cache: {error}", path.display());
    }
    imported.keep_only(subset);
    Ok(imported)
}

/// The cache folder: the environment's choice, else the platform's cache folder.
pub fn cache_dir() -> Option<PathBuf> {
    if std::env::var("KHORASAN_ATLAS_CACHE").is_ok_and(|value| value.eq_ignore_ascii_case("off")) {
        return None;
    }
    if let Some(dir) = std::env::var_os("KHORASAN_ATLAS_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "khorasan-atlas")
        .map(|dirs| dirs.cache_dir().join("layers"))
}

/// What makes two loads of a file the same load.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    program: String,
    layout: u32,
    path: String,
    size: u64,
    modified_ns: u128,
    edges_hash: u64,
    /// The field mapping, as RON, for files read through one.
    mapping: Option<String>,
}

impl Key {
    /// The key of `path` read with `mapping`; `None` when the file is smaller than
    /// `min_bytes` ([`CACHE_FROM_BYTES`] but in tests), or cannot be read (the import will
    /// say why).
    pub fn of(path: &Path, mapping: Option<&FieldMapping>, min_bytes: u64) -> Option<Self> {
        let metadata = std::fs::metadata(path).ok()?;
        if !metadata.is_file() || metadata.len() < min_bytes.max(2 * EDGE_BYTES) {
            return None;
        }
        let modified_ns = metadata
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        let size = metadata.len();
        let mut file = std::fs::File::open(path).ok()?;
        let mut edges = vec![0; EDGE_BYTES as usize];
        let mut hasher = crc32fast::Hasher::new();
        file.read_exact(&mut edges).ok()?;
        hasher.update(&edges);
        file.seek(SeekFrom::Start(size - EDGE_BYTES)).ok()?;
        file.read_exact(&mut edges).ok()?;
        hasher.update(&edges);
        Some(Self {
            program: env!("CARGO_PKG_VERSION").to_owned(),
            layout: LAYOUT_VERSION,
            path: std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.to_owned())
                .display()
                .to_string(),
            size,
            modified_ns,
            // The CRC's 32 bits and the size and time beside them: an edit that keeps the
            // size, the time and both ends is what this cannot see.
            edges_hash: u64::from(hasher.finalize()),
            mapping: mapping.and_then(|m| ron::to_string(m).ok()),
        })
    }

    /// The entry's file name: a hash of the whole key.
    fn file_name(&self) -> String {
        let text = ron::to_string(self).unwrap_or_default();
        format!("{:08x}.layer", crc32fast::hash(text.as_bytes()))
    }
}

/// The layer cached for `key`, if there is a sound entry for it.
pub fn load(dir: &Path, key: &Key) -> Option<Imported> {
    load_within(dir, key, &Subset::everything())
}

/// [`load`], holding only the incidents `subset` keeps.
pub fn load_within(dir: &Path, key: &Key, subset: &Subset) -> Option<Imported> {
    let path = dir.join(key.file_name());
    let found = std::fs::File::open(&path).ok().and_then(|file| {
        decode(
            std::io::BufReader::with_capacity(1 << 20, file),
            key,
            subset,
        )
    });
    match &found {
        Some(_) => {
            // Marks it recently used, for trimming.
            let _ = std::fs::File::options()
                .append(true)
                .open(&path)
                .and_then(|file| file.set_modified(std::time::SystemTime::now()));
        }
        None => {
            // Damaged, or another file's under a colliding name: it is rewritten after the
            // parse.
            let _ = std::fs::remove_file(&path);
        }
    }
    found
}

/// Incidents per block of an entry: blocks are checked and decoded on all cores, and no
/// buffer the size of the whole entry is ever held. Small in tests, so that their files make
/// several blocks.
const BLOCK_INCIDENTS: usize = if cfg!(test) { 256 } else { 16 * 1024 };

/// Everything of a layer but its incidents, and how many blocks of incidents follow.
#[derive(Serialize)]
struct HeadOut<'a> {
    report: &'a super::import::ImportReport,
    metadata: &'a crate::model::Metadata,
    sources: &'a [crate::model::Source],
    reported_series: &'a [crate::model::ReportedSeries],
    incidents: u64,
    blocks: Vec<BlockSpan>,
}

/// How many incidents a block holds and the days they span, so that a filtered reopen
/// passes over blocks wholly outside its period without reading them.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct BlockSpan {
    incidents: u32,
    first: DayNumber,
    last: DayNumber,
}

/// What a filter can be asked of a stored incident before it is decoded.
struct Sketch {
    first: DayNumber,
    last: DayNumber,
    /// The country code, where it is two bytes (else the incident is decoded to be tested).
    country: Option<[u8; 2]>,
    /// Where the incident's bytes end in the block's body.
    end: u32,
}

const SKETCH_BYTES: usize = 14;

impl Sketch {
    fn of(incident: &crate::model::Incident, end: u32) -> Self {
        let (first, last) = incident.date.span();
        Self {
            first,
            last,
            country: incident.location.country_code.as_bytes().try_into().ok(),
            end,
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.first.to_le_bytes());
        out.extend_from_slice(&self.last.to_le_bytes());
        out.extend_from_slice(&self.country.unwrap_or([0, 0]));
        out.extend_from_slice(&self.end.to_le_bytes());
    }

    fn read(bytes: &[u8]) -> Option<Self> {
        let word = |at: usize| -> Option<[u8; 4]> { bytes.get(at..at + 4)?.try_into().ok() };
        let country: [u8; 2] = bytes.get(8..10)?.try_into().ok()?;
        Some(Self {
            first: DayNumber::from_le_bytes(word(0)?),
            last: DayNumber::from_le_bytes(word(4)?),
            country: (country != [0, 0]).then_some(country),
            end: u32::from_le_bytes(word(10)?),
        })
    }

    /// Whether `filter` may keep the incident.
    fn may_match(&self, filter: &crate::model::Filter) -> bool {
        let country = self
            .country
            .as_ref()
            .and_then(|code| std::str::from_utf8(code).ok());
        filter.may_match((self.first, self.last), country)
    }
}

/// [`HeadOut`] read back.
#[derive(Deserialize)]
struct Head {
    report: super::import::ImportReport,
    metadata: crate::model::Metadata,
    sources: Vec<crate::model::Source>,
    reported_series: Vec<crate::model::ReportedSeries>,
    incidents: u64,
    blocks: Vec<BlockSpan>,
}

/// The CRC-32 of block number `number` (the key is block 0, the head 1): the number is
/// hashed with the bytes, so that blocks in the wrong order do not pass either.
fn block_crc(number: u64, bytes: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&number.to_le_bytes());
    hasher.update(bytes);
    hasher.finalize()
}

/// Block `number`: its length (u64 LE), its [`block_crc`] (u32 LE), the bytes. `None` when
/// the file ends early or the bytes do not match their CRC.
fn read_block(reader: &mut impl std::io::Read, number: u64) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    let crc = read_unchecked_block(reader, &mut bytes)?;
    (block_crc(number, &bytes) == crc).then_some(bytes)
}

/// The next block's bytes into `bytes` (reused: a block is megabytes, and fresh memory is
/// paid for in page faults), and the CRC it should have; `None` when the file ends early.
fn read_unchecked_block(reader: &mut impl std::io::Read, bytes: &mut Vec<u8>) -> Option<u32> {
    let mut header = [0u8; 12];
    reader.read_exact(&mut header).ok()?;
    let (length, crc) = header.split_at(8);
    let length = usize::try_from(u64::from_le_bytes(length.try_into().ok()?)).ok()?;
    // A damaged length must not ask for more memory than a block can need.
    if length > 1 << 32 {
        return None;
    }
    bytes.clear();
    bytes.reserve(length);
    reader.take(length as u64).read_to_end(bytes).ok()?;
    (bytes.len() == length).then(|| u32::from_le_bytes(crc.try_into().unwrap_or_default()))
}

fn write_block(writer: &mut impl std::io::Write, number: u64, bytes: &[u8]) -> std::io::Result<()> {
    writer.write_all(&(bytes.len() as u64).to_le_bytes())?;
    writer.write_all(&block_crc(number, bytes).to_le_bytes())?;
    writer.write_all(bytes)
}

/// A block of incidents: their number (u32 LE), a [`Sketch`] of each, the length (u32 LE) of
/// the block's table of names and the table, then each incident encoded on its own with its
/// names as numbers into the table (see [`shared_str::numbering`]), so that a filtered reopen
/// decodes only those its filter may keep.
///
/// [`shared_str::numbering`]: crate::model::shared_str::numbering
fn encode_block(incidents: &[crate::model::Incident], out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut sketches = Vec::with_capacity(incidents.len());
    let (body, names) = crate::model::shared_str::numbering(|| {
        let mut body = Vec::new();
        for incident in incidents {
            body = postcard::to_extend(incident, body).map_err(std::io::Error::other)?;
            let end = u32::try_from(body.len()).map_err(std::io::Error::other)?;
            sketches.push(Sketch::of(incident, end));
        }
        Ok::<_, std::io::Error>(body)
    });
    let body = body?;
    let names: Vec<&str> = names.iter().map(|name| name.as_str()).collect();
    let table = postcard::to_stdvec(&names).map_err(std::io::Error::other)?;
    out.clear();
    out.extend_from_slice(&(incidents.len() as u32).to_le_bytes());
    for sketch in &sketches {
        sketch.write(out);
    }
    let table_bytes = u32::try_from(table.len()).map_err(std::io::Error::other)?;
    out.extend_from_slice(&table_bytes.to_le_bytes());
    out.extend_from_slice(&table);
    out.extend_from_slice(&body);
    Ok(())
}

/// The incidents of a block that `subset` keeps; `None` when the block is not sound.
fn decode_block(
    bytes: &[u8],
    expected: u32,
    subset: &Subset,
) -> Option<Vec<crate::model::Incident>> {
    let count = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
    if count != expected {
        return None;
    }
    let table_start = 4 + count as usize * SKETCH_BYTES;
    let table_bytes = u32::from_le_bytes(bytes.get(table_start..table_start + 4)?.try_into().ok()?);
    let body_start = table_start + 4 + table_bytes as usize;
    let table = bytes.get(table_start + 4..body_start)?;
    let names: Vec<crate::model::SharedStr> = postcard::from_bytes::<Vec<&str>>(table)
        .ok()?
        .into_iter()
        .map(crate::model::SharedStr::from)
        .collect();
    let body = bytes.get(body_start..)?;
    crate::model::shared_str::numbered(names, || {
        let mut incidents = Vec::with_capacity(if subset.only.is_some() {
            0
        } else {
            count as usize
        });
        let mut start = 0;
        for number in 0..count as usize {
            let at = 4 + number * SKETCH_BYTES;
            let sketch = Sketch::read(bytes.get(at..at + SKETCH_BYTES)?)?;
            let end = sketch.end as usize;
            let encoded = body.get(start..end)?;
            start = end;
            if subset
                .only
                .as_deref()
                .is_some_and(|filter| !sketch.may_match(filter))
            {
                continue;
            }
            let incident: crate::model::Incident = postcard::from_bytes(encoded).ok()?;
            if subset.keeps(&incident) {
                incidents.push(incident);
            }
        }
        // The last incident ends the block.
        (start == body.len()).then_some(incidents)
    })
}

/// MAGIC, a block with the key, a block with the [`Head`], then the incidents' blocks, and
/// nothing after them.
fn decode(
    mut reader: std::io::BufReader<std::fs::File>,
    key: &Key,
    subset: &Subset,
) -> Option<Imported> {
    let mut magic = [0u8; MAGIC.len()];
    reader.read_exact(&mut magic).ok()?;
    if &magic != MAGIC {
        return None;
    }
    let stored: Key = postcard::from_bytes(&read_block(&mut reader, 0)?).ok()?;
    if &stored != key {
        return None;
    }
    let mut head: Head = postcard::from_bytes(&read_block(&mut reader, 1)?).ok()?;
    let spans = std::mem::take(&mut head.blocks);
    if spans
        .iter()
        .map(|span| u64::from(span.incidents))
        .sum::<u64>()
        != head.incidents
    {
        return None;
    }
    let blocks = spans.len();
    // A block wholly outside the filter's period is passed over unread.
    let wanted = |number: usize| {
        let span = spans[number];
        subset
            .only
            .as_deref()
            .is_none_or(|filter| filter.may_match((span.first, span.last), None))
    };
    // Each worker reads the next block under the lock, with its number, and decodes it
    // outside the lock: reading stays in file order while decoding runs on every core. The
    // blocks are appended in order as they arrive, so that only a few are held at once.
    let shared = std::sync::Mutex::new((reader, 0usize));
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let (sender, arrived) = std::sync::mpsc::channel();
    let mut incidents = Vec::with_capacity(if subset.only.is_some() {
        0
    } else {
        usize::try_from(head.incidents).ok()?
    });
    let complete = std::thread::scope(|scope| {
        for _ in 0..workers {
            let (shared, sender, spans) = (&shared, sender.clone(), &spans);
            scope.spawn(move || {
                let mut bytes = Vec::new();
                loop {
                    // Read under the lock; checked and decoded outside it.
                    let (number, block) = {
                        let mut guard = shared
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        let (reader, next) = &mut *guard;
                        if *next == blocks {
                            return;
                        }
                        *next += 1;
                        let number = *next - 1;
                        let block = if wanted(number) {
                            read_unchecked_block(reader, &mut bytes).map(Some)
                        } else {
                            skip_block(reader).map(|()| None)
                        };
                        (number, block)
                    };
                    let decoded: Option<Vec<crate::model::Incident>> = match block {
                        Some(Some(crc)) if block_crc(number as u64 + 2, &bytes) == crc => {
                            decode_block(&bytes, spans[number].incidents, subset)
                        }
                        Some(Some(_)) | None => None,
                        Some(None) => Some(Vec::new()),
                    };
                    let failed = decoded.is_none();
                    if sender.send((number, decoded)).is_err() || failed {
                        return;
                    }
                }
            });
        }
        drop(sender);
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        for (number, block) in arrived {
            let Some(block) = block else {
                return false;
            };
            waiting.insert(number, block);
            while let Some(block) = waiting.remove(&next) {
                incidents.extend(block);
                next += 1;
            }
        }
        next == blocks
    });
    if !complete {
        return None;
    }
    let (mut reader, _) = shared
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // Nothing may follow the last block.
    if reader.read(&mut [0u8; 1]).ok()? != 0 {
        return None;
    }
    if subset.only.is_none() && incidents.len() as u64 != head.incidents {
        return None;
    }
    let mut report = head.report;
    if subset.only.is_some() {
        report.only_kept(
            incidents.len(),
            usize::try_from(head.incidents).unwrap_or(usize::MAX),
        );
    }
    Some(Imported {
        dataset: crate::model::Dataset {
            metadata: head.metadata,
            sources: head.sources,
            incidents,
            reported_series: head.reported_series,
        },
        report,
    })
}

/// Pass over the next block without reading it. `None` when the file ends before it does.
fn skip_block(reader: &mut std::io::BufReader<std::fs::File>) -> Option<()> {
    let mut header = [0u8; 12];
    reader.read_exact(&mut header).ok()?;
    let length = i64::try_from(u64::from_le_bytes(header[..8].try_into().ok()?)).ok()?;
    reader.seek_relative(length).ok()?;
    Some(())
}

/// Keep `imported` for `key`, then trim the folder. Written to a temporary file and renamed,
/// so that a reader never sees half an entry.
pub fn store(dir: &Path, key: &Key, imported: &Imported) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(key.file_name());
    let temporary = path.with_extension(format!("partial-{}", std::process::id()));
    let written = (|| {
        let mut file =
            std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&temporary)?);
        file.write_all(MAGIC)?;
        let mut buffer = Vec::new();
        let dataset = &imported.dataset;
        let spans = dataset
            .incidents
            .chunks(BLOCK_INCIDENTS)
            .map(|chunk| {
                let days = chunk.iter().map(|incident| incident.date.span());
                BlockSpan {
                    incidents: chunk.len() as u32,
                    first: days.clone().map(|(first, _)| first).min().unwrap_or(0),
                    last: days.map(|(_, last)| last).max().unwrap_or(0),
                }
            })
            .collect();
        let head = HeadOut {
            report: &imported.report,
            metadata: &dataset.metadata,
            sources: &dataset.sources,
            reported_series: &dataset.reported_series,
            incidents: dataset.incidents.len() as u64,
            blocks: spans,
        };
        for (number, part) in [postcard::to_stdvec(key), postcard::to_stdvec(&head)]
            .into_iter()
            .enumerate()
        {
            write_block(
                &mut file,
                number as u64,
                &part.map_err(std::io::Error::other)?,
            )?;
        }
        for (number, chunk) in (2..).zip(dataset.incidents.chunks(BLOCK_INCIDENTS)) {
            encode_block(chunk, &mut buffer)?;
            write_block(&mut file, number, &buffer)?;
        }
        file.into_inner().map_err(|error| error.into_error())?;
        Ok(())
    })();
    if let Err(error) = written.and_then(|()| std::fs::rename(&temporary, &path)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(error);
    }
    trim(dir, MAX_CACHE_BYTES)
}

/// The entries of the folder: (last used, bytes, path).
fn entries(dir: &Path) -> std::io::Result<Vec<(std::time::SystemTime, u64, PathBuf)>> {
    Ok(std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "layer"))
        .filter_map(|entry| {
            let metadata = entry.metadata().ok()?;
            Some((metadata.modified().ok()?, metadata.len(), entry.path()))
        })
        .collect())
}

/// Drop the least recently used entries until the folder holds at most `max_bytes`.
fn trim(dir: &Path, max_bytes: u64) -> std::io::Result<()> {
    let mut entries = entries(dir)?;
    entries.sort();
    let mut total: u64 = entries.iter().map(|(_, size, _)| size).sum();
    for (_, size, path) in entries {
        if total <= max_bytes {
            break;
        }
        std::fs::remove_file(path)?;
        total -= size;
    }
    Ok(())
}

/// Remove every cached layer; returns the bytes freed.
pub fn clear(dir: &Path) -> std::io::Result<u64> {
    let mut freed = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".layer") || name.contains(".partial-") {
            freed += entry.metadata().map_or(0, |m| m.len());
            std::fs::remove_file(&path)?;
        }
    }
    Ok(freed)
}

/// The bytes the cache holds now.
pub fn size(dir: &Path) -> u64 {
    entries(dir).map_or(0, |entries| entries.iter().map(|(_, size, _)| size).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic CSV of several cache blocks, parsed and stored: (the folder holding both,
    /// the cache folder, the CSV, its key, the layer parsed).
    fn stored() -> (tempfile::TempDir, PathBuf, PathBuf, Key, Imported) {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let path = dir.path().join("big.csv");
        let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        crate::synth::write_acled(file, 2_000, 5, |_| {}).unwrap();
        let key = Key::of(&path, None, 0).unwrap();
        assert!(load(&cache, &key).is_none(), "nothing is cached yet");
        let parsed =
            import_file_within(&path, None, &Subset::everything(), &Progress::default()).unwrap();
        store(&cache, &key, &parsed).unwrap();
        (dir, cache, path, key, parsed)
    }

    #[test]
    fn an_unchanged_file_reopens_from_the_cache_and_a_changed_one_is_parsed_again() {
        let (_dir, cache, path, key, parsed) = stored();
        let cached = load(&cache, &Key::of(&path, None, 0).unwrap()).expect("a cache hit");
        assert_eq!(cached.dataset, parsed.dataset);
        assert_eq!(cached.report, parsed.report);

        // The same size, one byte changed at the end: another key, no hit.
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'1' { b'2' } else { b'1' };
        std::fs::write(&path, &bytes).unwrap();
        let changed = Key::of(&path, None, 0).unwrap();
        assert_ne!(changed, key);
        assert!(load(&cache, &changed).is_none());
        // Another mapping is another load.
        let mapping = FieldMapping::default();
        assert_ne!(Key::of(&path, Some(&mapping), 0).unwrap(), changed);
    }

    #[test]
    fn a_filtered_reopen_holds_what_the_filter_keeps_of_the_whole_layer() {
        let (_dir, cache, _path, key, parsed) = stored();
        let day = |text: &str| text.parse().ok();
        for filter in [
            crate::model::Filter {
                from: day("2021-01-01"),
                to: day("2021-12-31"),
                countries: ["PK".to_owned()].into(),
                ..crate::model::Filter::default()
            },
            crate::model::Filter {
                min_killed: 5,
                ..crate::model::Filter::default()
            },
            // Outside every incident: every block is passed over unread.
            crate::model::Filter {
                from: day("1990-01-01"),
                to: day("1990-12-31"),
                ..crate::model::Filter::default()
            },
        ] {
            let expected: Vec<_> = parsed
                .dataset
                .incidents
                .iter()
                .filter(|incident| filter.matches(incident))
                .cloned()
                .collect();
            let reopened =
                load_within(&cache, &key, &Subset::only(filter.clone())).expect("a cache hit");
            assert_eq!(reopened.dataset.incidents, expected, "{filter:?}");
            assert_eq!(reopened.report.loaded, expected.len());
            assert_eq!(reopened.dataset.sources, parsed.dataset.sources);
        }
        // Whole again afterwards: nothing was lost from the entry.
        assert_eq!(load(&cache, &key).unwrap().dataset, parsed.dataset);
    }

    /// The byte ranges of an entry's blocks, header included.
    fn block_spans(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
        let mut spans = Vec::new();
        let mut at = MAGIC.len();
        while at + 12 <= bytes.len() {
            let length = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
            spans.push(at..at + 12 + length);
            at += 12 + length;
        }
        spans
    }

    #[test]
    fn a_damaged_truncated_or_foreign_entry_is_never_read() {
        let (_dir, cache, _path, key, parsed) = stored();
        let entry = cache.join(key.file_name());
        let good = std::fs::read(&entry).unwrap();
        let damaged = |change: &dyn Fn(&mut Vec<u8>)| {
            let mut bytes = good.clone();
            change(&mut bytes);
            std::fs::write(&entry, &bytes).unwrap();
            load(&cache, &key).is_none()
        };
        assert!(damaged(&|bytes| bytes.truncate(bytes.len() / 2)));
        assert!(damaged(&|bytes| {
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x40;
        }));
        assert!(damaged(&|bytes| bytes[3] = b'X'));
        // Two blocks of incidents swapped: each is sound, the order is not.
        assert!(damaged(&|bytes| {
            let blocks = block_spans(bytes);
            assert!(blocks.len() >= 4, "{} blocks", blocks.len());
            let (first, second) = (blocks[2].clone(), blocks[3].clone());
            let mut swapped = bytes[..first.start].to_vec();
            swapped.extend_from_slice(&bytes[second.clone()]);
            swapped.extend_from_slice(&bytes[first.clone()]);
            swapped.extend_from_slice(&bytes[second.end..]);
            *bytes = swapped;
        }));
        assert!(damaged(&|bytes| bytes.clear()));
        // Another version's entry under the same name.
        let other = Key {
            program: "0.0.0".to_owned(),
            ..key.clone()
        };
        store(&cache, &other, &parsed).unwrap();
        std::fs::rename(cache.join(other.file_name()), &entry).unwrap();
        assert!(load(&cache, &key).is_none());
        assert!(!entry.exists(), "a bad entry is removed, to be rewritten");
    }

    #[test]
    fn the_folder_is_trimmed_oldest_first_and_can_be_cleared() {
        let dir = tempfile::tempdir().unwrap();
        for (index, size) in [300u64, 200, 100].into_iter().enumerate() {
            let path = dir.path().join(format!("{index}.layer"));
            std::fs::write(&path, vec![0; size as usize]).unwrap();
            let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000 + index as u64);
            std::fs::File::options()
                .append(true)
                .open(&path)
                .unwrap()
                .set_modified(time)
                .unwrap();
        }
        trim(dir.path(), 350).unwrap();
        assert!(!dir.path().join("0.layer").exists(), "the oldest goes");
        assert!(dir.path().join("1.layer").exists());
        assert_eq!(size(dir.path()), 300);
        assert_eq!(clear(dir.path()).unwrap(), 300);
        assert_eq!(size(dir.path()), 0);
    }
}
