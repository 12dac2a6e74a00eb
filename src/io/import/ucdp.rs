//! UCDP Georeferenced Event Dataset (GED) CSV exports, read by column name: only `id`, the
//! coordinates and `date_start`/`date_end` are required.
//!
//! Mapping (see README): `date_prec` 1 is the day of `date_start`; 2 to 5 (within days, a
//! week, a month, a year) become the narrowest date that honestly covers `date_start` to
//! `date_end`, a day, a month or a year. `where_prec` 1 is the exact site, 2 a town, 3 a
//! district, 4 and 5 a province, 6 and 7 the country. `low` and `high` give the killed as a
//! range (`best` alone when they are empty); the best estimate is named in the summary when
//! the range differs from it. GED does not count the injured.
//!
//! `side_a`/`side_b` give the actor: whichever side is ISK, each group of a side that lists
//! several ("IS, Jabhat Fateh al-Sham") checked (UCDP's "IS" counts as ISK only in
//! Afghanistan and Pakistan). State-based and non-state violence (`type_of_violence` 1 and 2)
//! are fighting, whichever side IS is on; one-sided violence (3) is an attack on civilians.
//! UCDP names the Taliban "Government of Afghanistan" from 15 August 2021, so that side is the
//! Taliban from then on. Without `best`, `low` and `high` (GeoJSON and shapefiles), the deaths
//! are `deaths_a + deaths_b + deaths_civilians + deaths_unknown`, whichever the row has.

use chrono::NaiveDate;

use super::fields::{self, Citations, Row, Schema};
use super::{Format, RowIssue};
use crate::model::actor;
use crate::model::{
    Actor, ActorRole, Attribution, Count, Incident, IncidentDate, Kind, LocationPrecision, Method,
    Target,
};

const REQUIRED: &[&str] = &["id", "latitude", "longitude", "date_start", "date_end"];

/// The parts UCDP counts the deaths of an event in, summed where the totals are absent.
const DEATH_PARTS: &[&str] = &["deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"];

/// What the shared CSV loop needs to know of this schema.
pub const SCHEMA: Schema = Schema {
    format: Format::Ucdp,
    required: REQUIRED,
    id_column: "id",
    description: "UCDP GED export",
    convert,
    long_names: &[
        "conflict_name",
        "source_article",
        "type_of_violence",
        "where_description",
        "deaths_civilians",
        "deaths_unknown",
    ],
    columns: &[
        "id",
        "date_start",
        "date_end",
        "date_prec",
        "latitude",
        "longitude",
        "where_prec",
        "where_description",
        "adm_1",
        "country",
        "best",
        "low",
        "high",
        "deaths_a",
        "deaths_b",
        "deaths_civilians",
        "deaths_unknown",
        "type_of_violence",
        "side_a",
        "side_b",
        "dyad_name",
        "conflict_name",
        "source_article",
    ],
    date_columns: &["date_start", "date_end"],
    // Whatever the precision columns say, within a year of the date columns.
    reach_days: 366,
    incident_id,
    id_columns: &["id"],
    known_country: fields::KnownCountry {
        code: |row| fields::known_country_code(row.get("country").ok()?),
        columns: &["country"],
    },
};

/// The incident id of a row: `ucdp:` and its `id`.
fn incident_id(row: &Row<'_>) -> Result<String, RowIssue> {
    Ok(fields::prefixed_id("ucdp", row.required("id")?))
}

fn convert(row: &Row<'_>, citations: &Citations) -> Result<Incident, RowIssue> {
    let id = incident_id(row)?;
    let start = row.parse("date_start", fields::parse_day_text)?;
    let end = row.parse("date_end", fields::parse_day_text)?;
    let covering = fields::covering_date(start, end)
        .map_err(|why| row.issue("date_end", row.get("date_end").unwrap_or(""), why))?;
    let date = match row.get("date_prec")? {
        "1" => IncidentDate::from_naive(start),
        "" | "2" | "3" | "4" | "5" => covering,
        other => {
            return Err(row.issue(
                "date_prec",
                other,
                "expected 1 (the day) to 5 (within a year)",
            ));
        }
    };
    let coordinates = fields::parse_coordinates(row, "latitude", "longitude")?;
    let location_precision = match row.get("where_prec")? {
        "1" => LocationPrecision::Exact,
        "2" => LocationPrecision::Town,
        "3" => LocationPrecision::District,
        "4" | "5" => LocationPrecision::Province,
        "6" | "7" => LocationPrecision::Country,
        other => {
            return Err(row.issue(
                "where_prec",
                other,
                "expected 1 (exact site) to 7 (country or wider)",
            ));
        }
    };
    let where_description = row.get("where_description")?;
    let location = fields::location(
        where_description,
        row.get("adm_1")?,
        row.get("country")?,
        coordinates,
        location_precision,
    );

    let low_text = row.get("low")?;
    let high_text = row.get("high")?;
    let best_text = row.get("best")?;
    let low = row.parse("low", fields::parse_count)?;
    let high = row.parse("high", fields::parse_count)?;
    let best = row.parse("best", fields::parse_count)?;
    let killed = if low == Count::Unknown && high == Count::Unknown {
        best
    } else {
        fields::count_range(low, high)
    };
    // Without `best`, `low` and `high` (UCDP's GeoJSON and shapefiles often carry only the
    // parts), the deaths are the sum of the parts the row has.
    let (killed, summed) = if killed == Count::Unknown {
        let mut total = None;
        let mut parts = Vec::new();
        for column in DEATH_PARTS {
            if let Count::Exact(value) = row.parse(column, fields::parse_count)? {
                *total.get_or_insert(0u32) += value;
                parts.push(*column);
            }
        }
        (total.map_or(Count::Unknown, Count::Exact), parts)
    } else {
        (killed, Vec::new())
    };

    let side_a = row.get("side_a")?;
    let side_b = row.get("side_b")?;
    // A side can list several groups ("IS, Jabhat Fateh al-Sham"): each is an actor.
    let (attribution, perpetrator) = fields::attribution(
        groups(side_a).into_iter().chain(groups(side_b)),
        &location.country_code,
    );
    let isk_involved = attribution == Attribution::NamedInData;
    let isk_is_b = isk_involved
        && !groups(side_a)
            .iter()
            .any(|group| actor::is_isk_name(group, &location.country_code));
    let actors = side_actors(side_a, side_b, type_of_violence_of(row)?, isk_is_b);
    let (kind, method, target) = kind_and_target(
        row.get("type_of_violence")?,
        side_a,
        side_b,
        isk_involved,
        isk_is_b,
        start,
    );

    let mut summary = String::new();
    let dyad = row.get("dyad_name")?;
    summary.push_str(match (dyad, row.get("conflict_name")?) {
        ("", "") => "UCDP event",
        ("", conflict) => conflict,
        (dyad, _) => dyad,
    });
    if !where_description.is_empty() {
        summary.push_str(": ");
        summary.push_str(where_description);
    }
    summary.push('.');
    if best != Count::Unknown && killed != best {
        summary.push_str(&format!(" UCDP best estimate {best_text} killed"));
        let range: Vec<String> = [("low", low_text), ("high", high_text)]
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name} {value}"))
            .collect();
        if !range.is_empty() {
            summary.push_str(&format!(" ({})", range.join(", ")));
        }
        summary.push('.');
    }
    if !summed.is_empty() {
        summary.push_str(&format!(
            " Deaths: the sum of {} (the row has no best, low or high).",
            summed.join(" + ")
        ));
    }
    let sources = citations.row_sources(row.get("source_article")?.split(';'));
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

/// The day UCDP starts naming the Taliban "Government of Afghanistan".
fn type_of_violence_of<'a>(row: &Row<'a>) -> Result<&'a str, RowIssue> {
    row.get("type_of_violence")
}

/// Every group of both sides with its role: in fighting (`type_of_violence` 1 and 2) the side
/// IS is on are the perpetrators and the other side the opponents; in one-sided violence side
/// A is the perpetrator and side B (civilians) the target.
fn side_actors(side_a: &str, side_b: &str, type_of_violence: &str, isk_is_b: bool) -> Vec<Actor> {
    let fighting = matches!(type_of_violence, "1" | "2");
    let (first, second) = if isk_is_b {
        (side_b, side_a)
    } else {
        (side_a, side_b)
    };
    let second_role = if fighting {
        ActorRole::Opponent
    } else {
        ActorRole::Target
    };
    let role_of = |side: &str| {
        if side == first {
            ActorRole::Perpetrator
        } else {
            second_role
        }
    };
    [first, second]
        .into_iter()
        .flat_map(|side| {
            groups(side)
                .into_iter()
                .filter(|group| !group.is_empty())
                .map(move |group| Actor::new(group, role_of(side)))
        })
        .collect()
}

/// The groups a side lists, comma-separated.
fn groups(side: &str) -> Vec<&str> {
    side.split(',').map(str::trim).collect()
}

fn taliban_government_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 8, 15).expect("valid date")
}

fn is_government(side: &str) -> bool {
    side.trim()
        .to_ascii_lowercase()
        .starts_with("government of")
}

/// Who a side is, as a target.
fn side_target(side: &str, day: NaiveDate) -> Target {
    let side = side.trim().to_ascii_lowercase();
    if side.starts_with("government of afghanistan") && day >= taliban_government_from() {
        Target::Taliban
    } else if side.starts_with("government of") {
        Target::StateSecurity
    } else if side.contains("taliban") {
        Target::Taliban
    } else if side.starts_with("civilians") {
        Target::Civilians
    } else if side.is_empty() {
        Target::Unknown
    } else {
        Target::Militants
    }
}

/// Kind, method and target from the type of violence and who is on each side.
fn kind_and_target(
    type_of_violence: &str,
    side_a: &str,
    side_b: &str,
    isk_involved: bool,
    isk_is_b: bool,
    day: NaiveDate,
) -> (Kind, Method, Target) {
    if type_of_violence == "3" {
        // One-sided violence: an armed group (or a state) against civilians.
        return (Kind::Attack, Method::Unknown, Target::Civilians);
    }
    // State-based (1) and non-state (2) violence are fighting between armed sides, whichever
    // side IS is on; the target is the side IS fought.
    let kind = if matches!(type_of_violence, "1" | "2") {
        Kind::Fighting
    } else {
        Kind::Attack
    };
    if !isk_involved {
        return (kind, Method::Unknown, Target::Unknown);
    }
    if isk_is_b && is_government(side_a) && kind != Kind::Fighting {
        return (Kind::CounterOperation, Method::Unknown, Target::Militants);
    }
    let other = if isk_is_b { side_a } else { side_b };
    (kind, Method::Unknown, side_target(other, day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::import::{Imported, Progress};
    use crate::model::DatePrecision;

    const HEADER: &str = "id,year,type_of_violence,conflict_name,dyad_name,side_a,side_b,source_article,where_prec,where_description,adm_1,adm_2,latitude,longitude,country,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,low,high";

    fn load(rows: &[&str]) -> Imported {
        let text = format!("{HEADER}\n{}\n", rows.join("\n"));
        SCHEMA
            .import(text.as_bytes(), "ged.csv", b',', &Progress::default())
            .unwrap()
    }

    /// A one-sided IS row in `country` with the given dates, precisions and place.
    fn one_sided(id: &str, country: &str, date_prec: &str, start: &str, end: &str) -> String {
        format!(
            "{id},2021,3,IS - civilians,IS - civilians,IS,Civilians,Fixture source,2,Some town,Some province,,34.5,69.2,{country},{date_prec},{start},{end},0,0,4,0,4,4,4"
        )
    }

    #[test]
    fn a_full_row_maps_every_field() {
        let imported = load(&[
            "400001,2021,3,IS - civilians,IS - civilians,IS,Civilians,\"Pajhwok Afghan News,2021-08-27; Tolo News,2021-08-27\",1,Hamid Karzai International Airport,Kabul province,Kabul district,34.5652,69.2122,Afghanistan,1,2021-08-26 00:00:00.000,2021-08-26 00:00:00.000,0,0,170,0,170,169,183",
        ]);
        assert_eq!(imported.report.skipped(), 0, "{:?}", imported.report.issues);
        assert_eq!(imported.report.format, Format::Ucdp);
        let incident = &imported.dataset.incidents[0];
        assert_eq!(incident.id, "ucdp:400001");
        assert_eq!(incident.date.to_string(), "2021-08-26");
        assert_eq!(incident.date.precision(), DatePrecision::Day);
        assert_eq!(
            incident.location.place,
            "Hamid Karzai International Airport"
        );
        assert_eq!(incident.location.admin1, "Kabul", "the basemap's name");
        assert_eq!(
            incident.location.admin1_as_written.as_deref(),
            Some("Kabul province")
        );
        assert_eq!(
            incident.actors,
            [
                Actor::new("IS", ActorRole::Perpetrator),
                Actor::new("Civilians", ActorRole::Target)
            ]
        );
        assert_eq!(incident.location.country_code, "AF");
        assert_eq!(incident.location.precision, LocationPrecision::Exact);
        assert_eq!(
            (incident.kind, incident.method),
            (Kind::Attack, Method::Unknown)
        );
        assert_eq!(incident.target, Target::Civilians);
        assert_eq!(incident.attribution, Attribution::NamedInData);
        assert_eq!(incident.perpetrator.as_deref(), Some("IS"));
        assert_eq!(incident.killed, Count::Range(169, 183));
        assert_eq!(incident.injured, Count::Unknown);
        assert_eq!(
            incident.summary,
            "IS - civilians: Hamid Karzai International Airport. UCDP best estimate 170 killed (low 169, high 183)."
        );
        assert_eq!(incident.sources.len(), 3, "the file and two articles");
    }

    #[test]
    fn date_precision_widens_to_what_covers_the_period() {
        let imported = load(&[
            &one_sided("1", "Afghanistan", "1", "2021-05-08", "2021-05-10"),
            &one_sided("2", "Afghanistan", "3", "2021-05-08", "2021-05-10"),
            &one_sided("3", "Afghanistan", "4", "2021-05-28", "2021-06-02"),
            &one_sided("4", "Afghanistan", "5", "2021-05-08", "2021-05-08"),
        ]);
        assert_eq!(imported.report.skipped(), 0, "{:?}", imported.report.issues);
        let dates: Vec<String> = imported
            .dataset
            .incidents
            .iter()
            .map(|i| i.date.to_string())
            .collect();
        assert_eq!(dates, ["2021-05-08", "2021-05", "2021", "2021-05-08"]);
        assert_eq!(
            imported.dataset.incidents[0].summary, "IS - civilians: Some town.",
            "no estimate sentence when the count is the best estimate"
        );
    }

    #[test]
    fn is_is_isk_only_in_afghanistan_and_pakistan() {
        let imported = load(&[
            &one_sided("1", "Afghanistan", "1", "2021-05-08", "2021-05-08"),
            &one_sided("2", "Pakistan", "1", "2021-05-08", "2021-05-08"),
            &one_sided("3", "Syria", "1", "2021-05-08", "2021-05-08"),
        ]);
        let grades: Vec<(Attribution, &str)> = imported
            .dataset
            .incidents
            .iter()
            .map(|i| (i.attribution, i.location.country_code.as_str()))
            .collect();
        assert_eq!(
            grades,
            [
                (Attribution::NamedInData, "AF"),
                (Attribution::NamedInData, "PK"),
                (Attribution::NotIsk, "SY"),
            ]
        );
        assert_eq!(
            imported.dataset.incidents[2].perpetrator.as_deref(),
            Some("IS")
        );
    }

    #[test]
    fn sides_decide_the_kind() {
        let imported = load(&[
            "10,2022,1,Afghanistan: Government,Government of Afghanistan - IS,Government of Afghanistan,IS,Fixture,3,Jalalabad district,Nangarhar province,,34.43,70.45,Afghanistan,1,2022-03-01,2022-03-01,2,5,0,0,7,,",
            "11,2019,2,IS - Taliban,IS - Taliban,IS,Taliban,Fixture,4,Nangarhar province,Nangarhar province,,34.3,70.5,Afghanistan,1,2019-03-01,2019-03-01,2,5,0,0,7,,",
            "12,2022,2,IS - Taliban,IS - Taliban,IS,Government of Afghanistan,Fixture,6,Afghanistan,,,33.9,67.7,Afghanistan,1,2022-03-02,2022-03-02,,,,,,,",
            "13,2020,1,Syria: Government,Government of Syria - IS,Government of Syria,IS,Fixture,7,Syria,,,35.0,38.5,Syria,1,2020-01-01,2020-01-01,,,,,3,,",
        ]);
        assert_eq!(imported.report.skipped(), 0, "{:?}", imported.report.issues);
        let incidents = &imported.dataset.incidents;
        // Fighting whichever side IS is on; the target is the side it fought (the Taliban
        // government in 2022).
        assert_eq!(
            (incidents[0].kind, incidents[0].target),
            (Kind::Fighting, Target::Taliban)
        );
        assert_eq!(
            incidents[0].actors,
            [
                Actor::new("IS", ActorRole::Perpetrator),
                Actor::new("Government of Afghanistan", ActorRole::Opponent)
            ]
        );
        assert_eq!(incidents[0].location.precision, LocationPrecision::District);
        assert_eq!(
            incidents[0].killed,
            Count::Exact(7),
            "best alone without low and high"
        );
        assert_eq!(
            (incidents[1].kind, incidents[1].target),
            (Kind::Fighting, Target::Taliban)
        );
        assert_eq!(incidents[1].location.precision, LocationPrecision::Province);
        assert_eq!(
            incidents[2].target,
            Target::Taliban,
            "the Taliban government after 2021"
        );
        assert_eq!(incidents[2].location.precision, LocationPrecision::Country);
        assert_eq!(incidents[2].killed, Count::Unknown);
        assert_eq!(incidents[3].attribution, Attribution::NotIsk);
        assert_eq!(
            (incidents[3].kind, incidents[3].target),
            (Kind::Fighting, Target::Unknown)
        );
        assert_eq!(
            incidents[3].perpetrator.as_deref(),
            Some("Government of Syria")
        );
    }

    #[test]
    fn broken_rows_cost_only_themselves() {
        let imported = load(&[
            &one_sided("1", "Afghanistan", "1", "2021-05-08", "2021-05-08"),
            &one_sided("2", "Afghanistan", "2", "2021-05-08", "2021-05-01"),
            &one_sided("3", "Afghanistan", "5", "2020-12-30", "2021-01-02"),
            &one_sided("4", "Afghanistan", "1", "2021-02-30", "2021-02-30"),
            &one_sided("5", "Afghanistan", "7", "2021-05-08", "2021-05-08"),
            &one_sided("6", "Afghanistan", "1", "2021-05-08", "2021-05-08")
                .replace(",34.5,", ",200,"),
            &one_sided("7", "Afghanistan", "1", "2021-05-08", "2021-05-08")
                .replace(",2,Some town", ",9,Some town"),
            &one_sided("8", "Afghanistan", "1", "2021-05-08", "2021-05-08")
                .replace(",4,4,4", ",4,-4,4"),
            "9,2021,3,too,few",
            &one_sided("10", "Afghanistan", "1", "2021-05-08", "2021-05-08"),
        ]);
        assert_eq!(imported.report.loaded, 2);
        let issues: Vec<(u64, &str)> = imported
            .report
            .issues
            .iter()
            .map(|i| (i.line, i.column.as_str()))
            .collect();
        assert_eq!(
            issues,
            [
                (3, "date_end"),
                (4, "date_end"),
                (5, "date_start"),
                (6, "date_prec"),
                (7, "latitude"),
                (8, "where_prec"),
                (9, "low"),
                (10, ""),
            ]
        );
        assert!(imported.report.issues[0].why.contains("before the start"));
        assert!(
            imported.report.issues[1]
                .why
                .contains("more than a calendar year")
        );
    }

    #[test]
    fn a_header_without_dates_is_one_clear_error() {
        let error = SCHEMA
            .import(
                b"id,latitude,longitude,best\n1,2,3,4\n",
                "u.csv",
                b',',
                &Progress::default(),
            )
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("date_start, date_end"), "{message}");
        assert!(message.contains("line 1"), "{message}");
    }
}
