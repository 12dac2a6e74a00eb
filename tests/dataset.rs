//! Integrity of the embedded dataset: every record valid and sourced, and the incidents of
//! the seed documents all present.

use khorasan_atlas::io::embedded_dataset;
use khorasan_atlas::model::{Count, Dataset, Incident};

fn dataset() -> Dataset {
    embedded_dataset().unwrap_or_else(|error| panic!("{error}"))
}

/// `Dataset::validate` (unit-tested on broken records in `model::dataset`) checks ids, places,
/// coordinates, tolls and that every cited source exists; the embedded dataset must pass it
/// with no issue, and meet what only a curated dataset promises beyond it.
#[test]
fn records_are_valid_with_real_country_codes_years_and_reachable_sources() {
    let dataset = dataset();
    assert_eq!(dataset.validate(), Vec::new());
    for incident in &dataset.incidents {
        let code = &incident.location.country_code;
        assert!(
            khorasan_atlas::io::import::countries::is_alpha2(code),
            "{}: {code} is not an ISO 3166-1 code",
            incident.id
        );
        // From ISK's first pledges to the stated end of coverage.
        let year = incident.date.year_value();
        let last: i32 = dataset.metadata.coverage_to[..4].parse().unwrap();
        assert!((2014..=last).contains(&year), "{}: {year}", incident.id);
    }
    for source in &dataset.sources {
        if let Some(url) = &source.url {
            assert!(
                url.starts_with("https://") || url.starts_with("http://"),
                "{}: {url}",
                source.id
            );
        }
    }
}

#[test]
fn disputed_tolls_are_ranges_with_a_note() {
    let dataset = dataset();
    for (id, min, max) in [
        ("2024-03-22-krasnogorsk-crocus-city-hall", 137, 145),
        ("2023-07-30-khar-bajaur-jui-f-rally", 54, 63),
    ] {
        let incident = find_id(&dataset, id);
        assert_eq!(incident.killed, Count::Range(min, max), "{id}");
        assert!(!incident.discrepancies.is_empty(), "{id} has no note");
    }
}

fn find_id<'a>(dataset: &'a Dataset, id: &str) -> &'a Incident {
    dataset
        .incidents
        .iter()
        .find(|incident| incident.id == id)
        .unwrap_or_else(|| panic!("missing {id}"))
}

/// Incidents dated in the seed documents (shared/seeds/): date as written in the dataset,
/// country, a word of the place, and the seed file that must be cited.
const SEED_EVENTS: &[(&str, &str, &str, &str)] = &[
    ("2015-01-26", "AF", "Khorasan", "001"),
    ("2017-06-07", "IR", "Tehran", "001"),
    ("2018-07-29", "TJ", "Danghara", "001"),
    ("2019-05-19", "TJ", "Vahdat", "001"),
    ("2019-11-06", "TJ", "Ishqobod", "001"),
    ("2020-04-15", "DE", "North Rhine-Westphalia", "001"),
    ("2021-08-26", "AF", "Kabul", "000"),
    ("2022-04-18", "UZ", "Termez", "003"),
    ("2022-05-07", "TJ", "Panj", "003"),
    ("2022-09-05", "AF", "Russian Embassy", "000"),
    ("2022-10-26", "IR", "Shiraz", "001"),
    ("2022-12-02", "AF", "Pakistani Embassy", "001"),
    ("2022-12-12", "AF", "Longan Hotel", "001"),
    ("2023-01-01", "AF", "Kabul military airport", "001"),
    ("2023-01-11", "AF", "Foreign Affairs", "001"),
    ("2023-03-09", "AF", "Mazar-i-Sharif", "001"),
    ("2023-06-08", "AF", "Faizabad", "001"),
    ("2023-07-30", "PK", "Bajaur", "004"),
    ("2023-08-13", "IR", "Shiraz", "001"),
    ("2023-10-13", "AF", "Pul-i-Khumri", "001"),
    ("2023-12-24", "DE", "Wesel", "001"),
    ("2023-12-25", "KG", "Jalal-Abad", "001"),
    ("2024-01-03", "IR", "Kerman", "003"),
    ("2024-01-28", "TR", "Istanbul", "001"),
    ("2024-03-07", "RU", "Kaluga", "003"),
    ("2024-03-19", "DE", "Gera", "001"),
    ("2024-03-21", "AF", "Kandahar", "000"),
    ("2024-03-22", "RU", "Crocus City Hall", "002"),
    ("2024-05-17", "AF", "Bamyan", "001"),
];

#[test]
fn every_seed_event_is_present_and_cites_its_seed() {
    let dataset = dataset();
    for &(date, country, place, seed) in SEED_EVENTS {
        let found = dataset.incidents.iter().find(|incident| {
            incident.date.to_string() == date
                && incident.location.country_code == country
                && incident
                    .location
                    .place
                    .to_lowercase()
                    .contains(&place.to_lowercase())
        });
        let incident = found.unwrap_or_else(|| panic!("seed event {date} {place} missing"));
        let cites_seed = incident.sources.iter().any(|id| {
            dataset
                .source(id)
                .and_then(|source| source.seed.as_deref())
                .is_some_and(|file| file.starts_with(seed))
        });
        assert!(cites_seed, "{} does not cite seed {seed}", incident.id);
    }
}

#[test]
fn month_and_year_precision_are_kept() {
    let dataset = dataset();
    use khorasan_atlas::model::DatePrecision;
    let month_only = dataset
        .incidents
        .iter()
        .filter(|i| i.date.precision() == DatePrecision::Month)
        .count();
    assert!(
        month_only > 0,
        "seed items known only to the month must stay so"
    );
    assert_eq!(
        find_id(&dataset, "2023-02-kabul-qari-fateh-killed")
            .date
            .precision(),
        DatePrecision::Month
    );
}

#[test]
fn reported_series_cite_a_seed() {
    let dataset = dataset();
    assert!(!dataset.reported_series.is_empty());
    for series in &dataset.reported_series {
        let source = dataset.source(&series.source).expect("known source");
        assert!(
            source.seed.is_some() || source.url.is_some(),
            "{}",
            series.id
        );
        assert!(!series.points.is_empty(), "{}", series.id);
    }
}

/// The actors the rules allow on an embedded record.
const ACTORS: &[&str] = &[
    "Islamic State Khorasan Province",
    "Islamic State Pakistan Province",
    "Islamic State Turkey Province",
    "Islamic State (no province named)",
];

#[test]
fn every_record_names_its_actor_and_other_provinces_are_told_apart() {
    use khorasan_atlas::model::Attribution;
    let dataset = dataset();
    for incident in &dataset.incidents {
        let actor = incident.perpetrator.as_deref().unwrap_or("");
        assert!(ACTORS.contains(&actor), "{}: actor '{actor}'", incident.id);
        // A claim in another province's name has that province as the actor, and the
        // reverse; an IS claim naming no province has no province as the actor.
        assert_eq!(
            incident.attribution == Attribution::ClaimedByOtherProvince,
            matches!(
                actor,
                "Islamic State Pakistan Province" | "Islamic State Turkey Province"
            ),
            "{}",
            incident.id
        );
        if incident.attribution == Attribution::ClaimedByIsCentral {
            assert_eq!(
                actor, "Islamic State (no province named)",
                "{}",
                incident.id
            );
        }
    }
    // The two IS Pakistan Province claims the review found among the older records.
    for id in [
        "2020-01-10-quetta-ghousabad-mosque",
        "2021-01-03-mach-hazara-coal-miners",
    ] {
        let incident = find_id(&dataset, id);
        assert_eq!(incident.attribution, Attribution::ClaimedByOtherProvince);
        assert!(!khorasan_atlas::model::actor::is_isk(incident), "{id}");
    }
}

#[test]
fn the_stated_coverage_ends_at_the_latest_record_and_rules_are_written() {
    let dataset = dataset();
    let metadata = &dataset.metadata;
    let dates: Vec<String> = dataset
        .incidents
        .iter()
        .map(|incident| incident.date.to_string())
        .collect();
    assert_eq!(Some(&metadata.coverage_to), dates.iter().max());
    assert_eq!(Some(&metadata.coverage_from), dates.iter().min());
    assert!(!metadata.reviewed.is_empty());
    assert!(metadata.rules.len() >= 4, "{:?}", metadata.rules);
    assert!(
        metadata
            .rules
            .iter()
            .any(|rule| rule.contains("Wilayat Khorasan")),
        "the claim rule names the province"
    );
    // 2025 is covered from the public record.
    assert!(
        dataset
            .incidents
            .iter()
            .filter(|incident| incident.date.to_string().starts_with("2025"))
            .count()
            >= 10
    );
}

#[test]
fn no_placeholder_is_left_and_no_two_records_are_one_event() {
    let dataset = dataset();
    for id in [
        "2023-09-balochistan-suicide-attack",
        "2023-11-kabul-second-shia-attack",
        "2024-05-herat-mosque-bombing",
    ] {
        assert!(
            dataset.incidents.iter().all(|incident| incident.id != id),
            "placeholder {id} is still there"
        );
    }
    let kandahar = find_id(&dataset, "2024-05-20-kandahar-police-attack");
    assert_ne!(kandahar.killed, Count::Unknown, "the stub was completed");
    // Two records of one kind on the same day within 5 km would be one event twice.
    let day = |incident: &Incident| {
        (incident.date.precision() == khorasan_atlas::model::DatePrecision::Day)
            .then(|| incident.date.to_string())
    };
    for (index, first) in dataset.incidents.iter().enumerate() {
        for second in &dataset.incidents[index + 1..] {
            let (Some(a), Some(b)) = (day(first), day(second)) else {
                continue;
            };
            let distance = khorasan_atlas::model::area::distance_km(
                (first.location.lat, first.location.lon),
                (second.location.lat, second.location.lon),
            );
            assert!(
                !(a == b && first.kind == second.kind && distance < 5.0),
                "{} and {} look like one event",
                first.id,
                second.id
            );
        }
    }
}

/// The grading rules hold on every record: claim grades only on acts, a documented milestone
/// only on kind other, and every attack with 10 or more killed says its injured (or which
/// sources were checked when none gives a figure) and cites at least two sources.
#[test]
fn claims_are_graded_on_acts_and_large_attacks_record_their_injured() {
    use khorasan_atlas::model::{Attribution, Kind};
    let dataset = dataset();
    for incident in &dataset.incidents {
        let claim = matches!(
            incident.attribution,
            Attribution::ClaimedByIsk
                | Attribution::ClaimedByIsCentral
                | Attribution::ClaimedByOtherProvince
        );
        assert!(
            !(claim && incident.kind == Kind::Other),
            "{}: a claim grade on a milestone",
            incident.id
        );
        assert_eq!(
            incident.attribution == Attribution::Documented,
            incident.kind == Kind::Other
                && incident.attribution != Attribution::AttributedByOfficials,
            "{}: milestones not announced by officials are documented, and only they",
            incident.id
        );
        if incident.kind != Kind::Attack || incident.killed.max().is_none_or(|max| max < 10) {
            continue;
        }
        let notes = || incident.discrepancies.iter().map(|d| d.note.as_str());
        match incident.injured {
            Count::Unknown => assert!(
                notes().any(|note| note.contains("injured unknown")),
                "{}: injured unknown with no note saying why",
                incident.id
            ),
            _ => assert!(
                incident.sources.len() >= 2,
                "{}: the injured rest on one source",
                incident.id
            ),
        }
    }
}

/// A centroid standing for several records in a city has a footprint that covers the city:
/// every Kabul record placed at its own site lies inside the Kabul centroid's footprint.
#[test]
fn city_centroids_have_footprints_that_cover_the_city() {
    use khorasan_atlas::model::LocationPrecision;
    use khorasan_atlas::model::area::distance_km;
    let dataset = dataset();
    let point = |incident: &Incident| (incident.location.lat, incident.location.lon);
    let at_centroid: Vec<&Incident> = dataset
        .incidents
        .iter()
        .filter(|incident| point(incident) == (34.5553, 69.2075))
        .collect();
    assert!(at_centroid.len() >= 20, "{}", at_centroid.len());
    let sites = dataset.incidents.iter().filter(|incident| {
        incident.location.admin1.as_str() == "Kabul"
            && matches!(
                incident.location.precision,
                LocationPrecision::Exact | LocationPrecision::Town
            )
    });
    let farthest = sites
        .map(|site| distance_km((34.5553, 69.2075), point(site)))
        .fold(0.0, f64::max);
    assert!(farthest > 10.0, "{farthest}");
    for incident in at_centroid {
        assert!(
            incident.location.uncertainty_km() >= farthest,
            "{}: {} km does not reach {farthest:.1} km",
            incident.id,
            incident.location.uncertainty_km()
        );
    }
    // Every point shared by three or more records at town precision is a centroid with a
    // footprint, unless it stands for a neighbourhood or a small town that 5 km covers.
    let mut shared: std::collections::BTreeMap<(u64, u64), Vec<&Incident>> = Default::default();
    for incident in &dataset.incidents {
        if incident.location.precision == LocationPrecision::Town {
            let (lat, lon) = point(incident);
            shared
                .entry((lat.to_bits(), lon.to_bits()))
                .or_default()
                .push(incident);
        }
    }
    for group in shared.values().filter(|group| group.len() >= 3) {
        let with_footprint = group
            .iter()
            .filter(|incident| incident.location.footprint_km.is_some())
            .count();
        assert!(
            with_footprint == 0 || with_footprint == group.len(),
            "{}: one centroid, footprints for some records only",
            group[0].id
        );
    }
}
