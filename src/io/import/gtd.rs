//! Global Terrorism Database (GTD) CSV exports, read by column name: real files have about
//! 135 columns, of which only `eventid`, the date and the coordinates are required.
//!
//! Mapping (see README): `iyear`/`imonth`/`iday` give the date, where a 0 month or day means
//! "unknown", so `iday` 0 is a month and `imonth` 0 a year; GTD's own `approxdate` text is
//! kept in the summary. `specificity` 1 is a town, 2 and 3 a district, 4 a province and 5 a
//! country. `attacktype1_txt` gives the method (a bombing with `suicide` 1 is a suicide
//! bombing), `targtype1_txt` the target, `gname` the actor, `nkill`/`nwound` the killed and
//! injured, `summary` the summary and `scite1`..`scite3` the sources.
//!
//! When `gname` is ISK the row is "named in data"; GTD's own flags then refine the grade:
//! `claimed` 1 (the group claimed it) makes it a claim by ISK, and `guncertain1` 1 (GTD's
//! coders are unsure of the group) makes it a suspicion. Suspicion wins when both are set,
//! since GTD itself doubts who made the claim.

use super::fields::{self, Citations, Row, Schema};
use super::{Format, RowIssue};
use crate::model::{
    Actor, ActorRole, Attribution, Incident, IncidentDate, Kind, LocationPrecision, Method, Target,
};

const REQUIRED: &[&str] = &[
    "eventid",
    "iyear",
    "imonth",
    "iday",
    "latitude",
    "longitude",
];

/// What the shared CSV loop needs to know of this schema.
pub const SCHEMA: Schema = Schema {
    format: Format::Gtd,
    required: REQUIRED,
    id_column: "eventid",
    description: "Global Terrorism Database export",
    convert,
    long_names: &[
        "attacktype1_txt",
        "country_txt",
        "guncertain1",
        "specificity",
        "targtype1_txt",
    ],
    columns: &[
        "eventid",
        "iyear",
        "imonth",
        "iday",
        "approxdate",
        "latitude",
        "longitude",
        "specificity",
        "city",
        "provstate",
        "country_txt",
        "nkill",
        "nwound",
        "attacktype1_txt",
        "targtype1_txt",
        "gname",
        "gname2",
        "gname3",
        "guncertain1",
        "claimed",
        "suicide",
        "summary",
        "scite1",
        "scite2",
        "scite3",
    ],
    date_columns: &["iyear"],
    // Whatever the precision columns say, within a year of the date columns.
    reach_days: 366,
    incident_id,
    id_columns: &["eventid"],
    known_country: fields::KnownCountry {
        code: |row| fields::known_country_code(row.get("country_txt").ok()?),
        columns: &["country_txt"],
    },
};

/// The incident id of a row: `gtd:` and its `eventid`.
fn incident_id(row: &Row<'_>) -> Result<String, RowIssue> {
    Ok(fields::prefixed_id("gtd", row.required("eventid")?))
}

fn convert(row: &Row<'_>, citations: &Citations) -> Result<Incident, RowIssue> {
    let id = incident_id(row)?;
    let date = date(row)?;
    let coordinates = fields::parse_coordinates(row, "latitude", "longitude")?;
    let location_precision = match row.get("specificity")? {
        "" | "1" => LocationPrecision::Town,
        "2" | "3" => LocationPrecision::District,
        "4" => LocationPrecision::Province,
        "5" => LocationPrecision::Country,
        other => {
            return Err(row.issue(
                "specificity",
                other,
                "expected 1 (town), 2 or 3 (district), 4 (province) or 5 (country)",
            ));
        }
    };
    let city = row.get("city")?;
    let location = fields::location(
        city,
        row.get("provstate")?,
        row.get("country_txt")?,
        coordinates,
        location_precision,
    );
    let killed = row.parse("nkill", fields::parse_count)?;
    let injured = row.parse("nwound", fields::parse_count)?;
    let attack_type = row.get("attacktype1_txt")?;
    let (kind, method) = kind_and_method(attack_type, row.get("suicide")? == "1");
    let target = target(row.get("targtype1_txt")?);

    // GTD names up to three perpetrator groups of one attack.
    let groups = [row.get("gname")?, row.get("gname2")?, row.get("gname3")?];
    let (mut attribution, perpetrator) = fields::attribution(groups, &location.country_code);
    let actors = groups
        .into_iter()
        .filter(|group| !group.is_empty())
        .map(|group| Actor::new(group, ActorRole::Perpetrator))
        .collect();
    if attribution == Attribution::NamedInData {
        if row.get("guncertain1")? == "1" {
            attribution = Attribution::Suspected;
        } else if row.get("claimed")? == "1" {
            attribution = Attribution::ClaimedByIsk;
        }
    }

    let mut summary = match row.get("summary")? {
        "" if location.place.is_empty() => attack_label(attack_type).to_owned(),
        "" => format!("{} in {}", attack_label(attack_type), location.place),
        summary => summary.to_owned(),
    };
    let approximate = row.get("approxdate")?;
    if !approximate.is_empty() {
        if !summary.ends_with(['.', '!', '?']) {
            summary.push('.');
        }
        let approximate = approximate.trim_end_matches('.');
        summary.push_str(&format!(" Approximate date in GTD: {approximate}."));
    }
    let sources =
        citations.row_sources([row.get("scite1")?, row.get("scite2")?, row.get("scite3")?]);
    Ok(Incident {
        id,
        date,
        location,
        kind,
        method,
        target,
        attribution,
        killed,
        injured,
        perpetrator: Some(perpetrator.into()),
        summary,
        sources,
        discrepancies: Vec::new(),
        actors,
    })
}

/// The attack type as the start of a summary.
fn attack_label(attack_type: &str) -> &str {
    if attack_type.is_empty() || attack_type.eq_ignore_ascii_case("unknown") {
        "Attack of unknown type"
    } else {
        attack_type
    }
}

/// `iyear`, `imonth` and `iday`, where a 0 month or day is unknown. An impossible value is
/// an issue naming the column at fault.
fn date(row: &Row<'_>) -> Result<IncidentDate, RowIssue> {
    let number = |column: &str| -> Result<u32, RowIssue> {
        row.parse(column, |text| {
            if text.is_empty() {
                return Err(
                    "empty, but required (0 means unknown for the month and day)".to_owned(),
                );
            }
            // Some re-exports write "2019.0"; a fraction is not a date part.
            let value: f64 = text.parse().map_err(|_| "not a whole number".to_owned())?;
            if !value.is_finite() || value.fract() != 0.0 || !(0.0..=9999.0).contains(&value) {
                return Err("not a whole number from 0 to 9999".to_owned());
            }
            Ok(value as u32)
        })
    };
    let year = number("iyear")?;
    let month = number("imonth")?;
    let day = number("iday")?;
    let year_value = row.get("iyear")?;
    let year_date = IncidentDate::year(year as i32)
        .map_err(|error| row.issue("iyear", year_value, error.to_string()))?;
    if month == 0 {
        return Ok(year_date);
    }
    if month > 12 {
        return Err(row.issue(
            "imonth",
            row.get("imonth")?,
            "not a month (expected 1 to 12, or 0 when unknown)",
        ));
    }
    let month_date = IncidentDate::month(year as i32, month)
        .map_err(|error| row.issue("imonth", row.get("imonth").unwrap_or(""), error.to_string()))?;
    if day == 0 {
        return Ok(month_date);
    }
    IncidentDate::day(year as i32, month, day).map_err(|_| {
        row.issue(
            "iday",
            row.get("iday").unwrap_or(""),
            format!("not a real calendar date ({year:04}-{month:02}-{day:02}); 0 means unknown"),
        )
    })
}

/// GTD's `attacktype1_txt` in our vocabulary. Every GTD row is an attack.
pub fn kind_and_method(attack_type: &str, suicide: bool) -> (Kind, Method) {
    let method = match attack_type.trim().to_ascii_lowercase().as_str() {
        "bombing/explosion" if suicide => Method::SuicideBombing,
        "bombing/explosion" => Method::Bombing,
        "armed assault" => Method::ArmedAssault,
        "assassination" => Method::Assassination,
        "hostage taking (kidnapping)" | "hostage taking (barricade incident)" => Method::Kidnapping,
        "facility/infrastructure attack" | "unarmed assault" | "hijacking" => Method::Other,
        _ => Method::Unknown,
    };
    (Kind::Attack, method)
}

/// GTD's `targtype1_txt` in our vocabulary.
pub fn target(target_type: &str) -> Target {
    match target_type.trim().to_ascii_lowercase().as_str() {
        "private citizens & property" | "business" | "tourists" => Target::Civilians,
        "religious figures/institutions" => Target::ReligiousSite,
        "military" | "police" | "government (general)" => Target::StateSecurity,
        "government (diplomatic)" => Target::Diplomatic,
        "educational institution" => Target::Education,
        "journalists & media" => Target::Media,
        "ngo" => Target::AidHealth,
        "terrorists/non-state militia" => Target::Militants,
        "utilities"
        | "telecommunication"
        | "transportation"
        | "airports & aircraft"
        | "maritime"
        | "food or water supply" => Target::Infrastructure,
        "violent political party" => Target::Political,
        _ => Target::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::import::{Imported, Progress};
    use crate::model::{Count, DatePrecision};

    const HEADER: &str = "eventid,iyear,imonth,iday,approxdate,extended,country_txt,provstate,city,latitude,longitude,specificity,suicide,attacktype1_txt,targtype1_txt,gname,guncertain1,claimed,nkill,nwound,summary,scite1,scite2,scite3";

    /// A row from (`eventid`, date parts, place, attack fields), the rest filled in.
    fn row(id: &str, year: &str, month: &str, day: &str, tail: &str) -> String {
        format!("{id},{year},{month},{day},{tail}")
    }

    const TAIL: &str = ",0,Afghanistan,Nangarhar,Jalalabad,34.4265,70.4515,1,0,Armed Assault,Police,Khorasan Chapter of the Islamic State,0,0,3.0,5.0,Fixture row.,Source A,,";

    fn load(rows: &[String]) -> Imported {
        let text = format!("{HEADER}\n{}\n", rows.join("\n"));
        SCHEMA
            .import(text.as_bytes(), "gtd.csv", b',', &Progress::default())
            .unwrap()
    }

    #[test]
    fn a_full_row_maps_every_field() {
        let imported = load(&[
            "201908170001,2019,8,17,,0,Afghanistan,Kabul,Kabul,34.5195,69.1681,1,1,Bombing/Explosion,Private Citizens & Property,Khorasan Chapter of the Islamic State,0,1,92.0,142.0,A suicide bomber attacked a wedding hall.,Pajhwok Afghan News,Tolo News,Pajhwok Afghan News".to_owned(),
        ]);
        assert_eq!(imported.report.skipped(), 0, "{:?}", imported.report.issues);
        assert_eq!(imported.report.format, Format::Gtd);
        let incident = &imported.dataset.incidents[0];
        assert_eq!(incident.id, "gtd:201908170001");
        assert_eq!(incident.date.to_string(), "2019-08-17");
        assert_eq!(incident.date.precision(), DatePrecision::Day);
        assert_eq!(incident.location.place, "Kabul");
        assert_eq!(incident.location.admin1, "Kabul");
        assert_eq!(incident.location.country, "Afghanistan");
        assert_eq!(incident.location.country_code, "AF");
        assert_eq!(incident.location.precision, LocationPrecision::Town);
        assert!((incident.location.lat - 34.5195).abs() < 1e-9);
        assert!((incident.location.lon - 69.1681).abs() < 1e-9);
        assert_eq!(
            (incident.kind, incident.method),
            (Kind::Attack, Method::SuicideBombing)
        );
        assert_eq!(incident.target, Target::Civilians);
        assert_eq!(incident.attribution, Attribution::ClaimedByIsk);
        assert_eq!(
            incident.perpetrator.as_deref(),
            Some("Khorasan Chapter of the Islamic State")
        );
        assert_eq!(incident.killed, Count::Exact(92));
        assert_eq!(incident.injured, Count::Exact(142));
        assert_eq!(
            incident.summary,
            "A suicide bomber attacked a wedding hall."
        );
        assert_eq!(
            incident.sources.len(),
            3,
            "the file and two distinct outlets"
        );
    }

    #[test]
    fn unknown_days_and_months_widen_the_date() {
        let imported = load(&[
            row("1", "2020", "3", "0", TAIL),
            row("2", "2020", "0", "0", TAIL),
            row("3", "2020", "0", "12", TAIL),
        ]);
        assert_eq!(imported.report.skipped(), 0, "{:?}", imported.report.issues);
        let dates: Vec<(String, DatePrecision)> = imported
            .dataset
            .incidents
            .iter()
            .map(|i| (i.date.to_string(), i.date.precision()))
            .collect();
        assert_eq!(
            dates,
            [
                ("2020-03".to_owned(), DatePrecision::Month),
                ("2020".to_owned(), DatePrecision::Year),
                ("2020".to_owned(), DatePrecision::Year),
            ]
        );
    }

    #[test]
    fn approximate_dates_and_missing_summaries_are_kept_in_words() {
        let imported = load(&[
            "5,2021,6,0,\"June 8-10, 2021\",0,Afghanistan,Baghlan,Pul-e-Khumri,35.94,68.71,2,0,Facility/Infrastructure Attack,Utilities,Khorasan Chapter of the Islamic State,1,1,,,,,,".to_owned(),
        ]);
        let incident = &imported.dataset.incidents[0];
        assert_eq!(
            incident.summary,
            "Facility/Infrastructure Attack in Pul-e-Khumri. Approximate date in GTD: June 8-10, 2021."
        );
        assert_eq!(incident.date.precision(), DatePrecision::Month);
        assert_eq!(incident.location.precision, LocationPrecision::District);
        assert_eq!(incident.target, Target::Infrastructure);
        assert_eq!(incident.method, Method::Other);
        assert_eq!(
            incident.attribution,
            Attribution::Suspected,
            "uncertainty wins over a claim"
        );
        assert_eq!(
            (incident.killed, incident.injured),
            (Count::Unknown, Count::Unknown)
        );
        assert_eq!(incident.sources.len(), 1, "only the file");
    }

    #[test]
    fn other_groups_are_not_isk_and_their_flags_change_nothing() {
        let imported = load(&[
            "6,2018,1,5,,0,Pakistan,Khyber Pakhtunkhwa,Peshawar,34.01,71.57,4,0,Assassination,Journalists & Media,Tehrik-i-Taliban Pakistan (TTP),1,1,1,0,Fixture row.,,,".to_owned(),
            "7,2018,1,6,,0,Pakistan,Sindh,,25.0,68.0,5,0,Unknown,Unknown,,0,0,0,0,,,,".to_owned(),
        ]);
        let incidents = &imported.dataset.incidents;
        assert_eq!(incidents[0].attribution, Attribution::NotIsk);
        assert_eq!(
            incidents[0].perpetrator.as_deref(),
            Some("Tehrik-i-Taliban Pakistan (TTP)")
        );
        assert_eq!(incidents[0].location.precision, LocationPrecision::Province);
        assert_eq!(incidents[0].location.country_code, "PK");
        assert_eq!(incidents[0].method, Method::Assassination);
        assert_eq!(incidents[0].target, Target::Media);
        assert_eq!(
            incidents[1].perpetrator.as_deref(),
            Some(fields::UNNAMED_ACTOR)
        );
        assert_eq!(incidents[1].location.precision, LocationPrecision::Country);
        assert_eq!(
            (incidents[1].kind, incidents[1].method),
            (Kind::Attack, Method::Unknown)
        );
        assert_eq!(incidents[1].target, Target::Unknown);
        assert_eq!(
            incidents[1].location.place, "Sindh",
            "the province stands in for the city"
        );
        assert_eq!(incidents[1].summary, "Attack of unknown type in Sindh");
    }

    #[test]
    fn vocabularies_map() {
        assert_eq!(
            kind_and_method("Bombing/Explosion", false).1,
            Method::Bombing
        );
        assert_eq!(
            kind_and_method("Hostage Taking (Barricade Incident)", false).1,
            Method::Kidnapping
        );
        assert_eq!(kind_and_method("Hijacking", false).1, Method::Other);
        assert_eq!(
            kind_and_method("Armed Assault", true).1,
            Method::ArmedAssault
        );
        assert_eq!(
            target("Religious Figures/Institutions"),
            Target::ReligiousSite
        );
        assert_eq!(target("Government (Diplomatic)"), Target::Diplomatic);
        assert_eq!(target("Educational Institution"), Target::Education);
        assert_eq!(target("NGO"), Target::AidHealth);
        assert_eq!(target("Terrorists/Non-State Militia"), Target::Militants);
        assert_eq!(target("Violent Political Party"), Target::Political);
        assert_eq!(target("Airports & Aircraft"), Target::Infrastructure);
        assert_eq!(target("Other"), Target::Unknown);
    }

    #[test]
    fn broken_rows_cost_only_themselves() {
        let imported = load(&[
            row("10", "2019", "8", "17", TAIL),
            row("11", "2019", "2", "30", TAIL),
            row("12", "2019", "13", "1", TAIL),
            row("13", "1850", "1", "1", TAIL),
            row("14", "2019", "1", "1", &TAIL.replace("34.4265", "200")),
            row("15", "2019", "1", "1", &TAIL.replace("3.0,5.0", "-1,5.0")),
            "16,2019,1,1,too,few".to_owned(),
            row(
                "17",
                "2019",
                "1",
                "1",
                &TAIL.replace(",1,0,Armed", ",7,0,Armed"),
            ),
            row("10", "2019", "1", "2", TAIL),
            row("18", "2019", "1", "2", TAIL),
        ]);
        assert_eq!(imported.report.loaded, 2);
        assert_eq!(imported.report.rows, 10);
        let issues: Vec<(u64, &str)> = imported
            .report
            .issues
            .iter()
            .map(|i| (i.line, i.column.as_str()))
            .collect();
        assert_eq!(
            issues,
            [
                (3, "iday"),
                (4, "imonth"),
                (5, "iyear"),
                (6, "latitude"),
                (7, "nkill"),
                (8, ""),
                (9, "specificity"),
                (10, "eventid"),
            ]
        );
        assert!(
            imported.report.issues[0]
                .why
                .contains("not a real calendar date")
        );
        assert!(imported.report.issues[4].why.contains("negative"));
        assert!(
            imported.report.issues[7].why.contains("line 2"),
            "duplicate"
        );
    }

    #[test]
    fn a_header_without_dates_is_one_clear_error() {
        let error = SCHEMA
            .import(
                b"eventid,latitude,longitude\n1,2,3\n",
                "g.csv",
                b',',
                &Progress::default(),
            )
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("iyear") && message.contains("imonth") && message.contains("iday"),
            "{message}"
        );
        assert!(message.contains("line 1"), "{message}");
    }
}
