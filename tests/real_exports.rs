//! Exports as analysts receive them (issue 16): UCDP from the Humanitarian Data Exchange with
//! its HXL tag row and CRLF endings, quoted source texts over several lines, UCDP as GeoJSON
//! with shapefile-cut field names and no death totals, provinces written the datasets' ways,
//! sides listing several groups, and fighting told from attacks.

mod common;

use common::{fixture, incident, issues, load, wait_for_load};

use egui_kittest::kittest::Queryable as _;
use khorasan_atlas::io::import::{Format, Imported};
use khorasan_atlas::model::{
    Actor, ActorRole, Attribution, Count, Filter, Incident, Kind, ProvinceKey, Target,
};
use khorasan_atlas::state::PersistedState;

/// The ids of the imported incidents the filter keeps.
fn matching<'a>(imported: &'a Imported, filter: &Filter) -> Vec<&'a str> {
    imported
        .dataset
        .incidents
        .iter()
        .filter(|incident| filter.matches(incident))
        .map(|incident| incident.id.as_str())
        .collect()
}

#[test]
fn an_hdx_ucdp_file_is_read_with_physical_lines_and_its_tag_row_noted() {
    let imported = load("ucdp_hdx_crlf.csv");
    let report = &imported.report;
    assert_eq!(report.format, Format::Ucdp);
    // Header on line 1, HXL tags on line 2, a record over lines 3-5 (its quoted source has
    // two CRLF line breaks), then one record a line: the bad date is on line 7.
    assert_eq!(issues(&imported), [(7, "date_start")]);
    assert_eq!((report.rows, report.loaded), (5, 4));
    assert!(
        report
            .notes
            .iter()
            .any(|note| note.starts_with("line 2: a row of HXL hashtags")),
        "{:?}",
        report.notes
    );
    assert!(
        !report.notes.iter().any(|note| note.contains("column 'id'")),
        "the tag row is not a broken row"
    );
}

#[test]
fn provinces_take_the_basemap_names_and_keep_the_names_as_written() {
    let imported = load("ucdp_hdx_crlf.csv");
    let quetta = incident(&imported, "ucdp:910001");
    assert_eq!(quetta.location.admin1, "Balochistan");
    assert_eq!(
        quetta.location.admin1_as_written.as_deref(),
        Some("Balochistan province")
    );
    let peshawar = incident(&imported, "ucdp:910002");
    assert_eq!(peshawar.location.admin1, "Khyber Pakhtunkhwa");
    assert_eq!(
        peshawar.location.admin1_as_written.as_deref(),
        Some("Khyber Pakhtunkwa province"),
        "UCDP's spelling, kept"
    );
    let bajaur = incident(&imported, "ucdp:910004");
    assert_eq!(
        bajaur.location.admin1, "Khyber Pakhtunkhwa",
        "FATA since 2018"
    );
    // A row naming Balochistan with its point in Peshawar: the point's province, and a note.
    let misplaced = incident(&imported, "ucdp:910005");
    assert_eq!(misplaced.location.admin1, "Khyber Pakhtunkhwa");
    let note = imported
        .report
        .notes
        .iter()
        .find(|note| note.contains("lies outside"))
        .expect("a note on the point outside its province");
    assert!(note.starts_with("1 row(s)"), "{note}");
    assert!(note.contains("ucdp:910005"), "{note}");

    // `--province Balochistan` finds the UCDP row as the embedded dataset's are found.
    let filter = Filter {
        provinces: ["Balochistan".to_owned()].into(),
        ..Filter::default()
    };
    let found = matching(&imported, &filter);
    assert_eq!(found, ["ucdp:910001"]);
}

#[test]
fn every_group_of_a_side_is_an_actor_and_fighting_is_its_own_kind() {
    let imported = load("ucdp_hdx_crlf.csv");
    // "IS, Fixture Group" as side A: IS is found among the groups.
    let peshawar = incident(&imported, "ucdp:910002");
    assert_eq!(peshawar.attribution, Attribution::NamedInData);
    assert_eq!(
        peshawar.actors,
        [
            Actor::new("IS", ActorRole::Perpetrator),
            Actor::new("Fixture Group", ActorRole::Perpetrator),
            Actor::new("Civilians", ActorRole::Target),
        ]
    );
    assert_eq!(
        peshawar.kind,
        Kind::Attack,
        "one-sided violence is an attack"
    );
    // State-based (1) and non-state (2) violence are fighting, whichever side IS is on.
    let quetta = incident(&imported, "ucdp:910001");
    assert_eq!(
        (quetta.kind, quetta.target),
        (Kind::Fighting, Target::StateSecurity)
    );
    let bajaur = incident(&imported, "ucdp:910004");
    assert_eq!(
        (bajaur.kind, bajaur.target),
        (Kind::Fighting, Target::Taliban)
    );
    assert_eq!(
        bajaur.actors,
        [
            Actor::new("IS", ActorRole::Perpetrator),
            Actor::new("Taliban", ActorRole::Opponent),
        ],
        "IS as side B comes first, as the perpetrator of its side"
    );
    // The ISK preset finds every IS event, whichever side it is on.
    let isk = Filter {
        isk_only: true,
        ..Filter::default()
    };
    assert!(
        imported
            .dataset
            .incidents
            .iter()
            .all(|incident| isk.matches(incident))
    );
    // The actor filter finds a row by any of its actors.
    let by_group = Filter {
        actors: ["Fixture Group".to_owned()].into(),
        ..Filter::default()
    };
    let found = matching(&imported, &by_group);
    assert_eq!(found, ["ucdp:910002"]);
}

#[test]
fn ucdp_as_geojson_is_read_with_the_ucdp_rules() {
    let imported = load("ucdp_ged.geojson");
    let report = &imported.report;
    assert_eq!(report.format, Format::GeoJson);
    assert!(
        report
            .notes
            .iter()
            .any(|note| note.contains("read with the UCDP GED rules")),
        "{:?}",
        report.notes
    );
    // The feature without a point is the one bad row, on the line it starts.
    assert_eq!(issues(&imported), [(8, "geometry")]);
    assert_eq!(report.loaded, 3);

    // No best, low or high: the deaths are the sum of the parts, nulls left out.
    let jalalabad = incident(&imported, "ucdp:920001");
    assert_eq!(jalalabad.killed, Count::Exact(7));
    assert!(jalalabad.summary.contains("the sum of deaths_a + deaths_b"));
    let quetta = incident(&imported, "ucdp:920002");
    assert_eq!(quetta.killed, Count::Exact(9), "deaths_unk is null");
    // Numbers and strings mixed: "920002", "3" and 3 all read.
    assert_eq!(quetta.kind, Kind::Attack);
    assert_eq!(quetta.location.admin1, "Balochistan");
    // The cut names (type_of_vi, where_desc, source_art) are found.
    assert_eq!(jalalabad.kind, Kind::Fighting);
    assert_eq!(jalalabad.location.place, "Jalalabad district");
    assert_eq!(jalalabad.sources.len(), 2, "the file and source_art");
    // IS as side B among several groups: found by the preset.
    let bajaur = incident(&imported, "ucdp:920003");
    assert_eq!(bajaur.attribution, Attribution::NamedInData);
    assert_eq!(bajaur.location.admin1, "Khyber Pakhtunkhwa");
    assert_eq!(bajaur.killed, Count::Exact(7));
}

#[test]
fn source_links_open_only_on_the_web_and_exports_defuse_formulas() {
    use khorasan_atlas::model::SourceLink;
    let mut dataset = khorasan_atlas::io::embedded_dataset().unwrap();
    let source = &mut dataset.sources[0];
    source.url = Some("file:///home/analyst/.ssh/id_rsa".to_owned());
    assert!(matches!(
        source.link(),
        Some(SourceLink::NotWeb { scheme, .. }) if scheme == "file:"
    ));
    let mut incident = dataset.incidents[0].clone();
    incident.summary = "=cmd|' /C calc'!A0".to_owned();
    let mut out = Vec::new();
    khorasan_atlas::io::write_csv(&mut out, &dataset, [&incident]).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("'=cmd|' /C calc'!A0"), "{text}");
}

#[test]
fn a_ucdp_files_balochistan_incidents_are_in_the_balochistan_choropleth_cell() {
    let mut state = PersistedState::default();
    state.map_overlays.choropleth = true;
    let mut harness = common::harness(state);
    let balochistan = ProvinceKey {
        name: "Balochistan".into(),
        country_code: "PK".into(),
    };
    let before = harness.state().derived.provinces[&balochistan].count;
    harness
        .state_mut()
        .open_file(fixture("ucdp_hdx_crlf.csv"), None);
    wait_for_load(&mut harness);
    let app = harness.state();
    assert_eq!(app.layers.len(), 2);
    assert_eq!(
        app.derived.provinces[&balochistan].count,
        before + 1,
        "the UCDP row written \"Balochistan province\" counts in Balochistan"
    );
    // The province filter lists Balochistan once, not beside "Balochistan province".
    assert!(
        app.derived
            .facets
            .provinces
            .iter()
            .all(|(key, _)| !key.name.contains("province")),
        "{:?}",
        app.derived.facets.provinces
    );
    // And the kind list offers fighting, with its count.
    assert_eq!(app.derived.facets.kinds.get(&Kind::Fighting), Some(&2));
    harness.get_by_label("Fighting (armed clash) (2)");
}

/// The mapping the open mapping dialog holds.
fn dialog_mapping(
    harness: &egui_kittest::Harness<'_, khorasan_atlas::AtlasApp>,
) -> khorasan_atlas::io::import::FieldMapping {
    let dialog = harness.state().mapping_dialog.as_ref();
    dialog.expect("the mapping dialog").mapping.clone()
}

#[test]
fn the_mapping_dialog_sums_two_death_columns_and_keeps_two_actor_columns() {
    use egui::accesskit::Role;
    let mut harness = common::harness_sized(PersistedState::default(), 1280.0, 1000.0);
    harness
        .state_mut()
        .open_file(fixture("two_sides.csv"), None);
    wait_for_load(&mut harness);
    let guessed = dialog_mapping(&harness);
    assert_eq!(guessed.killed.as_deref(), Some("deaths_side_a"));
    assert_eq!(guessed.actor.as_deref(), Some("group_a"));
    // "+ another column" under Killed, then the second death column in the new choice.
    for (button, role, column) in [
        (0, "Killed", "deaths_side_b"),
        (1, "Actor (perpetrator first)", "group_b"),
    ] {
        harness
            .get_all_by_label("+ another column")
            .nth(button)
            .unwrap()
            .click();
        harness.run_ok();
        harness
            .get_all_by_role_and_label(Role::ComboBox, role)
            .nth(1)
            .expect("a second choice for the role")
            .click();
        harness.run_ok();
        harness.get_by_label(column).click();
        harness.run_ok();
    }
    let mapping = dialog_mapping(&harness);
    assert_eq!(
        mapping.killed.as_deref(),
        Some("deaths_side_a + deaths_side_b")
    );
    assert_eq!(mapping.actor.as_deref(), Some("group_a + group_b"));
    harness.get_by_label("Load").click();
    harness.run_ok();
    wait_for_load(&mut harness);
    let app = harness.state();
    let layer: Vec<&Incident> = app
        .dataset
        .incidents
        .iter()
        .filter(|incident| incident.id.starts_with("two_sides:"))
        .collect();
    let killed: Vec<Count> = layer.iter().map(|incident| incident.killed).collect();
    assert_eq!(
        killed,
        [Count::Exact(7), Count::Exact(3), Count::Unknown],
        "summed; an empty part counts nothing; all empty is unknown"
    );
    assert_eq!(
        layer[0].actors,
        [
            Actor::new("Fixture Government Forces", ActorRole::Named),
            Actor::new("ISKP", ActorRole::Named),
        ]
    );
    // ISKP on the second side is found by the preset.
    assert_eq!(layer[0].attribution, Attribution::NamedInData);
    assert_eq!(layer[0].perpetrator.as_deref(), Some("ISKP"));
}
