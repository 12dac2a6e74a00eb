//! `khorasan-atlas screenshot` renders a saved view to a PNG of the requested pixel size,
//! the same picture every time. It needs a display: the test starts its own Xvfb (which
//! `.ci/run` installs with Mesa). Without Xvfb it fails in CI (`CI` set, as `.ci/run` runs)
//! and elsewhere says so loudly instead of passing quietly.

use std::io::Read as _;
use std::process::{Child, Command, Stdio};

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

struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private virtual display, or `None` (with a loud message) when Xvfb is not installed.
fn start_xvfb() -> Option<Xvfb> {
    let mut child = match Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "2400x1600x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(error) => {
            let message = format!(
                "cannot start Xvfb ({error}); install it with: \
                 apt-get install xvfb libgl1-mesa-dri libegl1 (.ci/run does)"
            );
            assert!(
                std::env::var_os("CI").is_none(),
                "the screenshot test is required in CI: {message}"
            );
            eprintln!("\n*** SCREENSHOT NOT TESTED: {message}.\n");
            return None;
        }
    };
    let mut number = String::new();
    let mut stdout = child.stdout.take()?;
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).ok()? == 1 && byte[0] != b'\n' {
        number.push(byte[0] as char);
    }
    Some(Xvfb {
        child,
        display: format!(":{}", number.trim()),
    })
}

fn render(display: &str, view: &std::path::Path, out: &std::path::Path, scale: &str) {
    render_part(display, view, out, scale, "window");
}

fn render_part(
    display: &str,
    view: &std::path::Path,
    out: &std::path::Path,
    scale: &str,
    only: &str,
) {
    let output = Command::new(env!("CARGO_BIN_EXE_khorasan-atlas"))
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .args(["screenshot", "--view"])
        .arg(view)
        .arg("--out")
        .arg(out)
        .args(["--size", "900x600", "--scale", scale, "--only", only])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "screenshot failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn screenshot_writes_a_png_of_the_requested_size_deterministically() {
    let Some(xvfb) = start_xvfb() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let view = dir.path().join("brief.view.ron");
    std::fs::write(&view, VIEW).unwrap();

    let first = dir.path().join("first.png");
    render(&xvfb.display, &view, &first, "1");
    let image = image::open(&first).unwrap();
    assert_eq!((image.width(), image.height()), (900, 600));

    let again = dir.path().join("again.png");
    render(&xvfb.display, &view, &again, "1");
    assert_eq!(
        image.to_rgba8().as_raw(),
        image::open(&again).unwrap().to_rgba8().as_raw(),
        "the same view and data give the same picture"
    );

    let double = dir.path().join("double.png");
    render(&xvfb.display, &view, &double, "2");
    let image = image::open(&double).unwrap();
    assert_eq!((image.width(), image.height()), (1800, 1200));

    // One view alone: the map, cropped from the window.
    let map = dir.path().join("map.png");
    render_part(&xvfb.display, &view, &map, "1", "map");
    let image = image::open(&map).unwrap();
    assert_eq!(image.width(), 900, "the map spans the width in this layout");
    assert!((100..600).contains(&image.height()), "{}", image.height());
}

#[test]
fn a_missing_view_file_is_a_clear_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_khorasan-atlas"))
        .args([
            "screenshot",
            "--view",
            "/no/such.view.ron",
            "--out",
            "/tmp/x.png",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/no/such.view.ron"));
}
