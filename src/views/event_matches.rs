//! Events found in more than one layer (see `model::matching`): the switch that counts each
//! once, the list to inspect the matches, and the detail panel's "also in" line.

use crate::state::Command;

use super::ViewContext;

/// Matched events listed at most; the rest are counted.
const LISTED: usize = 200;

/// The Data menu's section: how many events were matched, the switch, and the matches.
pub fn section(ui: &mut egui::Ui, view: &ViewContext<'_>, commands: &mut Vec<Command>) {
    let matches = view.matches;
    ui.label(egui::RichText::new("Events in more than one layer").strong());
    if !view.several_layers() {
        ui.label(
            egui::RichText::new("Load a second layer to find the events both record.")
                .small()
                .weak(),
        );
        return;
    }
    ui.label(
        egui::RichText::new(format!(
            "{} events found in more than one layer ({} incidents that another layer also \
             records): same day or the next, within the precision of both places, compatible \
             kind and actors (README, \"One event counted once\").",
            matches.events.len(),
            matches.duplicate_count()
        ))
        .small()
        .weak(),
    );
    let mut count_once = view.state.filter.count_once;
    if ui
        .checkbox(&mut count_once, "Count each event once")
        .on_hover_text(
            "Leave out of every view and count the incidents that an earlier layer (the \
             embedded dataset first, then the layers in order) also records",
        )
        .changed()
    {
        commands.push(Command::SetFilter(crate::model::Filter {
            count_once,
            ..view.state.filter.clone()
        }));
    }
    if matches.events.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!("Inspect the {} matches", matches.events.len()))
        .id_salt("event matches")
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .max_height(260.0)
                .show(ui, |ui| {
                    for event in matches.events.iter().take(LISTED) {
                        event_row(ui, view, event, commands);
                    }
                    if matches.events.len() > LISTED {
                        ui.label(
                            egui::RichText::new(format!(
                                "and {} more",
                                matches.events.len() - LISTED
                            ))
                            .weak(),
                        );
                    }
                });
        });
}

/// One matched event: its date and place, and each layer's incident (click to select).
fn event_row(
    ui: &mut egui::Ui,
    view: &ViewContext<'_>,
    event: &[u32],
    commands: &mut Vec<Command>,
) {
    let first = view.incident(event[0] as usize);
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("{} {}:", first.date, first.location.place));
        for &index in event {
            let index = index as usize;
            let incident = view.incident(index);
            let layer = view.layer_of(index).map_or("", |layer| layer.name.as_str());
            if ui
                .link(format!("{layer} {}", incident.id))
                .on_hover_text(format!(
                    "{} \u{b7} {} \u{b7} killed {}",
                    incident.date,
                    incident.location.place,
                    incident.killed.in_words()
                ))
                .clicked()
            {
                commands.push(Command::Select(Some(index)));
            }
        }
    });
}

/// "Also in" for the detail panel: the same event in other layers, by layer and id.
pub fn also_in(view: &ViewContext<'_>, index: usize) -> Option<String> {
    let others: Vec<String> = view
        .matches
        .others(index)
        .map(|other| {
            let layer = view.layer_of(other).map_or("", |layer| layer.name.as_str());
            format!("{layer} {}", view.incident(other).id)
        })
        .collect();
    (!others.is_empty()).then(|| others.join("; "))
}
