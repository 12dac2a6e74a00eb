//! Exports of a set of incidents: CSV (one row per incident) and GeoJSON (one Point each).
//! Both carry the same fields, in the same order, built by [`ExportRow`].

use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;

use crate::model::{Count, Dataset, Incident};

/// What the filtered incidents are written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Geojson,
}

/// The export contract. Field order is the CSV header order and must not change. Text is
/// borrowed from the incident where it is written as it is (a big export copies no notes).
#[derive(Debug, Serialize)]
pub struct ExportRow<'a> {
    pub id: Cow<'a, str>,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY` by precision.
    pub date: Cow<'a, str>,
    pub date_precision: &'static str,
    pub country_code: Cow<'a, str>,
    pub country: Cow<'a, str>,
    pub admin1: Cow<'a, str>,
    pub place: Cow<'a, str>,
    pub lat: f64,
    pub lon: f64,
    pub location_precision: &'static str,
    pub kind: &'static str,
    pub method: &'static str,
    pub target: &'static str,
    pub attribution: &'static str,
    pub killed_min: Option<u32>,
    pub killed_max: Option<u32>,
    pub injured_min: Option<u32>,
    pub injured_max: Option<u32>,
    pub summary: Cow<'a, str>,
    /// Each source as a citation, joined with ` | `.
    pub sources: Cow<'a, str>,
    /// Every actor as the data names it, with its role: `IS (perpetrator); Civilians
    /// (target)`. Added after `sources`, so that the columns before it keep their places.
    pub actors: Cow<'a, str>,
}

pub const CSV_HEADER: &str = "id,date,date_precision,country_code,country,admin1,place,lat,lon,location_precision,kind,method,target,attribution,killed_min,killed_max,injured_min,injured_max,summary,sources,actors";

/// Whether text cells that a spreadsheet would run as a formula are written as they are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FormulaCells {
    /// The default: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return
    /// gets a leading `'`, so that Excel, LibreOffice and Google Sheets show it as text
    /// instead of running it (an imported file's text is untrusted: `=HYPERLINK(...)`).
    #[default]
    Neutralised,
    /// Exactly as in the data (`export --raw-formulas`), for tools that are not spreadsheets.
    Raw,
}

/// `text` with a leading `'` when a spreadsheet would read it as a formula (as
/// [`neutralise_cow`]).
pub fn neutralise_formula(text: String) -> String {
    neutralise_cow(Cow::Owned(text)).into_owned()
}

/// `text` with a leading `'` when a spreadsheet would read it as a formula: still borrowed
/// when it is safe.
fn neutralise_cow(text: Cow<'_, str>) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        text
    }
}

impl ExportRow<'_> {
    /// The text cells made safe to open in a spreadsheet (numbers and keys are left alone).
    fn neutralised(mut self) -> Self {
        for text in [
            &mut self.id,
            &mut self.country_code,
            &mut self.country,
            &mut self.admin1,
            &mut self.place,
            &mut self.summary,
            &mut self.sources,
            &mut self.actors,
        ] {
            *text = neutralise_cow(std::mem::take(text));
        }
        self
    }
}

impl<'a> ExportRow<'a> {
    pub fn new(dataset: &Dataset, incident: &'a Incident) -> Self {
        Self::with_sources(&SourceIndex::new(dataset), incident)
    }

    pub fn with_sources(sources: &SourceIndex<'_>, incident: &'a Incident) -> Self {
        let mut text = RowText::default();
        text.fill(sources, incident);
        let RowText {
            date,
            sources,
            actors,
        } = text;
        Self::of(incident, date.into(), sources.into(), actors.into())
    }

    /// The row, its text not held by the incident borrowed from `text` (filled for it): a
    /// big export writes every row through one [`RowText`] a thread, not three new strings.
    fn with_text(text: &'a RowText, incident: &'a Incident) -> Self {
        let borrowed = |text: &'a String| Cow::Borrowed(text.as_str());
        Self::of(
            incident,
            borrowed(&text.date),
            borrowed(&text.sources),
            borrowed(&text.actors),
        )
    }

    fn of(
        incident: &'a Incident,
        date: Cow<'a, str>,
        sources: Cow<'a, str>,
        actors: Cow<'a, str>,
    ) -> Self {
        let location = &incident.location;
        let bounds = |count: Count| count.bounds().unzip();
        let (killed_min, killed_max) = bounds(incident.killed);
        let (injured_min, injured_max) = bounds(incident.injured);
        Self {
            id: Cow::Borrowed(&incident.id),
            date,
            date_precision: incident.date.precision().label(),
            country_code: Cow::Borrowed(location.country_code.as_str()),
            country: Cow::Borrowed(location.country.as_str()),
            admin1: Cow::Borrowed(location.admin1.as_str()),
            place: Cow::Borrowed(location.place.as_str()),
            lat: location.lat,
            lon: location.lon,
            location_precision: location.precision.key(),
            kind: incident.kind.key(),
            method: incident.method.key(),
            target: incident.target.key(),
            attribution: incident.attribution.key(),
            killed_min,
            killed_max,
            injured_min,
            injured_max,
            summary: Cow::Borrowed(&incident.summary),
            sources,
            actors,
        }
    }
}

/// The text of an export row that its incident does not hold as it is written: kept from row
/// to row, so that each is written over the last one's room.
#[derive(Default)]
struct RowText {
    date: String,
    sources: String,
    actors: String,
}

impl RowText {
    fn fill(&mut self, sources: &SourceIndex<'_>, incident: &Incident) {
        use std::fmt::Write as _;
        let Self {
            date,
            sources: cited,
            actors,
        } = self;
        date.clear();
        // Writing into a String cannot fail.
        let _ = write!(date, "{}", incident.date);
        // "Publisher, “Title” (date) URL" for each source, joined; unknown ids stay visible.
        cited.clear();
        for (index, id) in incident.sources.iter().enumerate() {
            if index > 0 {
                cited.push_str(" | ");
            }
            match sources.get(id) {
                Some(citation) => cited.push_str(citation),
                None => {
                    let _ = write!(cited, "[unknown source {id}]");
                }
            }
        }
        // The incident's actors with their roles; the embedded dataset's incidents name ISK.
        actors.clear();
        if incident.actors.is_empty() {
            actors.push_str(crate::model::actor::actor_name(incident));
        }
        for (index, actor) in incident.actors.iter().enumerate() {
            if index > 0 {
                actors.push_str("; ");
            }
            actors.push_str(&actor.name);
            actors.push_str(" (");
            actors.push_str(actor.role.key());
            actors.push(')');
        }
    }
}

/// The incidents as CSV, with formula-like text cells neutralised.
pub fn write_csv<'a>(
    out: impl Write,
    dataset: &Dataset,
    incidents: impl IntoIterator<Item = &'a Incident>,
) -> Result<(), csv::Error> {
    write_csv_with(out, dataset, incidents, FormulaCells::Neutralised)
}

pub fn write_csv_with<'a>(
    out: impl Write,
    dataset: &Dataset,
    incidents: impl IntoIterator<Item = &'a Incident>,
    formulas: FormulaCells,
) -> Result<(), csv::Error> {
    // The header is written by hand so an empty export still has it.
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    writer.write_record(CSV_HEADER.split(','))?;
    writer.flush()?;
    let mut out = writer.into_inner().map_err(|error| error.into_error())?;
    let sources = SourceIndex::new(dataset);
    // Rows are written on every core, a batch at a time, and put out in order: the bytes are
    // those of one writer, as each record is written on its own. A thread of its own makes
    // the batches while this one writes the one before (the cores were idle while a batch
    // of a big export was written).
    let incidents: Vec<&Incident> = incidents.into_iter().collect();
    std::thread::scope(|scope| {
        let (send, made) = std::sync::mpsc::sync_channel(1);
        let sources = &sources;
        scope.spawn(move || {
            for batch in incidents.chunks(EXPORT_BATCH_ROWS) {
                let parts = csv_batch(batch, sources, formulas);
                let failed = parts.is_err();
                // Sending fails when the writing has stopped on an error of its own.
                if send.send(parts).is_err() || failed {
                    return;
                }
            }
        });
        for parts in made {
            for part in parts? {
                out.write_all(&part)?;
            }
        }
        out.flush()?;
        Ok(())
    })
}

/// `batch` as CSV rows, in parts made on every core (in order).
fn csv_batch(
    batch: &[&Incident],
    sources: &SourceIndex<'_>,
    formulas: FormulaCells,
) -> Result<Vec<Vec<u8>>, csv::Error> {
    use rayon::prelude::*;
    batch
        .par_chunks(EXPORT_BATCH_ROWS / 16)
        .map(|part| {
            // About what a row takes, so that the buffer is not grown row by row.
            let mut writer = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(Vec::with_capacity(part.len() * 768));
            let mut text = RowText::default();
            for incident in part {
                text.fill(sources, incident);
                let row = ExportRow::with_text(&text, incident);
                writer.serialize(match formulas {
                    FormulaCells::Neutralised => row.neutralised(),
                    FormulaCells::Raw => row,
                })?;
            }
            writer
                .into_inner()
                .map_err(|error| error.into_error().into())
        })
        .collect()
}

/// Rows formatted at a time across the cores.
const EXPORT_BATCH_ROWS: usize = 32 * 1024;

/// A dataset's sources by id, each written as its citation once: an export cites them on
/// every row, and a big import cites thousands.
pub struct SourceIndex<'a>(std::collections::HashMap<&'a str, String>);

impl<'a> SourceIndex<'a> {
    pub fn new(dataset: &'a Dataset) -> Self {
        // The first source of an id is the one cited, as a search from the start finds it.
        let mut cited = std::collections::HashMap::with_capacity(dataset.sources.len());
        for source in &dataset.sources {
            cited
                .entry(source.id.as_str())
                .or_insert_with(|| match &source.url {
                    Some(url) => format!("{} {url}", source.citation()),
                    None => source.citation(),
                });
        }
        Self(cited)
    }

    fn get(&self, id: &str) -> Option<&str> {
        self.0.get(id).map(String::as_str)
    }
}

pub fn write_geojson<'a>(
    mut out: impl Write,
    dataset: &Dataset,
    incidents: impl IntoIterator<Item = &'a Incident>,
) -> std::io::Result<()> {
    let sources = SourceIndex::new(dataset);
    let features = incidents
        .into_iter()
        .map(|incident| {
            let row = ExportRow::with_sources(&sources, incident);
            let properties = match serde_json::to_value(&row) {
                Ok(serde_json::Value::Object(map)) => Some(map),
                _ => None,
            };
            geojson::Feature {
                geometry: Some(geojson::Geometry::new(geojson::Value::Point(vec![
                    row.lon, row.lat,
                ]))),
                id: Some(geojson::feature::Id::String(row.id.to_string())),
                properties,
                bbox: None,
                foreign_members: None,
            }
        })
        .collect();
    let collection = geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    };
    serde_json::to_writer_pretty(&mut out, &collection)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Location, LocationPrecision, Method, Source, Target};

    fn dataset() -> Dataset {
        Dataset {
            sources: vec![Source {
                id: "s1".into(),
                title: "Kabul blast".into(),
                publisher: "Reuters".into(),
                date: Some("2021-08-27".parse().unwrap()),
                url: Some("https://example.org/a".into()),
                seed: None,
            }],
            incidents: vec![Incident {
                location: Location {
                    place: "Kabul, \"airport\"".into(),
                    admin1: "Kabul".into(),
                    admin1_as_written: None,
                    country: "Afghanistan".into(),
                    country_code: "AF".into(),
                    lat: 34.56,
                    lon: 69.21,
                    precision: LocationPrecision::Exact,
                    footprint_km: None,
                },
                method: Method::SuicideBombing,
                target: Target::ForeignMilitary,
                killed: Count::Range(169, 183),
                summary: "Line one, with comma".into(),
                ..crate::model::testing::incident("a", "2021-08")
            }],
            ..Dataset::default()
        }
    }

    #[test]
    fn csv_has_the_contract_header_and_quoted_fields() {
        let data = dataset();
        let mut out = Vec::new();
        write_csv(&mut out, &data, &data.incidents).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(CSV_HEADER));
        assert_eq!(
            lines.next(),
            Some(
                "a,2021-08,month,AF,Afghanistan,Kabul,\"Kabul, \"\"airport\"\"\",34.56,69.21,exact,attack,suicide-bombing,foreign-military,claimed-isk,169,183,,,\"Line one, with comma\",\"Reuters, \u{201c}Kabul blast\u{201d} (2021-08-27) https://example.org/a\",Islamic State Khorasan Province (ISK)"
            )
        );
    }

    #[test]
    fn text_a_spreadsheet_would_run_is_neutralised_unless_raw_is_asked() {
        let mut data = dataset();
        let incident = &mut data.incidents[0];
        incident.summary = "=HYPERLINK(\"http://x.example\",\"click\")".into();
        incident.location.place = "+1 town".into();
        incident.location.admin1 = "@SUM(A1)".into();
        incident.perpetrator = Some("-IS".into());
        incident.actors = vec![crate::model::Actor::new(
            "-IS",
            crate::model::ActorRole::Perpetrator,
        )];
        incident.killed = Count::Exact(4);
        let read = |formulas| {
            let mut out = Vec::new();
            write_csv_with(&mut out, &data, &data.incidents, formulas).unwrap();
            let mut reader = csv::Reader::from_reader(out.as_slice());
            let headers = reader.headers().unwrap().clone();
            let record = reader.records().next().unwrap().unwrap();
            move |column: &str| {
                let position = headers.iter().position(|h| h == column).unwrap();
                record[position].to_owned()
            }
        };
        let guarded = read(FormulaCells::Neutralised);
        assert_eq!(
            guarded("summary"),
            "'=HYPERLINK(\"http://x.example\",\"click\")"
        );
        assert_eq!(guarded("place"), "'+1 town");
        assert_eq!(guarded("admin1"), "'@SUM(A1)");
        assert_eq!(guarded("actors"), "'-IS (perpetrator)");
        assert_eq!(guarded("killed_min"), "4", "numbers are left alone");
        assert_eq!(guarded("country"), "Afghanistan");
        let raw = read(FormulaCells::Raw);
        assert_eq!(raw("summary"), "=HYPERLINK(\"http://x.example\",\"click\")");
        assert_eq!(raw("place"), "+1 town");
    }

    #[test]
    fn a_big_export_is_its_rows_in_order_each_written_on_its_own() {
        // More rows than a batch, each with text of its own: written on every core and by a
        // thread of their own, the bytes are those of one writer writing row after row.
        let mut data = dataset();
        let first = data.incidents[0].clone();
        data.incidents = (0..EXPORT_BATCH_ROWS * 2 + 77)
            .map(|index| Incident {
                id: format!("row{index}"),
                summary: format!("{index} {}", "x".repeat(index % 50)),
                sources: if index % 3 == 0 {
                    vec!["s1".into(), format!("gone{index}").into()]
                } else {
                    first.sources.clone()
                },
                actors: (0..index % 3)
                    .map(|n| {
                        crate::model::Actor::new(
                            &format!("=actor {n}"),
                            crate::model::ActorRole::Target,
                        )
                    })
                    .collect(),
                ..first.clone()
            })
            .collect();
        for formulas in [FormulaCells::Neutralised, FormulaCells::Raw] {
            let mut out = Vec::new();
            write_csv_with(&mut out, &data, &data.incidents, formulas).unwrap();
            let mut writer = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(Vec::new());
            writer.write_record(CSV_HEADER.split(',')).unwrap();
            let sources = SourceIndex::new(&data);
            for incident in &data.incidents {
                let row = ExportRow::with_sources(&sources, incident);
                writer
                    .serialize(match formulas {
                        FormulaCells::Neutralised => row.neutralised(),
                        FormulaCells::Raw => row,
                    })
                    .unwrap();
            }
            let expected = writer.into_inner().unwrap();
            assert_eq!(out.len(), expected.len(), "{formulas:?}");
            assert!(out == expected, "{formulas:?}");
        }
    }

    #[test]
    fn a_write_failing_midway_is_an_error_not_a_hang() {
        /// Takes a few bytes, then fails as a full disk does.
        struct Full(usize);
        impl Write for Full {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                if self.0 < bytes.len() {
                    return Err(std::io::Error::other("no space left on device"));
                }
                self.0 -= bytes.len();
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut data = dataset();
        data.incidents = vec![data.incidents[0].clone(); EXPORT_BATCH_ROWS * 3];
        let error = write_csv(Full(100_000), &data, &data.incidents).unwrap_err();
        assert!(error.to_string().contains("no space left"), "{error}");
    }

    #[test]
    fn empty_csv_still_has_header() {
        let data = dataset();
        let mut out = Vec::new();
        write_csv(&mut out, &data, []).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), format!("{CSV_HEADER}\n"));
    }

    #[test]
    fn geojson_is_a_feature_collection_of_points() {
        let data = dataset();
        let mut out = Vec::new();
        write_geojson(&mut out, &data, &data.incidents).unwrap();
        let parsed: geojson::GeoJson = String::from_utf8(out).unwrap().parse().unwrap();
        let geojson::GeoJson::FeatureCollection(collection) = parsed else {
            panic!("not a collection")
        };
        let feature = &collection.features[0];
        assert_eq!(
            feature.geometry.as_ref().unwrap().value,
            geojson::Value::Point(vec![69.21, 34.56])
        );
        assert_eq!(feature.property("killed_max").unwrap(), 183);
        assert!(feature.property("injured_min").unwrap().is_null());
        assert_eq!(feature.property("date").unwrap(), "2021-08");
    }
}
