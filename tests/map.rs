//! The map: layers through the UI, choropleth values, no network while online tiles are off,
//! and PMTiles/MBTiles basemap files (good and corrupt) made here as fixtures.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::Ordering;

mod common;

use egui_kittest::kittest::Queryable as _;
use khorasan_atlas::model::ProvinceKey;
use khorasan_atlas::state::BasemapRequest;
use khorasan_atlas::state::{Command, PersistedState};
use khorasan_atlas::tiles::{ONLINE_FETCHERS_CREATED, TileBasemap, TileError};
use walkers::TileId;

/// A 1x1 PNG, the smallest real tile image.
const PNG: [u8; 69] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x38, 0x60, 0x60, 0x00,
    0x00, 0x02, 0xd4, 0x01, 0x21, 0x3a, 0x68, 0x37, 0x09, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

fn harness() -> egui_kittest::Harness<'static, khorasan_atlas::AtlasApp> {
    common::harness(PersistedState::default())
}

/// An MBTiles file with zoom levels 0-2 of PNG tiles.
fn write_mbtiles(path: &Path, format: &str) {
    let connection = rusqlite::Connection::open(path).unwrap();
    connection
        .execute_batch(
            "CREATE TABLE metadata (name TEXT, value TEXT);
             CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);",
        )
        .unwrap();
    for (name, value) in [
        ("name", "fixture"),
        ("format", format),
        ("attribution", "fixture tiles"),
    ] {
        connection
            .execute("INSERT INTO metadata VALUES (?1, ?2)", (name, value))
            .unwrap();
    }
    for zoom in 0u32..=2 {
        for x in 0..(1 << zoom) {
            for row in 0..(1 << zoom) {
                connection
                    .execute(
                        "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)",
                        (zoom, x, row, &PNG[..]),
                    )
                    .unwrap();
            }
        }
    }
}

fn write_pmtiles(path: &Path) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = pmtiles::PmTilesWriter::new(pmtiles::TileType::Png)
        .min_zoom(0)
        .max_zoom(1)
        .create(file)
        .unwrap();
    for (z, x, y) in [(0, 0, 0), (1, 0, 0), (1, 1, 0), (1, 0, 1), (1, 1, 1)] {
        writer
            .add_raw_tile(pmtiles::TileCoord::new(z, x, y).unwrap(), &PNG)
            .unwrap();
    }
    writer.finalize().unwrap();
}

#[test]
fn overlay_toggles_work_through_the_overlays_menu_and_no_fetcher_is_created() {
    let mut harness = harness();
    assert!(harness.state().state.map_overlays.symbols);
    assert!(!harness.state().state.map_overlays.heatmap);

    // The menu stays open while boxes are ticked.
    harness.get_by_label("Overlays").click();
    harness.run_ok();
    harness.get_by_label("Heatmap").click();
    harness.run_ok();
    assert!(harness.state().state.map_overlays.heatmap);
    harness
        .get_by_label("Province choropleth (Afghanistan, Pakistan)")
        .click();
    harness.run_ok();
    assert!(harness.state().state.map_overlays.choropleth);
    harness.get_by_label("Incidents per province");
    harness.get_by_label("Incident symbols").click();
    harness.run_ok();
    assert!(!harness.state().state.map_overlays.symbols);
    harness.key_press(egui::Key::Escape);
    harness.run_ok();

    // All of that, and the basemap menu, without a single tile fetcher: no network.
    harness.get_by_label("Basemap").click();
    harness.run_ok();
    harness.get_by_label("Offline basemap (embedded, no network)");
    assert!(!harness.state().map.is_online());
    assert_eq!(ONLINE_FETCHERS_CREATED.load(Ordering::SeqCst), 0);
}

#[test]
fn choropleth_values_equal_the_filtered_counts_per_province() {
    // The map with the choropleth on and only attacks shown, driven as a user would.
    let mut state = PersistedState::default();
    state.map_overlays.choropleth = true;
    state.filter.kinds = [khorasan_atlas::model::Kind::Attack].into();
    let harness = common::harness(state);
    let app = harness.state();
    // What the scan handed the map, against a count made here incident by incident.
    let mut expected: BTreeMap<ProvinceKey, usize> = BTreeMap::new();
    for incident in &app.dataset.incidents {
        if incident.kind == khorasan_atlas::model::Kind::Attack
            && let Some(province) = incident.location.province()
        {
            *expected.entry(province).or_default() += 1;
        }
    }
    assert!(expected.len() > 10, "{expected:?}");
    let drawn: BTreeMap<ProvinceKey, usize> = app
        .derived
        .provinces
        .iter()
        .map(|(key, total)| (key.clone(), total.count))
        .collect();
    assert_eq!(drawn, expected);
    // Every Afghan or Pakistani province in the data has a shape to colour.
    let basemap = khorasan_atlas::basemap::Basemap::embedded().unwrap();
    for key in drawn.keys() {
        if key.country_code == "AF" || key.country_code == "PK" {
            assert!(
                basemap.provinces.iter().any(|area| area.key() == *key),
                "no shape for {key:?}"
            );
        }
    }
    // The legend says what the colours count.
    harness.get_by_label("Incidents per province");
}

#[test]
fn mbtiles_file_opens_and_serves_tiles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fixture.mbtiles");
    write_mbtiles(&path, "png");
    let ctx = egui::Context::default();
    let mut basemap = TileBasemap::open_file(&path, &ctx).unwrap();
    assert!(!basemap.is_online());
    assert!(basemap.credit().contains("fixture.mbtiles"));
    let tiles = basemap.tiles();
    assert!(
        tiles
            .at(TileId {
                x: 1,
                y: 1,
                zoom: 1
            })
            .is_some()
    );
    // Deeper than the file: the covering zoom-2 tile is used.
    let piece = tiles
        .at(TileId {
            x: 13,
            y: 2,
            zoom: 4,
        })
        .unwrap();
    assert!((piece.uv.width() - 0.25).abs() < 1e-6);
    assert_eq!(ONLINE_FETCHERS_CREATED.load(Ordering::SeqCst), 0);
}

#[test]
fn pmtiles_file_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fixture.pmtiles");
    write_pmtiles(&path);
    let ctx = egui::Context::default();
    let basemap = TileBasemap::open_file(&path, &ctx).unwrap();
    assert!(basemap.credit().contains("fixture.pmtiles"));
}

#[test]
fn bad_basemap_files_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = egui::Context::default();

    let garbage = dir.path().join("garbage.pmtiles");
    std::fs::write(&garbage, b"this is not a tile file at all").unwrap();
    assert!(matches!(
        TileBasemap::open_file(&garbage, &ctx),
        Err(TileError::UnknownFormat(_))
    ));

    let truncated = dir.path().join("truncated.pmtiles");
    std::fs::write(&truncated, b"PMTiles\x03").unwrap();
    let error = TileBasemap::open_file(&truncated, &ctx).err().unwrap();
    assert!(error.to_string().contains("truncated"), "{error}");

    let corrupt = dir.path().join("corrupt.mbtiles");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend(std::iter::repeat_n(0xAB, 4000));
    std::fs::write(&corrupt, bytes).unwrap();
    let error = TileBasemap::open_file(&corrupt, &ctx).err().unwrap();
    assert!(matches!(error, TileError::BadMbTiles(..)), "{error}");

    let vector = dir.path().join("vector.mbtiles");
    write_mbtiles(&vector, "pbf");
    assert!(matches!(
        TileBasemap::open_file(&vector, &ctx),
        Err(TileError::UnsupportedTiles(..))
    ));

    let missing = dir.path().join("missing.mbtiles");
    let error = TileBasemap::open_file(&missing, &ctx).err().unwrap();
    assert!(error.to_string().contains("missing.mbtiles"), "{error}");
}

#[test]
fn a_corrupt_basemap_file_in_the_app_leaves_the_offline_basemap_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("broken.mbtiles");
    std::fs::write(&corrupt, b"SQLite format 3\0 but nothing after").unwrap();
    let mut harness = harness();
    harness
        .state_mut()
        .apply(Command::SetBasemap(BasemapRequest::File(corrupt)));
    harness.run_ok();
    assert_eq!(harness.state().map.tile_credit(), None);
    assert!(
        harness
            .state()
            .notices
            .iter()
            .any(|notice| notice.text.contains("broken.mbtiles")
                && notice.text.contains("offline basemap")),
        "{:?}",
        harness.state().notices
    );
    harness.get_by_label_contains("broken.mbtiles");

    let good = dir.path().join("good.mbtiles");
    write_mbtiles(&good, "png");
    harness
        .state_mut()
        .apply(Command::SetBasemap(BasemapRequest::File(good)));
    harness.run_ok();
    assert!(
        harness
            .state()
            .map
            .tile_credit()
            .unwrap()
            .contains("good.mbtiles")
    );
    harness.get_by_label_contains("Tiles: good.mbtiles");
}

#[test]
fn the_legend_folds_away_and_comes_back() {
    let mut harness = harness();
    assert!(harness.query_by_label("Colour: kind").is_some());
    // "Attack" is in the map's legend, the timeline's legend and the table.
    let attacks = harness.query_all_by_label("Attack").count();
    harness.get_by_label("Hide legend").click();
    harness.run_ok();
    assert!(
        harness.query_by_label("Colour: kind").is_none(),
        "the folded legend shows only its button"
    );
    assert_eq!(harness.query_all_by_label("Attack").count(), attacks - 1);
    harness.get_by_label("Show legend").click();
    harness.run_ok();
    assert!(harness.query_by_label("Colour: kind").is_some());
    assert_eq!(harness.query_all_by_label("Attack").count(), attacks);
}

#[test]
fn the_legend_moves_off_the_incidents_it_would_hide() {
    // The camera put so that Afghanistan and Pakistan fill the top left of the map.
    let state = PersistedState {
        map_center: (28.0, 76.0),
        map_zoom: 5.0,
        ..PersistedState::default()
    };
    let mut harness = common::harness(state);
    harness.run_ok();
    let map = harness.state().view_rects.map.expect("the map is shown");
    let legend = harness.get_by_label("Colour: kind").rect();
    assert!(
        legend.min.x > map.center().x || legend.min.y > map.center().y,
        "the legend at {legend:?} stays over the incidents in the top left of {map:?}"
    );
}

/// The map's Area menu opened (the filter panel has an Area section too: the menu is the one
/// further right).
fn open_area_menu(harness: &mut egui_kittest::Harness<'_, khorasan_atlas::AtlasApp>) {
    let menu = harness
        .get_all_by_label("Area")
        .map(|node| node.rect())
        .max_by(|a, b| a.min.x.total_cmp(&b.min.x))
        .unwrap();
    common::click_at(harness, menu.center());
}

#[test]
fn an_area_drawn_on_the_map_filters_every_view_and_is_removed_from_the_panel() {
    let mut harness = harness();
    let total = harness.state().dataset.incidents.len();
    open_area_menu(&mut harness);
    harness
        .get_by_label("Circle: its centre, then its edge")
        .click();
    harness.run_ok();
    // The map's middle, below its control row.
    let region = harness.get_by_label("Khorasan region").rect();
    let centre = egui::pos2(region.min.x + 250.0, region.max.y + 250.0);
    common::click_at(&mut harness, centre);
    assert!(
        harness.state().state.filter.areas.is_empty(),
        "one click is a centre only"
    );
    common::click_at(&mut harness, centre + egui::vec2(70.0, 0.0));

    let app = harness.state();
    let areas = &app.state.filter.areas;
    assert_eq!(areas.len(), 1, "{areas:?}");
    let khorasan_atlas::model::Area::Within { km, .. } = &areas[0] else {
        panic!("a circle: {areas:?}");
    };
    assert!(*km >= 50.0, "{km} km");
    let shown = app.derived.filtered.len();
    let expected: Vec<usize> = (0..total)
        .filter(|&i| app.state.filter.matches(&app.dataset.incidents[i]))
        .collect();
    assert_eq!(app.derived.filtered, expected);
    assert!(0 < shown && shown < total, "{shown} of {total}");
    let caption = khorasan_atlas::model::caption::caption(&app.state.filter, &app.dataset, shown);
    assert!(caption.contains(&format!("within {km} km of")), "{caption}");
    // The panel lists it, under its Area section (folded while there was no area).
    let km = *km;
    harness.get_by_label("Area \u{2022} 1 selected").click();
    harness.run_ok();
    harness
        .get_all_by_label_contains(&format!("within {km} km of"))
        .next()
        .unwrap();

    // Esc leaves the tool; the filter panel's × removes the area.
    harness.key_press(egui::Key::Escape);
    harness.run_ok();
    harness.get_by_label("\u{d7}").click();
    harness.run_ok();
    assert!(harness.state().state.filter.areas.is_empty());
    assert_eq!(harness.state().derived.filtered.len(), total);
}

#[test]
fn the_choropleth_colours_provinces_by_change_with_a_diverging_legend() {
    let mut harness = harness();
    harness.get_by_label("Overlays").click();
    harness.run_ok();
    harness
        .get_by_label("Province choropleth (Afghanistan, Pakistan)")
        .click();
    harness.run_ok();
    harness
        .get_by_label("Colour by change instead (the Change view's months against its baseline)")
        .click();
    harness.run_ok();
    let overlays = &harness.state().state.map_overlays;
    assert!(overlays.choropleth && overlays.choropleth_change);
    harness.get_by_label("Change in incidents per province");
    harness.get_by_label("+100% or more");
    harness.get_by_label("\u{2212}100% (none now)");
    let app = harness.state();
    let change = khorasan_atlas::model::change::Change::compute(
        &app.dataset,
        &app.state.filter,
        app.state.change,
    );
    harness.get_by_label(&change.describe());
}

#[test]
fn an_area_is_reshaped_on_the_map_by_dragging_its_handle() {
    use khorasan_atlas::model::{Area, Filter};
    let mut harness = common::harness(PersistedState {
        filter: Filter {
            areas: vec![Area::Within {
                lat: 34.43,
                lon: 70.45,
                km: 100.0,
                label: Some("Jalalabad".to_owned()),
            }],
            ..Filter::default()
        },
        ..PersistedState::default()
    });
    let before = harness.state().derived.filtered.len();
    assert!(
        harness
            .query_by_label("Radius: within 100 km of Jalalabad")
            .is_none(),
        "no handles until asked for"
    );
    open_area_menu(&mut harness);
    harness
        .get_by_label("Edit the areas: drag their handles")
        .click();
    harness.run_ok();
    let handle = harness
        .get_by_label("Radius: within 100 km of Jalalabad")
        .rect()
        .center();
    let camera = harness.state().map.center_and_zoom();
    // Dragged outwards, a frame at a time, as a hand would.
    harness.drag_at(handle);
    harness.run_ok();
    for step in 1..=6 {
        harness.hover_at(handle + egui::vec2(10.0 * step as f32, 0.0));
        harness.run_ok();
    }
    harness.drop_at(handle + egui::vec2(60.0, 0.0));
    harness.run_ok();
    let app = harness.state();
    let [Area::Within { km, label, .. }] = app.state.filter.areas.as_slice() else {
        panic!("one circle");
    };
    assert!(*km > 100.0, "{km} km");
    assert_eq!(label.as_deref(), Some("Jalalabad"));
    assert_eq!(
        app.map.center_and_zoom(),
        camera,
        "the drag moved the handle, not the map"
    );
    assert!(app.derived.filtered.len() >= before);
    let expected: Vec<usize> = (0..app.dataset.incidents.len())
        .filter(|&i| app.state.filter.matches(&app.dataset.incidents[i]))
        .collect();
    assert_eq!(app.derived.filtered, expected);
}
