//! Online tiles with no reachable server (this test's own process, since it creates a tile
//! fetcher): one notice, back to the offline basemap, no hang.

use std::time::{Duration, Instant};

mod common;

use khorasan_atlas::state::BasemapRequest;
use khorasan_atlas::state::{Command, PersistedState};
use khorasan_atlas::tiles::BasemapSettings;

#[test]
fn unreachable_tile_server_gives_one_notice_and_the_offline_basemap() {
    let mut harness = common::harness(PersistedState::default());

    // `.invalid` never resolves (RFC 6761): the same as having no network.
    harness
        .state_mut()
        .apply(Command::SetBasemapSettings(BasemapSettings {
            url_template: "https://tiles.example.invalid/{z}/{x}/{y}.png".into(),
            file: None,
        }));
    harness
        .state_mut()
        .apply(Command::SetBasemap(BasemapRequest::Online));
    harness.step();
    assert!(harness.state().map.is_online(), "online tiles switched on");

    let started = Instant::now();
    while harness.state().map.is_online() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the failed network was not noticed"
        );
        std::thread::sleep(Duration::from_millis(50));
        harness.step();
    }
    harness.run_ok();
    let notices: Vec<&String> = harness
        .state()
        .notices
        .iter()
        .map(|notice| &notice.text)
        .filter(|text| text.contains("Online tiles unavailable"))
        .collect();
    assert_eq!(notices.len(), 1, "{:?}", harness.state().notices);
    assert!(notices[0].contains("offline basemap"));
    // Still usable: frames keep coming and nothing else is reported.
    for _ in 0..10 {
        harness.step();
    }
    assert_eq!(harness.state().notices.len(), 1);
}
