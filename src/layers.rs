//! Data layers: the embedded dataset and each loaded file, toggled, coloured and removed
//! independently. The views see one merged dataset of the visible layers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::io::import::{FieldMapping, ImportError, ImportReport, Imported, Progress};
use crate::model::{Dataset, SourceId};

/// Colours given to layers in turn (Okabe-Ito's remaining hues, then greys), as sRGB.
const LAYER_COLOURS: [[u8; 3]; 6] = [
    [0xF0, 0xE4, 0x42],
    [0x56, 0xB4, 0xE9],
    [0xCC, 0x79, 0xA7],
    [0x00, 0x9E, 0x73],
    [0xE6, 0x9F, 0x00],
    [0xBB, 0xBB, 0xBB],
];

/// What identifies a layer across restarts and in saved views.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LayerSpec {
    /// `None` for the embedded dataset.
    pub path: Option<PathBuf>,
    pub visible: bool,
    pub colour: [u8; 3],
    /// The mapping a CSV or GeoJSON file was loaded with.
    pub mapping: Option<FieldMapping>,
}

impl Default for LayerSpec {
    fn default() -> Self {
        Self {
            path: None,
            visible: true,
            colour: LAYER_COLOURS[0],
            mapping: None,
        }
    }
}

#[derive(Clone)]
pub struct Layer {
    pub spec: LayerSpec,
    /// Short name for lists and captions: the file name, or "embedded dataset".
    pub name: String,
    /// The layer's data. While several layers are shown, their incidents are *moved* into
    /// the views' merged dataset (and moved back by [`unmerge`]), so a million incidents are
    /// never held twice; a layer shown alone is shared with the views instead.
    pub dataset: Arc<Dataset>,
    /// Number of incidents, wherever they are held at the moment.
    pub count: usize,
    /// The import report; `None` for the embedded dataset.
    pub report: Option<ImportReport>,
}

impl Layer {
    pub fn embedded(dataset: Dataset) -> Self {
        Self {
            spec: LayerSpec::default(),
            name: "embedded dataset".to_owned(),
            count: dataset.incidents.len(),
            dataset: Arc::new(dataset),
            report: None,
        }
    }

    /// A loaded file as a layer. Source ids get the layer's number in front, so citations
    /// from two files never collide in the merged dataset.
    pub fn imported(number: usize, path: &Path, imported: Imported, spec: LayerSpec) -> Self {
        let Imported {
            mut dataset,
            report,
        } = imported;
        use rayon::iter::{IntoParallelRefMutIterator as _, ParallelIterator as _};
        let prefix = format!("layer{number}/");
        // One new id per source, shared by the incidents citing it, as the old one was.
        let mut renamed: HashMap<SourceId, SourceId, foldhash::fast::RandomState> =
            HashMap::default();
        for source in &mut dataset.sources {
            let new_id = SourceId::from(format!("{prefix}{}", source.id));
            renamed.insert(std::mem::replace(&mut source.id, new_id.clone()), new_id);
        }
        // On every core: two or three lookups for each of a million incidents.
        dataset.incidents.par_iter_mut().for_each(|incident| {
            for source in &mut incident.sources {
                *source = match renamed.get(source) {
                    Some(new_id) => new_id.clone(),
                    // Not in the file's list (no importer does this): renamed all the same.
                    None => format!("{prefix}{source}").into(),
                };
            }
        });
        Self {
            spec,
            name: path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            count: dataset.incidents.len(),
            dataset: Arc::new(dataset),
            report: Some(report),
        }
    }

    pub fn is_embedded(&self) -> bool {
        self.spec.path.is_none()
    }
}

/// The next layer colour not yet in use.
pub fn next_colour(layers: &[Layer]) -> [u8; 3] {
    LAYER_COLOURS
        .iter()
        .copied()
        .find(|colour| layers.iter().all(|layer| layer.spec.colour != *colour))
        .unwrap_or(LAYER_COLOURS[layers.len() % LAYER_COLOURS.len()])
}

/// The visible layers as one dataset, and for each merged incident the index of its layer.
/// A layer shown alone is shared, not copied. With several shown, their incidents are moved
/// into the merged dataset: call [`unmerge`] with it before changing which layers exist.
pub fn merge(layers: &mut [Layer]) -> (Arc<Dataset>, Vec<u16>) {
    let visible: Vec<usize> = (0..layers.len())
        .filter(|&index| layers[index].spec.visible)
        .collect();
    if let [index] = visible.as_slice() {
        let layer = &layers[*index];
        let layer_of = vec![*index as u16; layer.dataset.incidents.len()];
        return (layer.dataset.clone(), layer_of);
    }
    let count = visible.iter().map(|&index| layers[index].count).sum();
    let mut merged = Dataset::default();
    merged.incidents.reserve(count);
    let mut layer_of = Vec::with_capacity(count);
    for index in visible {
        let layer = &mut layers[index];
        if layer.is_embedded() {
            merged.metadata = layer.dataset.metadata.clone();
            merged
                .reported_series
                .extend(layer.dataset.reported_series.iter().cloned());
        }
        merged.sources.extend(layer.dataset.sources.iter().cloned());
        let incidents = match Arc::get_mut(&mut layer.dataset) {
            Some(dataset) => std::mem::take(&mut dataset.incidents),
            // Shared with someone else: copy rather than take from under them.
            None => layer.dataset.incidents.clone(),
        };
        layer_of.extend(std::iter::repeat_n(index as u16, incidents.len()));
        merged.incidents.extend(incidents);
    }
    (Arc::new(merged), layer_of)
}

/// Give the incidents of a merged dataset back to their layers (see [`merge`]). `layers`
/// must be the layers it was merged from, unchanged in number and order.
pub fn unmerge(layers: &mut [Layer], merged: Arc<Dataset>, layer_of: &[u16]) {
    // Layers whose data is still in place (a layer shown alone) need nothing back.
    let taken: Vec<bool> = layers
        .iter()
        .map(|layer| layer.dataset.incidents.len() != layer.count)
        .collect();
    if !taken.iter().any(|&t| t) {
        return;
    }
    let mut incidents = match Arc::try_unwrap(merged) {
        Ok(dataset) => dataset.incidents,
        Err(shared) => shared.incidents.clone(),
    };
    // Each layer's incidents are one run, in layer order: split them off from the end.
    let mut end = incidents.len().min(layer_of.len());
    while end > 0 {
        let layer = layer_of[end - 1];
        let start = layer_of[..end]
            .iter()
            .rposition(|&l| l != layer)
            .map_or(0, |p| p + 1);
        let run = incidents.split_off(start);
        if let Some(target) = layers.get_mut(usize::from(layer))
            && taken[usize::from(layer)]
        {
            Arc::make_mut(&mut target.dataset).incidents = run;
        }
        end = start;
    }
}

/// "embedded dataset + acled.csv": what the views say the data is.
pub fn describe(layers: &[Layer]) -> String {
    let names: Vec<&str> = layers
        .iter()
        .filter(|layer| layer.spec.visible)
        .map(|layer| layer.name.as_str())
        .collect();
    if names.is_empty() {
        "no layer shown".to_owned()
    } else {
        names.join(" + ")
    }
}

/// Load files for the command line: every row issue is printed on stderr, and a file that
/// cannot be loaded at all is an error.
pub fn load_for_command_line(
    paths: &[PathBuf],
    mapping: Option<&FieldMapping>,
    subset: &crate::io::import::Subset,
) -> Result<Vec<(PathBuf, Imported)>, ImportError> {
    let mut loaded = Vec::new();
    for path in paths {
        let imported = crate::io::cache::load_file(path, mapping, subset, &Progress::default())?;
        let report = &imported.report;
        for issue in &report.issues {
            eprintln!("{}", issue.describe(&report.file));
        }
        if report.unlisted_issues > 0 {
            eprintln!(
                "{}: {} more rows skipped",
                report.file, report.unlisted_issues
            );
        }
        for note in &report.notes {
            eprintln!("{}: {note}", report.file);
        }
        if report.skipped() > 0 || report.format.needs_mapping() {
            eprintln!("{}", report.summary());
        }
        loaded.push((path.clone(), imported));
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::import::{Format, import_bytes};

    fn layer(number: usize, file: &str, text: &str) -> Layer {
        let imported = import_bytes(
            text.as_bytes(),
            file,
            Some("csv"),
            None,
            &Progress::default(),
        )
        .unwrap();
        assert_eq!(imported.report.format, Format::Csv);
        Layer::imported(
            number,
            Path::new(file),
            imported,
            LayerSpec {
                path: Some(file.into()),
                ..LayerSpec::default()
            },
        )
    }

    #[test]
    fn merging_keeps_visible_layers_and_their_sources_apart() {
        let embedded = Layer::embedded(crate::io::embedded_dataset().unwrap());
        let embedded_count = embedded.dataset.incidents.len();
        let mut layers = vec![
            embedded,
            layer(1, "a.csv", "date,lat,lon,source\n2021-01-01,34,69,Dawn\n"),
            layer(
                2,
                "b.csv",
                "date,lat,lon,source\n2022-01-01,34,69,Dawn\n2022-01-02,34,69,AP\n",
            ),
        ];
        let (merged, layer_of) = merge(&mut layers);
        assert_eq!(merged.incidents.len(), embedded_count + 3);
        assert_eq!(layer_of.len(), merged.incidents.len());
        assert_eq!(layer_of.last(), Some(&2));
        assert!(merged.validate().is_empty(), "{:?}", merged.validate());
        let kabul = &merged.incidents[embedded_count];
        assert_eq!(
            kabul.location.country_code, "AF",
            "country read from the basemap"
        );
        assert!(!kabul.location.admin1.is_empty());
        // The incidents were moved, not copied; they go back before the next merge.
        assert!(layers[2].dataset.incidents.is_empty());
        unmerge(&mut layers, merged, &layer_of);
        assert_eq!(layers[2].dataset.incidents.len(), 2);
        assert_eq!(layers[0].dataset.incidents.len(), embedded_count);
        layers[0].spec.visible = false;
        let (merged, layer_of) = merge(&mut layers);
        assert_eq!(merged.incidents.len(), 3);
        assert_eq!(layer_of, [1, 2, 2]);
        assert!(merged.reported_series.is_empty());
        unmerge(&mut layers, merged, &layer_of);
        layers[2].spec.visible = false;
        let (alone, layer_of) = merge(&mut layers);
        assert!(
            Arc::ptr_eq(&alone, &layers[1].dataset),
            "a layer shown alone is shared"
        );
        unmerge(&mut layers, alone, &layer_of);
        assert_eq!(layers[1].dataset.incidents.len(), 1);
        assert_eq!(describe(&layers), "a.csv");
        layers[2].spec.visible = true;
        assert_eq!(describe(&layers), "a.csv + b.csv");
    }
}
