//! Annotations on the map and the timeline: drawing, dragging (map) and the list to edit them.

use chrono::NaiveDate;
use egui::{Color32, Pos2, Rect, Stroke, Vec2};

use crate::model::annotation::{Anchor, Annotation};
use crate::state::Command;

use super::ViewContext;

const NOTE_FILL: Color32 = Color32::from_rgb(0xff, 0xf3, 0xb0);
const NOTE_TEXT: Color32 = Color32::from_rgb(0x20, 0x20, 0x20);

/// Offset of the note's box from the point it is pinned to.
const BOX_OFFSET: Vec2 = Vec2::new(14.0, -34.0);

/// Draw the map notes; drag a note's box to move its pin. `to_screen`/`from_screen` convert
/// (lat, lon) for this frame.
pub fn map_notes(
    ui: &mut egui::Ui,
    view: &ViewContext<'_>,
    clip: Rect,
    to_screen: impl Fn(f64, f64) -> Pos2,
    from_screen: impl Fn(Pos2) -> (f64, f64),
    commands: &mut Vec<Command>,
) {
    let painter = ui.painter().with_clip_rect(clip);
    for (index, note) in view.state.annotations.iter().enumerate() {
        let Anchor::Map { lat, lon } = note.anchor else {
            continue;
        };
        let pin = to_screen(lat, lon);
        let galley = painter.layout(
            note.text.clone(),
            egui::FontId::proportional(13.0),
            NOTE_TEXT,
            220.0,
        );
        let box_rect = Rect::from_min_size(pin + BOX_OFFSET, galley.size()).expand(4.0);
        if !clip.intersects(box_rect) && !clip.contains(pin) {
            continue;
        }
        painter.line_segment([pin, box_rect.left_bottom()], Stroke::new(1.5, NOTE_TEXT));
        painter.circle(pin, 3.5, NOTE_FILL, Stroke::new(1.5, NOTE_TEXT));
        painter.rect(
            box_rect,
            3.0,
            NOTE_FILL,
            Stroke::new(1.0, NOTE_TEXT),
            egui::StrokeKind::Inside,
        );
        painter.galley(box_rect.min + Vec2::splat(4.0), galley, NOTE_TEXT);
        if view.presenting {
            continue;
        }
        let response = ui
            .interact(
                box_rect,
                ui.make_persistent_id(("map_note", index)),
                egui::Sense::drag(),
            )
            .on_hover_text("Drag to move the note; edit or delete it in View > Notes");
        // The pin follows the pointer at the offset it was grabbed at (robust to jumps).
        let offset_id = response.id.with("grab_offset");
        if response.drag_started()
            && let Some(pointer) = response.interact_pointer_pos()
        {
            ui.data_mut(|data| data.insert_temp(offset_id, pointer - pin));
        }
        let grab_offset: Option<Vec2> = ui.data(|data| data.get_temp(offset_id));
        if response.dragged()
            && let (Some(pointer), Some(offset)) = (response.interact_pointer_pos(), grab_offset)
        {
            let (lat, lon) = from_screen(pointer - offset);
            let mut notes = view.state.annotations.clone();
            notes[index] = Annotation::on_map(note.text.clone(), lat, lon);
            commands.push(Command::SetAnnotations(notes));
        }
    }
}

/// Timeline notes, part one: a dashed line at each date (inside the plot; a line does not
/// change the plot's bounds).
pub fn timeline_note_lines(plot_ui: &mut egui_plot::PlotUi<'_>, view: &ViewContext<'_>) {
    for (date, text) in timeline_notes(view) {
        plot_ui.vline(
            egui_plot::VLine::new(text, f64::from(crate::model::date::day_number(date)))
                .color(Color32::from_rgb(0xd4, 0xa0, 0x00))
                .style(egui_plot::LineStyle::dashed_dense())
                .width(1.5)
                .allow_hover(false),
        );
    }
}

/// Timeline notes, part two: the text, painted over the plot after it is drawn (a text item
/// inside the plot would push its bounds up every frame).
pub fn timeline_note_labels(
    ui: &egui::Ui,
    view: &ViewContext<'_>,
    transform: &egui_plot::PlotTransform,
) {
    let frame = *transform.frame();
    let painter = ui.painter().with_clip_rect(frame);
    for (row, (date, text)) in timeline_notes(view).enumerate() {
        let x = transform
            .position_from_point(&egui_plot::PlotPoint::new(
                f64::from(crate::model::date::day_number(date)),
                0.0,
            ))
            .x;
        let galley =
            painter.layout_no_wrap(text.to_owned(), egui::FontId::proportional(12.0), NOTE_TEXT);
        let at = Pos2::new(x + 3.0, frame.min.y + 18.0 + 18.0 * (row % 3) as f32);
        let rect = Rect::from_min_size(at, galley.size()).expand(2.0);
        painter.rect_filled(rect, 2.0, NOTE_FILL);
        painter.galley(at, galley, NOTE_TEXT);
    }
}

fn timeline_notes<'a>(
    view: &'a ViewContext<'_>,
) -> impl Iterator<Item = (NaiveDate, &'a str)> + 'a {
    view.state
        .annotations
        .iter()
        .filter_map(|note| match note.anchor {
            Anchor::Timeline { date } => Some((date, note.text.as_str())),
            Anchor::Map { .. } => None,
        })
}

/// The Notes section of the View menu: add, edit, move by typing, delete.
pub fn notes_menu(ui: &mut egui::Ui, view: &ViewContext<'_>, commands: &mut Vec<Command>) {
    let mut notes = view.state.annotations.clone();
    ui.label("Notes (shown in presentations and exports):");
    ui.horizontal(|ui| {
        if ui.button("Add a note on the map").clicked() {
            let (lat, lon) = view.map_center;
            notes.push(Annotation::on_map("New note", lat, lon));
        }
        if ui.button("Add a note on the timeline").clicked() {
            notes.push(Annotation::on_timeline("New note", default_note_date(view)));
        }
    });
    let mut remove = None;
    for (index, note) in notes.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let label = ui.label(format!("{}.", index + 1));
            ui.add(egui::TextEdit::singleline(&mut note.text).desired_width(180.0))
                .labelled_by(label.id);
            match &mut note.anchor {
                Anchor::Map { lat, lon } => {
                    ui.label(format!("map {lat:.2}, {lon:.2}"))
                        .on_hover_text("Drag the note on the map to move it");
                }
                Anchor::Timeline { date } => {
                    let id = ui.make_persistent_id(("note_date", index));
                    let mut text: String =
                        ui.data_mut(|data| data.get_temp(id).unwrap_or_else(|| date.to_string()));
                    let label = ui.label("date");
                    let response = ui
                        .add(egui::TextEdit::singleline(&mut text).desired_width(86.0))
                        .labelled_by(label.id);
                    if response.lost_focus()
                        && let Ok(parsed) = crate::model::date::parse_day(&text)
                    {
                        *date = parsed;
                    }
                    ui.data_mut(|data| data.insert_temp(id, text));
                }
            }
            if ui.small_button("Delete").clicked() {
                remove = Some(index);
            }
        });
    }
    if let Some(index) = remove {
        notes.remove(index);
    }
    if notes != view.state.annotations {
        commands.push(Command::SetAnnotations(notes));
    }
}

/// The selected incident's date, else the middle of the period, else the latest incident.
fn default_note_date(view: &ViewContext<'_>) -> NaiveDate {
    if let Some(index) = view.selected {
        return view.incident(index).date.first_day();
    }
    let filter = &view.state.filter;
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        return from + (to - from) / 2;
    }
    view.dataset
        .incidents
        .iter()
        .map(|incident| incident.date.first_day())
        .max()
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(2021, 8, 15).expect("valid date"))
}
