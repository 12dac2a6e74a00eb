//! Saved views: everything needed to redraw the same picture tomorrow (filters, map centre
//! and zoom, layers, selection, layout, title, theme, window size), as a RON file.
//!
//! Files from older or newer versions load: missing fields take their defaults and unknown
//! fields are ignored, and both are reported in a notice rather than failing.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::persisted::PersistedState;

pub const FORMAT: &str = "khorasan-atlas-view";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewFile {
    pub format: String,
    pub version: u32,
    /// Window size in points when the view was saved.
    pub window_size: (f32, f32),
    pub presenting: bool,
    pub state: PersistedState,
}

impl Default for ViewFile {
    fn default() -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: 1,
            window_size: (1280.0, 800.0),
            presenting: false,
            state: PersistedState::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error("{0}: cannot read: {1}")]
    Read(String, String),
    #[error("{0}:{1}:{2}: not a view file: {3}")]
    Syntax(String, usize, usize, String),
    #[error("{0}: this is a '{1}' file, not a Khorasan Atlas view")]
    WrongFormat(String, String),
    #[error("{0}: cannot write: {1}")]
    Write(String, String),
}

/// A loaded view and what did not match the current format.
#[derive(Debug)]
pub struct LoadedView {
    pub view: ViewFile,
    /// Dotted paths of fields the file has but this version does not know.
    pub unknown_fields: Vec<String>,
    /// Dotted paths of fields this version has but the file lacks (defaults used).
    pub missing_fields: Vec<String>,
}

impl LoadedView {
    /// One line for the user, or `None` when the file matched exactly.
    pub fn notice(&self, file: &str) -> Option<String> {
        let mut parts = Vec::new();
        if !self.unknown_fields.is_empty() {
            parts.push(format!(
                "ignored unknown fields {}",
                self.unknown_fields.join(", ")
            ));
        }
        if !self.missing_fields.is_empty() {
            parts.push(format!(
                "used defaults for missing fields {}",
                self.missing_fields.join(", ")
            ));
        }
        (!parts.is_empty()).then(|| format!("{file}: {}.", parts.join("; ")))
    }
}

pub fn parse(text: &str, file: &str) -> Result<LoadedView, ViewError> {
    let syntax = |error: ron::error::SpannedError| {
        ViewError::Syntax(
            file.to_owned(),
            error.span.start.line,
            error.span.start.col,
            error.code.to_string(),
        )
    };
    let value: ron::Value = ron::from_str(text).map_err(syntax)?;
    let view: ViewFile = ron::from_str(text).map_err(syntax)?;
    if view.format != FORMAT {
        return Err(ViewError::WrongFormat(file.to_owned(), view.format));
    }
    let reference = ron::to_string(&ViewFile::default())
        .ok()
        .and_then(|text| ron::from_str::<ron::Value>(&text).ok())
        .unwrap_or(ron::Value::Unit);
    let mut unknown_fields = Vec::new();
    let mut missing_fields = Vec::new();
    compare_fields(
        &value,
        &reference,
        "",
        &mut unknown_fields,
        &mut missing_fields,
    );
    Ok(LoadedView {
        view,
        unknown_fields,
        missing_fields,
    })
}

pub fn load(path: &Path) -> Result<LoadedView, ViewError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|error| ViewError::Read(file.clone(), error.to_string()))?;
    parse(&text, &file)
}

/// Write atomically (a temporary file, then a rename), so a failed save never leaves half a file.
pub fn save(path: &Path, view: &ViewFile) -> Result<(), ViewError> {
    let file = path.display().to_string();
    let text = ron::ser::to_string_pretty(view, ron::ser::PrettyConfig::default())
        .map_err(|error| ViewError::Write(file.clone(), error.to_string()))?;
    let temporary = path.with_extension("ron.tmp");
    std::fs::write(&temporary, text)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|error| ViewError::Write(file, error.to_string()))
}

/// Struct fields present on one side only, recursively, as dotted paths.
fn compare_fields(
    file: &ron::Value,
    reference: &ron::Value,
    prefix: &str,
    unknown: &mut Vec<String>,
    missing: &mut Vec<String>,
) {
    let (ron::Value::Map(file), ron::Value::Map(reference)) = (file, reference) else {
        return;
    };
    let name = |key: &ron::Value| match key {
        ron::Value::String(name) => Some(name.clone()),
        _ => None,
    };
    // Only struct-like maps (string keys) are compared; sets and maps of data are not fields.
    let reference_keys: Vec<(String, &ron::Value)> = reference
        .iter()
        .filter_map(|(k, v)| Some((name(k)?, v)))
        .collect();
    if reference_keys.is_empty() {
        return;
    }
    for (key, value) in file.iter() {
        let Some(key) = name(key) else { continue };
        let path = format!("{prefix}{key}");
        match reference_keys.iter().find(|(k, _)| *k == key) {
            Some((_, reference_value)) => {
                compare_fields(
                    value,
                    reference_value,
                    &format!("{path}."),
                    unknown,
                    missing,
                );
            }
            None => unknown.push(path),
        }
    }
    for (key, _) in &reference_keys {
        let present = file
            .iter()
            .any(|(k, _)| name(k).as_deref() == Some(key.as_str()));
        if !present {
            missing.push(format!("{prefix}{key}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    #[test]
    fn views_round_trip() {
        let mut view = ViewFile::default();
        view.state.filter.kinds.insert(Kind::FoiledPlot);
        view.state.filter.countries.insert("DE".into());
        view.state.map_zoom = 6.5;
        view.state.presentation.title = "Foiled plots in Europe".into();
        view.presenting = true;
        // Areas of every shape, the Change view's settings and its map layer.
        view.state.filter.areas = vec![
            crate::model::Area::Within {
                lat: 34.43,
                lon: 70.45,
                km: 50.0,
                label: Some("Jalalabad".into()),
            },
            crate::model::Area::Box {
                west: 69.0,
                south: 34.4,
                east: 69.3,
                north: 34.6,
            },
            crate::model::Area::Polygon {
                points: vec![(70.0, 34.0), (71.0, 34.0), (70.5, 35.0)],
                label: None,
            },
        ];
        view.state.change = crate::model::change::ChangeSettings {
            months: 6,
            baseline: crate::model::change::Baseline::YearEarlier,
        };
        view.state.central = super::super::persisted::CentralView::Change;
        view.state.map_overlays.choropleth_change = true;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("europe.view.ron");
        save(&path, &view).unwrap();
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.view, view);
        assert!(
            loaded.unknown_fields.is_empty(),
            "{:?}",
            loaded.unknown_fields
        );
        assert!(
            loaded.missing_fields.is_empty(),
            "{:?}",
            loaded.missing_fields
        );
        assert_eq!(loaded.notice("europe.view.ron"), None);
    }

    #[test]
    fn old_and_new_files_load_with_a_notice() {
        let text = r#"(format: "khorasan-atlas-view", version: 0,
            state: (dark_mode: false, future_option: 3, filter: (min_killed: 10)))"#;
        let loaded = parse(text, "old.ron").unwrap();
        assert!(!loaded.view.state.dark_mode);
        assert_eq!(loaded.view.state.filter.min_killed, 10);
        assert_eq!(
            loaded.unknown_fields,
            vec!["state.future_option".to_owned()]
        );
        assert!(loaded.missing_fields.contains(&"window_size".to_owned()));
        assert!(loaded.missing_fields.contains(&"state.map_zoom".to_owned()));
        let notice = loaded.notice("old.ron").unwrap();
        assert!(notice.contains("state.future_option"), "{notice}");
    }

    #[test]
    fn corrupt_and_foreign_files_are_errors_not_panics() {
        for text in ["", "(", "((((", "[1, 2", "\"just a string\"", "(format: 5)"] {
            assert!(parse(text, "bad.ron").is_err(), "{text:?}");
        }
        assert!(matches!(
            parse(r#"(format: "something-else")"#, "x.ron"),
            Err(ViewError::WrongFormat(..))
        ));
        let error = parse("(\n  state: (dark_mode: maybe),\n)", "broken.ron").unwrap_err();
        assert!(error.to_string().starts_with("broken.ron:2:"), "{error}");
        assert!(load(Path::new("/no/such/view.ron")).is_err());
    }
}
