//! Property tests of the import rules, whatever the bytes: nothing panics, a skipped row is
//! reported on a line the file has, and an error either names a line or is about the whole
//! file.

use std::path::PathBuf;
use std::sync::OnceLock;

use khorasan_atlas::io::import::{ImportError, Imported, Progress, import_bytes};
use khorasan_atlas::io::{LoadError, embedded_dataset};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

/// The fixture files mutated below, with the extension their name claims.
const FIXTURES: &[(&str, &str)] = &[
    ("acled_current.csv", "csv"),
    ("acled_old.csv", "csv"),
    ("gtd.csv", "csv"),
    ("ucdp_ged.csv", "csv"),
    ("points.geojson", "geojson"),
    ("broken/invalid_utf8.csv", "csv"),
    ("broken/huge_field.csv", "csv"),
    ("broken/not_geojson.geojson", "geojson"),
    // Not a file: a small RON dataset made from the embedded one, see `fixture_bytes`.
    ("(embedded sample).ron", "ron"),
];

/// What each loader path is reached with: the extensions a file name may claim.
const EXTENSIONS: &[Option<&str>] = &[
    Some("csv"),
    Some("geojson"),
    Some("json"),
    Some("ron"),
    Some("txt"),
    None,
];

fn fixture_bytes(name: &str) -> &'static [u8] {
    static CACHE: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| {
        FIXTURES
            .iter()
            .map(|(name, _)| {
                let bytes = if name.ends_with(".ron") {
                    small_ron_dataset().into_bytes()
                } else {
                    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                        .join("tests/fixtures/import")
                        .join(name);
                    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                };
                ((*name).to_owned(), bytes)
            })
            .collect()
    });
    &cache
        .iter()
        .find(|(n, _)| n == name)
        .expect("a listed fixture")
        .1
}

/// The first incidents of the embedded dataset with every source, pretty-printed as RON.
fn small_ron_dataset() -> String {
    let mut dataset = embedded_dataset().expect("the embedded dataset loads");
    dataset.incidents.truncate(4);
    dataset.reported_series.clear();
    ron::ser::to_string_pretty(&dataset, ron::ser::PrettyConfig::default())
        .expect("a dataset serialises")
}

fn import(bytes: &[u8], extension: Option<&str>) -> Result<Imported, ImportError> {
    let file = match extension {
        Some(extension) => format!("f.{extension}"),
        None => "f".to_owned(),
    };
    import_bytes(bytes, &file, extension, None, &Progress::default())
}

/// 64 cases keep debug builds fast; set `IMPORT_PROPTEST_CASES` for a longer search.
fn cases() -> u32 {
    std::env::var("IMPORT_PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64)
}

/// Lines in the input, counting a last line without a newline.
fn line_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// What holds for any outcome: a report adds up and places every issue on a line of the
/// input; an I/O error cannot happen in memory.
fn check_outcome(
    bytes: &[u8],
    result: &Result<Imported, ImportError>,
) -> Result<(), TestCaseError> {
    let lines = line_count(bytes);
    match result {
        Ok(imported) => {
            let report = &imported.report;
            prop_assert_eq!(report.loaded, imported.dataset.incidents.len());
            prop_assert_eq!(report.rows, report.loaded as u64 + report.skipped());
            for issue in &report.issues {
                prop_assert!(
                    issue.line >= 1 && issue.line <= lines + 1,
                    "issue on line {} of a {}-line input: {:?}",
                    issue.line,
                    lines,
                    issue
                );
            }
        }
        Err(ImportError::Io { .. }) => prop_assert!(false, "I/O error from memory: {:?}", result),
        Err(ImportError::NotUtf8 { line, .. }) => {
            prop_assert!(*line >= 1 && *line <= lines, "line {} of {}", line, lines);
        }
        Err(_) => {}
    }
    Ok(())
}

/// Whether an error's message points at a line: "line 3" or "f.ron:3:".
fn names_a_line(message: &str) -> bool {
    if message.contains("line") {
        return true;
    }
    message
        .split(':')
        .skip(1)
        .collect::<Vec<_>>()
        .windows(2)
        .any(|pair| !pair[0].is_empty() && pair[0].bytes().all(|b| b.is_ascii_digit()))
}

/// An error either concerns the whole file or names the line at fault.
fn check_error_names_a_line(result: &Result<Imported, ImportError>) -> Result<(), TestCaseError> {
    let Err(error) = result else {
        return Ok(());
    };
    let whole_file = matches!(
        error,
        ImportError::Empty { .. }
            | ImportError::Binary { .. }
            | ImportError::NotUtf8 { .. }
            | ImportError::Mapping { .. }
            | ImportError::Cancelled { .. }
            | ImportError::Ron(LoadError::Empty { .. })
    );
    if !whole_file {
        let message = error.to_string();
        prop_assert!(
            names_a_line(&message),
            "{:?} names no line: {}",
            error,
            message
        );
    }
    Ok(())
}

/// Bytes that often matter to the parsers.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => select(b",;\t|\"\n\r{}[]():-.0123456789 eE".to_vec()),
        1 => Just(0xFF_u8),
        1 => any::<u8>(),
    ]
}

/// Beginnings that steer random bytes into each loader.
const PREFIXES: &[&str] = &[
    "",
    "{",
    "(",
    "[",
    "{\"type\":\"FeatureCollection\",\"features\":[",
    "event_id_cnty,event_date,latitude,longitude,fatalities\n",
    "eventid,iyear,imonth,iday,latitude,longitude,nkill\n",
    "id,date_prec,where_prec,date_start,date_end,latitude,longitude,best,low,high\n",
    "date,lat,lon,killed,notes\n",
];

#[derive(Clone, Debug)]
enum Mutation {
    Delete(Index, usize),
    Insert(Index, Vec<u8>),
    Replace(Index, u8),
    DuplicateLine(Index),
    DropLine(Index),
    TruncateLine(Index, Index),
    TruncateFile(Index),
    SwapDelimiter(u8, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let delimiter = || select(b",;\t|\"".to_vec());
    prop_oneof![
        (any::<Index>(), 1_usize..16).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<Index>(), vec(interesting_byte(), 1..8)).prop_map(|(at, b)| Mutation::Insert(at, b)),
        (any::<Index>(), interesting_byte()).prop_map(|(at, b)| Mutation::Replace(at, b)),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        any::<Index>().prop_map(Mutation::DropLine),
        (any::<Index>(), any::<Index>()).prop_map(|(line, at)| Mutation::TruncateLine(line, at)),
        any::<Index>().prop_map(Mutation::TruncateFile),
        (delimiter(), delimiter()).prop_map(|(from, to)| Mutation::SwapDelimiter(from, to)),
    ]
}

fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn apply(mut bytes: Vec<u8>, mutation: &Mutation) -> Vec<u8> {
    match mutation {
        Mutation::Delete(at, n) => {
            if !bytes.is_empty() {
                let start = at.index(bytes.len());
                let end = (start + n).min(bytes.len());
                bytes.drain(start..end);
            }
        }
        Mutation::Insert(at, inserted) => {
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, inserted.iter().copied());
        }
        Mutation::Replace(at, byte) => {
            if !bytes.is_empty() {
                let at = at.index(bytes.len());
                bytes[at] = *byte;
            }
        }
        Mutation::DuplicateLine(line) => {
            let mut lines = split_lines(&bytes);
            if !lines.is_empty() {
                let index = line.index(lines.len());
                let mut copy = lines[index].clone();
                if !copy.ends_with(b"\n") {
                    copy.push(b'\n');
                }
                lines.insert(index, copy);
                bytes = lines.concat();
            }
        }
        Mutation::DropLine(line) => {
            let mut lines = split_lines(&bytes);
            if !lines.is_empty() {
                lines.remove(line.index(lines.len()));
                bytes = lines.concat();
            }
        }
        Mutation::TruncateLine(line, at) => {
            let mut lines = split_lines(&bytes);
            if !lines.is_empty() {
                let index = line.index(lines.len());
                let had_newline = lines[index].ends_with(b"\n");
                let keep = at.index(lines[index].len() + 1);
                lines[index].truncate(keep);
                if had_newline && !lines[index].ends_with(b"\n") {
                    lines[index].push(b'\n');
                }
                bytes = lines.concat();
            }
        }
        Mutation::TruncateFile(at) => {
            let at = at.index(bytes.len() + 1);
            bytes.truncate(at);
        }
        Mutation::SwapDelimiter(from, to) => {
            for byte in &mut bytes {
                if byte == from {
                    *byte = *to;
                }
            }
        }
    }
    bytes
}

/// A fixture, the extension to claim (its own most of the time) and mutations to apply.
fn mutated_fixture() -> impl Strategy<Value = (Vec<u8>, Option<&'static str>)> {
    (
        select(FIXTURES),
        prop_oneof![3 => Just(None), 1 => select(EXTENSIONS).prop_map(Some)],
        vec(mutation(), 1..5),
    )
        .prop_map(|((name, own), other, mutations)| {
            let bytes = mutations.iter().fold(fixture_bytes(name).to_vec(), apply);
            (bytes, other.unwrap_or(Some(own)))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn random_bytes_never_panic(bytes in vec(any::<u8>(), 0..1024)) {
        for &extension in EXTENSIONS {
            let result = import(&bytes, extension);
            check_outcome(&bytes, &result)?;
        }
    }

    #[test]
    fn random_text_after_a_known_beginning_never_panics(
        prefix in select(PREFIXES),
        tail in vec(interesting_byte(), 0..512),
        extension in select(EXTENSIONS),
    ) {
        let mut bytes = prefix.as_bytes().to_vec();
        bytes.extend(tail);
        let result = import(&bytes, extension);
        check_outcome(&bytes, &result)?;
    }

    #[test]
    fn mutated_fixtures_never_panic_and_report_real_lines(
        (bytes, extension) in mutated_fixture(),
    ) {
        let result = import(&bytes, extension);
        check_outcome(&bytes, &result)?;
    }

    // Every error names a line, or is about the whole file (empty, binary, cancelled).
    #[test]
    fn errors_on_mutated_fixtures_name_a_line_or_the_whole_file(
        (bytes, extension) in mutated_fixture(),
    ) {
        let result = import(&bytes, extension);
        check_error_names_a_line(&result)?;
    }
}

#[test]
fn unmutated_fixtures_load() {
    for (name, extension) in FIXTURES {
        let bytes = fixture_bytes(name);
        let result = import(bytes, Some(extension));
        if *name == "broken/not_geojson.geojson" {
            assert!(result.is_err(), "{name}");
        } else {
            let imported = result.unwrap_or_else(|error| panic!("{name}: {error}"));
            assert!(imported.report.loaded > 0, "{name}");
        }
    }
}

#[test]
fn the_line_check_recognises_lines() {
    assert!(names_a_line(
        "f.csv: not a valid CSV file: line 1: the header lacks x"
    ));
    assert!(names_a_line("f.ron:12:4: expected ')'"));
    assert!(!names_a_line(
        "f.geojson: not a valid GeoJSON file: it does not start with '{'"
    ));
    assert!(!names_a_line("C:\\x: 12 problem(s)"));
}
