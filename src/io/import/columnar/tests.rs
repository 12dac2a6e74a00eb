use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema as ArrowSchema};

use super::*;
use crate::io::import::fields::asked;
use crate::io::import::{Imported, acled, gtd, ucdp};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

fn csv_import(bytes: &[u8], name: &str) -> Imported {
    crate::io::import::import_bytes(bytes, name, Some("csv"), None, &Progress::default()).unwrap()
}

/// The header and the rows of a CSV, as text.
fn csv_table(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// A column typed as a data platform would store it: dates as DATE, coordinates as DOUBLE,
/// counts as BIGINT (empty as null); any other column as text.
fn typed_column(name: &str, values: &[&str]) -> (Field, ArrayRef) {
    /// Each value parsed, empty (or unparsable) as null.
    fn parsed<T: std::str::FromStr>(values: &[&str]) -> Vec<Option<T>> {
        values.iter().map(|text| text.parse().ok()).collect()
    }
    let (data_type, array): (DataType, ArrayRef) = match name {
        "event_date" | "date_start" | "date_end" => {
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
            let days: Vec<Option<i32>> = values
                .iter()
                .map(|text| {
                    crate::io::import::fields::parse_day_text(text)
                        .ok()
                        .map(|day| (day - epoch).num_days() as i32)
                })
                .collect();
            (DataType::Date32, Arc::new(Date32Array::from(days)))
        }
        // GTD stores its counts as decimals.
        "latitude" | "longitude" | "nkill" | "nwound" => (
            DataType::Float64,
            Arc::new(Float64Array::from(parsed::<f64>(values))),
        ),
        "fatalities" | "best" | "low" | "high" | "iyear" => (
            DataType::Int64,
            Arc::new(Int64Array::from(parsed::<i64>(values))),
        ),
        _ => (DataType::Utf8, Arc::new(StringArray::from(values.to_vec()))),
    };
    (Field::new(name, data_type, true), array)
}

/// The CSV as one record batch, typed or all text.
fn batch_of(bytes: &[u8], typed: bool) -> RecordBatch {
    let (header, rows) = csv_table(bytes);
    let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = header
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let values: Vec<&str> = rows.iter().map(|row| row[index].as_str()).collect();
            if typed {
                typed_column(name, &values)
            } else {
                (
                    Field::new(name, DataType::Utf8, false),
                    Arc::new(StringArray::from(values)) as ArrayRef,
                )
            }
        })
        .unzip();
    RecordBatch::try_new(Arc::new(ArrowSchema::new(fields)), arrays).unwrap()
}

fn parquet_bytes(batch: &RecordBatch, rows_per_group: usize) -> Vec<u8> {
    let properties = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(rows_per_group))
        .build();
    let mut out = Vec::new();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), Some(properties)).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
    out
}

fn arrow_file_bytes(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = arrow_ipc::writer::FileWriter::try_new(&mut out, &batch.schema()).unwrap();
    writer.write(batch).unwrap();
    writer.finish().unwrap();
    drop(writer);
    out
}

/// The incidents with each source id replaced by the source's title: citation ids follow the
/// order citations are first met, which threads may change.
fn resolved(imported: &Imported) -> Vec<Incident> {
    // The file's own source is named after the file, which differs between the copies.
    let title = |id: &crate::model::SourceId| {
        if id.as_str() == "file" {
            return "(the file)".to_owned();
        }
        imported
            .dataset
            .sources
            .iter()
            .find(|source| &source.id == id)
            .map(|source| source.title.clone())
            .unwrap_or_default()
    };
    imported
        .dataset
        .incidents
        .iter()
        .map(|incident| Incident {
            sources: incident.sources.iter().map(|id| title(id).into()).collect(),
            ..incident.clone()
        })
        .collect()
}

#[test]
fn the_columns_a_schema_lists_are_every_column_its_conversion_reads() {
    for (schema, name) in [
        (&acled::SCHEMA, "acled_current.csv"),
        (&acled::SCHEMA, "acled_old.csv"),
        (&gtd::SCHEMA, "gtd.csv"),
        (&ucdp::SCHEMA, "ucdp_ged.csv"),
    ] {
        let bytes = fixture(name);
        let names = asked::during(|| {
            csv_import(&bytes, name);
        });
        let listed = |asked: &str| {
            schema.columns.iter().any(|column| {
                *column == asked
                    // The ten-character names looked up for truncated headers.
                    || (asked.len() == 10 && column.starts_with(asked))
            })
        };
        let unlisted: Vec<&String> = names.iter().filter(|name| !listed(name)).collect();
        assert!(
            unlisted.is_empty(),
            "{name}: {unlisted:?} not in the schema's columns"
        );
    }
}

#[test]
fn parquet_and_arrow_files_give_exactly_the_incidents_of_their_csv() {
    for name in ["acled_current.csv", "gtd.csv", "ucdp_ged.csv"] {
        let bytes = fixture(name);
        let from_csv = csv_import(&bytes, name);
        assert!(from_csv.report.loaded > 0, "{name}");
        for typed in [false, true] {
            let batch = batch_of(&bytes, typed);
            for (container, data) in [
                (Container::Parquet, parquet_bytes(&batch, 3)),
                (Container::ArrowFile, arrow_file_bytes(&batch)),
            ] {
                assert_eq!(container_of(&data), Some(container));
                let imported =
                    import_bytes(&data, container, name, None, &Progress::default()).unwrap();
                assert_eq!(
                    resolved(&imported),
                    resolved(&from_csv),
                    "{name} as {container:?} (typed: {typed})"
                );
                assert_eq!(
                    imported.report.skipped(),
                    from_csv.report.skipped(),
                    "{name}"
                );
                assert!(
                    imported
                        .report
                        .notes
                        .iter()
                        .any(|note| note.contains("rules")),
                    "{:?}",
                    imported.report.notes
                );
            }
        }
    }
}

#[test]
fn a_parquet_file_of_many_row_groups_is_read_in_file_order_by_its_decoders() {
    // Row groups are dealt out to two decoders, each with a file handle of its own: the
    // rows still come back in file order, from the file as from memory.
    for name in ["acled_current.csv", "ucdp_ged.csv"] {
        let bytes = fixture(name);
        let from_csv = csv_import(&bytes, name);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("groups.parquet");
        std::fs::write(&path, parquet_bytes(&batch_of(&bytes, true), 2)).unwrap();
        let imported = import_path(&path, None, &Subset::everything(), &Progress::default())
            .unwrap()
            .unwrap();
        assert_eq!(resolved(&imported), resolved(&from_csv), "{name}");
        let lines = |imported: &Imported| -> Vec<u64> {
            imported
                .report
                .issues
                .iter()
                .map(|issue| issue.line)
                .collect()
        };
        assert_eq!(
            lines(&imported).len(),
            from_csv.report.issues.len(),
            "{name}"
        );
        assert!(
            lines(&imported).is_sorted(),
            "{name}: {:?}",
            lines(&imported)
        );
    }
}

/// `batch` loaded from Parquet, its bad rows reported.
fn bad_parquet(batch: &RecordBatch) -> Imported {
    let data = parquet_bytes(batch, 10);
    import_bytes(
        &data,
        Container::Parquet,
        "bad.parquet",
        None,
        &Progress::default(),
    )
    .unwrap()
}

#[test]
fn a_bad_row_in_parquet_is_reported_by_its_row_number() {
    let bytes = b"event_id_cnty,event_date,latitude,longitude,country,actor1,fatalities\n\
        AFG1,2021-08-26,34.5,69.2,Afghanistan,Islamic State (Afghanistan),12\n\
        AFG2,2021-13-40,34.5,69.2,Afghanistan,Islamic State (Afghanistan),1\n";
    let imported = bad_parquet(&batch_of(bytes, false));
    assert_eq!(imported.report.loaded, 1);
    assert_eq!(imported.report.issues.len(), 1);
    let issue = &imported.report.issues[0];
    assert_eq!((issue.line, issue.column.as_str()), (2, "event_date"));
}

#[test]
fn stored_coordinates_out_of_range_are_issues_naming_the_value() {
    // Coordinates stored as DOUBLE are read as numbers, not text: the same checks apply.
    let bytes = b"event_id_cnty,event_date,latitude,longitude,country,actor1,fatalities\n\
        AFG1,2021-08-26,34.5,69.2,Afghanistan,Islamic State (Afghanistan),12\n\
        AFG2,2021-08-27,200,69.2,Afghanistan,Islamic State (Afghanistan),1\n\
        AFG3,2021-08-28,34.5,-180.5,Afghanistan,Islamic State (Afghanistan),1\n\
        AFG4,2021-08-29,0,0,Afghanistan,Islamic State (Afghanistan),1\n\
        AFG5,2021-08-30,,69.2,Afghanistan,Islamic State (Afghanistan),1\n";
    let batch = batch_of(bytes, true);
    let latitude = batch.schema().index_of("latitude").unwrap();
    assert_eq!(
        batch.schema().field(latitude).data_type(),
        &DataType::Float64
    );
    let imported = bad_parquet(&batch);
    assert_eq!(imported.report.loaded, 1);
    let issues: Vec<(u64, &str, &str)> = imported
        .report
        .issues
        .iter()
        .map(|issue| (issue.line, issue.column.as_str(), issue.value.as_str()))
        .collect();
    assert_eq!(
        issues,
        [
            (2, "latitude", "200.0"),
            (3, "longitude", "-180.5"),
            (4, "latitude", "0, 0"),
            (5, "latitude", ""),
        ]
    );
    let why: Vec<&str> = imported
        .report
        .issues
        .iter()
        .map(|issue| issue.why.as_str())
        .collect();
    assert!(why[0].contains("latitude out of range"), "{why:?}");
    assert!(why[1].contains("longitude out of range"), "{why:?}");
    assert!(why[3].contains("empty"), "{why:?}");
}

#[test]
fn a_filtered_parquet_load_numbers_rows_in_file_order_past_groups_and_rows_not_read() {
    // One row a group: the first group is outside the period (not read), the second row is
    // passed over by its country, the third is read and refused, the fourth kept.
    let bytes = b"event_id_cnty,event_date,latitude,longitude,country,actor1,fatalities\n\
        AFG1,2015-08-26,34.5,69.2,Afghanistan,Islamic State (Afghanistan),12\n\
        PAK1,2021-08-26,34.0,71.5,Pakistan,Islamic State (Pakistan),1\n\
        AFG2,2021-08-26,200,69.2,Afghanistan,Islamic State (Afghanistan),1\n\
        AFG3,2021-08-27,34.5,69.2,Afghanistan,Islamic State (Afghanistan),3\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.parquet");
    std::fs::write(&path, parquet_bytes(&batch_of(bytes, false), 1)).unwrap();
    let filter = crate::model::Filter {
        from: NaiveDate::from_ymd_opt(2020, 1, 1),
        to: NaiveDate::from_ymd_opt(2022, 12, 31),
        countries: ["AF".to_owned()].into(),
        ..crate::model::Filter::default()
    };
    let only = import_path(&path, None, &Subset::only(filter), &Progress::default())
        .unwrap()
        .unwrap();
    let ids: Vec<&str> = only
        .dataset
        .incidents
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(ids, ["acled:AFG3"]);
    let issue = &only.report.issues[..];
    assert_eq!(issue.len(), 1, "{issue:?}");
    assert_eq!((issue[0].line, issue[0].column.as_str()), (3, "latitude"));
    let notes = only.report.notes.join("\n");
    assert!(notes.contains("1 row group(s)"), "{notes}");
    assert!(notes.contains("1 of them passed over"), "{notes}");
}

#[test]
fn a_truncated_or_foreign_file_is_a_clear_error_not_a_panic() {
    let batch = batch_of(&fixture("acled_current.csv"), true);
    let data = parquet_bytes(&batch, 100);
    for cut in [4, 12, data.len() / 2, data.len() - 3] {
        let error = import_bytes(
            &data[..cut],
            Container::Parquet,
            "cut.parquet",
            None,
            &Progress::default(),
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("cut.parquet: not a valid Parquet file"),
            "{error}"
        );
    }
    let arrow = arrow_file_bytes(&batch);
    let error = import_bytes(
        &arrow[..arrow.len() / 2],
        Container::ArrowFile,
        "cut.arrow",
        None,
        &Progress::default(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("Arrow IPC"), "{error}");
}

/// A folder as Spark or DuckDB writes it: `year=Y/month=M/part-0.parquet`, the partition
/// columns left out of the files (ACLED's own `year` among them).
fn write_partitioned(root: &Path, bytes: &[u8]) -> usize {
    let (mut header, mut rows) = csv_table(bytes);
    let year = header.iter().position(|h| h == "year").unwrap();
    header.remove(year);
    for row in &mut rows {
        row.remove(year);
    }
    let date = header.iter().position(|h| h == "event_date").unwrap();
    let mut groups: std::collections::BTreeMap<(String, String), Vec<Vec<String>>> =
        Default::default();
    for row in rows {
        let key = (row[date][..4].to_owned(), row[date][5..7].to_owned());
        groups.entry(key).or_default().push(row);
    }
    for ((year, month), rows) in &groups {
        let mut text = header.join(",");
        text.push('\n');
        let mut writer = csv::Writer::from_writer(Vec::new());
        for row in rows {
            writer.write_record(row).unwrap();
        }
        text.push_str(&String::from_utf8(writer.into_inner().unwrap()).unwrap());
        let folder = root.join(format!("year={year}/month={month}"));
        std::fs::create_dir_all(&folder).unwrap();
        let batch = batch_of(text.as_bytes(), true);
        std::fs::write(folder.join("part-0.parquet"), parquet_bytes(&batch, 64)).unwrap();
    }
    std::fs::write(root.join("_SUCCESS"), b"").unwrap();
    groups.len()
}

/// A folder loaded whole and loaded with `filter` given up front.
fn whole_and_filtered(dir: &Path, filter: &crate::model::Filter) -> (Imported, Imported) {
    let load = |subset: &Subset| {
        import_path(dir, None, subset, &Progress::default())
            .unwrap()
            .unwrap()
    };
    (
        load(&Subset::everything()),
        load(&Subset::only(filter.clone())),
    )
}

#[test]
fn a_partitioned_folder_reads_as_its_csv_and_skips_what_a_period_excludes() {
    let mut bytes = Vec::new();
    crate::synth::write_acled(&mut bytes, 2_000, 7, |_| {}).unwrap();
    let from_csv = csv_import(&bytes, "synth.csv");
    let dir = tempfile::tempdir().unwrap();
    let parts = write_partitioned(dir.path(), &bytes);
    assert!(parts > 12, "{parts} partitions");

    let whole = import_path(
        dir.path(),
        None,
        &Subset::everything(),
        &Progress::default(),
    )
    .unwrap()
    .expect("a folder of Parquet is read");
    let mut expected = resolved(&from_csv);
    let mut got = resolved(&whole);
    // Parts come in path order (by year and month), not the CSV's order.
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    got.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(got, expected);
    assert!(
        whole
            .report
            .notes
            .iter()
            .any(|note| note.contains("partition columns: year, month")),
        "{:?}",
        whole.report.notes
    );

    // A period: fewer rows read, the same incidents in it.
    let period = Period {
        from: NaiveDate::from_ymd_opt(2021, 1, 1),
        to: NaiveDate::from_ymd_opt(2021, 6, 30),
    };
    let within = import_path(
        dir.path(),
        None,
        &Subset::within(period),
        &Progress::default(),
    )
    .unwrap()
    .unwrap();
    assert!(within.report.rows < whole.report.rows);
    assert!(
        within
            .report
            .notes
            .iter()
            .any(|note| note.starts_with("Outside the period asked for")),
        "{:?}",
        within.report.notes
    );
    let in_period = |incidents: &[Incident]| -> Vec<String> {
        let (from, to) = (period.from.unwrap(), period.to.unwrap());
        let mut ids: Vec<String> = incidents
            .iter()
            .filter(|incident| incident.date.first_day() <= to && incident.date.last_day() >= from)
            .map(|incident| incident.id.clone())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        in_period(&within.dataset.incidents),
        in_period(&from_csv.dataset.incidents)
    );
}

#[test]
fn rows_are_numbered_past_partitions_not_read_so_a_filtered_load_gives_the_same_ids() {
    // No ids in the file: each incident's id is its row number (`acled:line-N`).
    let mut bytes = Vec::new();
    crate::synth::write_acled(&mut bytes, 1_500, 3, |_| {}).unwrap();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header = reader.headers().unwrap().clone();
    let id = header.iter().position(|h| h == "event_id_cnty").unwrap();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    for record in reader.records() {
        let mut row: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
        row[id] = String::new();
        writer.write_record(&row).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    write_partitioned(dir.path(), &writer.into_inner().unwrap());
    let filter = crate::model::Filter {
        from: NaiveDate::from_ymd_opt(2023, 1, 1),
        to: NaiveDate::from_ymd_opt(2023, 12, 31),
        ..crate::model::Filter::default()
    };
    let (whole, only) = whole_and_filtered(dir.path(), &filter);
    assert!(
        only.report
            .notes
            .iter()
            .any(|note| note.contains("partition file(s)")),
        "{:?}",
        only.report.notes
    );
    let ids = |incidents: &mut dyn Iterator<Item = &Incident>| -> Vec<String> {
        let mut ids: Vec<String> = incidents.map(|incident| incident.id.clone()).collect();
        ids.sort();
        ids
    };
    let expected = ids(&mut whole.dataset.incidents.iter().filter(|i| filter.matches(i)));
    assert!(expected.len() > 50 && expected.iter().all(|id| id.starts_with("acled:line-")));
    assert_eq!(ids(&mut only.dataset.incidents.iter()), expected);
}

#[test]
fn a_filtered_folder_read_by_two_decoders_keeps_path_order_and_the_whole_folder_rows() {
    // Parts of one row group each are dealt out to two decoders; a filter reads each group's
    // early columns first and the other columns for the rows it keeps, whose early columns
    // are not decoded again: the kept incidents are the whole folder's, in the same order.
    let mut bytes = Vec::new();
    crate::synth::write_acled(&mut bytes, 3_000, 11, |_| {}).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let parts = write_partitioned(dir.path(), &bytes);
    assert!(parts > 12, "{parts} partitions");
    let filter = crate::model::Filter {
        from: NaiveDate::from_ymd_opt(2019, 3, 1),
        to: NaiveDate::from_ymd_opt(2023, 10, 31),
        countries: ["AF".to_owned()].into(),
        ..crate::model::Filter::default()
    };
    let (whole, only) = whole_and_filtered(dir.path(), &filter);
    let expected: Vec<Incident> = resolved(&whole)
        .into_iter()
        .filter(|incident| filter.matches(incident))
        .collect();
    assert!(expected.len() > 100, "{}", expected.len());
    assert_eq!(resolved(&only), expected);
    let passed = only.report.notes.join(" ");
    assert!(passed.contains("passed over unconverted"), "{passed}");
}

#[test]
fn row_groups_whose_dates_are_outside_the_period_are_not_read() {
    let mut bytes = Vec::new();
    crate::synth::write_acled(&mut bytes, 1_000, 3, |_| {}).unwrap();
    // Sorted by date, as an export from a data platform usually is, so row groups have
    // narrow date ranges.
    let (header, mut rows) = csv_table(&bytes);
    let date = header.iter().position(|h| h == "event_date").unwrap();
    rows.sort_by(|a, b| a[date].cmp(&b[date]));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    for row in &rows {
        writer.write_record(row).unwrap();
    }
    let sorted = writer.into_inner().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sorted.parquet");
    std::fs::write(&path, parquet_bytes(&batch_of(&sorted, true), 50)).unwrap();
    let period = Period {
        from: NaiveDate::from_ymd_opt(2022, 1, 1),
        to: None,
    };
    let within = import_path(&path, None, &Subset::within(period), &Progress::default())
        .unwrap()
        .unwrap();
    let whole = import_path(&path, None, &Subset::everything(), &Progress::default())
        .unwrap()
        .unwrap();
    assert!(
        within.report.rows < whole.report.rows,
        "{}",
        within.report.rows
    );
    let late = |imported: &Imported| {
        imported
            .dataset
            .incidents
            .iter()
            .filter(|incident| incident.date.to_string().as_str() >= "2022")
            .count()
    };
    assert_eq!(late(&within), late(&whole));
    assert!(late(&whole) > 0);
}

#[test]
fn a_filtered_parquet_or_arrow_load_holds_what_the_filter_keeps_of_the_whole_file() {
    let mut bytes = Vec::new();
    crate::synth::write_acled(&mut bytes, 2_000, 9, |_| {}).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let batch = batch_of(&bytes, true);
    let parquet = dir.path().join("events.parquet");
    std::fs::write(&parquet, parquet_bytes(&batch, 300)).unwrap();
    // Arrow has no first pass over the early columns: its rows are tested as converted.
    let arrow = dir.path().join("events.arrow");
    std::fs::write(&arrow, arrow_file_bytes(&batch)).unwrap();
    let filter = crate::model::Filter {
        from: NaiveDate::from_ymd_opt(2019, 1, 1),
        to: NaiveDate::from_ymd_opt(2020, 6, 30),
        countries: ["AF".to_owned()].into(),
        ..crate::model::Filter::default()
    };
    for path in [parquet, arrow] {
        let whole = import_path(&path, None, &Subset::everything(), &Progress::default())
            .unwrap()
            .unwrap();
        let only = import_path(
            &path,
            None,
            &Subset::only(filter.clone()),
            &Progress::default(),
        )
        .unwrap()
        .unwrap();
        let expected: Vec<Incident> = resolved(&whole)
            .into_iter()
            .filter(|incident| filter.matches(incident))
            .collect();
        assert!(expected.len() > 50, "{}", expected.len());
        assert_eq!(resolved(&only), expected, "{}", path.display());
        // Rows outside the period or in Pakistan were passed over, not converted.
        let passed = only.report.notes.join(" ");
        assert!(passed.contains("passed over unconverted"), "{passed}");
    }
}

#[test]
fn numbers_and_days_are_written_as_arrow_displays_them() {
    use arrow_array::Int32Array;
    let options = FormatOptions::default().with_null("");
    let days = Date32Array::from(vec![
        Some(0),
        Some(-1),
        Some(18_000),
        Some(-719_528),
        Some(2_932_896),
        Some(2_932_897),
        Some(i32::MIN),
        None,
    ]);
    let ints = Int64Array::from(vec![
        Some(0),
        Some(-7),
        Some(i64::MAX),
        Some(i64::MIN),
        None,
    ]);
    let small = Int32Array::from(vec![Some(4), Some(-586), Some(i32::MIN), None]);
    let floats = Float64Array::from(vec![
        Some(34.5),
        Some(-0.0),
        Some(0.1 + 0.2),
        Some(1e21),
        Some(1e-7),
        Some(f64::MAX),
        Some(f64::NAN),
        Some(f64::NEG_INFINITY),
        None,
    ]);
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("latitude", Arc::new(floats) as ArrayRef),
        ("day", Arc::new(days)),
        ("count", Arc::new(ints)),
        ("iso", Arc::new(small)),
    ];
    for (name, column) in columns {
        let batch = RecordBatch::try_from_iter([(name, column.clone())]).unwrap();
        let names = [name.to_owned()];
        let texts = BatchText::new(&batch, &[], &names, "test", Container::Parquet).unwrap();
        let formatter = ArrayFormatter::try_new(column.as_ref(), &options).unwrap();
        let mut record = Record::default();
        for row in 0..column.len() {
            texts.fill(row, &mut record);
            let expected = formatter.value(row).to_string();
            assert_eq!(record.get(0), Some(expected.as_bytes()), "{name} row {row}");
        }
    }
}

#[test]
fn a_filtered_load_of_a_dictionary_id_column_keeps_its_ids_across_batches() {
    // Ids as a dictionary of 16-bit keys (as pandas writes a categorical), 30,000 in one row
    // group: read in two batches, whose kept early columns are joined before the second pass.
    let mut bytes = Vec::new();
    crate::synth::write_acled(&mut bytes, 30_000, 12, |_| {}).unwrap();
    let batch = batch_of(&bytes, true);
    let id = batch.schema().index_of("event_id_cnty").unwrap();
    let dictionary = DataType::Dictionary(Box::new(DataType::Int16), Box::new(DataType::Utf8));
    let mut fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|field| field.as_ref().clone())
        .collect();
    fields[id] = Field::new("event_id_cnty", dictionary.clone(), false);
    let mut columns = batch.columns().to_vec();
    columns[id] = arrow_cast::cast(&columns[id], &dictionary).unwrap();
    let batch = RecordBatch::try_new(Arc::new(ArrowSchema::new(fields)), columns).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.parquet");
    std::fs::write(&path, parquet_bytes(&batch, 30_000)).unwrap();
    let filter = crate::model::Filter {
        from: NaiveDate::from_ymd_opt(2021, 1, 1),
        to: NaiveDate::from_ymd_opt(2022, 12, 31),
        countries: ["AF".to_owned()].into(),
        ..crate::model::Filter::default()
    };
    let load = |subset: &Subset| {
        import_path(&path, None, subset, &Progress::default())
            .unwrap()
            .unwrap()
    };
    let whole = load(&Subset::everything());
    let only = load(&Subset::only(filter.clone()));
    let expected: Vec<Incident> = resolved(&whole)
        .into_iter()
        .filter(|incident| filter.matches(incident))
        .collect();
    assert!(expected.len() > 1_000, "{}", expected.len());
    assert!(
        expected
            .iter()
            .all(|incident| incident.id.starts_with("acled:SYN"))
    );
    assert_eq!(resolved(&only), expected);
}

#[test]
fn string_columns_dictionary_encoded_throughout_are_read_as_dictionaries() {
    let mut bytes = Vec::new();
    crate::synth::write_acled(&mut bytes, 3_000, 5, |_| {}).unwrap();
    let from_csv = csv_import(&bytes, "events.csv");
    let batch = batch_of(&bytes, true);
    let write = |properties: parquet::file::properties::WriterPropertiesBuilder| {
        let mut out = Vec::new();
        let properties = properties.set_max_row_group_row_count(Some(700)).build();
        let mut writer =
            parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), Some(properties))
                .unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        out
    };
    let builder = parquet::file::properties::WriterProperties::builder;
    let files = [
        ("dictionary-encoded", write(builder())),
        ("plain", write(builder().set_dictionary_enabled(false))),
        // A dictionary page this small is full after a few values: the writer goes on in
        // plain encoding within the same chunk.
        (
            "falling back to plain",
            write(builder().set_dictionary_page_size_limit(64)),
        ),
    ];
    let type_of = |data: &[u8], name: &str| {
        let part = Part {
            source: PartSource::Bytes(bytes::Bytes::copy_from_slice(data)),
            partition: Vec::new(),
        };
        let open = OpenParquet::open(&part, "events.parquet").unwrap();
        open.metadata
            .schema()
            .field_with_name(name)
            .unwrap()
            .data_type()
            .clone()
    };
    let dictionary = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    for (how, data) in &files {
        let (few_names, notes) = match *how {
            "dictionary-encoded" => (&dictionary, &dictionary),
            "plain" => (&DataType::Utf8, &DataType::Utf8),
            // A few names fit the small dictionary; every row's notes do not.
            _ => (&dictionary, &DataType::Utf8),
        };
        assert_eq!(&type_of(data, "country"), few_names, "country, {how}");
        assert_eq!(&type_of(data, "notes"), notes, "notes, {how}");
        let imported = import_bytes(
            data,
            Container::Parquet,
            "events.parquet",
            None,
            &Progress::default(),
        )
        .unwrap();
        assert_eq!(resolved(&imported), resolved(&from_csv), "{how}");
    }
    // The numbers and days keep their types.
    assert_eq!(type_of(&files[0].1, "latitude"), DataType::Float64);
    assert_eq!(type_of(&files[0].1, "event_date"), DataType::Date32);
}

#[test]
fn a_first_pass_reads_stored_days_without_text_and_text_days_as_before() {
    // The same rows with their dates stored as DATE and as text: a filtered load passes over
    // the same rows and keeps the same incidents either way.
    let mut bytes = Vec::new();
    crate::synth::write_acled(&mut bytes, 2_000, 3, |_| {}).unwrap();
    let typed = batch_of(&bytes, true);
    let date = typed.schema().index_of("event_date").unwrap();
    assert_eq!(typed.schema().field(date).data_type(), &DataType::Date32);
    let texts = batch_of(&bytes, false);
    let filter = crate::model::Filter {
        from: NaiveDate::from_ymd_opt(2020, 3, 1),
        to: NaiveDate::from_ymd_opt(2021, 2, 28),
        ..crate::model::Filter::default()
    };
    let load = |batch: &RecordBatch| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.parquet");
        std::fs::write(&path, parquet_bytes(batch, 500)).unwrap();
        import_path(
            &path,
            None,
            &Subset::only(filter.clone()),
            &Progress::default(),
        )
        .unwrap()
        .unwrap()
    };
    let (from_days, from_text) = (load(&typed), load(&texts));
    let whole = csv_import(&bytes, "events.csv");
    let expected: Vec<Incident> = resolved(&whole)
        .into_iter()
        .filter(|incident| filter.matches(incident))
        .collect();
    assert!(expected.len() > 100, "{}", expected.len());
    assert_eq!(resolved(&from_days), expected);
    assert_eq!(resolved(&from_text), expected);
    assert_eq!(from_days.report.notes, from_text.report.notes);
    assert!(
        from_days
            .report
            .notes
            .iter()
            .any(|note| note.contains("passed over unconverted")),
        "{:?}",
        from_days.report.notes
    );

    // A stored day is a day as its text would be read, for the years that text is written
    // as YYYY-MM-DD; a null or a day beyond them has none (and is read as text).
    let days = Date32Array::from(vec![Some(0), Some(18_000), Some(-719_528), Some(2_932_896)]);
    let days = days
        .iter()
        .chain([Some(2_932_897), Some(i32::MIN), None])
        .collect::<Date32Array>();
    let column = ValueColumn::of(
        &days,
        ArrayFormatter::try_new(&days, &FormatOptions::default()).unwrap(),
    );
    let expected_days = [
        NaiveDate::from_ymd_opt(1970, 1, 1),
        NaiveDate::from_ymd_opt(2019, 4, 14),
        NaiveDate::from_ymd_opt(0, 1, 1),
        NaiveDate::from_ymd_opt(9999, 12, 31),
        None,
        None,
        None,
    ];
    for (row, expected) in expected_days.into_iter().enumerate() {
        assert_eq!(column.day(row), expected, "row {row}");
    }
}
