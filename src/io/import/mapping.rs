//! Field mapping for CSV and GeoJSON files of no known schema: which column holds the date,
//! the coordinates, the casualties, the place, the actor and the description.
//!
//! [`FieldMapping::guess`] reads column names and sample values (as kepler.gl guesses time
//! fields: by name first, then by whether the values parse); the user corrects the guess in
//! the mapping dialog, or on the command line with `--mapping FILE.ron`.

use serde::{Deserialize, Serialize};

use super::fields;

/// Column (or property) names for each field an incident needs; `None` leaves it unset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FieldMapping {
    pub date: Option<String>,
    /// With `date`, a period: the incident gets the narrowest date covering both.
    pub end_date: Option<String>,
    /// GeoJSON point geometry is used when these are unset.
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    /// Killed, injured and actor can name several columns joined with ` + `
    /// (`"deaths_a + deaths_b"`): the counts are summed, each actor kept.
    pub killed: Option<String>,
    pub injured: Option<String>,
    pub place: Option<String>,
    pub admin1: Option<String>,
    pub country: Option<String>,
    pub actor: Option<String>,
    pub description: Option<String>,
    pub source: Option<String>,
    pub id: Option<String>,
    /// Values matched to our kinds ("attack", "arrest", ACLED event types...).
    pub kind: Option<String>,
}

/// One field of the mapping, for the dialog and the guesser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Date,
    EndDate,
    Latitude,
    Longitude,
    Killed,
    Injured,
    Place,
    Admin1,
    Country,
    Actor,
    Description,
    Source,
    Id,
    Kind,
}

/// How several columns of one role are written in a mapping.
pub const SEVERAL: &str = " + ";

impl Role {
    /// Whether the role can name several columns: counts summed, actors each kept.
    pub fn takes_several(self) -> bool {
        matches!(self, Self::Killed | Self::Injured | Self::Actor)
    }

    pub const ALL: &'static [Self] = &[
        Self::Date,
        Self::EndDate,
        Self::Latitude,
        Self::Longitude,
        Self::Killed,
        Self::Injured,
        Self::Place,
        Self::Admin1,
        Self::Country,
        Self::Actor,
        Self::Description,
        Self::Source,
        Self::Id,
        Self::Kind,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Date => "Date (or start date)",
            Self::EndDate => "End date",
            Self::Latitude => "Latitude",
            Self::Longitude => "Longitude",
            Self::Killed => "Killed",
            Self::Injured => "Injured",
            Self::Place => "Place",
            Self::Admin1 => "Province / state",
            Self::Country => "Country",
            Self::Actor => "Actor (perpetrator first)",
            Self::Description => "Description",
            Self::Source => "Source",
            Self::Id => "Identifier",
            Self::Kind => "Kind of event",
        }
    }

    /// Names that suggest the field, best first; compared without case or punctuation.
    fn hints(self) -> &'static [&'static str] {
        match self {
            Self::Date => &[
                "date",
                "event_date",
                "eventdate",
                "incident_date",
                "attack_date",
                "date_start",
                "start_date",
                "startdate",
                "datetime",
                "timestamp",
                "time",
                "day",
                "when",
                "occurred",
                "begin",
                "start",
                "year",
            ],
            Self::EndDate => &["end_date", "date_end", "enddate", "end", "until", "to_date"],
            Self::Latitude => &["latitude", "lat", "lat_dd", "y", "ycoord"],
            Self::Longitude => &["longitude", "lon", "lng", "long", "lon_dd", "x", "xcoord"],
            Self::Killed => &[
                "killed",
                "deaths",
                "fatalities",
                "dead",
                "nkill",
                "death_toll",
                "deathtoll",
                "kills",
                "best",
                "deaths_total",
                "killed_total",
            ],
            Self::Injured => &["injured", "wounded", "nwound", "injuries", "hurt"],
            Self::Place => &[
                "location",
                "place",
                "city",
                "town",
                "village",
                "site",
                "locality",
                "where_description",
                "where",
                "place_name",
                "name",
            ],
            Self::Admin1 => &[
                "admin1",
                "province",
                "provstate",
                "state",
                "adm_1",
                "adm1",
                "region",
                "governorate",
            ],
            Self::Country => &[
                "country",
                "country_txt",
                "country_name",
                "nation",
                "iso",
                "country_code",
            ],
            Self::Actor => &[
                "actor",
                "actor1",
                "perpetrator",
                "perpetrators",
                "group",
                "gname",
                "side_a",
                "attacker",
                "organisation",
                "organization",
                "claimed_by",
                "responsible",
            ],
            Self::Description => &[
                "description",
                "summary",
                "notes",
                "details",
                "narrative",
                "text",
                "comment",
                "comments",
            ],
            Self::Source => &[
                "source",
                "sources",
                "source_article",
                "url",
                "link",
                "citation",
                "reference",
            ],
            Self::Id => &["id", "event_id", "eventid", "uid", "identifier", "ref"],
            Self::Kind => &["kind", "event_type", "type", "category", "incident_type"],
        }
    }

    fn accepts(self, value: &str) -> bool {
        match self {
            Self::Date | Self::EndDate => fields::parse_date_text(value).is_ok(),
            Self::Latitude => fields::parse_degrees(value, 90.0, "latitude").is_ok(),
            Self::Longitude => fields::parse_degrees(value, 180.0, "longitude").is_ok(),
            Self::Killed | Self::Injured => fields::parse_count(value).is_ok(),
            _ => true,
        }
    }
}

fn normalise(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

impl FieldMapping {
    pub fn slot(&mut self, role: Role) -> &mut Option<String> {
        match role {
            Role::Date => &mut self.date,
            Role::EndDate => &mut self.end_date,
            Role::Latitude => &mut self.latitude,
            Role::Longitude => &mut self.longitude,
            Role::Killed => &mut self.killed,
            Role::Injured => &mut self.injured,
            Role::Place => &mut self.place,
            Role::Admin1 => &mut self.admin1,
            Role::Country => &mut self.country,
            Role::Actor => &mut self.actor,
            Role::Description => &mut self.description,
            Role::Source => &mut self.source,
            Role::Id => &mut self.id,
            Role::Kind => &mut self.kind,
        }
    }

    pub fn get(&self, role: Role) -> Option<&str> {
        let slot = match role {
            Role::Date => &self.date,
            Role::EndDate => &self.end_date,
            Role::Latitude => &self.latitude,
            Role::Longitude => &self.longitude,
            Role::Killed => &self.killed,
            Role::Injured => &self.injured,
            Role::Place => &self.place,
            Role::Admin1 => &self.admin1,
            Role::Country => &self.country,
            Role::Actor => &self.actor,
            Role::Description => &self.description,
            Role::Source => &self.source,
            Role::Id => &self.id,
            Role::Kind => &self.kind,
        };
        slot.as_deref()
    }

    /// Every column the mapping names.
    pub fn columns(&self) -> Vec<&str> {
        Role::ALL
            .iter()
            .flat_map(|&role| self.columns_of(role))
            .collect()
    }

    /// The columns a role names: one, or for killed, injured and actor several joined with
    /// ` + `.
    pub fn columns_of(&self, role: Role) -> Vec<&str> {
        let Some(value) = self.get(role) else {
            return Vec::new();
        };
        if role.takes_several() {
            value
                .split(SEVERAL)
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        } else {
            vec![value]
        }
    }

    /// Set a role's columns (joined with ` + ` when several); none unsets it.
    pub fn set_columns(&mut self, role: Role, columns: &[String]) {
        let kept: Vec<&str> = columns
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        *self.slot(role) = (!kept.is_empty()).then(|| kept.join(SEVERAL));
    }

    /// What must be mapped before loading: a date, and coordinates unless the file has
    /// point geometry.
    pub fn missing(&self, has_geometry: bool) -> Vec<Role> {
        let mut missing = Vec::new();
        if self.date.is_none() {
            missing.push(Role::Date);
        }
        if !has_geometry {
            if self.latitude.is_none() {
                missing.push(Role::Latitude);
            }
            if self.longitude.is_none() {
                missing.push(Role::Longitude);
            }
        }
        missing
    }

    /// Guess from column names and the first rows' values (`samples[row][column]`).
    pub fn guess(columns: &[String], samples: &[Vec<String>]) -> Self {
        let mut mapping = Self::default();
        let mut taken = vec![false; columns.len()];
        let normalised: Vec<String> = columns.iter().map(|c| normalise(c)).collect();
        let values_fit = |role: Role, column: usize| {
            let values: Vec<&str> = samples
                .iter()
                .filter_map(|row| row.get(column))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .collect();
            values.is_empty()
                || values.iter().filter(|v| role.accepts(v)).count() * 10 >= values.len() * 8
        };
        for &role in Role::ALL {
            let mut found = None;
            // Exact names first, in the order of the hints; then names containing a hint.
            'hints: for hint in role.hints() {
                let hint = normalise(hint);
                for (index, name) in normalised.iter().enumerate() {
                    if !taken[index] && *name == hint && values_fit(role, index) {
                        found = Some(index);
                        break 'hints;
                    }
                }
            }
            if found.is_none() && !matches!(role, Role::Id) {
                'contains: for hint in role.hints().iter().filter(|h| h.len() >= 4) {
                    let hint = normalise(hint);
                    for (index, name) in normalised.iter().enumerate() {
                        if !taken[index] && name.contains(&hint) && values_fit(role, index) {
                            found = Some(index);
                            break 'contains;
                        }
                    }
                }
            }
            // A date column with an unusual name is still recognised by its values.
            if found.is_none() && role == Role::Date && !samples.is_empty() {
                found = (0..columns.len()).find(|&index| {
                    !taken[index]
                        && samples
                            .iter()
                            .any(|row| row.get(index).is_some_and(|v| !v.trim().is_empty()))
                        && values_fit(role, index)
                        && samples
                            .iter()
                            .any(|row| row.get(index).is_some_and(|v| v.contains(['-', '/', ' '])))
                });
            }
            if let Some(index) = found {
                taken[index] = true;
                *mapping.slot(role) = Some(columns[index].clone());
            }
        }
        mapping
    }

    /// Read a mapping file (RON), e.g. `(date: Some("when"), latitude: Some("y"))`.
    pub fn load(path: &std::path::Path) -> Result<Self, String> {
        let file = path.display();
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("{file}: cannot read: {e}"))?;
        ron::Options::default().from_str(&text).map_err(|e| {
            format!(
                "{file}:{}:{}: {}",
                e.span.start.line, e.span.start.col, e.code
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn guesses_by_name_and_by_values() {
        let columns = names(&[
            "Incident Date",
            "Y",
            "X",
            "Dead",
            "Town",
            "Perpetrator",
            "Notes",
        ]);
        let samples = vec![names(&[
            "2021-08-26",
            "34.5",
            "69.2",
            "13",
            "Kabul",
            "ISKP",
            "...",
        ])];
        let mapping = FieldMapping::guess(&columns, &samples);
        assert_eq!(mapping.date.as_deref(), Some("Incident Date"));
        assert_eq!(mapping.latitude.as_deref(), Some("Y"));
        assert_eq!(mapping.longitude.as_deref(), Some("X"));
        assert_eq!(mapping.killed.as_deref(), Some("Dead"));
        assert_eq!(mapping.place.as_deref(), Some("Town"));
        assert_eq!(mapping.actor.as_deref(), Some("Perpetrator"));
        assert_eq!(mapping.description.as_deref(), Some("Notes"));
        assert!(mapping.missing(false).is_empty());
    }

    #[test]
    fn a_date_column_is_found_by_its_values() {
        let columns = names(&["quand", "lat", "lon"]);
        let samples = vec![names(&["26/08/2021", "1", "2"])];
        assert_eq!(
            FieldMapping::guess(&columns, &samples).date.as_deref(),
            Some("quand")
        );
    }

    #[test]
    fn a_column_whose_values_do_not_fit_is_not_taken() {
        let columns = names(&["date", "lat", "lon"]);
        let samples = vec![
            names(&["soon", "north", "2"]),
            names(&["later", "south", "3"]),
        ];
        let mapping = FieldMapping::guess(&columns, &samples);
        assert_eq!(mapping.date, None);
        assert_eq!(mapping.latitude, None);
        assert_eq!(mapping.missing(false), [Role::Date, Role::Latitude]);
        assert_eq!(mapping.missing(true), [Role::Date]);
    }

    #[test]
    fn mapping_files_reject_unknown_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.ron");
        std::fs::write(&path, "(date: Some(\"when\"), latitud: Some(\"y\"))").unwrap();
        let error = FieldMapping::load(&path).unwrap_err();
        assert!(
            error.contains("m.ron:1:") && error.contains("latitud"),
            "{error}"
        );
        std::fs::write(&path, "(date: Some(\"when\"))").unwrap();
        assert_eq!(
            FieldMapping::load(&path).unwrap().date.as_deref(),
            Some("when")
        );
    }
}
