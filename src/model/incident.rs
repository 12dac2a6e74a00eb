//! One incident and the vocabularies that describe it.

use serde::{Deserialize, Serialize};

use super::date::IncidentDate;
use super::shared_str::{Interner, SharedStr};

/// Stable identifier of an incident, e.g. `"af-2021-08-26-kabul-airport"`.
pub type IncidentId = String;
/// Identifier of a source in [`super::Dataset::sources`].
pub type SourceId = SharedStr;

/// Declares a closed vocabulary with a display label and a stable key used on the command
/// line and in exports. One macro keeps the label, key and `ALL` list from drifting apart.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $key:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($variant,)+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// Words for people: legends, filters, the detail panel.
            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }

            /// Stable machine key: command-line values and CSV/GeoJSON exports.
            pub fn key(self) -> &'static str {
                match self {
                    $(Self::$variant => $key,)+
                }
            }

            /// Parse a key (or, leniently, a label), case-insensitively.
            pub fn from_key(text: &str) -> Option<Self> {
                let wanted = text.trim().to_ascii_lowercase().replace([' ', '_'], "-");
                Self::ALL.iter().copied().find(|value| {
                    value.key() == wanted
                        || value.label().to_ascii_lowercase().replace(' ', "-") == wanted
                })
            }

            pub fn keys() -> Vec<&'static str> {
                Self::ALL.iter().map(|value| value.key()).collect()
            }
        }
    };
}

vocabulary! {
    /// What happened.
    Kind {
        Attack => "attack", "Attack";
        FoiledPlot => "foiled-plot", "Foiled plot";
        Arrest => "arrest", "Arrest";
        CounterOperation => "counter-operation", "Counter-operation";
        LeadershipLoss => "leadership-loss", "Leadership loss";
        // Armed forces and a group (or two groups) fighting: UCDP's state-based and
        // non-state violence, ACLED's Battles. Not an attack: both sides shoot.
        Fighting => "fighting", "Fighting (armed clash)";
        Other => "other", "Other / milestone";
    }
}

vocabulary! {
    /// How the link to ISK is established. These grades must never be merged: a claim, an
    /// official attribution and a suspicion carry different weight.
    Attribution {
        ClaimedByIsk => "claimed-isk", "Claimed by ISK";
        ClaimedByIsCentral => "claimed-is-central", "Claimed by IS central";
        AttributedByOfficials => "attributed-officials", "Attributed to ISK by officials";
        Suspected => "suspected", "Suspected ISK";
        // Imported data (ACLED, GTD, UCDP or a user's file) names ISK as the actor: the
        // coder's judgement, not a claim or an official statement.
        NamedInData => "named-in-data", "Named as ISK in imported data";
        // Imported rows whose actor is another group, or not given.
        NotIsk => "not-isk", "Not identified as ISK";
        // A claim by another Islamic State province (IS Pakistan Province, a separate
        // province since May 2019), named as the actor: kept apart from ISK's own claims.
        ClaimedByOtherProvince => "claimed-other-province", "Claimed by another IS province";
        // A milestone of the group's history (kind other: a pledge, a new outlet), known
        // from its own announcements as researchers or the press report them: no act to
        // claim or attribute.
        Documented => "documented", "Documented milestone";
    }
}

vocabulary! {
    /// How it was done.
    Method {
        SuicideBombing => "suicide-bombing", "Suicide bombing";
        ComplexAttack => "complex-attack", "Complex attack (gunmen and bombers)";
        ArmedAssault => "armed-assault", "Armed assault / shooting";
        Bombing => "bombing", "Bombing (IED, planted or vehicle)";
        Rocket => "rocket", "Rocket or mortar fire";
        Assassination => "assassination", "Targeted killing";
        Kidnapping => "kidnapping", "Kidnapping";
        Stabbing => "stabbing", "Stabbing";
        Plot => "plot", "Plot (not carried out)";
        Raid => "raid", "Raid / arrest operation";
        Airstrike => "airstrike", "Airstrike / drone strike";
        Other => "other", "Other";
        Unknown => "unknown", "Unknown";
    }
}

vocabulary! {
    /// Who or what was targeted.
    Target {
        Civilians => "civilians", "Civilians (general)";
        ReligiousMinority => "religious-minority", "Shia, Hazara, Sikh and other minorities";
        ReligiousSite => "religious-site", "Mosques, shrines and worshippers";
        Taliban => "taliban", "Taliban authorities and forces";
        StateSecurity => "state-security", "Government and security forces";
        ForeignMilitary => "foreign-military", "Foreign military";
        Diplomatic => "diplomatic", "Diplomats and embassies";
        Political => "political", "Politicians, parties and rallies";
        Education => "education", "Schools and universities";
        Media => "media", "Journalists and media";
        AidHealth => "aid-health", "Aid workers and hospitals";
        PublicVenue => "public-venue", "Public venue or event";
        Infrastructure => "infrastructure", "Infrastructure";
        Militants => "militants", "Militant groups (ISK itself or rivals)";
        Unknown => "unknown", "Unknown";
    }
}

vocabulary! {
    /// How precisely the place is known. A province-precision incident must not be drawn
    /// as a pinpoint.
    LocationPrecision {
        Exact => "exact", "Exact site";
        Town => "town", "Town or city";
        District => "district", "District";
        Province => "province", "Province";
        Country => "country", "Country";
    }
}

impl LocationPrecision {
    /// Rough radius of uncertainty in kilometres, used to draw an honest footprint.
    pub fn uncertainty_km(self) -> f64 {
        match self {
            Self::Exact => 0.0,
            Self::Town => 5.0,
            Self::District => 20.0,
            Self::Province => 70.0,
            Self::Country => 250.0,
        }
    }
}

/// A number that may be unknown or only known as a range (sources disagree).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Count {
    #[default]
    Unknown,
    Exact(u32),
    /// Inclusive range `min..=max`, e.g. when sources give 169 and 170.
    Range(u32, u32),
}

impl Count {
    pub fn bounds(self) -> Option<(u32, u32)> {
        match self {
            Self::Unknown => None,
            Self::Exact(n) => Some((n, n)),
            Self::Range(min, max) => Some((min, max)),
        }
    }

    pub fn max(self) -> Option<u32> {
        self.bounds().map(|(_, max)| max)
    }

    /// A toll in words, its range said to be the sources' disagreement: "12", "169 to 170
    /// (sources differ)" or "unknown".
    pub fn in_words(self) -> String {
        match self {
            Self::Unknown => "unknown".into(),
            Self::Exact(n) => n.to_string(),
            Self::Range(min, max) => format!("{min} to {max} (sources differ)"),
        }
    }

    /// "12", "169-170" or "unknown".
    pub fn display(self) -> String {
        match self {
            Self::Unknown => "unknown".to_owned(),
            Self::Exact(n) => n.to_string(),
            Self::Range(min, max) => format!("{min}-{max}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Most specific place name: a site, town or district ("Hamid Karzai International Airport, Kabul").
    pub place: SharedStr,
    /// First-level division (province, oblast, state); empty when unknown. For imported rows
    /// in Afghanistan and Pakistan, the basemap's name (see `io::import::provinces`).
    #[serde(default)]
    pub admin1: SharedStr,
    /// The province as the imported row writes it, where that differs from `admin1`
    /// ("Balochistan province", "Federally Administered Tribal Areas").
    #[serde(default)]
    pub admin1_as_written: Option<SharedStr>,
    pub country: SharedStr,
    /// ISO 3166-1 alpha-2, upper case.
    pub country_code: SharedStr,
    pub lat: f64,
    pub lon: f64,
    pub precision: LocationPrecision,
    /// Radius in km of the area the point stands for, where it is wider than the
    /// precision's own (a city's centroid standing for a site somewhere in a big city).
    #[serde(default)]
    pub footprint_km: Option<f64>,
}

impl Location {
    /// Radius in km within which the place lies: the record's own footprint, else the
    /// precision's.
    pub fn uncertainty_km(&self) -> f64 {
        self.footprint_km
            .unwrap_or_else(|| self.precision.uncertainty_km())
    }

    /// The province this place is in, or `None` when it is known only to the country.
    pub fn province(&self) -> Option<ProvinceKey> {
        (!self.admin1.is_empty()).then(|| ProvinceKey {
            country_code: self.country_code.to_string(),
            name: self.admin1.to_string(),
        })
    }
}

/// A first-level division, as the data names it: the same name can exist in two countries.
/// Ordered by country, then name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProvinceKey {
    /// ISO 3166-1 alpha-2, upper case.
    pub country_code: String,
    pub name: String,
}

/// A disagreement between sources, kept rather than smoothed over.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Discrepancy {
    pub note: String,
    /// The sources whose accounts differ; never empty in a valid dataset.
    pub sources: Vec<SourceId>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: IncidentId,
    pub date: IncidentDate,
    pub location: Location,
    pub kind: Kind,
    pub method: Method,
    pub target: Target,
    pub attribution: Attribution,
    #[serde(default)]
    pub killed: Count,
    #[serde(default)]
    pub injured: Count,
    /// The actor the row is about, as the source data names it (ISK's name where ISK is one
    /// of the sides): the name shown first and in the table.
    #[serde(default)]
    pub perpetrator: Option<SharedStr>,
    /// Every actor the row names, each with its role (UCDP's sides, ACLED's actors and their
    /// associates, GTD's groups), the perpetrator among them. Empty for the embedded dataset,
    /// whose incidents are about ISK by construction.
    #[serde(default)]
    pub actors: Vec<Actor>,
    pub summary: String,
    pub sources: Vec<SourceId>,
    #[serde(default)]
    pub discrepancies: Vec<Discrepancy>,
}

impl Incident {
    /// Points the incident's place names, codes and actor at `interner`'s copies, so that a
    /// million imported rows hold each distinct name once. (Imported rows' source ids are
    /// shared already: the citation table hands out one id per citation.)
    pub fn share_strings(&mut self, interner: &mut Interner) {
        let location = &mut self.location;
        for text in [
            &mut location.place,
            &mut location.admin1,
            &mut location.country,
            &mut location.country_code,
        ] {
            *text = interner.intern(text);
        }
        if let Some(written) = &mut location.admin1_as_written {
            *written = interner.intern(written);
        }
        if let Some(perpetrator) = &mut self.perpetrator {
            *perpetrator = interner.intern(perpetrator);
        }
        for actor in &mut self.actors {
            actor.name = interner.intern(&actor.name);
        }
    }
}

vocabulary! {
    /// What an actor did in an incident, as the source data records it.
    ActorRole {
        Perpetrator => "perpetrator", "Perpetrator";
        // ACLED's associated actors: fought or acted alongside the one they are listed with.
        Associated => "associated", "Acted alongside";
        // The other side of fighting (UCDP state-based and non-state violence, ACLED Battles).
        Opponent => "opponent", "Opponent";
        Target => "target", "Target";
        // A column the analyst's field mapping names as an actor: the file does not say
        // what the actor did.
        Named => "named", "Named (role not given)";
    }
}

/// One actor of an incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: SharedStr,
    pub role: ActorRole,
}

impl Actor {
    pub fn new(name: &str, role: ActorRole) -> Self {
        Self {
            name: name.trim().into(),
            role,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_labels_parse_back() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_key(kind.key()), Some(*kind));
            assert_eq!(Kind::from_key(kind.label()), Some(*kind));
        }
        assert_eq!(Kind::from_key("FOILED_PLOT"), Some(Kind::FoiledPlot));
        assert_eq!(Attribution::from_key("nonsense"), None);
        for target in Target::ALL {
            assert_eq!(Target::from_key(target.key()), Some(*target));
        }
    }

    #[test]
    fn counts_expose_bounds() {
        assert_eq!(Count::Range(169, 170).bounds(), Some((169, 170)));
        assert_eq!(Count::Exact(13).max(), Some(13));
        assert_eq!(Count::Unknown.max(), None);
        assert_eq!(Count::Range(137, 145).display(), "137-145");
    }
}
