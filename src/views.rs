//! One file per panel. Views read the state through [`ViewContext`] and push
//! [`crate::app::Command`]s; they never change the state themselves.

pub mod detail;
pub mod filters;
pub mod map;
pub mod notes;
pub mod presentation;
pub mod shortcuts;
pub mod style;
pub mod table;
pub mod timeline;
pub mod top_bar;
pub mod trends;

use crate::app::{Derived, PersistedState};
use crate::model::selection::Highlight;
use crate::model::{Dataset, Incident, Selection};

/// What every view may read during a frame.
pub struct ViewContext<'a> {
    pub dataset: &'a Dataset,
    pub dataset_name: &'a str,
    pub state: &'a PersistedState,
    pub derived: &'a Derived,
    /// Hover is last frame's, so every view highlights the same incident this frame.
    pub selection: Selection,
    /// Incidents hovered as a group last frame (a map cluster), sorted.
    pub hovered_group: &'a [usize],
    /// Presentation mode: controls hidden, larger type.
    pub presenting: bool,
}

impl ViewContext<'_> {
    /// How strongly to highlight an incident: selection, then hover of it or of its group.
    pub fn highlight(&self, index: usize) -> Highlight {
        let group = if self.hovered_group.binary_search(&index).is_ok() {
            Highlight::Hovered
        } else {
            Highlight::None
        };
        self.selection.highlight(index).max(group)
    }

    pub fn incident(&self, index: usize) -> &Incident {
        &self.dataset.incidents[index]
    }

    pub fn filtered_incidents(&self) -> impl Iterator<Item = (usize, &Incident)> + '_ {
        self.derived
            .filtered
            .iter()
            .map(|&index| (index, &self.dataset.incidents[index]))
    }

    /// "12 of 168 incidents shown".
    pub fn shown_caption(&self) -> String {
        format!(
            "{} of {} incidents shown",
            self.derived.filtered.len(),
            self.dataset.incidents.len()
        )
    }

    /// A sentence stating the active filter, for the top bar and every screenshot.
    pub fn filter_caption(&self) -> String {
        describe_filter(&self.state.filter, self.dataset)
    }
}

/// The filter in words: "Afghanistan, Pakistan · Attack · claimed by ISK · 2021-01-01 to 2022-12-31".
pub fn describe_filter(filter: &crate::model::Filter, dataset: &Dataset) -> String {
    let mut parts = Vec::new();
    let country_name = |code: &String| {
        dataset
            .incidents
            .iter()
            .find(|i| &i.location.country_code == code)
            .map_or_else(|| code.clone(), |i| i.location.country.clone())
    };
    if !filter.countries.is_empty() {
        parts.push(
            filter
                .countries
                .iter()
                .map(country_name)
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if !filter.provinces.is_empty() {
        parts.push(
            filter
                .provinces
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    let labels = |labels: Vec<&str>| labels.join(", ");
    if !filter.kinds.is_empty() {
        parts.push(labels(filter.kinds.iter().map(|k| k.label()).collect()));
    }
    if !filter.attributions.is_empty() {
        parts.push(labels(
            filter.attributions.iter().map(|a| a.label()).collect(),
        ));
    }
    if !filter.methods.is_empty() {
        parts.push(labels(filter.methods.iter().map(|m| m.label()).collect()));
    }
    if !filter.targets.is_empty() {
        parts.push(labels(filter.targets.iter().map(|t| t.label()).collect()));
    }
    if filter.min_killed > 0 {
        parts.push(format!("at least {} killed", filter.min_killed));
    }
    if !filter.text.trim().is_empty() {
        parts.push(format!("matching \u{201c}{}\u{201d}", filter.text.trim()));
    }
    let period = match (filter.from, filter.to) {
        (None, None) => "all dates".to_owned(),
        (Some(from), None) => format!("from {}", from.format("%-d %b %Y")),
        (None, Some(to)) => format!("until {}", to.format("%-d %b %Y")),
        (Some(from), Some(to)) => format!(
            "{} \u{2013} {}",
            from.format("%-d %b %Y"),
            to.format("%-d %b %Y")
        ),
    };
    parts.push(period);
    if parts.len() == 1 {
        format!("All incidents, {}", parts[0])
    } else {
        parts.join(" \u{b7} ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Filter, Kind};

    #[test]
    fn caption_states_filters_in_words() {
        let dataset = Dataset::default();
        assert_eq!(
            describe_filter(&Filter::default(), &dataset),
            "All incidents, all dates"
        );
        let filter = Filter {
            countries: ["AF".to_owned()].into(),
            kinds: [Kind::FoiledPlot].into(),
            from: chrono::NaiveDate::from_ymd_opt(2021, 1, 1),
            to: chrono::NaiveDate::from_ymd_opt(2022, 12, 31),
            min_killed: 10,
            ..Filter::default()
        };
        assert_eq!(
            describe_filter(&filter, &dataset),
            "AF \u{b7} Foiled plot \u{b7} at least 10 killed \u{b7} 1 Jan 2021 \u{2013} 31 Dec 2022"
        );
    }
}
