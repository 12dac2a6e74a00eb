//! Pictures that do not depend on the screen: egui frames laid out in points at a requested
//! size and rendered with wgpu into an offscreen texture at a number of pixels per point. No
//! window, no display: on a machine without a GPU, Mesa's CPU Vulkan driver (lavapipe) or
//! OpenGL (llvmpipe through EGL) draws it.
//!
//! Deterministic: the same frames give the same pixels (egui-wgpu's predictable options, a
//! fixed clock, no pointer, animations off), so the same view and data give the same PNG.

use std::sync::Arc;
use std::time::Duration;

use egui::{Pos2, Rect, Vec2, ViewportId};
use egui_wgpu::wgpu;

/// How long the GPU may take for one picture before it is given up on (a 4K frame on a
/// software rasteriser takes well under a second).
const WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(
        "no graphics adapter for offscreen rendering ({0}); on Linux without a GPU install Mesa's \
         software drivers (Debian: mesa-vulkan-drivers, or libegl1 libegl-mesa0 libgl1-mesa-dri)"
    )]
    NoAdapter(String),
    #[error("{width}x{height} pixels is larger than this renderer allows ({max}x{max})")]
    TooLarge { width: u32, height: u32, max: u32 },
    #[error("the renderer failed: {0}")]
    Gpu(String),
}

/// The wgpu device, queue and egui renderer; made once and reused for every picture.
pub struct Renderer {
    state: egui_wgpu::RenderState,
}

impl Renderer {
    /// A renderer on the CPU adapter when there is one (the same pixels on every machine of
    /// a kind), else on the GPU; Vulkan (Metal, DX12) first, OpenGL only when none of those
    /// has an adapter. `WGPU_BACKEND` (e.g. `gl`) chooses instead.
    pub fn new() -> Result<Self, RenderError> {
        match wgpu::Backends::from_env() {
            Some(backends) => Self::with_backends(backends).map_err(RenderError::NoAdapter),
            None => Self::with_backends(wgpu::Backends::PRIMARY).or_else(|primary| {
                Self::with_backends(wgpu::Backends::GL).map_err(|gl| {
                    RenderError::NoAdapter(format!("Vulkan: {primary}; OpenGL: {gl}"))
                })
            }),
        }
    }

    fn with_backends(backends: wgpu::Backends) -> Result<Self, String> {
        let mut setup = egui_wgpu::WgpuSetupCreateNew::without_display_handle();
        setup.instance_descriptor.backends = backends;
        setup.native_adapter_selector = Some(Arc::new(|adapters, _surface| {
            let mut adapters: Vec<&wgpu::Adapter> = adapters.iter().collect();
            // Vulkan before OpenGL, then CPU before a GPU.
            adapters.sort_by_key(|a| match a.get_info().backend {
                wgpu::Backend::Vulkan | wgpu::Backend::Metal | wgpu::Backend::Dx12 => 0,
                _ => 1,
            });
            adapters.sort_by_key(|a| match a.get_info().device_type {
                wgpu::DeviceType::Cpu => 0,
                wgpu::DeviceType::DiscreteGpu => 1,
                _ => 2,
            });
            adapters
                .first()
                .map(|adapter| (*adapter).clone())
                .ok_or_else(|| "none found".to_owned())
        }));
        // The adapter's own texture limit (16384 on lavapipe), not egui's default of 8192:
        // a 4x picture of a 1920-point-wide window is 7680 pixels wide.
        setup.device_descriptor = Arc::new(|adapter| wgpu::DeviceDescriptor {
            label: Some("khorasan-atlas offscreen"),
            required_limits: wgpu::Limits {
                max_texture_dimension_2d: adapter.limits().max_texture_dimension_2d,
                ..wgpu::Limits::downlevel_defaults()
            },
            ..Default::default()
        });
        let setup = egui_wgpu::WgpuSetup::CreateNew(setup);
        let instance = pollster::block_on(setup.new_instance());
        let state = pollster::block_on(egui_wgpu::RenderState::create(
            &egui_wgpu::WgpuConfiguration {
                wgpu_setup: setup,
                ..Default::default()
            },
            &instance,
            None,
            egui_wgpu::RendererOptions::PREDICTABLE,
        ))
        .map_err(|error| error.to_string())?;
        Ok(Self { state })
    }

    /// The widest and tallest picture this renderer can make, in pixels.
    pub fn max_side(&self) -> u32 {
        self.state.device.limits().max_texture_dimension_2d
    }

    /// "lavapipe (Vulkan, Cpu)": which adapter draws, for messages and benchmarks.
    pub fn adapter(&self) -> String {
        let info = self.state.adapter.get_info();
        format!("{} ({:?}, {:?})", info.name, info.backend, info.device_type)
    }

    fn update_textures(&mut self, delta: &egui::TexturesDelta) {
        let mut renderer = self.state.renderer.write();
        // In order: several deltas of one texture apply one after the other.
        for (id, images) in &delta.set {
            for image in images {
                renderer.update_texture(&self.state.device, &self.state.queue, *id, image);
            }
        }
    }

    fn free_textures(&mut self, ids: &[egui::TextureId]) {
        let mut renderer = self.state.renderer.write();
        for id in ids {
            renderer.free_texture(id);
        }
    }

    /// Draw one frame's shapes into a texture of `size` pixels and read it back.
    fn draw(
        &mut self,
        ctx: &egui::Context,
        shapes: Vec<egui::epaint::ClippedShape>,
        size: [u32; 2],
    ) -> Result<image::RgbaImage, RenderError> {
        let max = self.max_side();
        if size[0] > max || size[1] > max || size[0] == 0 || size[1] == 0 {
            return Err(RenderError::TooLarge {
                width: size[0],
                height: size[1],
                max,
            });
        }
        let (device, queue) = (&self.state.device, &self.state.queue);
        let pixels_per_point = ctx.pixels_per_point();
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: size,
            pixels_per_point,
        };
        let triangles = ctx.tessellate(shapes, pixels_per_point);
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("picture"),
        });
        let mut renderer = self.state.renderer.write();
        let user_buffers =
            renderer.update_buffers(device, queue, &mut encoder, &triangles, &screen);
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("picture"),
            size: wgpu::Extent3d {
                width: size[0],
                height: size[1],
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: self.state.target_format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        {
            let mut pass = encoder
                .begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("picture"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: &view,
                        resolve_target: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                            store: wgpu::StoreOp::Store,
                        },
                        depth_slice: None,
                    })],
                    ..Default::default()
                })
                .forget_lifetime();
            renderer.render(&mut pass, &triangles, &screen);
        }
        drop(renderer);
        queue.submit(user_buffers.into_iter().chain([encoder.finish()]));
        self.read_back(&texture)
    }

    /// The texture's pixels, copied through a buffer whose rows are padded as wgpu requires.
    fn read_back(&self, texture: &wgpu::Texture) -> Result<image::RgbaImage, RenderError> {
        let (device, queue) = (&self.state.device, &self.state.queue);
        let (width, height) = (texture.width(), texture.height());
        let row = width as usize * 4;
        let align = wgpu::COPY_BYTES_PER_ROW_ALIGNMENT as usize;
        let padded_row = row.div_ceil(align) * align;
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("picture read-back"),
            size: (padded_row * height as usize) as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("picture read-back"),
        });
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded_row as u32),
                    rows_per_image: None,
                },
            },
            texture.size(),
        );
        let submission = queue.submit([encoder.finish()]);
        let (sender, mapped) = std::sync::mpsc::channel();
        buffer
            .slice(..)
            .map_async(wgpu::MapMode::Read, move |result| drop(sender.send(result)));
        device
            .poll(wgpu::PollType::Wait {
                submission_index: Some(submission),
                timeout: Some(WAIT),
            })
            .map_err(|error| RenderError::Gpu(error.to_string()))?;
        mapped
            .recv()
            .map_err(|error| RenderError::Gpu(error.to_string()))?
            .map_err(|error| RenderError::Gpu(error.to_string()))?;
        let data = buffer
            .slice(..)
            .get_mapped_range()
            .map_err(|error| RenderError::Gpu(error.to_string()))?;
        let pixels: Vec<u8> = data
            .chunks_exact(padded_row)
            .flat_map(|padded| &padded[..row])
            .copied()
            .collect();
        image::RgbaImage::from_raw(width, height, pixels)
            .ok_or_else(|| RenderError::Gpu("the picture has the wrong size".to_owned()))
    }
}

/// An egui context of a fixed size and scale, run frame by frame like a window that nobody
/// touches, and rendered on demand.
pub struct Scene {
    ctx: egui::Context,
    /// The size in points before the app's own zoom factor (presentation mode's larger type).
    size: Vec2,
    scale: f32,
    /// The last frame's shapes, drawn by [`Scene::render`].
    shapes: Vec<egui::epaint::ClippedShape>,
    /// Textures the last frame no longer needs, freed before the next one.
    to_free: Vec<egui::TextureId>,
    frames: u64,
}

/// Seconds of the scene's clock per frame: it advances by frames, not by wall time.
const FRAME_SECONDS: f64 = 1.0 / 60.0;

impl Scene {
    /// A scene of `size` points at `scale` pixels per point (1 to 4), in `theme`.
    pub fn new(size: Vec2, scale: f32, theme: egui::Theme) -> Self {
        let ctx = egui::Context::default();
        ctx.set_theme(theme);
        ctx.all_styles_mut(|style| {
            // Nothing that moves by itself: a picture is one still moment.
            style.visuals.text_cursor.blink = false;
            style.scroll_animation = egui::style::ScrollAnimation::none();
            style.animation_time = 0.0;
        });
        Self {
            ctx,
            size,
            scale,
            shapes: Vec::new(),
            to_free: Vec::new(),
            frames: 0,
        }
    }

    /// The picture's size in pixels: the size in points times the scale, whatever zoom the
    /// app sets.
    pub fn pixel_size(&self) -> [u32; 2] {
        [
            (self.size.x * self.scale).round() as u32,
            (self.size.y * self.scale).round() as u32,
        ]
    }

    pub fn ctx(&self) -> &egui::Context {
        &self.ctx
    }

    /// The last frame's shapes, before tessellation (for vector output).
    pub fn shapes(&self) -> &[egui::epaint::ClippedShape] {
        &self.shapes
    }

    /// The scene's size in points, before the app's zoom.
    pub fn size(&self) -> Vec2 {
        self.size
    }

    /// One frame of `ui`, with the textures it needs sent to `renderer` (none for vector
    /// output, which needs no GPU).
    pub fn run(&mut self, mut renderer: Option<&mut Renderer>, ui: impl FnMut(&mut egui::Ui)) {
        // Points shrink as the app zooms, so that the picture keeps its size in pixels.
        let zoom = self.ctx.zoom_factor();
        let mut input = egui::RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, self.size / zoom)),
            time: Some(self.frames as f64 * FRAME_SECONDS),
            predicted_dt: FRAME_SECONDS as f32,
            ..Default::default()
        };
        if let Some(viewport) = input.viewports.get_mut(&ViewportId::ROOT) {
            viewport.native_pixels_per_point = Some(self.scale);
        }
        self.frames += 1;
        let to_free = std::mem::take(&mut self.to_free);
        if let Some(renderer) = renderer.as_deref_mut() {
            renderer.free_textures(&to_free);
        }
        let mut output = self.ctx.run_ui(input, ui);
        if let Some(renderer) = renderer {
            renderer.update_textures(&output.textures_delta);
        }
        self.to_free = output.textures_delta.free.iter().copied().collect();
        // Handled: the delta checks on drop that nobody forgot it.
        output.textures_delta.clear();
        self.shapes = output.shapes;
    }

    /// The last frame as a picture.
    pub fn render(&mut self, renderer: &mut Renderer) -> Result<image::RgbaImage, RenderError> {
        renderer.draw(&self.ctx, self.shapes.clone(), self.pixel_size())
    }
}
