//! Telling formats apart by their content: the first bytes and the CSV header.

use super::{Format, ImportError, SAMPLE_ROWS, geojson, strip_bom};

/// What a file looks like, before loading it.
#[derive(Clone, Debug, PartialEq)]
pub struct Detected {
    pub format: Format,
    /// CSV delimiter (comma, semicolon, tab or bar).
    pub delimiter: u8,
    /// CSV header names, or the property names of GeoJSON features (first seen first).
    pub columns: Vec<String>,
    /// The first rows' values, one entry per column (GeoJSON: property values as text).
    pub samples: Vec<Vec<String>>,
    pub notes: Vec<String>,
    /// For GeoJSON: the schema its property names are (UCDP, ACLED or GTD), read with that
    /// schema's rules rather than through a field mapping.
    pub schema: Option<Format>,
}

impl Detected {
    /// Whether the rows are read through a field mapping: generic CSV, and GeoJSON whose
    /// properties are not a known schema's.
    pub fn needs_mapping(&self) -> bool {
        self.format.needs_mapping() && self.schema.is_none()
    }

    /// Identifies files "of the same shape" for remembering a mapping: the format and the
    /// column names, lower case and sorted.
    pub fn shape_key(&self) -> String {
        shape_key(self.format, &self.columns)
    }
}

pub fn shape_key(format: Format, columns: &[String]) -> String {
    let mut names: Vec<String> = columns.iter().map(|c| c.trim().to_lowercase()).collect();
    names.sort();
    names.dedup();
    format!("{}:{}", format.label(), names.join("|"))
}

/// Decide the format from the content. `extension` (lower case, without the dot) is what the
/// file name claims; a contradiction is an error for JSON and RON names, a note otherwise.
pub fn detect(bytes: &[u8], file: &str, extension: Option<&str>) -> Result<Detected, ImportError> {
    let bytes = strip_bom(bytes);
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else {
        return Err(ImportError::Empty {
            file: file.to_owned(),
        });
    };
    let head = &bytes[..bytes.len().min(8192)];
    if let Some(offset) = head.iter().position(|&b| b == 0) {
        return Err(ImportError::Binary {
            file: file.to_owned(),
            offset,
        });
    }
    let starts = &bytes[first..];
    let looks_json = starts.starts_with(b"{") || starts.starts_with(b"[");
    let looks_ron = starts.starts_with(b"(")
        || starts.starts_with(b"Dataset")
        || starts.starts_with(b"//")
        || starts.starts_with(b"#![");
    let claimed = extension.unwrap_or("");
    // The start of the first line, to show what the file really holds.
    let preview = || {
        let line_end = starts.iter().position(|&b| b == b'\n' || b == b'\r');
        let line = &starts[..line_end.unwrap_or(starts.len()).min(40)];
        super::shorten(&String::from_utf8_lossy(line), 40)
    };
    let not_format = |format: &'static str, why: String| ImportError::NotFormat {
        file: file.to_owned(),
        format,
        why,
    };
    if matches!(claimed, "geojson" | "json") && !looks_json {
        return Err(not_format(
            "GeoJSON",
            format!(
                "line 1: it does not start with '{{' but with '{}'",
                preview()
            ),
        ));
    }
    if claimed == "ron" && !looks_ron {
        return Err(not_format(
            "Khorasan Atlas RON",
            format!(
                "line 1: it does not start with '(' but with '{}'",
                preview()
            ),
        ));
    }
    let mut notes = Vec::new();
    if looks_json {
        let (columns, samples) = geojson::geojson_columns(bytes, file)?;
        if !matches!(claimed, "geojson" | "json" | "") {
            notes.push(format!(
                "The file is named .{claimed} but holds GeoJSON; it was read as GeoJSON."
            ));
        }
        let schema = Some(schema_of_columns(&columns)).filter(|f| *f != Format::Csv);
        return Ok(Detected {
            format: Format::GeoJson,
            delimiter: b',',
            columns,
            samples,
            notes,
            schema,
        });
    }
    if looks_ron {
        return Ok(Detected {
            format: Format::Ron,
            delimiter: b',',
            columns: Vec::new(),
            samples: Vec::new(),
            notes,
            schema: None,
        });
    }
    let delimiter = sniff_delimiter(bytes);
    let (columns, samples) = csv_header_and_samples(bytes, delimiter, file)?;
    let format = schema_of_columns(&columns);
    if !matches!(claimed, "csv" | "tsv" | "txt" | "") {
        notes.push(format!(
            "The file is named .{claimed} but holds {}; it was read as such.",
            format.label()
        ));
    }
    Ok(Detected {
        format,
        delimiter,
        columns,
        samples,
        notes,
        schema: None,
    })
}

/// The schema whose field names a header (or GeoJSON's properties) has: ACLED, GTD or UCDP,
/// else generic CSV. Names cut to ten characters count (shapefiles and the GeoJSON made from
/// them truncate `event_id_cnty` to `event_id_c`).
pub fn schema_of_columns(columns: &[String]) -> Format {
    let has = |name: &str| {
        let short: String = name.chars().take(10).collect();
        columns.iter().any(|column| {
            let column = column.trim();
            column.eq_ignore_ascii_case(name) || column.eq_ignore_ascii_case(&short)
        })
    };
    if has("event_id_cnty") || (has("event_date") && has("actor1")) {
        Format::Acled
    } else if has("eventid") && has("iyear") && has("imonth") && has("iday") {
        Format::Gtd
    } else if has("date_prec") && has("where_prec") && (has("best") || has("date_start")) {
        Format::Ucdp
    } else {
        Format::Csv
    }
}

/// The delimiter that splits the first line into the most fields.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let line_end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let line = &bytes[..line_end];
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|&d| (line.iter().filter(|&&b| b == d).count(), d == b','))
        .unwrap_or(b',')
}

fn csv_header_and_samples(
    bytes: &[u8],
    delimiter: u8,
    file: &str,
) -> Result<(Vec<String>, Vec<Vec<String>>), ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(bytes);
    let headers = reader
        .byte_headers()
        .map_err(|error| ImportError::NotFormat {
            file: file.to_owned(),
            format: "CSV",
            why: format!("line 1: cannot read the header: {error}"),
        })?
        .clone();
    let mut columns = Vec::with_capacity(headers.len());
    for (index, name) in headers.iter().enumerate() {
        let name = std::str::from_utf8(name).map_err(|_| ImportError::NotUtf8 {
            file: file.to_owned(),
            line: 1,
        })?;
        let name = name.trim();
        columns.push(if name.is_empty() {
            format!("column {}", index + 1)
        } else {
            name.to_owned()
        });
    }
    let mut samples = Vec::new();
    let mut record = csv::ByteRecord::new();
    while samples.len() < SAMPLE_ROWS {
        match reader.read_byte_record(&mut record) {
            Ok(true) => samples.push(
                record
                    .iter()
                    .map(|field| String::from_utf8_lossy(field).trim().to_owned())
                    .collect(),
            ),
            Ok(false) => break,
            Err(_) => continue,
        }
    }
    Ok((columns, samples))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format_of(text: &str, extension: Option<&str>) -> Format {
        detect(text.as_bytes(), "f", extension).unwrap().format
    }

    #[test]
    fn schemas_are_recognised_by_their_columns_not_their_order() {
        assert_eq!(
            format_of("notes,event_date,event_id_cnty\nx,2021-01-01,AFG1\n", None),
            Format::Acled
        );
        assert_eq!(
            format_of("iday,imonth,iyear,eventid\n1,1,2020,1\n", Some("csv")),
            Format::Gtd
        );
        assert_eq!(
            format_of("id;date_prec;where_prec;best\n1;1;1;3\n", None),
            Format::Ucdp
        );
        assert_eq!(format_of("when,lat,lon\n2021,1,2\n", None), Format::Csv);
        assert_eq!(
            format_of(" {\"type\":\"FeatureCollection\",\"features\":[]}", None),
            Format::GeoJson
        );
        assert_eq!(format_of("(incidents: [])", Some("ron")), Format::Ron);
    }

    #[test]
    fn delimiters_are_sniffed() {
        let detected = detect(b"a;b;c\n1;2;3\n", "f", None).unwrap();
        assert_eq!(detected.delimiter, b';');
        assert_eq!(detected.columns, ["a", "b", "c"]);
        assert_eq!(detected.samples, [["1", "2", "3"]]);
        assert_eq!(detect(b"a\tb\n", "f", None).unwrap().delimiter, b'\t');
    }

    #[test]
    fn empty_binary_and_mislabelled_files_are_clear_errors() {
        assert!(matches!(
            detect(b"  \n ", "f", None),
            Err(ImportError::Empty { .. })
        ));
        assert!(matches!(
            detect(b"\x89PNG\r\n\x1a\n\0\0", "f.csv", Some("csv")),
            Err(ImportError::Binary { .. })
        ));
        let error = detect(b"id,date\n1,2", "f.geojson", Some("geojson")).unwrap_err();
        assert!(error.to_string().contains("not a valid GeoJSON"), "{error}");
        let csv_named_json = detect(
            b"{\"type\":\"FeatureCollection\",\"features\":[]}",
            "f",
            Some("csv"),
        );
        assert!(!csv_named_json.unwrap().notes.is_empty());
    }

    #[test]
    fn shape_keys_ignore_order_and_case() {
        let a = shape_key(Format::Csv, &["Date".into(), "lat".into()]);
        let b = shape_key(Format::Csv, &["LAT".into(), "date".into()]);
        assert_eq!(a, b);
        assert_ne!(
            a,
            shape_key(Format::GeoJson, &["Date".into(), "lat".into()])
        );
    }
}
