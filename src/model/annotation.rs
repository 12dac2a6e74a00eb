//! Briefers' notes: text callouts pinned to a place on the map or a date on the timeline.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Anchor {
    Map { lat: f64, lon: f64 },
    Timeline { date: NaiveDate },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    pub text: String,
    pub anchor: Anchor,
}

impl Annotation {
    /// A note at a map position, its coordinates kept on the globe.
    pub fn on_map(text: impl Into<String>, lat: f64, lon: f64) -> Self {
        Self {
            text: text.into(),
            anchor: Anchor::Map {
                lat: lat.clamp(-85.0, 85.0),
                lon: ((lon + 180.0).rem_euclid(360.0)) - 180.0,
            },
        }
    }

    pub fn on_timeline(text: impl Into<String>, date: NaiveDate) -> Self {
        Self {
            text: text.into(),
            anchor: Anchor::Timeline { date },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_notes_stay_on_the_globe_and_round_trip() {
        let note = Annotation::on_map("Abbey Gate", 95.0, 190.0);
        assert_eq!(
            note.anchor,
            Anchor::Map {
                lat: 85.0,
                lon: -170.0
            }
        );
        let timeline = Annotation::on_timeline("Fall of Kabul", "2021-08-15".parse().unwrap());
        let text = ron::to_string(&vec![note.clone(), timeline.clone()]).unwrap();
        let back: Vec<Annotation> = ron::from_str(&text).unwrap();
        assert_eq!(back, vec![note, timeline]);
    }
}
