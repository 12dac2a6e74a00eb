//! The RON dataset format: the embedded dataset and any file of the same schema (files are
//! read by `io::import`, which reports unreadable and non-UTF-8 files).

use crate::model::{Dataset, ValidationIssue};

/// The dataset compiled into the binary.
pub const EMBEDDED_NAME: &str = "assets/incidents.ron (embedded)";
const EMBEDDED_TEXT: &str = include_str!("../../assets/incidents.ron");

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {} problem(s):\n{}", .issues.len(), format_issues(.file, .issues))]
    Invalid {
        file: String,
        issues: Vec<LocatedIssue>,
    },
    #[error("{file}: the dataset holds no incidents")]
    Empty { file: String },
}

/// A validation issue with the line of the record it belongs to, when it can be found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocatedIssue {
    pub line: Option<usize>,
    pub issue: ValidationIssue,
}

fn format_issues(file: &str, issues: &[LocatedIssue]) -> String {
    issues
        .iter()
        .map(|located| match located.line {
            Some(line) => format!("  {file}:{line}: {}", located.issue),
            None => format!("  {file}: {}", located.issue),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The embedded dataset, validated. Failing here is a build defect, caught by the tests.
pub fn embedded_dataset() -> Result<Dataset, LoadError> {
    parse_dataset(EMBEDDED_TEXT, EMBEDDED_NAME)
}

/// Parse and validate a dataset; `file` names it in errors.
pub fn parse_dataset(text: &str, file: &str) -> Result<Dataset, LoadError> {
    let mut dataset: Dataset = ron::Options::default().from_str(text).map_err(|error| {
        let (line, column) = (error.span.start.line, error.span.start.col);
        let mut message = error.code.to_string();
        if let Some(field) = field_at(text, line, column)
            && !message.contains(&format!("`{field}`"))
        {
            message = format!("field `{field}`: {message}");
        }
        LoadError::Syntax {
            file: file.to_owned(),
            line,
            column,
            message,
        }
    })?;
    let issues = dataset.validate();
    if !issues.is_empty() {
        let issues = issues
            .into_iter()
            .map(|issue| LocatedIssue {
                line: line_of_record(text, &issue.record),
                issue,
            })
            .collect();
        return Err(LoadError::Invalid {
            file: file.to_owned(),
            issues,
        });
    }
    if dataset.incidents.is_empty() {
        return Err(LoadError::Empty {
            file: file.to_owned(),
        });
    }
    let mut interner = crate::model::Interner::default();
    for incident in &mut dataset.incidents {
        incident.share_strings(&mut interner);
        for source in &mut incident.sources {
            *source = interner.intern(source);
        }
    }
    Ok(dataset)
}

/// The field name written before `column` on `line` (`date: "2021-02-30"` gives `date`), so a
/// bad value is reported with the field it belongs to.
fn field_at(text: &str, line: usize, column: usize) -> Option<String> {
    let line = text.lines().nth(line.checked_sub(1)?)?;
    let before: String = line.chars().take(column.saturating_sub(1)).collect();
    let colon = before.rfind(':')?;
    let name: String = before[..colon]
        .trim_end()
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!name.is_empty()).then_some(name)
}

/// 1-based line of `id: "<record>"` in the text, so a validation error points at its record.
fn line_of_record(text: &str, record: &str) -> Option<usize> {
    let needle = format!("\"{}\"", record.replace('"', "\\\""));
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            line.starts_with("id:") && line.contains(&needle)
        })
        .map(|index| index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"(
    sources: [(id: "s1", title: "T", publisher: "P")],
    incidents: [
        (
            id: "a",
            date: "2021-08-26",
            location: (place: "Kabul", admin1: "Kabul", country: "Afghanistan",
                       country_code: "AF", lat: 34.5, lon: 69.2, precision: Town),
            kind: Attack, method: SuicideBombing, target: Civilians,
            attribution: ClaimedByIsk, killed: Range(169, 170),
            summary: "s", sources: ["s1"],
        ),
    ],
)"#;

    #[test]
    fn embedded_dataset_loads_and_validates() {
        let dataset = embedded_dataset().unwrap_or_else(|error| panic!("{error}"));
        assert!(!dataset.incidents.is_empty());
    }

    #[test]
    fn minimal_dataset_parses() {
        let dataset = parse_dataset(MINIMAL, "mini.ron").unwrap();
        assert_eq!(dataset.incidents.len(), 1);
    }

    #[test]
    fn syntax_error_names_line_and_field() {
        let broken = MINIMAL.replace("lat: 34.5, ", "");
        let error = parse_dataset(&broken, "mini.ron").unwrap_err();
        let text = error.to_string();
        assert!(matches!(error, LoadError::Syntax { line: 8, .. }), "{text}");
        assert!(text.starts_with("mini.ron:8:"), "{text}");
        assert!(text.contains("lat"), "{text}");
    }

    #[test]
    fn impossible_date_is_a_located_error() {
        let broken = MINIMAL.replace("2021-08-26", "2021-02-30");
        let text = parse_dataset(&broken, "mini.ron").unwrap_err().to_string();
        assert!(text.starts_with("mini.ron:6:"), "{text}");
        assert!(text.contains("field `date`"), "{text}");
        assert!(text.contains("2021-02-30"), "{text}");
    }

    #[test]
    fn latitude_200_is_reported_with_record_line() {
        let broken = MINIMAL.replace("lat: 34.5", "lat: 200.0");
        let error = parse_dataset(&broken, "mini.ron").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("mini.ron:5: a: field `lat`"), "{text}");
    }

    #[test]
    fn unknown_source_and_bad_range_are_reported() {
        let broken = MINIMAL
            .replace("sources: [\"s1\"]", "sources: [\"nope\"]")
            .replace("Range(169, 170)", "Range(170, 169)");
        let text = parse_dataset(&broken, "mini.ron").unwrap_err().to_string();
        assert!(text.contains("unknown source id 'nope'"), "{text}");
        assert!(text.contains("field `killed`"), "{text}");
    }

    #[test]
    fn empty_dataset_and_garbage_give_errors_not_panics() {
        assert!(matches!(
            parse_dataset("()", "e.ron"),
            Err(LoadError::Empty { .. })
        ));
        for garbage in ["", "(", "\u{0}\u{1}", "[1,2,3]", "(incidents: 5)"] {
            assert!(parse_dataset(garbage, "g.ron").is_err(), "{garbage:?}");
        }
    }
}
