//! GeoJSON files: each feature a row, its properties the columns and its point the place,
//! read through a [`FieldMapping`] with the same row conversion as a CSV of no known schema.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::fields::{self, Collector, HeaderColumns, Row};
use super::generic::{GEOMETRY_LAT, GEOMETRY_LON, check_columns, convert, describe_missing, stem};
use super::mapping::FieldMapping;
use super::records::Record;
use super::{Format, ImportError, Imported, Progress, RowIssue, SAMPLE_ROWS, line_of_offset};

/// The top level of a GeoJSON file, keeping each feature's text to find its line.
#[derive(Deserialize)]
struct RawCollection<'a> {
    #[serde(rename = "type")]
    kind: String,
    #[serde(borrow, default)]
    features: Option<Vec<&'a RawValue>>,
}

/// Parse the top level; each feature comes with its 1-based line.
fn raw_features<'a>(text: &'a str, file: &str) -> Result<Vec<(u64, &'a str)>, ImportError> {
    let not_geojson = |why: String| ImportError::NotFormat {
        file: file.to_owned(),
        format: "GeoJSON",
        why,
    };
    let collection: RawCollection<'a> = serde_json::from_str(text).map_err(|error| {
        not_geojson(format!(
            "line {} column {}: {error}",
            error.line(),
            error.column()
        ))
    })?;
    let line_of = |raw: &str| {
        let offset = (raw.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        line_of_offset(text.as_bytes(), offset)
    };
    match collection.kind.as_str() {
        "FeatureCollection" => Ok(collection
            .features
            .unwrap_or_default()
            .into_iter()
            .map(|raw| (line_of(raw.get()), raw.get()))
            .collect()),
        "Feature" => Ok(vec![(1, text)]),
        other => Err(not_geojson(format!(
            "line 1: a GeoJSON {other}, not a FeatureCollection of points"
        ))),
    }
}

fn utf8<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, ImportError> {
    std::str::from_utf8(bytes).map_err(|error| ImportError::NotUtf8 {
        file: file.to_owned(),
        line: line_of_offset(bytes, error.valid_up_to()),
    })
}

/// Property names (first seen first) and sample values, for the mapping guess.
pub fn geojson_columns(
    bytes: &[u8],
    file: &str,
) -> Result<(Vec<String>, Vec<Vec<String>>), ImportError> {
    let text = utf8(super::strip_bom(bytes), file)?;
    let features = raw_features(text, file)?;
    let mut columns: Vec<String> = Vec::new();
    let mut parsed = Vec::new();
    for (_, raw) in features.iter().take(SAMPLE_ROWS) {
        if let Ok(feature) = serde_json::from_str::<geojson::Feature>(raw) {
            for key in feature.properties.iter().flat_map(|p| p.keys()) {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
            parsed.push(feature);
        }
    }
    let samples = parsed
        .iter()
        .map(|feature| {
            columns
                .iter()
                .map(|column| property_text(feature.property(column)))
                .collect()
        })
        .collect();
    Ok((columns, samples))
}

fn property_text(value: Option<&serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

pub fn import_geojson(
    bytes: &[u8],
    file: &str,
    mapping: &FieldMapping,
    progress: &Progress,
) -> Result<Imported, ImportError> {
    if let Some(missing) = describe_missing(mapping, true) {
        return Err(ImportError::Mapping {
            file: file.to_owned(),
            why: missing,
        });
    }
    let stem = stem(file);
    let rows = FeatureRows {
        coordinates: (GEOMETRY_LAT, GEOMETRY_LON),
        coordinates_mapped: mapping.latitude.is_some(),
        long_names: &[],
        id_column: mapping.id.as_deref().unwrap_or(""),
    };
    import_features(
        bytes,
        file,
        progress,
        &rows,
        |columns| check_columns(columns, mapping, file),
        |row, citations| convert(row, citations, mapping, &stem),
        format!("GeoJSON file {file}"),
    )
}

/// A GeoJSON file whose properties are a known schema's field names (UCDP GED as HDX and many
/// repositories publish it, ACLED, GTD): read with that schema's rules, as its CSV would be,
/// the point standing in for the `latitude` and `longitude` columns where they are absent.
pub fn import_geojson_schema(
    bytes: &[u8],
    file: &str,
    schema: &fields::Schema,
    progress: &Progress,
) -> Result<Imported, ImportError> {
    let rows = FeatureRows {
        coordinates: ("latitude", "longitude"),
        coordinates_mapped: false,
        long_names: schema.long_names,
        id_column: schema.id_column,
    };
    let mut imported = import_features(
        bytes,
        file,
        progress,
        &rows,
        |columns| columns.require(schema.required, file, Format::GeoJson),
        schema.convert,
        format!("{} {file} (GeoJSON)", schema.description),
    )?;
    imported.report.notes.push(format!(
        "GeoJSON whose properties are {} field names: read with the {} rules, as its CSV \
         would be.",
        schema.format.label().trim_end_matches(" CSV"),
        schema.format.label().trim_end_matches(" CSV"),
    ));
    Ok(imported)
}

/// How features become rows: the columns the point fills and what the rows are checked by.
struct FeatureRows<'a> {
    /// The (latitude, longitude) columns the point is written to, after the properties (a
    /// property of the same name comes first and wins).
    coordinates: (&'a str, &'a str),
    /// Whether the coordinates may come from properties, so a feature without a point is not
    /// refused for it.
    coordinates_mapped: bool,
    long_names: &'a [&'a str],
    id_column: &'a str,
}

/// Every feature as a row of its properties and point, converted by `convert`.
fn import_features(
    bytes: &[u8],
    file: &str,
    progress: &Progress,
    rows: &FeatureRows<'_>,
    check: impl FnOnce(&HeaderColumns) -> Result<(), ImportError>,
    convert: impl Fn(&Row<'_>, &fields::Citations) -> Result<crate::model::Incident, RowIssue>,
    description: String,
) -> Result<Imported, ImportError> {
    let text = utf8(bytes, file)?;
    let features = raw_features(text, file)?;
    let mut collector = Collector::new(file, Format::GeoJson);
    let mut interner = crate::model::Interner::default();
    // Parse every feature first: the columns are the union of their properties.
    let mut parsed = Vec::with_capacity(features.len());
    let mut names: Vec<String> = Vec::new();
    let mut known = std::collections::HashSet::new();
    for (index, (line, raw)) in features.iter().enumerate() {
        if index % 4096 == 0 {
            if progress.is_cancelled() {
                return Err(ImportError::Cancelled {
                    file: file.to_owned(),
                });
            }
            progress.set_done(
                (raw.as_ptr() as usize).saturating_sub(text.as_ptr() as usize) as u64 / 2,
            );
        }
        match serde_json::from_str::<geojson::Feature>(raw) {
            Ok(feature) => {
                for key in feature.properties.iter().flat_map(|p| p.keys()) {
                    if known.insert(key.clone()) {
                        names.push(key.clone());
                    }
                }
                parsed.push((*line, Ok(feature)));
            }
            Err(error) => parsed.push((
                *line,
                Err(RowIssue::new(
                    *line,
                    "",
                    "",
                    format!("not a GeoJSON feature: {error}"),
                )),
            )),
        }
    }
    let property_count = names.len();
    let has_coordinates = known.contains(rows.coordinates.0) && known.contains(rows.coordinates.1);
    names.push(rows.coordinates.0.to_owned());
    names.push(rows.coordinates.1.to_owned());
    let columns = HeaderColumns::new(names).with_truncated_names(rows.long_names);
    check(&columns)?;
    let mut record = Record::default();
    for (index, (line, feature)) in parsed.into_iter().enumerate() {
        if index % 4096 == 0 {
            progress.set_done(
                (bytes.len() as u64 / 2)
                    + (index as u64 * bytes.len() as u64) / (2 * features.len().max(1) as u64),
            );
        }
        let feature = match feature {
            Ok(feature) => feature,
            Err(issue) => {
                collector.add(line, "", Err(issue));
                continue;
            }
        };
        let point = match point_of(&feature) {
            Ok(point) => point,
            Err(why) => {
                if !rows.coordinates_mapped && !has_coordinates {
                    collector.add(line, "", Err(RowIssue::new(line, "geometry", "", why)));
                    continue;
                }
                None
            }
        };
        record.clear();
        for column in &columns.names[..property_count] {
            record.push_field(property_text(feature.property(column)).as_bytes());
        }
        let (lat, lon) = point.map_or((String::new(), String::new()), |(lat, lon)| {
            (lat.to_string(), lon.to_string())
        });
        record.push_field(lat.as_bytes());
        record.push_field(lon.as_bytes());
        let row = Row::new(line, &columns, &record);
        let mut result = convert(&row, &collector.citations);
        if let Ok(incident) = &mut result {
            incident.share_strings(&mut interner);
        }
        collector.add(line, rows.id_column, result);
    }
    Ok(collector.finish(description))
}

/// A feature's point as (lat, lon); `None` without geometry, an error for other shapes.
fn point_of(feature: &geojson::Feature) -> Result<Option<(f64, f64)>, String> {
    use geojson::Value;
    let Some(geometry) = &feature.geometry else {
        return Err(
            "the feature has no geometry (and no latitude/longitude properties are mapped)"
                .to_owned(),
        );
    };
    let position = match &geometry.value {
        Value::Point(coordinates) => coordinates.clone(),
        Value::MultiPoint(coordinates) if coordinates.len() == 1 => coordinates[0].clone(),
        other => {
            return Err(format!(
                "a {} geometry; only points are incidents",
                other.type_name()
            ));
        }
    };
    match position.as_slice() {
        [lon, lat, ..] => {
            let lat = fields::parse_degrees(&lat.to_string(), 90.0, "latitude")?;
            let lon = fields::parse_degrees(&lon.to_string(), 180.0, "longitude")?;
            fields::check_not_null_island(lat, lon).map(Some)
        }
        _ => Err("the point has fewer than two coordinates".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Count;

    #[test]
    fn geojson_points_load_and_other_shapes_are_reported_with_their_line() {
        let text = r#"{"type": "FeatureCollection", "features": [
  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [70.45, 34.43]},
   "properties": {"occurred_on": "2023-01-01", "fatalities_reported": 5}},
  {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[70, 34], [71, 35]]},
   "properties": {"occurred_on": "2023-01-02"}},
  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [70.45, 134.43]},
   "properties": {"occurred_on": "2023-01-03"}}
]}"#;
        let (columns, samples) = geojson_columns(text.as_bytes(), "f.geojson").unwrap();
        let mapping = FieldMapping::guess(&columns, &samples);
        assert_eq!(mapping.date.as_deref(), Some("occurred_on"));
        assert_eq!(mapping.killed.as_deref(), Some("fatalities_reported"));
        let imported =
            import_geojson(text.as_bytes(), "f.geojson", &mapping, &Progress::default()).unwrap();
        assert_eq!(imported.report.loaded, 1);
        assert_eq!(imported.dataset.incidents[0].killed, Count::Exact(5));
        let lines: Vec<u64> = imported.report.issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, [4, 6]);
    }

    #[test]
    fn json_that_is_not_a_feature_collection_is_one_error() {
        let error =
            geojson_columns(br#"{"type": "Polygon", "coordinates": []}"#, "p.geojson").unwrap_err();
        assert!(
            error.to_string().contains("not a FeatureCollection"),
            "{error}"
        );
        let error = geojson_columns(b"{\"type\": ", "p.geojson").unwrap_err();
        assert!(error.to_string().contains("line 1"), "{error}");
    }
}
