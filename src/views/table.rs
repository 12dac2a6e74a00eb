//! The sortable table of filtered incidents. Clicking a row selects it and centres the map.

use std::cmp::Ordering;

use egui_extras::{Column, TableBuilder};

use crate::app::Command;
use crate::model::Incident;
use crate::model::columns::split_work;
use crate::model::selection::Highlight;

use super::ViewContext;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortColumn {
    #[default]
    Date,
    Place,
    Country,
    Kind,
    Killed,
}

impl SortColumn {
    const ALL: [(Self, &'static str); 5] = [
        (Self::Date, "Date"),
        (Self::Place, "Place"),
        (Self::Country, "CC"),
        (Self::Kind, "Kind"),
        (Self::Killed, "Killed"),
    ];

    fn compare(self, a: &Incident, b: &Incident) -> Ordering {
        match self {
            Self::Date => a.date.sort_key().cmp(&b.date.sort_key()),
            Self::Place => a.location.place.cmp(&b.location.place),
            Self::Country => a.location.country.cmp(&b.location.country),
            Self::Kind => a.kind.cmp(&b.kind),
            Self::Killed => a.killed.max().cmp(&b.killed.max()),
        }
        .then_with(|| a.date.sort_key().cmp(&b.date.sort_key()))
    }
}

#[derive(Debug, Default)]
pub struct TableState {
    pub sort: SortColumn,
    pub descending: bool,
    /// Row order, cached for the derived data and sort it was computed for.
    order: Vec<u32>,
    order_for: Option<(u64, SortColumn, bool)>,
    /// Every incident of the dataset in sort order, cached per dataset and sort: a filter
    /// change then only picks the filtered rows out of it (linear, not a new sort).
    all_sorted: Vec<u32>,
    all_sorted_for: Option<(u64, SortColumn, bool)>,
}

impl TableState {
    fn refresh_order(&mut self, view: &ViewContext<'_>) {
        let key = (view.derived.generation, self.sort, self.descending);
        if self.order_for == Some(key) {
            return;
        }
        let incidents = &view.dataset.incidents;
        let dataset_key = (view.dataset_version, self.sort, self.descending);
        if self.all_sorted_for != Some(dataset_key) {
            let mut all: Vec<u32> = (0..incidents.len() as u32).collect();
            all.sort_by(|&a, &b| {
                let ordering = self
                    .sort
                    .compare(&incidents[a as usize], &incidents[b as usize]);
                if self.descending {
                    ordering.reverse()
                } else {
                    ordering
                }
            });
            self.all_sorted = all;
            self.all_sorted_for = Some(dataset_key);
        }
        self.order = pick_in_order(&self.all_sorted, &view.derived.filtered);
        self.order_for = Some(key);
    }
}

/// The `members` (ascending incident indices) in the order of `all_sorted` (every incident,
/// sorted). One linear pass on all threads, against a bit set of the members: a filter change
/// on a million incidents picks rows instead of sorting them again.
fn pick_in_order(all_sorted: &[u32], members: &[usize]) -> Vec<u32> {
    if members.len() == all_sorted.len() {
        return all_sorted.to_vec();
    }
    let mut is_member = vec![0u64; all_sorted.len().div_ceil(64)];
    for &index in members {
        is_member[index / 64] |= 1 << (index % 64);
    }
    let parts = split_work(all_sorted.len(), |range| {
        // Written without a branch per row: membership is unpredictable.
        let mut picked = vec![0; range.len()];
        let mut count = 0;
        for &index in &all_sorted[range] {
            picked[count] = index;
            count += (is_member[index as usize / 64] >> (index % 64)) as usize & 1;
        }
        picked.truncate(count);
        picked
    });
    parts.concat()
}

pub fn show(
    ui: &mut egui::Ui,
    view: &ViewContext<'_>,
    state: &mut TableState,
    commands: &mut Vec<Command>,
) {
    state.refresh_order(view);
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    let mut clicked_header = None;
    // Selectable labels would swallow the click meant for the row.
    ui.style_mut().interaction.selectable_labels = false;
    TableBuilder::new(ui)
        .id_salt("incident_table")
        .striped(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(72.0))
        .column(Column::remainder().at_least(90.0).clip(true))
        .column(Column::exact(28.0))
        .column(Column::exact(84.0).clip(true))
        .column(Column::exact(48.0))
        .auto_shrink([false, false])
        .header(row_height + 2.0, |mut header| {
            for (column, title) in SortColumn::ALL {
                header.col(|ui| {
                    let arrow = match (state.sort == column, state.descending) {
                        (true, false) => " \u{23f6}",
                        (true, true) => " \u{23f7}",
                        _ => "",
                    };
                    if ui
                        .add(
                            egui::Button::new(
                                egui::RichText::new(format!("{title}{arrow}")).strong(),
                            )
                            .frame(false),
                        )
                        .on_hover_text(format!("Sort by {}", title.to_lowercase()))
                        .clicked()
                    {
                        clicked_header = Some(column);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(row_height, state.order.len(), |mut row| {
                let index = state.order[row.index()] as usize;
                let incident = view.incident(index);
                match view.highlight(index) {
                    Highlight::Selected => row.set_selected(true),
                    Highlight::Hovered => row.set_hovered(true),
                    Highlight::None => {}
                }
                row.col(|ui| {
                    ui.label(incident.date.to_string());
                });
                row.col(|ui| {
                    ui.label(incident.location.place.as_str())
                        .on_hover_text(incident.location.place.as_str());
                });
                row.col(|ui| {
                    ui.label(incident.location.country_code.as_str())
                        .on_hover_text(incident.location.country.as_str());
                });
                row.col(|ui| {
                    ui.label(incident.kind.label());
                });
                row.col(|ui| {
                    ui.label(incident.killed.display().replace("unknown", "?"));
                });
                let response = row.response();
                if response.clicked() {
                    commands.push(Command::SelectAndCenter(index));
                }
                if response.hovered() {
                    commands.push(Command::Hover(index));
                }
            });
        });
    if let Some(column) = clicked_header {
        if state.sort == column {
            state.descending = !state.descending;
        } else {
            state.sort = column;
            state.descending = matches!(column, SortColumn::Killed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_members_in_sorted_order() {
        let all_sorted = [4, 0, 3, 1, 2];
        assert_eq!(pick_in_order(&all_sorted, &[0, 2, 4]), vec![4, 0, 2]);
        assert_eq!(pick_in_order(&all_sorted, &[]), Vec::<u32>::new());
        assert_eq!(
            pick_in_order(&all_sorted, &[0, 1, 2, 3, 4]),
            all_sorted.to_vec()
        );
    }

    #[test]
    fn picks_the_same_on_many_threads() {
        // Large enough to be split across threads; every third incident, in reverse order.
        let n = 200_003u32;
        let all_sorted: Vec<u32> = (0..n).rev().collect();
        let members: Vec<usize> = (0..n as usize).filter(|i| i % 3 == 0).collect();
        let expected: Vec<u32> = all_sorted.iter().copied().filter(|i| i % 3 == 0).collect();
        assert_eq!(pick_in_order(&all_sorted, &members), expected);
    }
}
