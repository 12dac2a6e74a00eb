//! `khorasan-atlas screenshot` draws a saved view offscreen, with no window and no display:
//! a PNG of exactly the size asked (points times scale), the same bytes every time, whose 2x
//! picture scaled down is the 1x picture (same layout, same map extent).

use std::process::Command;

const VIEW: &str = r#"(
    format: "khorasan-atlas-view",
    window_size: (900.0, 600.0),
    presenting: true,
    state: (
        dark_mode: false,
        filter: (kinds: [FoiledPlot, Attack], countries: ["AF", "PK"]),
        presentation: (title: "Screenshot test", layout: MapAndTimeline),
    ),
)"#;

/// A folder holding the test's view file, and the file.
fn view_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let view = dir.path().join("brief.view.ron");
    std::fs::write(&view, VIEW).unwrap();
    (dir, view)
}

/// Run the command with no display at all.
fn screenshot(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_khorasan-atlas"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .arg("screenshot")
        .args(args)
        .output()
        .unwrap()
}

fn render(view: &std::path::Path, out: &std::path::Path, size: &str, scale: &str, only: &str) {
    let output = screenshot(&[
        "--view",
        view.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--size",
        size,
        "--scale",
        scale,
        "--only",
        only,
    ]);
    assert!(
        output.status.success(),
        "screenshot failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains(out.to_str().unwrap()), "{message}");
}

#[test]
fn screenshot_writes_the_exact_size_deterministically_and_2x_matches_1x() {
    let (dir, view) = view_file();

    let double = dir.path().join("double.png");
    render(&view, &double, "1600x900", "2", "window");
    let image = image::open(&double).unwrap().to_rgba8();
    assert_eq!(image.dimensions(), (3200, 1800));

    let again = dir.path().join("again.png");
    render(&view, &again, "1600x900", "2", "window");
    assert!(
        std::fs::read(&double).unwrap() == std::fs::read(&again).unwrap(),
        "the same view and data give the same bytes"
    );

    let single = dir.path().join("single.png");
    render(&view, &single, "1600x900", "1", "window");
    let single = image::open(&single).unwrap().to_rgba8();
    assert_eq!(single.dimensions(), (1600, 900));
    let down = image::imageops::resize(&image, 1600, 900, image::imageops::FilterType::Triangle);
    let total: u64 = single
        .as_raw()
        .iter()
        .zip(down.as_raw())
        .map(|(a, b)| u64::from(a.abs_diff(*b)))
        .sum();
    let mean = total as f64 / single.as_raw().len() as f64;
    assert!(
        mean < 6.0,
        "1x and downscaled 2x differ by {mean:.2} on average"
    );

    // One view alone: the map, cut out of the window.
    let map = dir.path().join("map.png");
    render(&view, &map, "900x600", "1", "map");
    let image = image::open(&map).unwrap();
    assert_eq!(image.width(), 900, "the map spans the width in this layout");
    assert!((100..600).contains(&image.height()), "{}", image.height());
}

#[test]
fn a_missing_view_file_is_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.png");
    let output = screenshot(&[
        "--view",
        "/no/such.view.ron",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/no/such.view.ron"));
    assert!(!out.exists());
}

#[test]
fn a_year_of_playback_is_written_as_an_animated_gif_from_the_command_line() {
    use image::AnimationDecoder as _;
    let (dir, view) = view_file();
    let out = dir.path().join("2021.gif");
    let output = screenshot(&[
        "--view",
        view.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--size",
        "640x400",
        "--animate",
        "--from",
        "2021-01",
        "--to",
        "2021-12",
    ]);
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{message}");
    assert!(message.contains("12 frames of 640x400"), "{message}");
    let file = std::io::BufReader::new(std::fs::File::open(&out).unwrap());
    let frames = image::codecs::gif::GifDecoder::new(file)
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(frames.len(), 12);
    assert!(
        frames[0].buffer() != frames[11].buffer(),
        "the period moves"
    );

    let output = screenshot(&[
        "--view",
        view.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--animate",
        "--from",
        "2021-13",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("YYYY-MM"));
}

#[test]
fn vector_exports_keep_the_title_as_text() {
    let (dir, view) = view_file();
    let svg_path = dir.path().join("a.svg");
    render(&view, &svg_path, "1600x900", "1", "window");
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1600\" height=\"900\"")
    );
    // The title, the caption and the source line are <text> elements.
    assert!(svg.contains(">Screenshot test</text>"), "no title text");
    assert!(svg.contains("Attacks and foiled plots, Afghanistan and Pakistan"));
    assert!(svg.contains("not a complete count"));
    assert!(
        svg.contains("<path d=\"M"),
        "symbols and the basemap as paths"
    );

    let pdf_path = dir.path().join("a.pdf");
    render(&view, &pdf_path, "1600x900", "1", "window");
    let pdf = std::fs::read(&pdf_path).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Text stays text: the fonts are embedded, and each piece of text maps back to Unicode.
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        text.contains("/FontFile2") || text.contains("/FontFile3"),
        "embedded font"
    );
    assert!(
        text.contains("/ToUnicode"),
        "text can be selected and searched"
    );
}
