//! Everything the views draw that depends only on the data and the filter, computed in one
//! scan of the dataset's columns and replaced only when the filter or the data change.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::aggregate::GroupTotal;
use crate::model::columns::Columns;
use crate::model::selection::IncidentIndex;
use crate::model::{
    Attribution, Dataset, Filter, Kind, Method, MonthHistogram, ProvinceKey, StackBy, Summary,
    Target,
};

#[derive(Debug, Default)]
pub struct Derived {
    /// Changes on every recomputation, so views can cache what they build from it.
    pub generation: u64,
    /// The incidents the whole filter selects, ascending.
    pub filtered: Vec<IncidentIndex>,
    /// How many incidents match every part of the filter except the period: the timeline
    /// shows them all (those outside the period dimmed), so brushing keeps its context.
    pub timeline_count: usize,
    /// Those incidents, listed when there are few enough to mark one by one
    /// (`columns::TIMELINE_LIST_LIMIT`).
    pub timeline: Option<Vec<IncidentIndex>>,
    /// Per-month counts of `timeline`.
    pub histogram: MonthHistogram,
    /// Incidents and deaths per province of the filtered set (choropleth, province hover).
    pub provinces: BTreeMap<ProvinceKey, GroupTotal>,
    pub summary: Summary,
    pub facets: FacetCounts,
    /// The table's rows for this result, picked on the background scan's thread from the
    /// table's full order (identified by the number it gave that order).
    pub table_order: Option<(u64, Arc<Vec<u32>>)>,
}

/// Per-value counts shown next to each filter option: among the incidents that match every
/// other part of the filter.
#[derive(Debug, Default)]
pub struct FacetCounts {
    /// (code, name, count), most incidents first.
    pub countries: Vec<(String, String, usize)>,
    /// Most incidents first, then by name.
    pub provinces: Vec<(ProvinceKey, usize)>,
    pub kinds: BTreeMap<Kind, usize>,
    pub methods: BTreeMap<Method, usize>,
    pub targets: BTreeMap<Target, usize>,
    pub attributions: BTreeMap<Attribution, usize>,
    /// Actors by number of incidents, most first.
    pub actors: Vec<(String, usize)>,
}

impl Derived {
    /// Everything derived from the filter, in one scan of the dataset's columns.
    pub fn compute(
        dataset: &Dataset,
        columns: &Columns,
        filter: &Filter,
        stack_by: StackBy,
    ) -> Self {
        let scan = columns.scan(dataset, filter, stack_by);
        let mut countries: Vec<(String, String, usize)> = scan
            .countries
            .into_iter()
            .map(|((code, name), count)| (code, name, count))
            .collect();
        // Most incidents first: Afghanistan and Pakistan lead, the reach abroad follows.
        countries.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
        let mut provinces: Vec<(ProvinceKey, usize)> = scan.province_counts.into_iter().collect();
        provinces.sort_by(|(a, a_count), (b, b_count)| {
            b_count
                .cmp(a_count)
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.country_code.cmp(&b.country_code))
        });
        let mut actors: Vec<(String, usize)> = scan.actors.into_iter().collect();
        actors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Self {
            generation: 0,
            filtered: scan.filtered,
            timeline_count: scan.timeline_count,
            timeline: scan.timeline,
            histogram: scan.histogram,
            provinces: scan.provinces,
            summary: scan.summary,
            facets: FacetCounts {
                countries,
                provinces,
                kinds: scan.kinds,
                methods: scan.methods,
                targets: scan.targets,
                attributions: scan.attributions,
                actors,
            },
            table_order: None,
        }
    }
}
