//! The sortable table of filtered incidents. Clicking a row selects it and centres the map;
//! an incident selected elsewhere (map, timeline, trends) is scrolled into view, and stays in
//! view after a sort. Columns can be resized.

use std::cmp::Ordering;
use std::sync::Arc;

use egui_extras::{Column, TableBuilder};

use crate::model::columns::pick_in_order;
use crate::model::selection::Highlight;
use crate::model::{Hover, Incident};
use crate::state::Command;

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
    order: Arc<Vec<u32>>,
    order_for: Option<(u64, SortColumn, bool)>,
    /// Every incident of the dataset in sort order, cached per dataset and sort: a filter
    /// change then only picks the filtered rows out of it (linear, not a new sort), on the
    /// background scan's thread when there is one.
    all_sorted: Arc<Vec<u32>>,
    all_sorted_for: Option<(u64, SortColumn, bool)>,
    /// Changes whenever `all_sorted` is sorted again, to recognise rows picked from it.
    all_sorted_id: u64,
    /// The selection and sort the rows were last scrolled for.
    scrolled_for: Option<(Option<usize>, SortColumn, bool)>,
    /// A row was clicked here: its selection needs no scrolling.
    clicked_here: Option<usize>,
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
            self.all_sorted = Arc::new(all);
            self.all_sorted_for = Some(dataset_key);
            self.all_sorted_id += 1;
        }
        self.order = match &view.derived.table_order {
            // Picked from this very order by the background scan.
            Some((id, order)) if *id == self.all_sorted_id => order.clone(),
            _ => Arc::new(pick_in_order(&self.all_sorted, &view.derived.filtered)),
        };
        self.order_for = Some(key);
    }

    /// The row to bring into view this frame: the selected incident's, when the selection
    /// came from another view or the rows were sorted again.
    fn row_to_show(&mut self, selected: Option<usize>) -> Option<usize> {
        let key = (selected, self.sort, self.descending);
        if self.scrolled_for == Some(key) {
            return None;
        }
        let sorted_again = self.scrolled_for.is_some_and(|(_, sort, descending)| {
            (sort, descending) != (self.sort, self.descending)
        });
        self.scrolled_for = Some(key);
        let from_here = std::mem::take(&mut self.clicked_here) == selected;
        if from_here && !sorted_again {
            return None;
        }
        let selected = selected?;
        self.order.iter().position(|&row| row as usize == selected)
    }

    /// The incidents in the table's rows, in order.
    pub fn rows(&self) -> &[u32] {
        &self.order
    }

    /// The order of every incident for a background scan to pick its rows from, when it is
    /// sorted for `dataset_version` (the table sorts when first drawn).
    pub fn full_order(&self, dataset_version: u64) -> Option<(u64, Arc<Vec<u32>>)> {
        self.all_sorted_for
            .is_some_and(|(version, ..)| version == dataset_version)
            .then(|| (self.all_sorted_id, self.all_sorted.clone()))
    }
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
    let mut clicked_row = None;
    // Selectable labels would swallow the click meant for the row.
    ui.style_mut().interaction.selectable_labels = false;
    let mut table = TableBuilder::new(ui)
        .id_salt("incident_table")
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(72.0).at_least(48.0).clip(true))
        .column(Column::remainder().at_least(90.0).clip(true))
        .column(Column::initial(28.0).at_least(24.0).clip(true))
        .column(Column::initial(84.0).at_least(40.0).clip(true))
        .column(Column::initial(48.0).at_least(32.0).clip(true))
        .auto_shrink([false, false]);
    if let Some(row) = state.row_to_show(view.selected) {
        table = table.scroll_to_row(row, Some(egui::Align::Center));
    }
    table
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
                    clicked_row = Some(index);
                    commands.push(Command::SelectAndCenter(index));
                }
                if response.hovered() {
                    commands.push(Command::Hover(Hover::One(index)));
                }
            });
        });
    if clicked_row.is_some() {
        state.clicked_here = clicked_row;
    }
    if let Some(column) = clicked_header {
        if state.sort == column {
            state.descending = !state.descending;
        } else {
            state.sort = column;
            state.descending = matches!(column, SortColumn::Killed);
        }
    }
}
