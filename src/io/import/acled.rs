//! ACLED CSV exports: the current 31-column layout and older ones (numeric `inter1`, fewer
//! columns), read by column name.
//!
//! Mapping (see README): `time_precision` 1 is a day; 2 (within a week) and 3 (within a
//! month) widen to the month, since one date cannot carry a week. `geo_precision` 1, 2 and 3
//! are town, district and province. `event_type`/`sub_event_type` give the kind and method,
//! `actor1`/`assoc_actor_1` the actor, `fatalities` the killed, `notes` the summary and
//! `source` (separated by ";") the sources. When ISK appears only as the second actor, the
//! row is an operation against ISK (a counter-operation or an arrest).

use super::fields::{self, Citations, Row, Schema};
use super::{Format, RowIssue};
use crate::model::{
    Actor, ActorRole, Attribution, Count, Incident, IncidentDate, Kind, LocationPrecision, Method,
    Target,
};

const REQUIRED: &[&str] = &["event_date", "latitude", "longitude"];

/// What the shared CSV loop needs to know of this schema.
pub const SCHEMA: Schema = Schema {
    format: Format::Acled,
    required: REQUIRED,
    id_column: "event_id_cnty",
    description: "ACLED export",
    convert,
    long_names: &[
        "assoc_actor_1",
        "assoc_actor_2",
        "civilian_targeting",
        "event_id_cnty",
        "event_id_no_cnty",
        "geo_precision",
        "sub_event_type",
        "time_precision",
    ],
    columns: &[
        "event_id_cnty",
        "data_id",
        "event_id_no_cnty",
        "event_date",
        "time_precision",
        "latitude",
        "longitude",
        "geo_precision",
        "country",
        "iso",
        "location",
        "admin1",
        "fatalities",
        "event_type",
        "sub_event_type",
        "actor1",
        "assoc_actor_1",
        "actor2",
        "assoc_actor_2",
        "civilian_targeting",
        "notes",
        "source",
    ],
    date_columns: &["event_date"],
    // Week and month precision widen the day to its month.
    reach_days: 31,
    incident_id,
    id_columns: &["event_id_cnty", "data_id", "event_id_no_cnty"],
    known_country: fields::KnownCountry {
        code: known_country,
        columns: &["country", "iso"],
    },
};

/// The country `convert` takes from the country name, or from the ISO number where the name
/// is empty (see [`fields::KnownCountry`]).
fn known_country(row: &Row<'_>) -> Option<&'static str> {
    match row.get("country").ok()? {
        "" => fields::known_country_code(row.get("iso").ok()?),
        name => fields::known_country_code(name),
    }
}

/// The incident id of a row: `acled:` and the first of its id columns that is filled.
fn incident_id(row: &Row<'_>) -> Result<String, RowIssue> {
    // The next column is read only where the one before is empty: most rows have the first.
    for column in ["event_id_cnty", "data_id", "event_id_no_cnty"] {
        let native_id = row.get(column)?;
        if !native_id.is_empty() {
            return Ok(fields::prefixed_id("acled", native_id));
        }
    }
    Ok(format!("acled:line-{}", row.line))
}

fn convert(row: &Row<'_>, citations: &Citations) -> Result<Incident, RowIssue> {
    let id = incident_id(row)?;
    let day = row.parse("event_date", fields::parse_day_text)?;
    let precision = row.get("time_precision")?;
    let date = match precision {
        "" | "1" => IncidentDate::from_naive(day),
        "2" | "3" => {
            IncidentDate::month(chrono::Datelike::year(&day), chrono::Datelike::month(&day))
                .map_err(|error| row.issue("event_date", &day.to_string(), error.to_string()))?
        }
        other => {
            return Err(row.issue(
                "time_precision",
                other,
                "expected 1 (day), 2 (week) or 3 (month)",
            ));
        }
    };
    let coordinates = fields::parse_coordinates(row, "latitude", "longitude")?;
    let location_precision = match row.get("geo_precision")? {
        "" | "1" => LocationPrecision::Town,
        "2" => LocationPrecision::District,
        "3" => LocationPrecision::Province,
        other => {
            return Err(row.issue(
                "geo_precision",
                other,
                "expected 1 (town), 2 (district) or 3 (province)",
            ));
        }
    };
    let country_text = match row.get("country")? {
        "" => row.get("iso")?,
        name => name,
    };
    let mut location = fields::location(
        row.get("location")?,
        row.get("admin1")?,
        country_text,
        coordinates,
        location_precision,
    );
    if location.country_code.is_empty()
        && let Some(country) = super::countries::find(row.get("iso")?)
    {
        location.country_code = country.alpha2.as_str().into();
    }
    let killed = row.parse("fatalities", fields::parse_count)?;
    let event_type = row.get("event_type")?;
    let sub_event_type = row.get("sub_event_type")?;
    let (mut kind, method) = kind_and_method(event_type, sub_event_type);

    let side_one = actors(row, "actor1", "assoc_actor_1")?;
    let side_two = actors(row, "actor2", "assoc_actor_2")?;
    let (mut attribution, mut perpetrator) =
        fields::attribution(side_one.iter().copied(), &location.country_code);
    let mut target = target(row.get("civilian_targeting")?, row.get("actor2")?);
    if attribution != Attribution::NamedInData {
        let (against, isk_name) =
            fields::attribution(side_two.iter().copied(), &location.country_code);
        if against == Attribution::NamedInData {
            // The row is about ISK as the one acted against: an operation against the group.
            attribution = Attribution::NamedInData;
            perpetrator = isk_name;
            target = Target::Militants;
            // A battle stays fighting: both sides fight, whoever ACLED lists first.
            kind = if sub_event_type.eq_ignore_ascii_case("Arrests") {
                Kind::Arrest
            } else if kind == Kind::Fighting {
                Kind::Fighting
            } else {
                Kind::CounterOperation
            };
        }
    }
    let actors = acled_actors(&side_one, &side_two, kind == Kind::Fighting);
    let summary = match row.get("notes")? {
        "" => format!("{event_type}: {sub_event_type}"),
        notes => notes.to_owned(),
    };
    let sources = citations.row_sources(row.get("source")?.split(';'));
    Ok(Incident {
        id,
        date,
        location,
        kind,
        method,
        target,
        attribution,
        killed,
        injured: Count::Unknown,
        perpetrator: Some(perpetrator.into()),
        summary,
        sources,
        discrepancies: Vec::new(),
        actors,
    })
}

/// Both sides with their roles: `actor1` the perpetrator and its associated actors alongside;
/// `actor2` and its associates the opponents in a battle, the targets otherwise.
fn acled_actors(side_one: &[&str], side_two: &[&str], battle: bool) -> Vec<Actor> {
    let other = if battle {
        ActorRole::Opponent
    } else {
        ActorRole::Target
    };
    let one = side_one.iter().enumerate().map(|(index, name)| {
        let role = if index == 0 {
            ActorRole::Perpetrator
        } else {
            ActorRole::Associated
        };
        Actor::new(name, role)
    });
    let two = side_two.iter().map(|name| Actor::new(name, other));
    one.chain(two).collect()
}

/// An actor and its associated actors (";"-separated in ACLED).
fn actors<'a>(row: &Row<'a>, main: &str, associated: &str) -> Result<Vec<&'a str>, RowIssue> {
    // One list, not one list filtered into another.
    Ok(std::iter::once(row.get(main)?)
        .chain(row.get(associated)?.split(';').map(str::trim))
        .filter(|name| !name.is_empty())
        .collect())
}

/// ACLED's event types and sub-event types in our vocabulary.
pub fn kind_and_method(event_type: &str, sub_event_type: &str) -> (Kind, Method) {
    // Compared without case and without lower-case copies: every row is read so.
    let is = |text: &str, name: &str| text.eq_ignore_ascii_case(name);
    let (mut event, mut sub) = (event_type.trim(), sub_event_type.trim());
    // Exports before 2019 wrote "Remote violence" and "Battle-No change of territory".
    if is(event, "remote violence") {
        event = "explosions/remote violence";
    } else if let Some(kind) = event
        .get(..7)
        .filter(|prefix| is(prefix, "battle-"))
        .and(event.get(7..))
    {
        sub = if is(kind, "government regains territory") {
            kind
        } else {
            "armed clash"
        };
        event = "battles";
    }
    if is(event, "explosions/remote violence") {
        let method = if is(sub, "suicide bomb") {
            Method::SuicideBombing
        } else if is(sub, "remote explosive/landmine/ied") || is(sub, "grenade") {
            Method::Bombing
        } else if is(sub, "shelling/artillery/missile attack") {
            Method::Rocket
        } else if is(sub, "air/drone strike") {
            Method::Airstrike
        } else {
            Method::Other
        };
        (Kind::Attack, method)
    } else if is(event, "violence against civilians") {
        let method = if is(sub, "abduction/forced disappearance") {
            Method::Kidnapping
        } else if is(sub, "attack") {
            Method::ArmedAssault
        } else {
            Method::Other
        };
        (Kind::Attack, method)
    } else if is(event, "battles") {
        let method = if is(sub, "armed clash") {
            Method::ArmedAssault
        } else {
            Method::Other
        };
        (Kind::Fighting, method)
    } else if is(event, "strategic developments") && is(sub, "arrests") {
        (Kind::Arrest, Method::Raid)
    } else if is(event, "strategic developments") && is(sub, "disrupted weapons use") {
        (Kind::FoiledPlot, Method::Plot)
    } else {
        (Kind::Other, Method::Unknown)
    }
}

/// Civilian targeting, or who the second actor is.
fn target(civilian_targeting: &str, actor2: &str) -> Target {
    let actor = actor2.to_ascii_lowercase();
    if !civilian_targeting.is_empty() || actor.starts_with("civilians") {
        Target::Civilians
    } else if actor.contains("taliban") || actor.contains("afghanistan (2021-)") {
        Target::Taliban
    } else if actor.starts_with("military forces") || actor.starts_with("police forces") {
        Target::StateSecurity
    } else if actor.contains("islamic state") || actor.contains("militia") {
        Target::Militants
    } else {
        Target::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::import::{Imported, Progress};
    use crate::model::DatePrecision;

    const HEADER: &str = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp";

    fn load(rows: &[&str]) -> Imported {
        let text = format!("{HEADER}\n{}\n", rows.join("\n"));
        SCHEMA
            .import(text.as_bytes(), "acled.csv", b',', &Progress::default())
            .unwrap()
    }

    #[test]
    fn a_current_row_maps_every_field() {
        let imported = load(&[
            "AFG1,2022-04-21,2022,2,Political violence,Explosions/Remote violence,Suicide bomb,Islamic State (Afghanistan),,Rebel group,Civilians (Afghanistan),Shia Muslim Group (Afghanistan),Civilians,Rebel group-Civilians,Civilian targeting,4,Caucasus and Central Asia,Afghanistan,Balkh,Mazar-e-Sharif,,Mazar-e-Sharif,36.7090,67.1109,1,Pajhwok Afghan News; Tolo News,National,A bomb exploded in a mosque.,31,,1651000000",
        ]);
        assert_eq!(imported.report.skipped(), 0, "{:?}", imported.report.issues);
        let incident = &imported.dataset.incidents[0];
        assert_eq!(incident.id, "acled:AFG1");
        assert_eq!(incident.date.to_string(), "2022-04");
        assert_eq!(incident.date.precision(), DatePrecision::Month);
        assert_eq!(incident.location.country_code, "AF");
        assert_eq!(incident.location.precision, LocationPrecision::Town);
        assert_eq!(
            (incident.kind, incident.method),
            (Kind::Attack, Method::SuicideBombing)
        );
        assert_eq!(incident.target, Target::Civilians);
        assert_eq!(incident.attribution, Attribution::NamedInData);
        assert_eq!(
            incident.perpetrator.as_deref(),
            Some("Islamic State (Afghanistan)")
        );
        assert_eq!(incident.killed, Count::Exact(31));
        assert_eq!(incident.sources.len(), 3, "the file and two outlets");
    }

    #[test]
    fn isk_as_second_actor_of_a_battle_is_fighting_with_both_actors_kept() {
        let imported = load(&[
            "AFG2,16 May 2025,2025,1,Political violence,Battles,Armed clash,Military Forces of Afghanistan (2021-),,State forces,Islamic State (Afghanistan),,Rebel group,,,4,,Afghanistan,Nangarhar,,,Jalalabad,34.43,70.45,3,Bakhtar,National,Clash.,4,,",
        ]);
        let incident = &imported.dataset.incidents[0];
        assert_eq!(incident.kind, Kind::Fighting);
        assert_eq!(incident.attribution, Attribution::NamedInData);
        assert_eq!(
            incident.actors,
            [
                Actor::new(
                    "Military Forces of Afghanistan (2021-)",
                    ActorRole::Perpetrator
                ),
                Actor::new("Islamic State (Afghanistan)", ActorRole::Opponent),
            ]
        );
        assert_eq!(incident.location.precision, LocationPrecision::Province);
        assert_eq!(incident.date.to_string(), "2025-05-16");
    }

    #[test]
    fn older_exports_with_fewer_columns_load() {
        let text = "data_id,iso,event_id_cnty,event_date,year,time_precision,event_type,actor1,inter1,country,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities\n\
            1,586,PAK9,26-08-2018,2018,1,Violence against civilians,Islamic State (Pakistan),2,Pakistan,Balochistan,Mastung,29.80,66.84,1,Dawn,A rally was attacked.,128\n";
        let imported = SCHEMA
            .import(text.as_bytes(), "old.csv", b',', &Progress::default())
            .unwrap();
        assert_eq!(imported.report.skipped(), 0, "{:?}", imported.report.issues);
        let incident = &imported.dataset.incidents[0];
        assert_eq!(incident.location.country_code, "PK");
        assert_eq!(incident.date.to_string(), "2018-08-26");
    }

    #[test]
    fn broken_rows_cost_only_themselves() {
        let good = "AFG3,2022-01-01,2022,1,,Battles,Armed clash,Taliban,,,,,,,,4,,Afghanistan,Kabul,,,Kabul,34.5,69.2,1,,,x,0,,";
        let imported = load(&[
            good,
            "AFG4,2022-02-30,2022,1,,Battles,Armed clash,Taliban,,,,,,,,4,,Afghanistan,Kabul,,,Kabul,34.5,69.2,1,,,x,0,,",
            "AFG5,2022-01-01,2022,1,,Battles,Armed clash,Taliban,,,,,,,,4,,Afghanistan,Kabul,,,Kabul,200,69.2,1,,,x,0,,",
            "AFG6,2022-01-01,2022,1,,Battles,Armed clash,Taliban,,,,,,,,4,,Afghanistan,Kabul,,,Kabul,34.5,69.2,1,,,x,-4,,",
            "AFG7,2022-01-01,too,few",
        ]);
        assert_eq!(imported.report.loaded, 1);
        let issues = &imported.report.issues;
        assert_eq!(issues.len(), 4);
        assert_eq!(
            (issues[0].line, issues[0].column.as_str()),
            (3, "event_date")
        );
        assert_eq!((issues[1].line, issues[1].column.as_str()), (4, "latitude"));
        assert_eq!(
            (issues[2].line, issues[2].column.as_str()),
            (5, "fatalities")
        );
        assert!(issues[2].why.contains("negative"));
        assert_eq!(issues[3].line, 6);
        assert_eq!(
            imported.dataset.incidents[0].attribution,
            Attribution::NotIsk
        );
    }

    #[test]
    fn event_types_are_read_whatever_their_case_and_spaces() {
        for (event, sub, expected) in [
            (
                "EXPLOSIONS/REMOTE VIOLENCE",
                "Suicide Bomb",
                (Kind::Attack, Method::SuicideBombing),
            ),
            (
                " Explosions/Remote violence ",
                "Grenade ",
                (Kind::Attack, Method::Bombing),
            ),
            (
                "Violence against civilians",
                "Abduction/forced disappearance",
                (Kind::Attack, Method::Kidnapping),
            ),
            (
                "battles",
                "ARMED CLASH",
                (Kind::Fighting, Method::ArmedAssault),
            ),
            (
                "Battles",
                "Non-state actor overtakes territory",
                (Kind::Fighting, Method::Other),
            ),
            (
                "Strategic developments",
                "Arrests",
                (Kind::Arrest, Method::Raid),
            ),
            (
                "Strategic developments",
                "Looting/property destruction",
                (Kind::Other, Method::Unknown),
            ),
            // Not "battle-" spelled otherwise: a prefix of other letters is no battle.
            ("Battlé-x", "", (Kind::Other, Method::Unknown)),
        ] {
            assert_eq!(kind_and_method(event, sub), expected, "{event} / {sub}");
        }
    }

    #[test]
    fn older_event_types_are_understood() {
        assert_eq!(
            kind_and_method("Battle-Government regains territory", ""),
            (Kind::Fighting, Method::Other)
        );
        assert_eq!(
            kind_and_method("Battle-No change of territory", ""),
            (Kind::Fighting, Method::ArmedAssault)
        );
        assert_eq!(kind_and_method("Remote violence", "").0, Kind::Attack);
        assert_eq!(
            kind_and_method("Riots/Protests", ""),
            (Kind::Other, Method::Unknown)
        );
    }

    #[test]
    fn a_header_without_dates_is_one_clear_error() {
        let error = SCHEMA
            .import(
                b"event_id_cnty,latitude\nA,1\n",
                "x.csv",
                b',',
                &Progress::default(),
            )
            .unwrap_err();
        assert!(error.to_string().contains("event_date"), "{error}");
    }
}
