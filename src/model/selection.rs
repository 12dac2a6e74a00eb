//! Selection and hover, shared by every view.
//!
//! Incidents are referred to by their index in the dataset at runtime; the persisted state
//! stores the id instead, which survives a reload of a changed dataset.

/// Index of an incident in [`super::Dataset::incidents`].
pub type IncidentIndex = usize;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Sticky: stays until another click or Esc.
    pub selected: Option<IncidentIndex>,
    /// Transient: set by whichever view the pointer is over, cleared every frame.
    pub hovered: Option<IncidentIndex>,
}

/// How strongly a view should highlight an incident. Ordered so the strongest wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Highlight {
    None,
    Hovered,
    Selected,
}

impl Selection {
    pub fn highlight(&self, index: IncidentIndex) -> Highlight {
        if self.selected == Some(index) {
            Highlight::Selected
        } else if self.hovered == Some(index) {
            Highlight::Hovered
        } else {
            Highlight::None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_outranks_hover() {
        let selection = Selection {
            selected: Some(3),
            hovered: Some(3),
        };
        assert_eq!(selection.highlight(3), Highlight::Selected);
        assert_eq!(selection.highlight(4), Highlight::None);
        assert!(Highlight::Selected > Highlight::Hovered);
    }
}
