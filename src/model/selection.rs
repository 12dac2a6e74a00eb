//! Selection and hover, shared by every view.
//!
//! Incidents are referred to by their index in the dataset at run time. The selection also
//! keeps the incident's id, which is what persists and what survives a rebuild of the dataset
//! (a data layer loaded, hidden or removed): [`SelectedIncident`] holds both and can only be
//! changed against a dataset, so the two cannot drift apart.

use serde::{Deserialize, Serialize};

use super::Dataset;

/// Index of an incident in [`super::Dataset::incidents`].
pub type IncidentIndex = usize;

/// The sticky selection: stays until another click or Esc. Saved as the incident's id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SelectedIncident {
    id: Option<String>,
    /// Where `id` is in the dataset it was last resolved against; `None` when it is not there.
    #[serde(skip)]
    index: Option<IncidentIndex>,
}

impl SelectedIncident {
    /// The incident with this id, found in a dataset by the next [`Self::resolve`].
    pub fn by_id(id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
            index: None,
        }
    }

    /// Select the incident at `index` of `dataset` (or nothing).
    pub fn select(&mut self, dataset: &Dataset, index: Option<IncidentIndex>) {
        let incident = index.and_then(|index| dataset.incidents.get(index));
        self.id = incident.map(|incident| incident.id.clone());
        self.index = incident.and(index);
    }

    pub fn clear(&mut self) {
        self.id = None;
        self.index = None;
    }

    /// Find the selected id again in a rebuilt or newly loaded dataset. An id the dataset
    /// lacks stays selected (its data layer may still be loading) but shows nothing.
    pub fn resolve(&mut self, dataset: &Dataset) {
        self.index = self
            .id
            .as_deref()
            .and_then(|id| dataset.incidents.iter().position(|i| i.id == id));
    }

    /// The selected incident's index in the current dataset.
    pub fn index(&self) -> Option<IncidentIndex> {
        self.index
    }

    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// What the pointer is over: nothing, one incident, or a group (a map cluster, a province,
/// a chart bar). Transient: set by whichever view the pointer is over, cleared every frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Hover {
    #[default]
    None,
    One(IncidentIndex),
    /// Sorted, so membership is a binary search.
    Group(Vec<IncidentIndex>),
}

impl Hover {
    /// A group of incidents, sorted here.
    pub fn group(mut members: Vec<IncidentIndex>) -> Self {
        members.sort_unstable();
        Self::Group(members)
    }

    pub fn contains(&self, index: IncidentIndex) -> bool {
        match self {
            Self::None => false,
            Self::One(one) => *one == index,
            Self::Group(members) => members.binary_search(&index).is_ok(),
        }
    }

    /// The one incident hovered, if a single one is.
    pub fn one(&self) -> Option<IncidentIndex> {
        match self {
            Self::One(index) => Some(*index),
            _ => None,
        }
    }
}

/// How strongly a view should highlight an incident. Ordered so the strongest wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Highlight {
    None,
    Hovered,
    Selected,
}

impl Highlight {
    pub fn of(index: IncidentIndex, selected: Option<IncidentIndex>, hover: &Hover) -> Self {
        if selected == Some(index) {
            Self::Selected
        } else if hover.contains(index) {
            Self::Hovered
        } else {
            Self::None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_outranks_hover() {
        let hover = Hover::One(3);
        assert_eq!(Highlight::of(3, Some(3), &hover), Highlight::Selected);
        assert_eq!(Highlight::of(3, None, &hover), Highlight::Hovered);
        assert_eq!(Highlight::of(4, Some(3), &hover), Highlight::None);
        assert!(Highlight::Selected > Highlight::Hovered);
    }

    #[test]
    fn a_group_is_searched_sorted() {
        let hover = Hover::group(vec![9, 2, 5]);
        assert!(hover.contains(5) && hover.contains(9) && !hover.contains(4));
        assert_eq!(hover.one(), None);
    }

    #[test]
    fn selection_follows_its_id_through_a_rebuild() {
        let dataset = crate::io::embedded_dataset().expect("embedded dataset");
        let mut selected = SelectedIncident::default();
        selected.select(&dataset, Some(5));
        let id = dataset.incidents[5].id.clone();
        assert_eq!(selected.id(), Some(id.as_str()));
        let mut reordered = dataset.clone();
        reordered.incidents.swap(0, 5);
        selected.resolve(&reordered);
        assert_eq!(selected.index(), Some(0));
        let text = ron::to_string(&selected).unwrap();
        assert_eq!(text, format!("Some(\"{id}\")"));
        let mut back: SelectedIncident = ron::from_str(&text).unwrap();
        assert_eq!(back.index(), None, "an index is never read from a file");
        back.resolve(&dataset);
        assert_eq!(back.index(), Some(5));
        selected.select(&dataset, Some(dataset.incidents.len()));
        assert_eq!((selected.id(), selected.index()), (None, None));
    }
}
