//! The dataset: metadata, sources, incidents and reported series, and its validation.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::date::IncidentDate;
use super::incident::{Count, Incident, SourceId};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Metadata {
    pub title: String,
    pub description: String,
    pub version: String,
    /// Date the dataset was last compiled (YYYY-MM-DD).
    pub compiled: String,
    /// What the dataset covers and, as importantly, what it does not.
    pub coverage: String,
    /// First and last day the records cover (YYYY-MM-DD, or coarser); empty when not stated.
    pub coverage_from: String,
    pub coverage_to: String,
    /// Date of the last review of the records against the public record (YYYY-MM-DD).
    pub reviewed: String,
    /// The written rules every record follows: what is included and how each attribution
    /// grade is decided (README, "The dataset").
    pub rules: Vec<String>,
    pub licence: String,
}

impl Metadata {
    /// "2014-10 to 2026-02-06, reviewed 2026-12-02", or empty when the dataset states none.
    pub fn coverage_line(&self) -> String {
        let span = match (self.coverage_from.as_str(), self.coverage_to.as_str()) {
            ("", "") => String::new(),
            (from, "") => format!("from {from}"),
            ("", to) => format!("to {to}"),
            (from, to) => format!("{from} to {to}"),
        };
        match (span.is_empty(), self.reviewed.is_empty()) {
            (true, true) => String::new(),
            (false, true) => span,
            (true, false) => format!("reviewed {}", self.reviewed),
            (false, false) => format!("{span}, reviewed {}", self.reviewed),
        }
    }
}

/// A document an incident rests on: an article, an official statement or a seed document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub id: SourceId,
    pub title: String,
    pub publisher: String,
    /// Publication date at whatever precision is known.
    #[serde(default)]
    pub date: Option<IncidentDate>,
    #[serde(default)]
    pub url: Option<String>,
    /// File name of the seed document in `shared/seeds/` the project started from, if any.
    #[serde(default)]
    pub seed: Option<String>,
}

/// What a source's link is, for deciding whether it may be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceLink<'a> {
    /// An `http://` or `https://` address: opened in the browser on a click.
    Web(&'a str),
    /// Any other scheme (`file:`, `smb:`, `javascript:`, a custom app's): shown as text, never
    /// opened, since a colleague's file could point it at anything on this machine.
    NotWeb { url: &'a str, scheme: String },
}

impl Source {
    /// The source's link, told apart by scheme; `None` without one.
    pub fn link(&self) -> Option<SourceLink<'_>> {
        let url = self.url.as_deref()?.trim();
        if url.is_empty() {
            return None;
        }
        let scheme = url
            .split_once(':')
            .map(|(scheme, _)| scheme.to_ascii_lowercase())
            .filter(|scheme| {
                !scheme.is_empty()
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            });
        Some(match scheme.as_deref() {
            Some("http" | "https") if url.contains("://") => SourceLink::Web(url),
            Some(scheme) => SourceLink::NotWeb {
                url,
                scheme: format!("{scheme}:"),
            },
            None => SourceLink::NotWeb {
                url,
                scheme: "no scheme".to_owned(),
            },
        })
    }

    /// "Publisher, 'Title' (2024-03-22)" for compact listings.
    pub fn citation(&self) -> String {
        let mut text = format!("{}, \u{201c}{}\u{201d}", self.publisher, self.title);
        if let Some(date) = &self.date {
            text.push_str(&format!(" ({date})"));
        }
        text
    }
}

/// A published aggregate figure (e.g. "ISK-claimed attacks in Afghanistan per year").
/// These are totals *reported by a source*, not counts of the incidents in this dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportedSeries {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub description: String,
    /// What is counted, e.g. "attacks" or "operations".
    pub unit: String,
    pub source: SourceId,
    /// Each period (a year or a month, by the date's precision) with its reported value.
    pub points: Vec<ReportedPoint>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportedPoint {
    pub period: IncidentDate,
    pub value: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(default)]
    pub sources: Vec<Source>,
    #[serde(default)]
    pub incidents: Vec<Incident>,
    #[serde(default)]
    pub reported_series: Vec<ReportedSeries>,
}

/// One thing wrong with a dataset, named precisely enough to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationIssue {
    /// Incident, source or series id the issue belongs to.
    pub record: String,
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for ValidationIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: field `{}`: {}",
            self.record, self.field, self.message
        )
    }
}

impl Dataset {
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|source| source.id == id)
    }

    /// Everything wrong with the dataset, in order; empty when it is valid.
    pub fn validate(&self) -> Vec<ValidationIssue> {
        let mut issues = Vec::new();
        let mut issue = |record: &str, field: &'static str, message: String| {
            issues.push(ValidationIssue {
                record: record.to_owned(),
                field,
                message,
            });
        };

        let mut source_ids = HashSet::new();
        for source in &self.sources {
            if source.id.trim().is_empty() {
                issue(&source.title, "id", "source id is empty".into());
            }
            if !source_ids.insert(source.id.as_str()) {
                issue(&source.id, "id", "duplicate source id".into());
            }
            if source.title.trim().is_empty() {
                issue(&source.id, "title", "source has no title".into());
            }
            if source.url.is_none() && source.seed.is_none() && source.publisher.trim().is_empty() {
                issue(
                    &source.id,
                    "publisher",
                    "a source needs a publisher, a URL or a seed document".into(),
                );
            }
        }

        let mut incident_ids = HashSet::new();
        for incident in &self.incidents {
            let id = incident.id.as_str();
            if id.trim().is_empty() {
                issue(&incident.summary, "id", "incident id is empty".into());
            }
            if !incident_ids.insert(id) {
                issue(id, "id", "duplicate incident id".into());
            }
            let location = &incident.location;
            if !location.lat.is_finite() || !(-90.0..=90.0).contains(&location.lat) {
                issue(
                    id,
                    "lat",
                    format!("latitude {} is outside -90..90", location.lat),
                );
            }
            if !location.lon.is_finite() || !(-180.0..=180.0).contains(&location.lon) {
                issue(
                    id,
                    "lon",
                    format!("longitude {} is outside -180..180", location.lon),
                );
            }
            let code = &location.country_code;
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                issue(
                    id,
                    "country_code",
                    format!("'{code}' is not an ISO 3166-1 alpha-2 code"),
                );
            }
            if location.place.trim().is_empty() {
                issue(id, "place", "place is empty".into());
            }
            if location.country.trim().is_empty() {
                issue(id, "country", "country is empty".into());
            }
            for (field, count) in [("killed", incident.killed), ("injured", incident.injured)] {
                if let Count::Range(min, max) = count
                    && min > max
                {
                    issue(id, field, format!("range {min}-{max} has min above max"));
                }
            }
            if incident.summary.trim().is_empty() {
                issue(id, "summary", "summary is empty".into());
            }
            if incident.sources.is_empty() {
                issue(id, "sources", "incident has no source".into());
            }
            for source in &incident.sources {
                if !source_ids.contains(source.as_str()) {
                    issue(id, "sources", format!("unknown source id '{source}'"));
                }
            }
            for discrepancy in &incident.discrepancies {
                if discrepancy.sources.is_empty() {
                    issue(
                        id,
                        "discrepancies",
                        "a discrepancy note must name the sources that disagree".into(),
                    );
                }
                for source in &discrepancy.sources {
                    if !source_ids.contains(source.as_str()) {
                        issue(id, "discrepancies", format!("unknown source id '{source}'"));
                    }
                }
            }
        }

        for series in &self.reported_series {
            if !source_ids.contains(series.source.as_str()) {
                issue(
                    &series.id,
                    "source",
                    format!("unknown source id '{}'", series.source),
                );
            }
            for point in &series.points {
                if !point.value.is_finite() || point.value < 0.0 {
                    issue(
                        &series.id,
                        "points",
                        format!("value {} for {} is not a count", point.value, point.period),
                    );
                }
            }
        }
        issues
    }

    /// Distinct source ids cited by the given incidents.
    pub fn distinct_sources<'a>(&self, incidents: impl IntoIterator<Item = &'a Incident>) -> usize {
        incidents
            .into_iter()
            .flat_map(|incident| incident.sources.iter())
            .collect::<HashSet<_>>()
            .len()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_web_addresses_are_links_to_open() {
        let source = |url: &str| Source {
            id: "s".into(),
            title: "t".into(),
            publisher: "p".into(),
            date: None,
            url: Some(url.to_owned()),
            seed: None,
        };
        assert_eq!(
            source(" https://example.org/a ").link(),
            Some(SourceLink::Web("https://example.org/a"))
        );
        assert_eq!(
            source("HTTP://example.org").link(),
            Some(SourceLink::Web("HTTP://example.org"))
        );
        for (url, scheme) in [
            ("file:///etc/passwd", "file:"),
            ("smb://server/share", "smb:"),
            ("javascript:alert(1)", "javascript:"),
            ("ms-excel:ofe|u|http://x", "ms-excel:"),
            ("C:\\Users\\a.docx", "c:"),
            ("example.org/page", "no scheme"),
            ("http:example.org", "http:"),
        ] {
            assert_eq!(
                source(url).link(),
                Some(SourceLink::NotWeb {
                    url,
                    scheme: scheme.to_owned()
                }),
                "{url}"
            );
        }
        assert_eq!(source("  ").link(), None);
    }

    use super::*;
    use crate::model::testing::incident;
    use crate::model::{Count, Discrepancy};

    fn source(id: &str) -> Source {
        Source {
            id: id.into(),
            title: "A report".into(),
            publisher: "Reuters".into(),
            date: None,
            url: Some("https://example.org/a".into()),
            seed: None,
        }
    }

    fn valid() -> Dataset {
        Dataset {
            sources: vec![source("s1"), source("s2")],
            incidents: vec![incident("a", "2021-08-26"), incident("b", "2022-09")],
            ..Dataset::default()
        }
    }

    /// The (record, field) of every issue.
    fn issues(dataset: &Dataset) -> Vec<(String, &'static str)> {
        dataset
            .validate()
            .into_iter()
            .map(|issue| (issue.record, issue.field))
            .collect()
    }

    #[test]
    fn a_valid_dataset_has_no_issue() {
        assert_eq!(valid().validate(), Vec::new());
    }

    /// Breaks one field of a valid dataset.
    type Breakage = fn(&mut Dataset);

    #[test]
    fn each_broken_field_is_named_with_its_record() {
        let cases: [(Breakage, (&str, &str)); 10] = [
            (|d| d.incidents[1].id = "a".into(), ("a", "id")),
            (|d| d.incidents[0].location.lat = 200.0, ("a", "lat")),
            (|d| d.incidents[0].location.lon = f64::NAN, ("a", "lon")),
            (
                |d| d.incidents[0].location.country_code = "af".into(),
                ("a", "country_code"),
            ),
            (
                |d| d.incidents[0].location.place = " ".into(),
                ("a", "place"),
            ),
            (
                |d| d.incidents[0].killed = Count::Range(9, 3),
                ("a", "killed"),
            ),
            (|d| d.incidents[0].sources.clear(), ("a", "sources")),
            (
                |d| d.incidents[0].sources = vec!["nowhere".into()],
                ("a", "sources"),
            ),
            (
                |d| {
                    d.incidents[0].discrepancies = vec![Discrepancy {
                        note: "Figures differ.".into(),
                        sources: vec![],
                    }]
                },
                ("a", "discrepancies"),
            ),
            (|d| d.sources[1].id = "s1".into(), ("s1", "id")),
        ];
        for (breaks, (record, field)) in cases {
            let mut dataset = valid();
            breaks(&mut dataset);
            assert_eq!(
                issues(&dataset),
                [(record.to_owned(), field)],
                "{record}.{field}"
            );
        }
    }
}
