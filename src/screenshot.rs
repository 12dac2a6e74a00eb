//! `khorasan-atlas screenshot`: a saved view drawn offscreen and written as PNG, with no
//! window, no display and no interaction, so the picture depends only on the view file, the
//! data, the size and the scale.

use std::path::Path;

use crate::AtlasApp;
use crate::app::animation;
use crate::app::picture::{self, PictureSpec};
use crate::layers::Layer;
use crate::model::aggregate::MonthIndex;
use crate::render::Renderer;
use crate::state::view_file::LoadedView;

/// Draw `view` over `layers` (the data the command line named) as `spec` says and write it to
/// `out`; the message says what was written, with its exact size in pixels.
pub fn run(
    layers: Vec<Layer>,
    view: LoadedView,
    view_name: &str,
    spec: &PictureSpec,
    out: &Path,
) -> Result<String, String> {
    let mut app = AtlasApp::with_layers(layers, Default::default());
    app.open_view(view, view_name);
    let format = picture::PictureFormat::of(out);
    if format != picture::PictureFormat::Png {
        // Vector: laid out the same, written as shapes and text; no GPU involved.
        let svg = picture::render_svg(&mut app, spec)?;
        let bytes = match format {
            picture::PictureFormat::Pdf => picture::svg_to_pdf(&svg)?,
            _ => svg.into_bytes(),
        };
        picture::write_file(out, &bytes)
            .map_err(|error| format!("cannot write {}: {error}", out.display()))?;
        return Ok(format!(
            "wrote {} ({}x{} points, vector)",
            out.display(),
            spec.size.x.round(),
            spec.size.y.round()
        ));
    }
    let mut renderer = Renderer::new().map_err(|error| error.to_string())?;
    let image = picture::render(&mut app, &mut renderer, spec)?;
    picture::write_png(out, &image)
        .map_err(|error| format!("cannot write {}: {error}", out.display()))?;
    Ok(format!(
        "wrote {} ({}x{})",
        out.display(),
        image.width(),
        image.height()
    ))
}

/// Draw the playback of `view` as an animated GIF, one frame per month of `months` (the view's
/// period or all the data when `None`), and write it to `out`.
pub fn run_animation(
    layers: Vec<Layer>,
    view: LoadedView,
    view_name: &str,
    spec: &PictureSpec,
    months: Option<(MonthIndex, MonthIndex)>,
    out: &Path,
) -> Result<String, String> {
    let mut renderer = Renderer::new().map_err(|error| error.to_string())?;
    let mut app = AtlasApp::with_layers(layers, Default::default());
    app.open_view(view, view_name);
    let progress = crate::state::ExportProgress::default();
    let animation = animation::render_animation(&mut app, &mut renderer, spec, months, &progress)?;
    animation::write_gif(out, &animation)
        .map_err(|error| format!("cannot write {}: {error}", out.display()))?;
    let [width, height] = animation
        .frames
        .first()
        .map_or([0, 0], |frame| [frame.width(), frame.height()]);
    Ok(format!(
        "wrote {} ({}, {} frames of {width}x{height}, {} ms each)",
        out.display(),
        animation::describe_months(animation.months),
        animation.frames.len(),
        animation.delay_ms
    ))
}
