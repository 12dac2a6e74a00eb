//! The active filter as one sentence, for captions on screenshots and slides:
//! "Attacks claimed by ISK, Afghanistan, Jan 2021 – Dec 2022: 214 incidents".

use chrono::{Datelike as _, NaiveDate};

use super::date::last_day_of_month;
use super::{Attribution, Dataset, Filter, Kind};

fn kind_plural(kind: Kind) -> &'static str {
    match kind {
        Kind::Attack => "attacks",
        Kind::FoiledPlot => "foiled plots",
        Kind::Arrest => "arrests",
        Kind::CounterOperation => "counter-operations",
        Kind::LeadershipLoss => "leadership losses",
        Kind::Fighting => "armed clashes",
        Kind::Other => "other events",
    }
}

fn attribution_phrase(attribution: Attribution) -> &'static str {
    match attribution {
        Attribution::ClaimedByIsk => "claimed by ISK",
        Attribution::ClaimedByIsCentral => "claimed by IS central",
        Attribution::AttributedByOfficials => "attributed to ISK by officials",
        Attribution::Suspected => "suspected to be ISK",
        Attribution::NamedInData => "named as ISK in imported data",
        Attribution::NotIsk => "not identified as ISK",
        Attribution::ClaimedByOtherProvince => "claimed by another IS province",
        Attribution::Documented => "documented as milestones",
    }
}

/// "a, b and c".
fn join_and(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

/// First letter upper case.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// "Jan 2021 – Dec 2022" when the period is whole months, else days; "all dates" when open.
pub fn period_words(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    let whole_months = from.is_none_or(|d| d.day() == 1)
        && to.is_none_or(|d| d == last_day_of_month(d.year(), d.month()));
    let format = |date: NaiveDate| {
        if whole_months {
            date.format("%b %Y").to_string()
        } else {
            date.format("%-d %b %Y").to_string()
        }
    };
    match (from, to) {
        (None, None) => "all dates".to_owned(),
        (Some(from), None) => format!("since {}", format(from)),
        (None, Some(to)) => format!("until {}", format(to)),
        (Some(from), Some(to))
            if whole_months && from.year() == to.year() && from.month() == to.month() =>
        {
            format(from)
        }
        (Some(from), Some(to)) => format!("{} \u{2013} {}", format(from), format(to)),
    }
}

/// The filter and its result in one sentence.
pub fn caption(filter: &Filter, dataset: &Dataset, count: usize) -> String {
    let what = if filter.kinds.is_empty() {
        "incidents".to_owned()
    } else {
        let kinds: Vec<String> = filter
            .kinds
            .iter()
            .map(|k| kind_plural(*k).to_owned())
            .collect();
        join_and(&kinds, "and")
    };
    let mut subject = what;
    if !filter.attributions.is_empty() {
        let grades: Vec<String> = filter
            .attributions
            .iter()
            .map(|a| attribution_phrase(*a).to_owned())
            .collect();
        subject = format!("{subject} {}", join_and(&grades, "or"));
    }
    if !filter.methods.is_empty() {
        let methods: Vec<String> = filter
            .methods
            .iter()
            .map(|m| m.label().to_lowercase())
            .collect();
        subject = format!("{subject} ({})", join_and(&methods, "or"));
    }
    if !filter.targets.is_empty() {
        let targets: Vec<String> = filter
            .targets
            .iter()
            .map(|t| t.label().to_lowercase())
            .collect();
        subject = format!("{subject} against {}", join_and(&targets, "or"));
    }
    if filter.min_killed > 0 {
        subject = format!("{subject} with at least {} killed", filter.min_killed);
    }
    if !filter.text.trim().is_empty() {
        subject = format!("{subject} matching \u{201c}{}\u{201d}", filter.text.trim());
    }
    if filter.isk_only {
        subject = format!("{subject} by ISK (any name)");
    }
    if !filter.actors.is_empty() {
        let actors: Vec<String> = filter.actors.iter().cloned().collect();
        subject = format!("{subject} by {}", join_and(&actors, "or"));
    }
    if !filter.actor_text.trim().is_empty() {
        subject = format!(
            "{subject} by an actor named \u{201c}{}\u{201d}",
            filter.actor_text.trim()
        );
    }
    let mut parts = vec![capitalise(&subject)];
    if !filter.provinces.is_empty() {
        let provinces: Vec<String> = filter.provinces.iter().cloned().collect();
        parts.push(join_and(&provinces, "and"));
    }
    if !filter.countries.is_empty() {
        let names: Vec<String> = filter
            .countries
            .iter()
            .map(|code| {
                dataset
                    .incidents
                    .iter()
                    .find(|i| &i.location.country_code == code)
                    .map_or_else(|| code.clone(), |i| i.location.country.to_string())
            })
            .collect();
        parts.push(join_and(&names, "and"));
    }
    if !filter.areas.is_empty() {
        let areas: Vec<String> = filter.areas.iter().map(super::Area::words).collect();
        parts.push(join_and(&areas, "or"));
    }
    parts.push(period_words(filter.from, filter.to));
    let noun = if count == 1 { "incident" } else { "incidents" };
    let once = if filter.count_once {
        " (each event counted once across layers)"
    } else {
        ""
    };
    format!("{}: {count} {noun}{once}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Incident, LocationPrecision, Method, Target};

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn dataset() -> Dataset {
        // Known only to the country.
        let incident = |code: &str, country: &str| {
            let mut incident: Incident = crate::model::testing::incident(code, "2021-01-01");
            incident.location.admin1 = Default::default();
            incident.location.country = country.into();
            incident.location.country_code = code.into();
            incident.location.precision = LocationPrecision::Country;
            incident
        };
        Dataset {
            incidents: vec![incident("AF", "Afghanistan"), incident("PK", "Pakistan")],
            ..Dataset::default()
        }
    }

    #[test]
    fn areas_are_named_in_the_caption() {
        let filter = Filter {
            areas: vec![
                crate::model::Area::Within {
                    lat: 34.43,
                    lon: 70.45,
                    km: 50.0,
                    label: Some("Jalalabad".to_owned()),
                },
                crate::model::Area::Within {
                    lat: 34.5,
                    lon: 69.2,
                    km: 12.5,
                    label: None,
                },
            ],
            ..Filter::default()
        };
        assert_eq!(
            caption(&filter, &dataset(), 3),
            "Incidents, within 50 km of Jalalabad or within 12.5 km of 34.50\u{b0} N, \
             69.20\u{b0} E, all dates: 3 incidents"
        );
    }

    #[test]
    fn the_example_from_the_brief() {
        let filter = Filter {
            kinds: [Kind::Attack].into(),
            attributions: [Attribution::ClaimedByIsk].into(),
            countries: ["AF".to_owned()].into(),
            from: Some(day("2021-01-01")),
            to: Some(day("2022-12-31")),
            ..Filter::default()
        };
        assert_eq!(
            caption(&filter, &dataset(), 214),
            "Attacks claimed by ISK, Afghanistan, Jan 2021 \u{2013} Dec 2022: 214 incidents"
        );
    }

    #[test]
    fn many_combinations_read_as_sentences() {
        let data = dataset();
        let cases: Vec<(Filter, usize, &str)> = vec![
            (
                Filter::default(),
                155,
                "Incidents, all dates: 155 incidents",
            ),
            (
                Filter {
                    kinds: [Kind::FoiledPlot, Kind::Arrest].into(),
                    ..Filter::default()
                },
                1,
                "Foiled plots and arrests, all dates: 1 incident",
            ),
            (
                Filter {
                    attributions: [
                        Attribution::ClaimedByIsk,
                        Attribution::AttributedByOfficials,
                    ]
                    .into(),
                    countries: ["AF".to_owned(), "PK".to_owned()].into(),
                    ..Filter::default()
                },
                3,
                "Incidents claimed by ISK or attributed to ISK by officials, Afghanistan and \
                 Pakistan, all dates: 3 incidents",
            ),
            (
                Filter {
                    min_killed: 10,
                    from: Some(day("2021-08-26")),
                    to: Some(day("2021-08-26")),
                    ..Filter::default()
                },
                1,
                "Incidents with at least 10 killed, 26 Aug 2021 \u{2013} 26 Aug 2021: 1 incident",
            ),
            (
                Filter {
                    from: Some(day("2023-07-01")),
                    to: Some(day("2023-07-31")),
                    provinces: ["Bajaur".to_owned()].into(),
                    ..Filter::default()
                },
                2,
                "Incidents, Bajaur, Jul 2023: 2 incidents",
            ),
            (
                Filter {
                    from: Some(day("2020-01-01")),
                    text: "Kabul".into(),
                    targets: [Target::Education].into(),
                    methods: [Method::SuicideBombing].into(),
                    ..Filter::default()
                },
                4,
                "Incidents (suicide bombing) against schools and universities matching \
                 \u{201c}Kabul\u{201d}, since Jan 2020: 4 incidents",
            ),
            (
                Filter {
                    to: Some(day("2019-06-15")),
                    countries: ["ZZ".to_owned()].into(),
                    ..Filter::default()
                },
                0,
                "Incidents, ZZ, until 15 Jun 2019: 0 incidents",
            ),
        ];
        for (filter, count, expected) in cases {
            assert_eq!(caption(&filter, &data, count), expected);
        }
    }
}
