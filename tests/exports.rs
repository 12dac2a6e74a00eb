//! The View menu's exports as a briefer uses them in a 1280x800 window: pictures of the exact
//! pixel size asked whatever the screen, drawn in the background; the playback as an animated
//! GIF with a progress bar and Cancel; a failure that writes nothing.

mod common;

use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable as _;
use khorasan_atlas::AtlasApp;
use khorasan_atlas::state::{
    AnimationRequest, Command, NoticeLevel, PersistedState, PictureRequest, PictureScope,
};

type Harness = egui_kittest::Harness<'static, AtlasApp>;

/// Step the UI until a notice containing `text` shows (exports finish on their own thread).
fn wait_for_notice(harness: &mut Harness, text: &str) -> (NoticeLevel, String) {
    let started = Instant::now();
    loop {
        harness.step();
        if let Some(notice) = harness
            .state()
            .notices
            .iter()
            .find(|notice| notice.text.contains(text))
        {
            return (notice.level, notice.text.clone());
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no notice with {text:?}: {:?}",
            harness.state().notices
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn pictures_are_the_exact_size_asked_on_a_1280x800_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = common::harness(PersistedState::default());
    for (scale, scope, expected) in [
        (2, PictureScope::Window, (2560, 1600)),
        (4, PictureScope::Window, (5120, 3200)),
        (1, PictureScope::Map, (1280, 800)),
    ] {
        let path = dir.path().join(format!("{scale}x-{scope:?}.png"));
        harness
            .state_mut()
            .apply(Command::ExportPicture(PictureRequest {
                path: Some(path.clone()),
                scope,
                scale,
            }));
        let (level, message) = wait_for_notice(&mut harness, &path.display().to_string());
        assert_eq!(level, NoticeLevel::Success, "{message}");
        let image = image::open(&path).unwrap();
        assert_eq!(
            (image.width(), image.height()),
            expected,
            "{scope:?} at {scale}x"
        );
        assert!(
            message.contains(&format!("{}x{} px", expected.0, expected.1)),
            "{message}"
        );
        // The notice is on screen, in the top bar.
        harness.run_ok();
        harness.get_by_label(&message);
    }
    // No file is left half-written beside them.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|name| name.ends_with(".png")), "{names:?}");
}

#[test]
fn an_export_that_cannot_be_written_says_why_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A folder where the file should go.
    let path = dir.path().join("taken.png");
    std::fs::create_dir(&path).unwrap();
    let mut harness = common::harness(PersistedState::default());
    harness
        .state_mut()
        .apply(Command::ExportPicture(PictureRequest {
            path: Some(path.clone()),
            scope: PictureScope::Window,
            scale: 1,
        }));
    let (level, message) = wait_for_notice(&mut harness, "Nothing was written");
    assert_eq!(level, NoticeLevel::Warning, "{message}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "only the folder"
    );
}

/// The frames of a GIF file.
fn gif_frames(path: &std::path::Path) -> Vec<image::Frame> {
    use image::AnimationDecoder as _;
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    image::codecs::gif::GifDecoder::new(file)
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap()
}

#[test]
fn a_year_of_playback_is_exported_as_an_animated_gif_and_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = PersistedState::default();
    state.filter.from = chrono::NaiveDate::from_ymd_opt(2021, 1, 1);
    state.filter.to = chrono::NaiveDate::from_ymd_opt(2021, 12, 31);
    state.playback.months_per_second = 2.0;
    let mut harness = common::harness_sized(state, 960.0, 600.0);
    let path = dir.path().join("2021.gif");
    harness
        .state_mut()
        .apply(Command::ExportAnimation(AnimationRequest {
            path: path.clone(),
            scale: 1,
        }));
    harness.step();
    harness.run_ok();
    // The progress shows in the top bar while the frames are drawn.
    harness.get_by_label("Cancel");
    let (level, message) = wait_for_notice(&mut harness, "2021.gif");
    assert_eq!(level, NoticeLevel::Success, "{message}");
    assert!(message.contains("Jan 2021 \u{2013} Dec 2021"), "{message}");
    let frames = gif_frames(&path);
    assert_eq!(frames.len(), 12, "one frame a month");
    assert_eq!(frames[0].buffer().dimensions(), (960, 600));
    assert_eq!(frames[0].delay().numer_denom_ms(), (500, 1));
    // The period moves: the caption and the marks change from month to month.
    assert!(frames[0].buffer() != frames[11].buffer());
    // The app's own view is as it was: the export played on its own copy.
    assert_eq!(harness.state().state.playback.cursor, None);

    // Cancelled at once: nothing is written.
    let cancelled = dir.path().join("cancelled.gif");
    harness
        .state_mut()
        .apply(Command::ExportAnimation(AnimationRequest {
            path: cancelled.clone(),
            scale: 2,
        }));
    harness.step();
    harness.state_mut().apply(Command::CancelExport);
    let (level, message) = wait_for_notice(&mut harness, "cancelled");
    assert_eq!(level, NoticeLevel::Info, "{message}");
    assert!(!cancelled.exists());
}
