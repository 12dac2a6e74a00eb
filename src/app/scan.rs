//! Keeping the derived data matching the filter: a small dataset is scanned at once; a large
//! one on a background thread, while the views keep drawing the previous result, so that a
//! filter change or playback never holds up a frame (the result lands a frame or two later).

use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use super::AtlasApp;
use crate::model::columns::Columns;
use crate::model::{Dataset, Filter, StackBy};
use crate::state::Derived;

/// From this many incidents a filter change is scanned off the UI thread (about 1 ms of scan).
pub const BACKGROUND_SCAN_FROM: usize = 200_000;

/// What the derived data was computed from; recomputed only when these change.
type Inputs = (Filter, StackBy);

/// The scan's bookkeeping.
#[derive(Debug)]
pub struct Scan {
    /// The inputs `derived` was computed from.
    current: Option<Inputs>,
    /// A scan of a large dataset running off the UI thread.
    running: Option<BackgroundScan>,
    /// Datasets of this many incidents or more are scanned off the UI thread.
    pub background_from: usize,
}

impl Default for Scan {
    fn default() -> Self {
        Self {
            current: None,
            running: None,
            background_from: BACKGROUND_SCAN_FROM,
        }
    }
}

impl Scan {
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Forget the result: the dataset changed, so the next refresh scans again (an old
    /// background result indexes the old dataset and is dropped).
    pub(super) fn invalidate(&mut self) {
        self.current = None;
        self.running = None;
    }
}

/// A filter scan running on its own thread.
#[derive(Debug)]
struct BackgroundScan {
    inputs: Inputs,
    /// The dataset it scans; a result for an older one is dropped.
    dataset_version: u64,
    result: Receiver<Derived>,
}

impl BackgroundScan {
    fn start(
        dataset: Arc<Dataset>,
        columns: Arc<Columns>,
        inputs: Inputs,
        dataset_version: u64,
        table_order: Option<(u64, Arc<Vec<u32>>)>,
    ) -> Self {
        let (send, result) = channel();
        let (filter, stack_by) = inputs.clone();
        let spawned = std::thread::Builder::new()
            .name("filter-scan".to_owned())
            .spawn(move || {
                let mut derived = Derived::compute(&dataset, &columns, &filter, stack_by);
                // The table's rows too: picking them is the larger part of drawing a new result.
                derived.table_order = table_order.map(|(id, all)| {
                    let picked = crate::model::columns::pick_in_order(&all, &derived.filtered);
                    (id, Arc::new(picked))
                });
                // The receiver is gone when the result is no longer wanted.
                let _ = send.send(derived);
            });
        // A thread that cannot start drops its sender: the poll sees a disconnected channel
        // and scans on the UI thread instead.
        if let Err(error) = spawned {
            log::warn!("could not start a background scan: {error}");
        }
        Self {
            inputs,
            dataset_version,
            result,
        }
    }
}

impl AtlasApp {
    /// Recomputes the derived data if the filter changed: at once on small datasets, in the
    /// background on large ones.
    pub fn refresh_derived(&mut self) {
        self.poll_scan();
        if self.derived_is_current() {
            return;
        }
        // (A picture scans on its own copy of the view: it never waits for this one.)
        if self.dataset.incidents.len() < self.scan.background_from {
            self.finish_derived();
        } else if self.scan.running.is_none() {
            // One scan at a time: when it lands, the next starts from the filter as it is then.
            let inputs = (self.state.filter.clone(), self.state.stack_by);
            self.scan.running = Some(BackgroundScan::start(
                self.dataset.clone(),
                self.columns.clone(),
                inputs,
                self.dataset_version,
                self.table.full_order(self.dataset_version),
            ));
        }
    }

    /// Makes the derived data match the filter now, on this thread.
    pub fn finish_derived(&mut self) {
        self.scan.running = None;
        if !self.derived_is_current() {
            let inputs = (self.state.filter.clone(), self.state.stack_by);
            let derived = Derived::compute(&self.dataset, &self.columns, &inputs.0, inputs.1);
            self.install_derived(derived, inputs);
        }
    }

    /// Whether `derived` was computed from the filter as it is. Checked after every command
    /// (hover included), so without cloning the filter.
    fn derived_is_current(&self) -> bool {
        self.scan
            .current
            .as_ref()
            .is_some_and(|(filter, stack_by)| {
                *filter == self.state.filter && *stack_by == self.state.stack_by
            })
    }

    fn install_derived(&mut self, derived: Derived, inputs: Inputs) {
        let generation = self.derived.generation + 1;
        self.derived = derived;
        self.derived.generation = generation;
        self.scan.current = Some(inputs);
    }

    /// Takes a finished background scan, then starts the next if the filter moved on.
    pub(super) fn poll_scan(&mut self) {
        let Some(job) = &self.scan.running else {
            return;
        };
        let landed = match job.result.try_recv() {
            Ok(derived) => Some(derived),
            Err(TryRecvError::Empty) => return,
            // The scan thread died or never started: scan here instead.
            Err(TryRecvError::Disconnected) => None,
        };
        let Some(job) = self.scan.running.take() else {
            return;
        };
        match landed {
            Some(derived) if job.dataset_version == self.dataset_version => {
                self.install_derived(derived, job.inputs);
            }
            Some(_) => {}
            None => self.finish_derived(),
        }
        self.refresh_derived();
    }
}
