//! Playback of the campaign over time: a window (the last N months, or everything so far)
//! whose end moves month by month. Pure time arithmetic; the app turns the window into the
//! filter's period.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::aggregate::{MonthIndex, month_index, month_of_index};
use super::date::last_day_of_month;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlaybackWindow {
    /// The last `months` months up to the cursor.
    Moving { months: u32 },
    /// Everything from the first month up to the cursor.
    Cumulative,
}

impl PlaybackWindow {
    pub fn label(self) -> String {
        match self {
            Self::Moving { months: 1 } => "one month".to_owned(),
            Self::Moving { months } => format!("last {months} months"),
            Self::Cumulative => "cumulative".to_owned(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Playback {
    pub playing: bool,
    /// Speed: 0.25 is one month every four seconds, 4 is four months a second.
    pub months_per_second: f64,
    pub window: PlaybackWindow,
    pub looping: bool,
    /// The month the window ends in, with a fraction while playing.
    pub cursor: Option<f64>,
}

impl Default for Playback {
    fn default() -> Self {
        Self {
            playing: false,
            months_per_second: 1.0,
            window: PlaybackWindow::Moving { months: 3 },
            looping: false,
            cursor: None,
        }
    }
}

/// The months the data covers, first and last.
pub type MonthSpan = (MonthIndex, MonthIndex);

/// First and last month any incident of the dataset may fall in (2015-2024 when empty).
pub fn month_span(dataset: &super::Dataset) -> MonthSpan {
    use chrono::Datelike as _;
    let first = dataset.incidents.iter().map(|i| i.date.first_day()).min();
    let last = dataset.incidents.iter().map(|i| i.date.last_day()).max();
    match (first, last) {
        (Some(first), Some(last)) => (
            month_index(first.year(), first.month()),
            month_index(last.year(), last.month()),
        ),
        _ => (month_index(2015, 1), month_index(2024, 12)),
    }
}

impl Playback {
    pub fn cursor_month(&self, span: MonthSpan) -> MonthIndex {
        let start = self.start_month(span);
        self.cursor
            .map_or(start, |cursor| cursor.floor() as MonthIndex)
            .clamp(span.0, span.1)
    }

    /// Where playback starts: the first month whose window is full.
    fn start_month(&self, span: MonthSpan) -> MonthIndex {
        match self.window {
            PlaybackWindow::Moving { months } => (span.0 + months as i32 - 1).min(span.1),
            PlaybackWindow::Cumulative => span.0,
        }
    }

    pub fn toggle(&mut self, span: MonthSpan) {
        self.playing = !self.playing;
        if self.playing && (self.cursor.is_none() || self.cursor_month(span) >= span.1) {
            self.cursor = Some(f64::from(self.start_month(span)));
        }
    }

    /// Move by whole months (the step buttons), stopping at the ends.
    pub fn step(&mut self, months: i32, span: MonthSpan) {
        let month = (self.cursor_month(span) + months).clamp(span.0, span.1);
        self.cursor = Some(f64::from(month));
    }

    pub fn jump_to(&mut self, year: i32, month: u32, span: MonthSpan) {
        self.cursor = Some(f64::from(month_index(year, month).clamp(span.0, span.1)));
    }

    /// Advance by `seconds` of wall time; at the end, loop or stop.
    pub fn advance(&mut self, seconds: f64, span: MonthSpan) {
        if !self.playing {
            return;
        }
        let cursor = self.cursor.unwrap_or(f64::from(self.start_month(span)));
        let next = cursor + seconds.max(0.0) * self.months_per_second;
        if next >= f64::from(span.1 + 1) {
            if self.looping {
                self.cursor = Some(f64::from(self.start_month(span)));
            } else {
                self.cursor = Some(f64::from(span.1));
                self.playing = false;
            }
        } else {
            self.cursor = Some(next);
        }
    }

    /// The window as an inclusive date range.
    pub fn range(&self, span: MonthSpan) -> (NaiveDate, NaiveDate) {
        let end_month = self.cursor_month(span);
        let start_month = match self.window {
            PlaybackWindow::Moving { months } => end_month - months as i32 + 1,
            PlaybackWindow::Cumulative => span.0,
        };
        let (start_year, start_month) = month_of_index(start_month);
        let (end_year, end_month) = month_of_index(end_month);
        (
            NaiveDate::from_ymd_opt(start_year, start_month, 1).expect("valid month"),
            last_day_of_month(end_year, end_month),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPAN: MonthSpan = (2015 * 12, 2015 * 12 + 11); // Jan-Dec 2015

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn moving_window_starts_full_and_advances_with_time() {
        let mut playback = Playback::default();
        playback.toggle(SPAN);
        assert!(playback.playing);
        assert_eq!(playback.range(SPAN), (day("2015-01-01"), day("2015-03-31")));
        playback.advance(2.5, SPAN); // one month a second
        assert_eq!(playback.range(SPAN), (day("2015-03-01"), day("2015-05-31")));
    }

    #[test]
    fn cumulative_window_grows_from_the_first_month() {
        let mut playback = Playback {
            window: PlaybackWindow::Cumulative,
            ..Playback::default()
        };
        playback.toggle(SPAN);
        playback.step(5, SPAN);
        assert_eq!(playback.range(SPAN), (day("2015-01-01"), day("2015-06-30")));
    }

    #[test]
    fn stops_or_loops_at_the_end() {
        let mut playback = Playback::default();
        playback.toggle(SPAN);
        playback.advance(100.0, SPAN);
        assert!(!playback.playing);
        assert_eq!(playback.range(SPAN).1, day("2015-12-31"));
        let mut looping = Playback {
            looping: true,
            ..Playback::default()
        };
        looping.toggle(SPAN);
        looping.advance(100.0, SPAN);
        assert!(looping.playing);
        assert_eq!(looping.range(SPAN).1, day("2015-03-31"));
    }

    #[test]
    fn steps_and_jumps_stay_inside_the_data() {
        let mut playback = Playback::default();
        playback.step(-5, SPAN);
        assert_eq!(playback.cursor_month(SPAN), SPAN.0);
        playback.jump_to(2030, 1, SPAN);
        assert_eq!(playback.cursor_month(SPAN), SPAN.1);
        playback.jump_to(2015, 6, SPAN);
        assert_eq!(playback.range(SPAN).1, day("2015-06-30"));
    }
}
