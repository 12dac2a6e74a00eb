//! Synthetic ACLED-shaped data for measuring scale (`khorasan-atlas synth`).
//!
//! Every row says it is synthetic, in its notes and its source, so a file made here can never
//! pass for real events. Rows cluster around real cities of the region with a seasonal rhythm
//! over 2017-2025, and the same seed always gives the same bytes (PCG64 is a specified
//! algorithm, reproducible across platforms and versions, unlike `StdRng`).

use std::io::Write;

use chrono::Datelike as _;
use rand::{RngExt as _, SeedableRng as _};
use rand_pcg::Pcg64 as Generator;

/// The current ACLED export header, in order.
pub const ACLED_HEADER: [&str; 31] = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
];

/// A centre events cluster around: a real city, its province and country, and a weight.
struct Centre {
    city: &'static str,
    admin1: &'static str,
    country: &'static str,
    /// ISO 3166-1 numeric, as ACLED's `iso` column.
    iso: u16,
    lat: f64,
    lon: f64,
    weight: u32,
}

const fn centre(
    city: &'static str,
    admin1: &'static str,
    country: &'static str,
    iso: u16,
    (lat, lon): (f64, f64),
    weight: u32,
) -> Centre {
    Centre {
        city,
        admin1,
        country,
        iso,
        lat,
        lon,
        weight,
    }
}

const CENTRES: &[Centre] = &[
    centre("Kabul", "Kabul", "Afghanistan", 4, (34.53, 69.17), 30),
    centre(
        "Jalalabad",
        "Nangarhar",
        "Afghanistan",
        4,
        (34.43, 70.45),
        22,
    ),
    centre("Asadabad", "Kunar", "Afghanistan", 4, (34.87, 71.15), 8),
    centre("Kunduz", "Kunduz", "Afghanistan", 4, (36.73, 68.86), 6),
    centre(
        "Mazar-e-Sharif",
        "Balkh",
        "Afghanistan",
        4,
        (36.71, 67.11),
        6,
    ),
    centre("Kandahar", "Kandahar", "Afghanistan", 4, (31.61, 65.71), 5),
    centre("Herat", "Herat", "Afghanistan", 4, (34.35, 62.20), 5),
    centre(
        "Faizabad",
        "Badakhshan",
        "Afghanistan",
        4,
        (37.12, 70.58),
        3,
    ),
    centre("Ghazni", "Ghazni", "Afghanistan", 4, (33.55, 68.42), 3),
    centre("Khost", "Khost", "Afghanistan", 4, (33.34, 69.92), 3),
    centre(
        "Peshawar",
        "Khyber Pakhtunkhwa",
        "Pakistan",
        586,
        (34.01, 71.58),
        14,
    ),
    centre(
        "Khar",
        "Khyber Pakhtunkhwa",
        "Pakistan",
        586,
        (34.72, 71.52),
        8,
    ),
    centre("Quetta", "Balochistan", "Pakistan", 586, (30.18, 66.99), 10),
    centre("Mastung", "Balochistan", "Pakistan", 586, (29.80, 66.84), 4),
    centre("Karachi", "Sindh", "Pakistan", 586, (24.86, 67.01), 5),
    centre("Lahore", "Punjab", "Pakistan", 586, (31.55, 74.35), 2),
    centre("Dushanbe", "Dushanbe", "Tajikistan", 762, (38.56, 68.77), 1),
    centre("Kerman", "Kerman", "Iran", 364, (30.28, 57.08), 1),
];

/// (event_type, sub_event_type, weight)
const EVENTS: &[(&str, &str, u32)] = &[
    ("Explosions/Remote violence", "Suicide bomb", 8),
    (
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
        22,
    ),
    ("Explosions/Remote violence", "Grenade", 4),
    ("Violence against civilians", "Attack", 24),
    (
        "Violence against civilians",
        "Abduction/forced disappearance",
        4,
    ),
    ("Battles", "Armed clash", 26),
    ("Strategic developments", "Arrests", 9),
    ("Strategic developments", "Disrupted weapons use", 3),
];

/// Relative frequency by month: fighting peaks in spring and summer.
const SEASON: [u32; 12] = [5, 5, 7, 9, 11, 11, 11, 10, 9, 9, 7, 6];

const PLACES_NEAR: &[&str] = &[
    "market",
    "mosque",
    "checkpoint",
    "school",
    "bus station",
    "police post",
    "hospital gate",
    "shrine",
    "bazaar",
    "university road",
];

fn weighted<'a, T>(rng: &mut Generator, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut pick = rng.random_range(0..total);
    for item in items {
        let w = weight(item);
        if pick < w {
            return item;
        }
        pick -= w;
    }
    &items[items.len() - 1]
}

/// A normally distributed offset (Box-Muller), in degrees.
fn jitter(rng: &mut Generator, spread: f64) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    spread * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Write `rows` synthetic ACLED rows (and the header) for `seed`; `progress` is called
/// with the rows written so far every 65,536 rows.
pub fn write_acled(
    out: impl Write,
    rows: u64,
    seed: u64,
    mut progress: impl FnMut(u64),
) -> csv::Result<()> {
    let mut rng = Generator::seed_from_u64(seed);
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(ACLED_HEADER)?;
    let mut record: Vec<String> = vec![String::new(); ACLED_HEADER.len()];
    for row in 0..rows {
        fill_row(&mut rng, row, &mut record);
        writer.write_record(&record)?;
        if row % 65_536 == 0 {
            progress(row);
        }
    }
    writer.flush()?;
    Ok(())
}

fn fill_row(rng: &mut Generator, row: u64, record: &mut [String]) {
    let centre = weighted(rng, CENTRES, |c| c.weight);
    let (event_type, sub_event_type, _) = *weighted(rng, EVENTS, |e| e.2);
    let year = rng.random_range(2017..=2025);
    let month = *weighted(rng, &(1..=12u32).collect::<Vec<_>>(), |m| {
        SEASON[*m as usize - 1]
    });
    let day = rng.random_range(1..=crate::model::date::last_day_of_month(year, month).day0() + 1);
    let time_precision = *weighted(rng, &[(1, 85), (2, 10), (3, 5)], |p: &(u8, u32)| p.1);
    let geo_precision = *weighted(rng, &[(1, 70), (2, 20), (3, 10)], |p: &(u8, u32)| p.1);
    let spread = match geo_precision.0 {
        1 => 0.08,
        2 => 0.25,
        _ => 0.6,
    };
    let lat = centre.lat + jitter(rng, spread);
    let lon = centre.lon + jitter(rng, spread);
    let in_pakistan = centre.iso == 586;
    let isk = if in_pakistan {
        "Islamic State (Pakistan)"
    } else {
        "Islamic State (Afghanistan)"
    };
    let other = if in_pakistan {
        "Tehrik-i-Taliban Pakistan (TTP)"
    } else {
        "Unidentified Armed Group (Afghanistan)"
    };
    let state_forces = if in_pakistan {
        "Military Forces of Pakistan (2018-)"
    } else {
        "Military Forces of Afghanistan (2021-)"
    };
    let roll = rng.random_range(0..10);
    let (actor1, actor2) = match event_type {
        "Battles" if roll <= 4 => (state_forces, isk),
        "Strategic developments" if roll <= 6 => (state_forces, isk),
        _ if roll <= 5 => (isk, "Civilians"),
        _ if roll <= 8 => (other, "Civilians"),
        _ => (state_forces, other),
    };
    let fatalities: u32 = match rng.random_range(0..100) {
        0..=39 => 0,
        40..=94 => rng.random_range(1..=12),
        95..=98 => rng.random_range(13..=60),
        _ => rng.random_range(61..=180),
    };
    let near = PLACES_NEAR[rng.random_range(0..PLACES_NEAR.len())];
    let date = format!("{year:04}-{month:02}-{day:02}");
    let notes = format!(
        "SYNTHETIC EVENT for performance testing, not a real incident. On {date}, a reported \
         {sub} near a {near} in {city}, {admin1}, involving {actor1} and {actor2}; {fatalities} \
         reported killed. Local outlets gave differing accounts of the number of wounded and of \
         responsibility; follow-up reports were pending at the time of coding.",
        sub = sub_event_type.to_lowercase(),
        city = centre.city,
        admin1 = centre.admin1,
    );
    let civilian_targeting = if actor2 == "Civilians" {
        "Civilian targeting"
    } else {
        ""
    };
    let values: [String; 31] = [
        format!("SYN{row}"),
        date,
        year.to_string(),
        time_precision.0.to_string(),
        "Political violence".to_owned(),
        event_type.to_owned(),
        sub_event_type.to_owned(),
        actor1.to_owned(),
        String::new(),
        "Rebel group".to_owned(),
        actor2.to_owned(),
        String::new(),
        "Civilians".to_owned(),
        "Rebel group-Civilians".to_owned(),
        civilian_targeting.to_owned(),
        centre.iso.to_string(),
        "Caucasus and Central Asia".to_owned(),
        centre.country.to_owned(),
        centre.admin1.to_owned(),
        String::new(),
        String::new(),
        centre.city.to_owned(),
        format!("{lat:.4}"),
        format!("{lon:.4}"),
        geo_precision.0.to_string(),
        format!("Synthetic Outlet {}", rng.random_range(1..=40)),
        "National".to_owned(),
        notes,
        fatalities.to_string(),
        String::new(),
        "1700000000".to_owned(),
    ];
    for (slot, value) in record.iter_mut().zip(values) {
        *slot = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::import::{Format, Progress, import_bytes};

    fn synth(rows: u64, seed: u64) -> Vec<u8> {
        let mut bytes = Vec::new();
        write_acled(&mut bytes, rows, seed, |_| {}).unwrap();
        bytes
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
        assert_eq!(synth(200, 7), synth(200, 7));
        assert_ne!(synth(200, 7), synth(200, 8));
    }

    #[test]
    fn every_synthetic_row_loads_as_acled_and_says_it_is_synthetic() {
        let bytes = synth(2_000, 1);
        let imported =
            import_bytes(&bytes, "synth.csv", Some("csv"), None, &Progress::default()).unwrap();
        assert_eq!(imported.report.format, Format::Acled);
        assert_eq!(
            imported.report.loaded, 2_000,
            "{:?}",
            imported.report.issues
        );
        assert!(
            imported
                .dataset
                .incidents
                .iter()
                .all(|i| i.summary.starts_with("SYNTHETIC EVENT"))
        );
        let years: std::collections::BTreeSet<i32> = imported
            .dataset
            .incidents
            .iter()
            .map(|i| i.date.year_value())
            .collect();
        assert_eq!(years.first(), Some(&2017));
        assert_eq!(years.last(), Some(&2025));
    }
}
