//! CSV files of no known schema, read through a [`FieldMapping`]; the row conversion is
//! shared with GeoJSON files (`super::geojson`).

use super::fields::{self, Collector, HeaderColumns, Row};
use super::mapping::{FieldMapping, Role};
use super::{Format, ImportError, Imported, Progress, RowIssue, Subset};

/// Synthetic columns holding a GeoJSON feature's point, used when the mapping names no
/// latitude and longitude properties.
pub(super) const GEOMETRY_LAT: &str = "(point geometry: latitude)";
pub(super) const GEOMETRY_LON: &str = "(point geometry: longitude)";
use crate::model::{Actor, ActorRole, Count, Incident, Kind, LocationPrecision, Method, Target};

pub fn import_csv(
    bytes: &[u8],
    file: &str,
    delimiter: u8,
    mapping: &FieldMapping,
    progress: &Progress,
) -> Result<Imported, ImportError> {
    import_csv_from(
        bytes,
        bytes.len() as u64,
        file,
        delimiter,
        mapping,
        progress,
        &Subset::everything(),
    )
}

/// Import from a reader of `size` bytes (a file read as it goes).
pub fn import_csv_from(
    input: impl std::io::Read,
    size: u64,
    file: &str,
    delimiter: u8,
    mapping: &FieldMapping,
    progress: &Progress,
    subset: &Subset,
) -> Result<Imported, ImportError> {
    if let Some(missing) = describe_missing(mapping, false) {
        return Err(ImportError::Mapping {
            file: file.to_owned(),
            why: missing,
        });
    }
    let mut collector = Collector::new(file, Format::Csv);
    let stem = stem(file);
    let converting =
        |row: &Row<'_>, citations: &fields::Citations| convert(row, citations, mapping, &stem);
    let reading_id = |row: &Row<'_>| incident_id(row, mapping, &stem);
    let date_columns = date_columns(mapping);
    let id_columns = id_columns(mapping);
    fields::read_rows(
        input,
        size,
        file,
        delimiter,
        progress,
        |columns| check_columns(columns, mapping, file),
        &[],
        &fields::RowRule {
            convert: &converting,
            incident_id: &reading_id,
            id_columns: &id_columns,
            date_columns: &date_columns,
            reach_days: MAPPED_REACH_DAYS,
            // A mapped country may be a code, a name or empty: the conversion decides.
            known_country: None,
        },
        subset,
        &mut collector,
        mapping.id.as_deref().unwrap_or(""),
    )?;
    if collector.must_read_again() {
        return Err(ImportError::ReadAgain {
            file: file.to_owned(),
        });
    }
    Ok(collector.finish(format!("CSV file {file}")))
}

/// How far a mapped row's incident can reach past its date columns: a precision column
/// may widen a day to its year.
pub(super) const MAPPED_REACH_DAYS: u32 = 366;

/// The columns a mapping reads a row's dates from.
pub(super) fn date_columns(mapping: &FieldMapping) -> Vec<&str> {
    [Role::Date, Role::EndDate]
        .into_iter()
        .filter_map(|role| mapping.get(role))
        .collect()
}

/// The column [`incident_id`] reads, if the mapping names one.
pub(super) fn id_columns(mapping: &FieldMapping) -> Vec<&str> {
    mapping.id.as_deref().into_iter().collect()
}

/// The id [`convert`] gives a row.
pub(super) fn incident_id(
    row: &Row<'_>,
    mapping: &FieldMapping,
    stem: &str,
) -> Result<String, RowIssue> {
    let id = match mapping.get(Role::Id) {
        Some(column) => row.get(column)?,
        None => "",
    };
    Ok(match id {
        "" => format!("{stem}:line-{}", row.line),
        id => super::fields::prefixed_id(stem, id),
    })
}

pub(super) fn describe_missing(mapping: &FieldMapping, has_geometry: bool) -> Option<String> {
    let missing = mapping.missing(has_geometry);
    (!missing.is_empty()).then(|| {
        let names: Vec<&str> = missing.iter().map(|role| role.label()).collect();
        format!(
            "no column is mapped to {}; choose them in the mapping dialog or pass --mapping FILE",
            names.join(", ")
        )
    })
}

pub(super) fn check_columns(
    columns: &HeaderColumns,
    mapping: &FieldMapping,
    file: &str,
) -> Result<(), ImportError> {
    let absent: Vec<&str> = mapping
        .columns()
        .into_iter()
        .filter(|name| !columns.has(name))
        .collect();
    if absent.is_empty() {
        Ok(())
    } else {
        Err(ImportError::Mapping {
            file: file.to_owned(),
            why: format!(
                "line 1: the mapping names column(s) the file lacks: {}",
                absent.join(", ")
            ),
        })
    }
}

pub(super) fn stem(file: &str) -> String {
    std::path::Path::new(file)
        .file_stem()
        .map_or_else(|| "file".to_owned(), |s| s.to_string_lossy().into_owned())
}

pub(super) fn convert(
    row: &Row<'_>,
    citations: &fields::Citations,
    mapping: &FieldMapping,
    stem: &str,
) -> Result<Incident, RowIssue> {
    let text = |role: Role| -> Result<&str, RowIssue> {
        match mapping.get(role) {
            Some(column) => row.get(column),
            None => Ok(""),
        }
    };
    let date_column = mapping.get(Role::Date).unwrap_or_default();
    let date = match (mapping.get(Role::EndDate), text(Role::EndDate)?) {
        (Some(end_column), end) if !end.is_empty() => {
            let first = row.parse(date_column, fields::parse_day_text)?;
            let last = row.parse(end_column, fields::parse_day_text)?;
            fields::covering_date(first, last).map_err(|why| row.issue(end_column, end, why))?
        }
        _ => row.parse(date_column, fields::parse_date_text)?,
    };
    let coordinates = fields::parse_coordinates(
        row,
        mapping.get(Role::Latitude).unwrap_or(GEOMETRY_LAT),
        mapping.get(Role::Longitude).unwrap_or(GEOMETRY_LON),
    )?;
    // Several columns are summed (UCDP's deaths by side); a row where all are empty is
    // unknown, and empty ones beside filled ones count as nothing.
    let count = |role: Role| -> Result<Count, RowIssue> {
        let mut total: Option<(u32, u32)> = None;
        for column in mapping.columns_of(role) {
            if let Some((low, high)) = row.parse(column, fields::parse_count)?.bounds() {
                let (sum_low, sum_high) = total.get_or_insert((0, 0));
                *sum_low = sum_low.saturating_add(low);
                *sum_high = sum_high.saturating_add(high);
            }
        }
        Ok(match total {
            None => Count::Unknown,
            Some((low, high)) if low == high => Count::Exact(low),
            Some((low, high)) => Count::Range(low, high),
        })
    };
    let (killed, injured) = (count(Role::Killed)?, count(Role::Injured)?);
    let place = text(Role::Place)?;
    // Without a named place the honest precision is unknown; "town" is the usual case for
    // a point, and the place column's absence is shown in the detail panel as the file's.
    let location = fields::location(
        place,
        text(Role::Admin1)?,
        text(Role::Country)?,
        coordinates,
        LocationPrecision::Town,
    );
    let mut named = Vec::new();
    for column in mapping.columns_of(Role::Actor) {
        let name = row.get(column)?;
        if !name.is_empty() {
            named.push(name);
        }
    }
    let (attribution, perpetrator) =
        fields::attribution(named.iter().copied(), &location.country_code);
    // The mapping says which columns hold actors, not what each did.
    let actors = if named.len() > 1 {
        named
            .iter()
            .map(|name| Actor::new(name, ActorRole::Named))
            .collect()
    } else {
        Vec::new()
    };
    let (kind, method) = kind_and_method(text(Role::Kind)?);
    let id = incident_id(row, mapping, stem)?;
    let summary = match text(Role::Description)? {
        "" => format!(
            "{} ({date})",
            if place.is_empty() { "Event" } else { place }
        ),
        description => description.to_owned(),
    };
    let sources = citations.row_sources(text(Role::Source)?.split(';'));
    Ok(Incident {
        id,
        date,
        location,
        kind,
        method,
        target: Target::Unknown,
        attribution,
        killed,
        injured,
        perpetrator: Some(perpetrator.into()),
        summary,
        sources,
        discrepancies: Vec::new(),
        actors,
    })
}

/// A kind column's value: our own keys and labels, ACLED's event types, or "other".
fn kind_and_method(value: &str) -> (Kind, Method) {
    if value.is_empty() {
        return (Kind::Other, Method::Unknown);
    }
    if let Some(kind) = Kind::from_key(value) {
        return (kind, Method::Unknown);
    }
    if let Some(method) = Method::from_key(value) {
        return (Kind::Attack, method);
    }
    super::acled::kind_and_method(value, "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attribution, DatePrecision};

    #[test]
    fn csv_rows_load_through_a_mapping() {
        let text = "when,where,y,x,dead,who\n\
                    2021-08,Kabul,34.5,69.2,13,ISKP\n\
                    2021-13-01,Kabul,34.5,69.2,1,ISKP\n";
        let mapping = FieldMapping {
            date: Some("when".into()),
            latitude: Some("y".into()),
            longitude: Some("x".into()),
            killed: Some("dead".into()),
            place: Some("where".into()),
            actor: Some("who".into()),
            ..FieldMapping::default()
        };
        let imported = import_csv(
            text.as_bytes(),
            "mine.csv",
            b',',
            &mapping,
            &Progress::default(),
        )
        .unwrap();
        assert_eq!(imported.report.loaded, 1);
        assert_eq!(imported.report.issues[0].line, 3);
        assert_eq!(imported.report.issues[0].column, "when");
        let incident = &imported.dataset.incidents[0];
        assert_eq!(incident.date.precision(), DatePrecision::Month);
        assert_eq!(incident.attribution, Attribution::NamedInData);
        assert_eq!(incident.id, "mine:line-2");
    }

    #[test]
    fn a_mapping_naming_absent_columns_is_refused() {
        let mapping = FieldMapping {
            date: Some("date".into()),
            latitude: Some("lat".into()),
            longitude: Some("lng".into()),
            ..FieldMapping::default()
        };
        let error = import_csv(
            b"date,lat,lon\n",
            "m.csv",
            b',',
            &mapping,
            &Progress::default(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("lng"), "{error}");
    }
}
