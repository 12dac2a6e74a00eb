//! Dates that carry their own precision.
//!
//! Sources often give only a month or a year. An incident dated "2019-08" is not the first
//! of August: it is some day in August. [`IncidentDate`] keeps that honesty and exposes the
//! whole span of days it may fall on, which the filter and the timeline both use.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike as _, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How precisely a date is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DatePrecision {
    Day,
    Month,
    Year,
}

impl DatePrecision {
    pub fn label(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Month => "month",
            Self::Year => "year",
        }
    }
}

/// A calendar day as a count of days since 1970-01-01, cheap to compare and store.
pub type DayNumber = i32;

/// A date known to a day, a month or a year.
///
/// Written as `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; the form gives the precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IncidentDate {
    year: i32,
    /// 1-12, present unless the precision is `Year`.
    month: Option<u8>,
    /// 1-31, present only with `Day` precision.
    day: Option<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("'{0}' is not a date: expected YYYY-MM-DD, YYYY-MM or YYYY")]
    Format(String),
    #[error("'{0}' is not a real calendar date")]
    Impossible(String),
    #[error("year {0} is outside the supported range 1900-2100")]
    YearOutOfRange(i32),
}

impl IncidentDate {
    pub fn day(year: i32, month: u32, day: u32) -> Result<Self, DateError> {
        Self::check_year(year)?;
        NaiveDate::from_ymd_opt(year, month, day)
            .ok_or_else(|| DateError::Impossible(format!("{year:04}-{month:02}-{day:02}")))?;
        Ok(Self {
            year,
            month: Some(month as u8),
            day: Some(day as u8),
        })
    }

    pub fn month(year: i32, month: u32) -> Result<Self, DateError> {
        Self::check_year(year)?;
        if !(1..=12).contains(&month) {
            return Err(DateError::Impossible(format!("{year:04}-{month:02}")));
        }
        Ok(Self {
            year,
            month: Some(month as u8),
            day: None,
        })
    }

    pub fn year(year: i32) -> Result<Self, DateError> {
        Self::check_year(year)?;
        Ok(Self {
            year,
            month: None,
            day: None,
        })
    }

    pub fn from_naive(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: Some(date.month() as u8),
            day: Some(date.day() as u8),
        }
    }

    fn check_year(year: i32) -> Result<(), DateError> {
        if (1900..=2100).contains(&year) {
            Ok(())
        } else {
            Err(DateError::YearOutOfRange(year))
        }
    }

    pub fn precision(&self) -> DatePrecision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => DatePrecision::Day,
            (Some(_), None) => DatePrecision::Month,
            _ => DatePrecision::Year,
        }
    }

    pub fn year_value(&self) -> i32 {
        self.year
    }

    pub fn month_value(&self) -> Option<u32> {
        self.month.map(u32::from)
    }

    /// First day the incident may have happened on.
    pub fn first_day(&self) -> NaiveDate {
        let month = self.month.map_or(1, u32::from);
        let day = self.day.map_or(1, u32::from);
        NaiveDate::from_ymd_opt(self.year, month, day).expect("validated at construction")
    }

    /// Last day the incident may have happened on.
    pub fn last_day(&self) -> NaiveDate {
        match (self.month, self.day) {
            (Some(_), Some(_)) => self.first_day(),
            (Some(month), None) => last_day_of_month(self.year, u32::from(month)),
            _ => NaiveDate::from_ymd_opt(self.year, 12, 31).expect("valid"),
        }
    }

    /// The inclusive span of days the incident may fall on.
    pub fn span(&self) -> (DayNumber, DayNumber) {
        (day_number(self.first_day()), day_number(self.last_day()))
    }

    /// Sort key that puts an imprecise date at the start of its span.
    pub fn sort_key(&self) -> DayNumber {
        day_number(self.first_day())
    }

    /// Human form for the detail panel: "26 Aug 2021", "Aug 2021 (month only)", "2019 (year only)".
    pub fn display_long(&self) -> String {
        match self.precision() {
            DatePrecision::Day => self.first_day().format("%-d %b %Y").to_string(),
            DatePrecision::Month => format!("{} (day unknown)", self.first_day().format("%b %Y")),
            DatePrecision::Year => format!("{} (month unknown)", self.year),
        }
    }
}

/// `YYYY-MM-DD`, `YYYY-MM` or `YYYY` into `out`, with its length; `None` for a year outside
/// 0 to 9999. Digits written directly, not through the formatter: an export writes a date a
/// row, and a Parquet load a day a row.
pub fn write_iso(
    year: i32,
    month: Option<u8>,
    day: Option<u8>,
    out: &mut [u8; 10],
) -> Option<usize> {
    let year = u16::try_from(year).ok().filter(|year| *year <= 9999)?;
    let mut digits = |at: usize, value: u16, width: usize| {
        let mut value = value;
        for slot in out[at..at + width].iter_mut().rev() {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    digits(0, year, 4);
    let len = match (month, day) {
        (Some(month), Some(day)) => {
            digits(5, u16::from(month), 2);
            digits(8, u16::from(day), 2);
            10
        }
        (Some(month), None) => {
            digits(5, u16::from(month), 2);
            7
        }
        _ => 4,
    };
    out[4] = b'-';
    out[7] = b'-';
    Some(len)
}

impl fmt::Display for IncidentDate {
    /// ISO form at the date's own precision: `2021-08-26`, `2021-08` or `2021`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = [0u8; 10];
        if let Some(len) = write_iso(self.year, self.month, self.day, &mut text) {
            // Only ASCII digits and dashes were written.
            return f.write_str(std::str::from_utf8(&text[..len]).map_err(|_| fmt::Error)?);
        }
        match (self.month, self.day) {
            (Some(m), Some(d)) => write!(f, "{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => write!(f, "{:04}-{m:02}", self.year),
            _ => write!(f, "{:04}", self.year),
        }
    }
}

impl FromStr for IncidentDate {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let bad = || DateError::Format(text.to_owned());
        let parts: Vec<&str> = text.split('-').collect();
        let number = |part: &str, len: usize| -> Result<u32, DateError> {
            if part.len() == len && part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        match parts.as_slice() {
            [y] => Self::year(number(y, 4)? as i32),
            [y, m] => Self::month(number(y, 4)? as i32, number(m, 2)?),
            [y, m, d] => Self::day(number(y, 4)? as i32, number(m, 2)?, number(d, 2)?),
            _ => Err(bad()),
        }
    }
}

/// Text ("2021-08", as written in the dataset) for formats people read; three numbers (year,
/// month and day, 0 where unknown) for binary ones such as the layer cache, which reads a
/// million of them.
impl Serialize for IncidentDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            (self.year, self.month.unwrap_or(0), self.day.unwrap_or(0)).serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for IncidentDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let text = String::deserialize(deserializer)?;
            return text.parse().map_err(serde::de::Error::custom);
        }
        let (year, month, day) = <(i32, u8, u8)>::deserialize(deserializer)?;
        match (month, day) {
            (0, _) => Self::year(year),
            (month, 0) => Self::month(year, u32::from(month)),
            (month, day) => Self::day(year, u32::from(month), u32::from(day)),
        }
        .map_err(serde::de::Error::custom)
    }
}

pub fn last_day_of_month(year: i32, month: u32) -> NaiveDate {
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)
        .and_then(|d| d.pred_opt())
        .expect("valid month")
}

const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

pub fn day_number(date: NaiveDate) -> DayNumber {
    date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE
}

pub fn date_from_day_number(day: DayNumber) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(day.checked_add(UNIX_EPOCH_DAYS_FROM_CE)?)
}

/// Parse a full `YYYY-MM-DD` date (command-line flags, filter boundaries).
pub fn parse_day(text: &str) -> Result<NaiveDate, DateError> {
    let date: IncidentDate = text.parse()?;
    if date.precision() == DatePrecision::Day {
        Ok(date.first_day())
    } else {
        Err(DateError::Format(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_precision() {
        let d: IncidentDate = "2021-08-26".parse().unwrap();
        assert_eq!(d.precision(), DatePrecision::Day);
        assert_eq!(d.to_string(), "2021-08-26");
        let m: IncidentDate = "2019-02".parse().unwrap();
        assert_eq!(m.precision(), DatePrecision::Month);
        assert_eq!(m.to_string(), "2019-02");
        let y: IncidentDate = "2015".parse().unwrap();
        assert_eq!(y.precision(), DatePrecision::Year);
        assert_eq!(y.to_string(), "2015");
    }

    #[test]
    fn rejects_impossible_and_malformed_dates() {
        assert!(matches!(
            "2021-02-30".parse::<IncidentDate>(),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(
            "2021-13".parse::<IncidentDate>(),
            Err(DateError::Impossible(_))
        ));
        assert!("21-08-26".parse::<IncidentDate>().is_err());
        assert!("2021/08/26".parse::<IncidentDate>().is_err());
        assert!("".parse::<IncidentDate>().is_err());
        assert!("2021-8-26".parse::<IncidentDate>().is_err());
        assert!(matches!(
            "1200-01-01".parse::<IncidentDate>(),
            Err(DateError::YearOutOfRange(1200))
        ));
    }

    #[test]
    fn month_span_covers_the_whole_month_including_leap_february() {
        let feb: IncidentDate = "2024-02".parse().unwrap();
        assert_eq!(feb.first_day().to_string(), "2024-02-01");
        assert_eq!(feb.last_day().to_string(), "2024-02-29");
        let year: IncidentDate = "2019".parse().unwrap();
        let (start, end) = year.span();
        assert_eq!(end - start, 364);
    }

    #[test]
    fn day_numbers_round_trip() {
        let date = NaiveDate::from_ymd_opt(2021, 8, 26).unwrap();
        assert_eq!(date_from_day_number(day_number(date)), Some(date));
        assert_eq!(day_number(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()), 0);
    }

    #[test]
    fn serde_uses_the_compact_string_form() {
        let d: IncidentDate = "2022-09".parse().unwrap();
        let text = ron::to_string(&d).unwrap();
        assert_eq!(text, "\"2022-09\"");
        let back: IncidentDate = ron::from_str(&text).unwrap();
        assert_eq!(back, d);
    }
}
