//! A typed path with a Browse… button beside it: the system's file dialog fills the field (on a
//! background thread, so a dialog that never answers holds up nothing), and where there is no
//! dialog the typed path is the way.

use crate::state::{Command, FileDialogRequest};

/// What the dialog is for.
pub struct PathFieldSpec<'a> {
    /// Identifies the field (its text is kept in egui's memory under it).
    pub id: &'a str,
    pub hint: &'a str,
    /// Save a new file (true) or open an existing one.
    pub save: bool,
    pub title: &'a str,
    /// A name and the extensions the dialog offers, e.g. ("PNG picture", &["png"]).
    pub filter: Option<(&'a str, &'a [&'a str])>,
}

/// The id under which a path field keeps its text.
pub fn field_id(ui: &egui::Ui, id: &str) -> egui::Id {
    ui.make_persistent_id(("path field", id))
}

/// The field, labelled `label`, and its Browse… button; returns the text as it is now.
pub fn path_field(
    ui: &mut egui::Ui,
    label: &str,
    spec: &PathFieldSpec<'_>,
    commands: &mut Vec<Command>,
) -> String {
    let id = field_id(ui, spec.id);
    let mut text: String = ui.data_mut(|data| data.get_temp(id).unwrap_or_default());
    let label = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(&mut text)
            .id(id.with("edit"))
            .hint_text(spec.hint)
            .desired_width(220.0),
    )
    .labelled_by(label.id);
    if ui
        .button("Browse\u{2026}")
        .on_hover_text("Choose the file in the system's file dialog")
        .clicked()
    {
        let typed = std::path::Path::new(text.trim());
        commands.push(Command::Browse(FileDialogRequest {
            field: id,
            save: spec.save,
            folder: false,
            title: spec.title.to_owned(),
            filter: spec.filter.map(|(name, extensions)| {
                (
                    name.to_owned(),
                    extensions.iter().map(|e| (*e).to_owned()).collect(),
                )
            }),
            start: typed
                .parent()
                .filter(|parent| parent.is_dir())
                .map(std::path::Path::to_path_buf),
        }));
    }
    ui.data_mut(|data| data.insert_temp(id, text.clone()));
    text
}
