//! Loading files off the UI thread: one job at a time, with progress and cancel. The UI keeps
//! drawing and polls the job every frame.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use crate::io::import::{
    Detected, FieldMapping, ImportError, Imported, Progress, detect, read_head,
};
use crate::layers::LayerSpec;

/// A file to load, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadRequest {
    pub path: PathBuf,
    /// Visibility, colour and mapping to restore (a saved view, a restart); `None` for a
    /// newly opened file.
    pub spec: Option<LayerSpec>,
    /// Replace this layer (a new mapping for a loaded file) instead of adding one.
    pub replaces: Option<PathBuf>,
}

/// How a job ended.
pub enum LoadOutcome {
    Loaded {
        request: LoadRequest,
        imported: Box<Imported>,
        /// The mapping used, for CSV and GeoJSON (to remember it and to remap later).
        mapping: Option<FieldMapping>,
        /// The mapping came from an earlier file of the same shape.
        remembered: bool,
    },
    /// A CSV or GeoJSON file of no known schema: the user confirms the guessed mapping.
    NeedsMapping {
        request: LoadRequest,
        detected: Detected,
        guess: FieldMapping,
    },
    Failed {
        request: LoadRequest,
        error: ImportError,
    },
}

pub struct LoadJob {
    pub request: LoadRequest,
    pub progress: Arc<Progress>,
    outcome: Receiver<LoadOutcome>,
}

impl LoadJob {
    /// Start loading. `remembered` holds mappings by file shape; `mapping` forces one;
    pub fn start(
        request: LoadRequest,
        mapping: Option<FieldMapping>,
        remembered: BTreeMap<String, FieldMapping>,
        repaint: impl Fn() + Send + 'static,
    ) -> Self {
        let progress = Arc::new(Progress::default());
        let (sender, outcome) = channel();
        let thread_progress = progress.clone();
        let thread_request = request.clone();
        let spawned = std::thread::Builder::new()
            .name("khorasan-atlas-load".into())
            .spawn(move || {
                let outcome = run(thread_request, mapping, &remembered, &thread_progress);
                let _ = sender.send(outcome);
                repaint();
            });
        if let Err(error) = spawned {
            // Without a thread the job reports its failure through the same channel.
            let (sender, receiver) = channel();
            let _ = sender.send(LoadOutcome::Failed {
                request: request.clone(),
                error: ImportError::Io {
                    file: request.path.display().to_string(),
                    source: error,
                },
            });
            return Self {
                request,
                progress,
                outcome: receiver,
            };
        }
        Self {
            request,
            progress,
            outcome,
        }
    }

    /// The outcome once the job is done.
    pub fn poll(&self) -> Option<LoadOutcome> {
        match self.outcome.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(LoadOutcome::Failed {
                request: self.request.clone(),
                error: ImportError::Cancelled {
                    file: self.request.path.display().to_string(),
                },
            }),
        }
    }
}

/// What the file holds: Parquet and Arrow (and folders of Parquet) by their schema, others
/// by their first bytes (GeoJSON read whole for it).
fn detect_request(request: &LoadRequest) -> Result<Detected, ImportError> {
    if let Some(detected) = crate::io::import::columnar::detect_path(&request.path)? {
        return Ok(detected);
    }
    let file = request.path.display().to_string();
    let head = match read_head(&request.path) {
        Ok(head) if crate::io::import::looks_like_json(&head) => std::fs::read(&request.path)
            .map_err(|source| ImportError::Io {
                file: file.clone(),
                source,
            }),
        other => other,
    }?;
    let extension = request
        .path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    detect(&head, &file, extension.as_deref())
}

fn run(
    request: LoadRequest,
    mapping: Option<FieldMapping>,
    remembered: &BTreeMap<String, FieldMapping>,
    progress: &Progress,
) -> LoadOutcome {
    let detected = match detect_request(&request) {
        Ok(detected) => detected,
        Err(error) => return LoadOutcome::Failed { request, error },
    };
    let (mapping, from_memory) = if !detected.needs_mapping() {
        (None, false)
    } else if let Some(mapping) =
        mapping.or_else(|| request.spec.as_ref().and_then(|s| s.mapping.clone()))
    {
        (Some(mapping), false)
    } else if let Some(mapping) = remembered.get(&detected.shape_key()) {
        (Some(mapping.clone()), true)
    } else {
        let guess = FieldMapping::guess(&detected.columns, &detected.samples);
        return LoadOutcome::NeedsMapping {
            request,
            detected,
            guess,
        };
    };
    match crate::io::cache::load_file(
        &request.path,
        mapping.as_ref(),
        &crate::io::import::Subset::everything(),
        progress,
    ) {
        Ok(imported) => LoadOutcome::Loaded {
            request,
            imported: Box::new(imported),
            mapping,
            remembered: from_memory,
        },
        Err(error) => LoadOutcome::Failed { request, error },
    }
}
