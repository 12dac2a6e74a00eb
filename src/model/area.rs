//! Parts of the map an analyst asks about: within N km of a point, a box of longitudes and
//! latitudes, a polygon (drawn, or from a GeoJSON file).
//!
//! The rule, the same for every incident and every view (README, "Area"): an incident is in an
//! area when its **footprint meets the area**. The footprint is the circle the map draws for
//! the incident: its point widened by its place's uncertainty
//! ([`super::Location::uncertainty_km`]: 0 km for an exact point, 5 for a town, 20 for a
//! district, 70 for a province, 250 for a country, or a city centroid's own footprint). So an
//! incident known only to its province counts for an area that circle meets, and one placed
//! exactly counts only when its point is inside.
//!
//! Distances around a point are great-circle distances (Earth radius 6,371 km). A box or a
//! polygon is drawn in longitude and latitude; a footprint meets one when its point is inside
//! or the nearest edge is within its radius, measured flat at the point's latitude (within a
//! fraction of a percent at the few hundred km of the widest footprint).

use serde::{Deserialize, Serialize};

/// Kilometres in one degree of latitude (and of longitude at the equator).
const KM_PER_DEGREE: f64 = std::f64::consts::PI * EARTH_RADIUS_KM / 180.0;
const EARTH_RADIUS_KM: f64 = 6371.0;
/// The widest area asked for: half the Earth's circumference would be every incident.
pub const MAX_RADIUS_KM: f64 = 5000.0;

/// One area; several areas in a filter mean "inside any of them".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Area {
    /// Within `km` of a point: "within 50 km of Jalalabad".
    Within {
        lat: f64,
        lon: f64,
        km: f64,
        /// What the point is ("Jalalabad"), for the caption; the coordinates otherwise.
        #[serde(default)]
        label: Option<String>,
    },
    /// A box of longitudes and latitudes (west < east: no box across the antimeridian).
    Box {
        west: f64,
        south: f64,
        east: f64,
        north: f64,
    },
    /// A polygon of (longitude, latitude) corners, closed from the last to the first.
    Polygon {
        points: Vec<(f64, f64)>,
        #[serde(default)]
        label: Option<String>,
    },
}

impl Area {
    /// Whether an incident at (`lat`, `lon`) with a footprint of `reach_km` meets the area.
    pub fn meets(&self, lat: f64, lon: f64, reach_km: f64) -> bool {
        match self {
            Self::Within {
                lat: centre_lat,
                lon: centre_lon,
                km,
                ..
            } => distance_km((lat, lon), (*centre_lat, *centre_lon)) <= km + reach_km,
            Self::Box {
                west,
                south,
                east,
                north,
            } => {
                // The nearest point of the box, then the flat distance to it.
                let (near_lon, near_lat) = (lon.clamp(*west, *east), lat.clamp(*south, *north));
                let (dx, dy) = flat_km(lat, near_lon - lon, near_lat - lat);
                dx * dx + dy * dy <= reach_km * reach_km
            }
            Self::Polygon { points, .. } => {
                contains(points, lon, lat)
                    || (reach_km > 0.0 && edge_distance_km(points, lon, lat) <= reach_km)
            }
        }
    }

    /// (south, north, west, east) in degrees, widened by `reach_km`, outside which nothing
    /// with a footprint of at most `reach_km` meets the area: the scan's first, cheap test.
    pub fn bounds(&self, reach_km: f64) -> [f64; 4] {
        let (south, north, west, east) = match self {
            Self::Within { lat, lon, km, .. } => {
                let angle = (km + reach_km) / EARTH_RADIUS_KM;
                let dlat = angle.to_degrees();
                // The widest longitude a circle reaches, unless it takes in a pole.
                let dlon = (angle.sin() / lat.to_radians().cos())
                    .min(1.0)
                    .asin()
                    .to_degrees();
                let polar = lat.abs() + dlat >= 90.0 || dlon >= 90.0;
                let (west, east) = if polar {
                    (-180.0, 180.0)
                } else {
                    (lon - dlon, lon + dlon)
                };
                return widened([lat - dlat, lat + dlat, west, east]);
            }
            Self::Box {
                west,
                south,
                east,
                north,
            } => (*south, *north, *west, *east),
            Self::Polygon { points, .. } => points.iter().fold(
                (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
                |(s, n, w, e), &(lon, lat)| (s.min(lat), n.max(lat), w.min(lon), e.max(lon)),
            ),
        };
        let dlat = reach_km / KM_PER_DEGREE;
        let far = (south - dlat).abs().max((north + dlat).abs());
        let (west, east) = if far >= 89.0 {
            (-180.0, 180.0)
        } else {
            let dlon = reach_km / (KM_PER_DEGREE * far.to_radians().cos());
            (west - dlon, east + dlon)
        };
        widened([south - dlat, north + dlat, west, east])
    }

    /// The area in words, for the caption: "within 50 km of Jalalabad".
    pub fn words(&self) -> String {
        match self {
            Self::Within {
                lat,
                lon,
                km,
                label,
            } => {
                let place = label.clone().unwrap_or_else(|| {
                    format!("{}, {}", latitude_words(*lat), longitude_words(*lon))
                });
                format!("within {} km of {place}", trimmed(*km))
            }
            Self::Box {
                west,
                south,
                east,
                north,
            } => format!(
                "in the box {}\u{2013}{} {}, {}\u{2013}{} {}",
                trimmed(south.abs()),
                trimmed(north.abs()),
                if *south < 0.0 { "S" } else { "N" },
                trimmed(west.abs()),
                trimmed(east.abs()),
                if *west < 0.0 { "W" } else { "E" },
            ),
            Self::Polygon { points, label } => match label {
                Some(label) => format!("in {label}"),
                None => format!("in a drawn area of {} corners", points.len()),
            },
        }
    }

    /// Why the area cannot be used, if it cannot.
    pub fn problem(&self) -> Option<String> {
        let bad_lat = |lat: f64| !(-90.0..=90.0).contains(&lat);
        let bad_lon = |lon: f64| !(-180.0..=180.0).contains(&lon);
        match self {
            Self::Within { lat, lon, km, .. } => {
                if bad_lat(*lat) || bad_lon(*lon) {
                    Some(format!(
                        "the point {lat}, {lon} is not on the Earth (latitude -90 to 90, longitude -180 to 180)"
                    ))
                } else if !(*km > 0.0 && *km <= MAX_RADIUS_KM) {
                    Some(format!(
                        "a radius of {km} km: it must be over 0 and at most {MAX_RADIUS_KM} km"
                    ))
                } else {
                    None
                }
            }
            Self::Box {
                west,
                south,
                east,
                north,
            } => {
                if bad_lat(*south) || bad_lat(*north) || bad_lon(*west) || bad_lon(*east) {
                    Some(
                        "a corner is not on the Earth (latitude -90 to 90, longitude -180 to 180)"
                            .to_owned(),
                    )
                } else if !(south < north && west < east) {
                    Some("west must be less than east and south less than north (no box across the antimeridian)".to_owned())
                } else {
                    None
                }
            }
            Self::Polygon { points, .. } => {
                if points.len() < 3 {
                    Some(format!(
                        "a polygon needs 3 corners or more, this one has {}",
                        points.len()
                    ))
                } else if points
                    .iter()
                    .any(|&(lon, lat)| bad_lat(lat) || bad_lon(lon))
                {
                    Some(
                        "a corner is not on the Earth (latitude -90 to 90, longitude -180 to 180)"
                            .to_owned(),
                    )
                } else {
                    None
                }
            }
        }
    }
}

/// A point as a unit vector (x, y, z) on the sphere, for [`Prepared`].
pub fn unit_vector(lat: f64, lon: f64) -> [f64; 3] {
    let (lat, lon) = (lat.to_radians(), lon.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// An area made ready to test a million incidents: the same answers as [`Area::meets`], with
/// its bounds tested first and, for a circle, the distance compared without trigonometry.
///
/// Haversine's `h` is exactly `(1 - p.c) / 2` for the unit vectors `p` and `c` of the two
/// points, and a distance `d` is within `D` exactly when `h <= sin^2(D / 2R)`. The dot product
/// decides every row clearly inside or outside; a row within rounding of the edge gets
/// [`Area::meets`] itself, so the scan and the per-incident filter never disagree.
pub struct Prepared<'a> {
    pub area: &'a Area,
    /// See [`Area::bounds`], for the widest footprint.
    bounds: [f64; 4],
    /// A circle's centre as a unit vector, and `sin^2((km + reach) / 2R)` for each of the
    /// footprints `reaches` lists.
    circle: Option<([f64; 3], Vec<f64>)>,
}

impl<'a> Prepared<'a> {
    /// `reaches`: the footprint radii the rows have (a row gives its index); `max_reach` the
    /// widest of any row.
    pub fn new(area: &'a Area, max_reach_km: f64, reaches: &[f64]) -> Self {
        let circle = match area {
            Area::Within { lat, lon, km, .. } => Some((
                unit_vector(*lat, *lon),
                reaches
                    .iter()
                    .map(|reach| half_chord_limit(km + reach))
                    .collect(),
            )),
            _ => None,
        };
        Self {
            area,
            bounds: area.bounds(max_reach_km),
            circle,
        }
    }

    /// Whether [`Prepared::meets_row`] reads the rows' unit vectors.
    pub fn is_circle(&self) -> bool {
        self.circle.is_some()
    }

    /// [`Area::meets`] for row `i` of `rows`.
    pub fn meets_row(&self, rows: &AreaRows<'_>, i: usize) -> bool {
        let exact = || self.area.meets(rows.lat[i], rows.lon[i], rows.reach_km[i]);
        let Some((centre, limits)) = &self.circle else {
            // Boxes and polygons: the bounds in single precision first (a row is 8 bytes
            // there, against 24 for the exact columns), widened for its rounding.
            let [lat, lon] = rows.coarse[i].map(f64::from);
            let [south, north, west, east] = self.bounds;
            const ROUNDING: f64 = 1e-3;
            let near = (south - ROUNDING..=north + ROUNDING).contains(&lat)
                && (west - ROUNDING..=east + ROUNDING).contains(&lon);
            return near && exact();
        };
        let unit = rows.unit[i];
        let limit = match limits.get(usize::from(rows.reach_index[i])) {
            Some(&limit) => limit,
            None => {
                let Area::Within { km, .. } = self.area else {
                    return exact();
                };
                half_chord_limit(km + rows.reach_km[i])
            }
        };
        let dot = unit[0] * centre[0] + unit[1] * centre[1] + unit[2] * centre[2];
        let h = (1.0 - dot) * 0.5;
        // Far beyond rounding either way (the dot product is within 1e-15 of the truth).
        const SLACK: f64 = 1e-12;
        if h < limit * (1.0 - 1e-9) - SLACK {
            true
        } else if h > limit * (1.0 + 1e-9) + SLACK {
            false
        } else {
            exact()
        }
    }
}

/// The columns [`Prepared::meets_row`] reads, one entry per row.
pub struct AreaRows<'a> {
    /// Unit vectors ([`unit_vector`]).
    pub unit: &'a [[f64; 3]],
    /// (lat, lon) in single precision, for the bounds of boxes and polygons.
    pub coarse: &'a [[f32; 2]],
    /// Index of the row's footprint among the `reaches` given to [`Prepared::new`];
    /// `u8::MAX` past them.
    pub reach_index: &'a [u8],
    /// Exactly, for the rows the quick tests leave undecided.
    pub lat: &'a [f64],
    pub lon: &'a [f64],
    pub reach_km: &'a [f64],
}

/// `sin^2(D / 2R)`: haversine's `h` at a distance of `km`.
fn half_chord_limit(km: f64) -> f64 {
    (km / (2.0 * EARTH_RADIUS_KM))
        .min(std::f64::consts::FRAC_PI_2)
        .sin()
        .powi(2)
}

/// A whisker more, so that rounding never leaves out what the exact test keeps.
fn widened([south, north, west, east]: [f64; 4]) -> [f64; 4] {
    const MARGIN: f64 = 1e-6;
    [south - MARGIN, north + MARGIN, west - MARGIN, east + MARGIN]
}

/// Degrees of longitude and latitude as kilometres east and north, flat at `lat`.
fn flat_km(lat: f64, dlon: f64, dlat: f64) -> (f64, f64) {
    (
        dlon * KM_PER_DEGREE * lat.to_radians().cos(),
        dlat * KM_PER_DEGREE,
    )
}

/// Even-odd test: whether (`lon`, `lat`) is inside the polygon.
fn contains(points: &[(f64, f64)], lon: f64, lat: f64) -> bool {
    let mut inside = false;
    let mut previous = points[points.len() - 1];
    for &point in points {
        let ((x1, y1), (x2, y2)) = (previous, point);
        if (y1 > lat) != (y2 > lat) && lon < x1 + (lat - y1) / (y2 - y1) * (x2 - x1) {
            inside = !inside;
        }
        previous = point;
    }
    inside
}

/// The flat distance in km from (`lon`, `lat`) to the polygon's nearest edge.
fn edge_distance_km(points: &[(f64, f64)], lon: f64, lat: f64) -> f64 {
    let to_km = |(x, y): (f64, f64)| flat_km(lat, x - lon, y - lat);
    let mut nearest = f64::MAX;
    let mut previous = to_km(points[points.len() - 1]);
    for &point in points {
        let (a, b) = (previous, to_km(point));
        // The point is the origin: the nearest point of segment a-b to it.
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let length = dx * dx + dy * dy;
        let t = if length > 0.0 {
            (-(a.0 * dx + a.1 * dy) / length).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (x, y) = (a.0 + t * dx, a.1 + t * dy);
        nearest = nearest.min((x * x + y * y).sqrt());
        previous = b;
    }
    nearest
}

/// Great-circle distance in kilometres between two (lat, lon) points.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// "50", "12.5": a number without trailing zeros.
fn trimmed(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn latitude_words(lat: f64) -> String {
    format!(
        "{:.2}\u{b0} {}",
        lat.abs(),
        if lat < 0.0 { "S" } else { "N" }
    )
}

fn longitude_words(lon: f64) -> String {
    format!(
        "{:.2}\u{b0} {}",
        lon.abs(),
        if lon < 0.0 { "W" } else { "E" }
    )
}

/// `LAT,LON,KM` as the command line writes it: `--within 34.43,70.45,50`.
pub fn parse_within(text: &str) -> Result<Area, String> {
    let [lat, lon, km] = numbers::<3>(text, "LAT,LON,KM")?;
    let area = Area::Within {
        lat,
        lon,
        km,
        label: None,
    };
    area.problem().map_or(Ok(area), Err)
}

/// `W,S,E,N` as the command line writes it: `--bbox 69.5,33.8,71.2,35.0`.
pub fn parse_bbox(text: &str) -> Result<Area, String> {
    let [west, south, east, north] = numbers::<4>(text, "W,S,E,N")?;
    let area = Area::Box {
        west,
        south,
        east,
        north,
    };
    area.problem().map_or(Ok(area), Err)
}

fn numbers<const N: usize>(text: &str, form: &str) -> Result<[f64; N], String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.len() != N {
        return Err(format!(
            "\u{201c}{text}\u{201d}: expected {form}, {N} numbers separated by commas"
        ));
    }
    let mut values = [0.0; N];
    for (value, part) in values.iter_mut().zip(&parts) {
        *value = part
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                format!("\u{201c}{part}\u{201d} in \u{201c}{text}\u{201d} is not a number ({form})")
            })?;
    }
    Ok(values)
}

/// The polygons of a GeoJSON file (its Polygon and MultiPolygon geometries, outer rings; holes
/// are not kept, and README says so), each labelled with its feature's `name` if it has one.
pub fn polygons_from_geojson(text: &str) -> Result<Vec<Area>, String> {
    let geojson: geojson::GeoJson = text
        .parse()
        .map_err(|error| format!("not GeoJSON: {error}"))?;
    let mut found: Vec<(Option<String>, geojson::Geometry)> = Vec::new();
    match geojson {
        geojson::GeoJson::FeatureCollection(collection) => {
            for feature in collection.features {
                let name = feature
                    .property("name")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned);
                if let Some(geometry) = feature.geometry {
                    found.push((name, geometry));
                }
            }
        }
        geojson::GeoJson::Feature(feature) => {
            let name = feature
                .property("name")
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            if let Some(geometry) = feature.geometry {
                found.push((name, geometry));
            }
        }
        geojson::GeoJson::Geometry(geometry) => found.push((None, geometry)),
    }
    let ring = |ring: &[Vec<f64>]| -> Vec<(f64, f64)> {
        let mut points: Vec<(f64, f64)> = ring
            .iter()
            .filter(|position| position.len() >= 2)
            .map(|position| (position[0], position[1]))
            .collect();
        // GeoJSON repeats the first corner at the end.
        if points.len() > 1 && points.first() == points.last() {
            points.pop();
        }
        points
    };
    let mut areas = Vec::new();
    for (label, geometry) in found {
        let outers: Vec<Vec<(f64, f64)>> = match geometry.value {
            geojson::Value::Polygon(rings) => rings.first().map(|r| ring(r)).into_iter().collect(),
            geojson::Value::MultiPolygon(polygons) => polygons
                .iter()
                .filter_map(|rings| rings.first().map(|r| ring(r)))
                .collect(),
            _ => continue,
        };
        for points in outers {
            let area = Area::Polygon {
                points,
                label: label.clone(),
            };
            if let Some(problem) = area.problem() {
                return Err(problem);
            }
            areas.push(area);
        }
    }
    if areas.is_empty() {
        return Err("the file holds no Polygon or MultiPolygon".to_owned());
    }
    Ok(areas)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JALALABAD: (f64, f64) = (34.4265, 70.4515);

    fn within(km: f64) -> Area {
        Area::Within {
            lat: JALALABAD.0,
            lon: JALALABAD.1,
            km,
            label: Some("Jalalabad".to_owned()),
        }
    }

    #[test]
    fn a_footprint_meets_a_circle_when_the_distances_allow() {
        // Kabul is about 117 km from Jalalabad.
        let kabul = (34.5553, 69.2075);
        let apart = distance_km(JALALABAD, kabul);
        assert!((110.0..125.0).contains(&apart), "{apart}");
        let area = within(100.0);
        assert!(!area.meets(kabul.0, kabul.1, 0.0), "an exact point outside");
        assert!(
            !area.meets(kabul.0, kabul.1, 13.0),
            "Kabul's centroid footprint is short"
        );
        assert!(
            area.meets(kabul.0, kabul.1, 70.0),
            "a province's footprint reaches"
        );
        assert!(area.meets(JALALABAD.0, JALALABAD.1, 0.0));
        assert_eq!(area.words(), "within 100 km of Jalalabad");
    }

    #[test]
    fn boxes_and_polygons_meet_points_inside_and_footprints_near_an_edge() {
        let square = [(70.0, 34.0), (71.0, 34.0), (71.0, 35.0), (70.0, 35.0)];
        let polygon = Area::Polygon {
            points: square.to_vec(),
            label: None,
        };
        let bbox = parse_bbox("70,34,71,35").unwrap();
        for area in [&polygon, &bbox] {
            assert!(area.meets(34.5, 70.5, 0.0));
            // 0.1 degree east of the east edge at 34.5 N: about 9.2 km.
            assert!(!area.meets(34.5, 71.1, 5.0), "{area:?}");
            assert!(area.meets(34.5, 71.1, 10.0), "{area:?}");
            assert!(!area.meets(36.0, 70.5, 100.0), "{area:?}");
            assert!(area.meets(36.0, 70.5, 112.0), "{area:?}");
        }
        assert_eq!(bbox.words(), "in the box 34\u{2013}35 N, 70\u{2013}71 E");
        assert_eq!(polygon.words(), "in a drawn area of 4 corners");
        // A concave polygon: the notch is outside.
        let notched = Area::Polygon {
            points: vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (2.0, 1.0), (0.0, 4.0)],
            label: None,
        };
        assert!(!notched.meets(3.0, 2.0, 0.0));
        assert!(notched.meets(0.5, 2.0, 0.0));
    }

    #[test]
    fn the_bounds_never_leave_out_what_meets() {
        let areas = [
            within(50.0),
            within(800.0),
            parse_bbox("69.5,33.8,71.2,35.0").unwrap(),
            Area::Polygon {
                points: vec![(60.0, 30.0), (75.0, 29.0), (72.0, 38.0)],
                label: None,
            },
        ];
        for area in &areas {
            for reach in [0.0, 5.0, 70.0, 250.0] {
                let [south, north, west, east] = area.bounds(reach);
                for lat in (80..180).map(|t| f64::from(t) / 4.0) {
                    for lon in (220..340).map(|t| f64::from(t) / 4.0) {
                        if area.meets(lat, lon, reach) {
                            assert!(
                                (south..=north).contains(&lat) && (west..=east).contains(&lon),
                                "{area:?} {reach} {lat} {lon}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_prepared_area_answers_as_the_area_does_even_at_its_edge() {
        let reaches = [0.0, 5.0, 70.0];
        for area in [
            within(50.0),
            within(400.0),
            parse_bbox("70,34,71,35").unwrap(),
        ] {
            let prepared = Prepared::new(&area, 70.0, &reaches);
            let mut rows: Vec<(f64, f64)> = (0..4000)
                .map(|t| {
                    (
                        30.0 + f64::from(t % 80) / 8.0,
                        65.0 + f64::from(t / 80) / 5.0,
                    )
                })
                .collect();
            // Points on the circle's edge, where rounding decides.
            if let Area::Within { lat, lon, km, .. } = area {
                for bearing in 0..36 {
                    let angle = km / EARTH_RADIUS_KM;
                    let bearing = f64::from(bearing) * 10f64.to_radians();
                    let (lat1, lon1) = (lat.to_radians(), lon.to_radians());
                    let lat2 = (lat1.sin() * angle.cos()
                        + lat1.cos() * angle.sin() * bearing.cos())
                    .asin();
                    let lon2 = lon1
                        + (bearing.sin() * angle.sin() * lat1.cos())
                            .atan2(angle.cos() - lat1.sin() * lat2.sin());
                    rows.push((lat2.to_degrees(), lon2.to_degrees()));
                }
            }
            // Every point with every footprint, then each footprint again as one not listed.
            let mut points = Vec::new();
            for &(lat, lon) in &rows {
                for (index, &reach) in reaches.iter().enumerate() {
                    points.push((lat, lon, reach, index as u8));
                    points.push((lat, lon, reach, u8::MAX));
                }
            }
            let unit: Vec<[f64; 3]> = points.iter().map(|p| unit_vector(p.0, p.1)).collect();
            let coarse: Vec<[f32; 2]> = points.iter().map(|p| [p.0 as f32, p.1 as f32]).collect();
            let reach_index: Vec<u8> = points.iter().map(|p| p.3).collect();
            let lat: Vec<f64> = points.iter().map(|p| p.0).collect();
            let lon: Vec<f64> = points.iter().map(|p| p.1).collect();
            let reach_km: Vec<f64> = points.iter().map(|p| p.2).collect();
            let columns = AreaRows {
                unit: &unit,
                coarse: &coarse,
                reach_index: &reach_index,
                lat: &lat,
                lon: &lon,
                reach_km: &reach_km,
            };
            for (i, &(lat, lon, reach, _)) in points.iter().enumerate() {
                assert_eq!(
                    prepared.meets_row(&columns, i),
                    area.meets(lat, lon, reach),
                    "{area:?} {lat} {lon} {reach}"
                );
            }
        }
    }

    #[test]
    fn bad_areas_are_refused_with_a_reason() {
        assert!(
            parse_within("34.4,70.4")
                .unwrap_err()
                .contains("LAT,LON,KM")
        );
        assert!(
            parse_within("200,70.4,50")
                .unwrap_err()
                .contains("not on the Earth")
        );
        assert!(parse_within("34.4,70.4,-5").unwrap_err().contains("radius"));
        assert!(
            parse_within("34.4,east,5")
                .unwrap_err()
                .contains("not a number")
        );
        assert!(
            parse_bbox("71,34,70,35")
                .unwrap_err()
                .contains("west must be less")
        );
        assert!(parse_within("34.4,70.4,NaN").is_err());
    }

    #[test]
    fn polygons_are_read_from_geojson() {
        let text = r#"{"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "Kunar valley"},
             "geometry": {"type": "Polygon", "coordinates":
               [[[70.9, 34.6], [71.6, 34.9], [71.3, 35.4], [70.9, 34.6]]]}}]}"#;
        let areas = polygons_from_geojson(text).unwrap();
        assert_eq!(areas.len(), 1);
        assert_eq!(areas[0].words(), "in Kunar valley");
        let Area::Polygon { points, .. } = &areas[0] else {
            panic!("a polygon");
        };
        assert_eq!(points.len(), 3, "the closing corner is not repeated");
        assert!(polygons_from_geojson("{}").is_err());
        let point = r#"{"type": "Point", "coordinates": [70.0, 34.0]}"#;
        assert!(
            polygons_from_geojson(point)
                .unwrap_err()
                .contains("no Polygon")
        );
    }
}
