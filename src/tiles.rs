//! Tile basemaps on top of the embedded offline one: opt-in online tiles (OpenStreetMap or an
//! organisation's own server) and local PMTiles or MBTiles files.
//!
//! Nothing here touches the network unless [`TileBasemap::online`] is called, which happens
//! only when the user switches online tiles on. [`ONLINE_FETCHERS_CREATED`] counts those calls
//! so a test can prove it.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use egui::{Pos2, Rect};
use serde::{Deserialize, Serialize};
use walkers::sources::{Attribution, TileSource};
use walkers::{HttpOptions, HttpTiles, PmTiles, Style, Tile, TileId, TilePiece, Tiles};

/// How many online tile fetchers were ever created in this process.
pub static ONLINE_FETCHERS_CREATED: AtomicUsize = AtomicUsize::new(0);

pub const OSM_TEMPLATE: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
const USER_AGENT: &str = concat!(
    "khorasan-atlas/",
    env!("CARGO_PKG_VERSION"),
    " (offline-first incident viewer; online tiles opted in by the user)"
);

/// The user's basemap choice, remembered between runs. Online tiles always start switched
/// off: a restart never goes online by itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BasemapSettings {
    /// `{z}`, `{x}` and `{y}` are replaced by the tile coordinates.
    pub url_template: String,
    /// A PMTiles or MBTiles file last opened.
    pub file: Option<PathBuf>,
}

impl Default for BasemapSettings {
    fn default() -> Self {
        Self {
            url_template: OSM_TEMPLATE.to_owned(),
            file: None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TileError {
    #[error("{0}: cannot read: {1}")]
    Unreadable(String, String),
    #[error("{0}: not a PMTiles or MBTiles file (unknown header)")]
    UnknownFormat(String),
    #[error("{0}: PMTiles version {1} is not supported (version 3 is)")]
    PmTilesVersion(String, u8),
    #[error("{0}: holds {1} tiles; only raster PNG or JPEG tiles can be shown")]
    UnsupportedTiles(String, String),
    #[error("{0}: not a valid MBTiles database: {1}")]
    BadMbTiles(String, String),
    #[error(
        "tile URL '{0}' must start with http:// or https:// and contain {{z}}, {{x}} and {{y}}"
    )]
    BadTemplate(String),
}

/// A tile server given by a URL template.
struct TemplateSource {
    template: String,
    attribution: &'static str,
    attribution_url: &'static str,
}

impl TileSource for TemplateSource {
    fn tile_url(&self, tile_id: TileId) -> String {
        self.template
            .replace("{z}", &tile_id.zoom.to_string())
            .replace("{x}", &tile_id.x.to_string())
            .replace("{y}", &tile_id.y.to_string())
    }

    fn attribution(&self) -> Attribution {
        Attribution {
            text: self.attribution,
            // Only OpenStreetMap's own tiles are credited to it; walkers takes a static URL, so
            // another server gets none (the map's credit line names its host).
            url: self.attribution_url,
            logo_light: None,
            logo_dark: None,
        }
    }
}

pub fn check_template(template: &str) -> Result<(), TileError> {
    let ok = (template.starts_with("https://") || template.starts_with("http://"))
        && ["{z}", "{x}", "{y}"]
            .iter()
            .all(|part| template.contains(part));
    if ok {
        Ok(())
    } else {
        Err(TileError::BadTemplate(template.to_owned()))
    }
}

/// The `host:port` a template's tiles come from, for the reachability check.
fn host_and_port(template: &str) -> Option<String> {
    let (scheme, rest) = template.split_once("://")?;
    let authority = rest.split('/').next()?;
    let authority = authority.rsplit('@').next()?;
    if authority.contains(':') {
        Some(authority.to_owned())
    } else {
        let port = if scheme == "http" { 80 } else { 443 };
        Some(format!("{authority}:{port}"))
    }
}

/// Check in the background, once, that the tile server can be reached (DNS and a TCP
/// connection, 4 seconds at most). The UI polls the answer and never waits for it.
pub fn probe(template: &str) -> mpsc::Receiver<Result<(), String>> {
    let (sender, receiver) = mpsc::channel();
    let target = host_and_port(template);
    let spawned = std::thread::Builder::new()
        .name("tile-server-probe".to_owned())
        .spawn(move || {
            let result = match target {
                None => Err("the tile URL has no host".to_owned()),
                Some(target) => reach(&target),
            };
            let _ = sender.send(result);
        });
    // Without a thread the sender is gone: the UI reads a closed channel as no answer.
    if let Err(error) = spawned {
        log::warn!("could not start the tile server check: {error}");
    }
    receiver
}

fn reach(target: &str) -> Result<(), String> {
    use std::net::ToSocketAddrs as _;
    let addresses = target
        .to_socket_addrs()
        .map_err(|error| format!("cannot resolve {target}: {error}"))?;
    let mut last_error = format!("no address for {target}");
    for address in addresses {
        match std::net::TcpStream::connect_timeout(&address, Duration::from_secs(4)) {
            Ok(_) => return Ok(()),
            Err(error) => last_error = format!("cannot connect to {target}: {error}"),
        }
    }
    Err(last_error)
}

/// A tile source drawn over the offline basemap.
pub enum TileBasemap {
    Online { tiles: HttpTiles, template: String },
    PmTiles { tiles: PmTiles, path: PathBuf },
    MbTiles(MbTiles),
}

impl TileBasemap {
    /// Start fetching tiles from the network. Only called when the user turns tiles on.
    pub fn online(template: &str, ctx: &egui::Context) -> Result<Self, TileError> {
        check_template(template)?;
        ONLINE_FETCHERS_CREATED.fetch_add(1, Ordering::SeqCst);
        let (attribution, attribution_url) = if is_openstreetmap(template) {
            (
                "\u{a9} OpenStreetMap contributors",
                "https://www.openstreetmap.org/copyright",
            )
        } else {
            ("Tiles: user-configured server", "")
        };
        let options = HttpOptions {
            cache: cache_dir(),
            user_agent: walkers::HeaderValue::from_str(USER_AGENT).ok(),
            ..HttpOptions::default()
        };
        let source = TemplateSource {
            template: template.to_owned(),
            attribution,
            attribution_url,
        };
        Ok(Self::Online {
            tiles: HttpTiles::with_options(source, options, ctx.clone()),
            template: template.to_owned(),
        })
    }

    /// Open a local PMTiles or MBTiles file, recognised by its content.
    pub fn open_file(path: &Path, ctx: &egui::Context) -> Result<Self, TileError> {
        let name = path.display().to_string();
        let mut header = [0u8; PMTILES_HEADER];
        let read = std::fs::File::open(path)
            .and_then(|mut file| {
                let mut total = 0;
                loop {
                    let n = file.read(&mut header[total..])?;
                    if n == 0 || total + n == header.len() {
                        return Ok(total + n);
                    }
                    total += n;
                }
            })
            .map_err(|error| TileError::Unreadable(name.clone(), error.to_string()))?;
        let header = &header[..read];
        if header.starts_with(b"PMTiles") {
            check_pmtiles_header(&name, header)?;
            Ok(Self::PmTiles {
                tiles: PmTiles::with_style_and_tile_size(path, Style, 256, ctx.clone()),
                path: path.to_owned(),
            })
        } else if header.starts_with(b"SQLite format 3\0") {
            Ok(Self::MbTiles(MbTiles::open(path, ctx)?))
        } else {
            Err(TileError::UnknownFormat(name))
        }
    }

    pub fn tiles(&mut self) -> &mut dyn Tiles {
        match self {
            Self::Online { tiles, .. } => tiles,
            Self::PmTiles { tiles, .. } => tiles,
            Self::MbTiles(tiles) => tiles,
        }
    }

    pub fn is_online(&self) -> bool {
        matches!(self, Self::Online { .. })
    }

    /// Credit line for the map: tile provider and, for files, the file name.
    pub fn credit(&self) -> String {
        match self {
            Self::Online { template, .. } if is_openstreetmap(template) => {
                "Tiles \u{a9} OpenStreetMap contributors (ODbL)".to_owned()
            }
            Self::Online { template, .. } => {
                format!("Tiles: {}", host_and_port(template).unwrap_or_default())
            }
            Self::PmTiles { path, .. } => format!("Tiles: {}", file_name(path)),
            Self::MbTiles(tiles) => match &tiles.attribution {
                Some(attribution) => format!("Tiles: {} ({attribution})", file_name(&tiles.path)),
                None => format!("Tiles: {}", file_name(&tiles.path)),
            },
        }
    }
}

/// Whether a URL template is OpenStreetMap's own tile server (its host, not a path or query
/// that merely mentions it).
fn is_openstreetmap(template: &str) -> bool {
    host_and_port(template).is_some_and(|host| {
        let host = host.split(':').next().unwrap_or_default();
        host == "openstreetmap.org" || host.ends_with(".openstreetmap.org")
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// The platform cache folder for downloaded tiles, e.g. `~/.cache/khorasan-atlas/tiles`.
pub fn cache_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "khorasan-atlas")
        .map(|dirs| dirs.cache_dir().join("tiles"))
}

/// The size of a PMTiles v3 header.
const PMTILES_HEADER: usize = 127;

/// PMTiles v3 header, read by the pmtiles crate: version 3, and a raster tile type we can
/// decode (walkers draws PNG and JPEG).
fn check_pmtiles_header(name: &str, header: &[u8]) -> Result<(), TileError> {
    use pmtiles::TileType;
    let unreadable = |why: &str| TileError::Unreadable(name.to_owned(), why.to_owned());
    // Checked here: the crate reports a short buffer by catching a panic, which prints.
    if header.len() < PMTILES_HEADER {
        return Err(unreadable("the PMTiles header is truncated"));
    }
    let header = pmtiles::Header::try_from_bytes(bytes::Bytes::copy_from_slice(header))
        .map_err(|error| unreadable(&format!("the PMTiles header is invalid ({error})")))?;
    if header.spec_version() != 3 {
        return Err(TileError::PmTilesVersion(
            name.to_owned(),
            header.spec_version(),
        ));
    }
    let unsupported = |kind: &str| Err(TileError::UnsupportedTiles(name.to_owned(), kind.into()));
    match header.tile_type {
        TileType::Png | TileType::Jpeg => Ok(()),
        TileType::Mvt | TileType::Mlt => unsupported("vector (MVT or MLT)"),
        TileType::Webp => unsupported("WebP"),
        TileType::Avif => unsupported("AVIF"),
        TileType::Unknown => unsupported("unknown"),
    }
}

/// Raster tiles from an MBTiles (SQLite) file, read on demand and kept in a small cache.
pub struct MbTiles {
    connection: rusqlite::Connection,
    path: PathBuf,
    min_zoom: u8,
    max_zoom: u8,
    attribution: Option<String>,
    /// Decoded tiles (or `None`: not in the file), the least recently drawn dropped first.
    cache: lru::LruCache<TileId, Option<Tile>>,
    ctx: egui::Context,
}

/// Tiles kept decoded: a 4K viewport needs well under a hundred.
const MBTILES_CACHE: std::num::NonZeroUsize = std::num::NonZeroUsize::new(512).unwrap();

impl MbTiles {
    pub fn open(path: &Path, ctx: &egui::Context) -> Result<Self, TileError> {
        let name = path.display().to_string();
        let bad = |error: rusqlite::Error| TileError::BadMbTiles(name.clone(), error.to_string());
        let connection = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(bad)?;
        let metadata = |key: &str| -> Result<Option<String>, TileError> {
            connection
                .query_row("SELECT value FROM metadata WHERE name = ?1", [key], |row| {
                    row.get(0)
                })
                .map(Some)
                .or_else(|error| match error {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    other => Err(bad(other)),
                })
        };
        let format = metadata("format")?.unwrap_or_else(|| "png".to_owned());
        if !matches!(format.as_str(), "png" | "jpg" | "jpeg") {
            return Err(TileError::UnsupportedTiles(name.clone(), format));
        }
        let attribution = metadata("attribution")?;
        let (min_zoom, max_zoom): (Option<u8>, Option<u8>) = connection
            .query_row(
                "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(bad)?;
        let (Some(min_zoom), Some(max_zoom)) = (min_zoom, max_zoom) else {
            return Err(TileError::BadMbTiles(
                name,
                "the tiles table is empty".into(),
            ));
        };
        Ok(Self {
            connection,
            path: path.to_owned(),
            min_zoom,
            max_zoom,
            attribution,
            cache: lru::LruCache::new(MBTILES_CACHE),
            ctx: ctx.clone(),
        })
    }

    /// Raw bytes of one tile; MBTiles numbers rows from the south (TMS).
    pub fn tile_bytes(&self, id: TileId) -> Option<Vec<u8>> {
        let row = (1u32 << id.zoom).checked_sub(1)?.checked_sub(id.y)?;
        self.connection
            .query_row(
                "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                (id.zoom, id.x, row),
                |r| r.get(0),
            )
            .ok()
    }

    fn load(&self, id: TileId) -> Option<Tile> {
        let bytes = self.tile_bytes(id)?;
        match Tile::new(&bytes, &Style, id.zoom, 256, &self.ctx) {
            Ok(tile) => Some(tile),
            Err(error) => {
                log::warn!("{}: tile {id:?} unreadable: {error}", self.path.display());
                None
            }
        }
    }
}

impl Tiles for MbTiles {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        // Beyond the file's deepest zoom, draw the part of the deepest tile that covers it.
        let (source, uv) = ancestor_within(tile_id, self.max_zoom);
        if source.zoom < self.min_zoom {
            return None;
        }
        if !self.cache.contains(&source) {
            let tile = self.load(source);
            self.cache.put(source, tile);
        }
        let tile = self.cache.get(&source)?.clone()?;
        Some(TilePiece::new(tile, uv))
    }

    fn attribution(&self) -> Attribution {
        Attribution {
            text: "MBTiles",
            url: "",
            logo_light: None,
            logo_dark: None,
        }
    }

    fn tile_size(&self) -> u32 {
        256
    }
}

/// The tile at `max_zoom` containing `id`, and the part of it `id` covers.
pub fn ancestor_within(id: TileId, max_zoom: u8) -> (TileId, Rect) {
    if id.zoom <= max_zoom {
        return (id, Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)));
    }
    let levels = id.zoom - max_zoom;
    let scale = (1u32 << levels) as f32;
    let ancestor = TileId {
        x: id.x >> levels,
        y: id.y >> levels,
        zoom: max_zoom,
    };
    let offset = Pos2::new(
        (id.x % (1 << levels)) as f32 / scale,
        (id.y % (1 << levels)) as f32 / scale,
    );
    (
        ancestor,
        Rect::from_min_size(offset, egui::Vec2::splat(1.0 / scale)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_checked_and_hosts_found() {
        assert!(check_template(OSM_TEMPLATE).is_ok());
        assert!(check_template("ftp://x/{z}/{x}/{y}").is_err());
        assert!(check_template("https://tiles.example.org/{z}/{x}.png").is_err());
        assert_eq!(
            host_and_port(OSM_TEMPLATE).as_deref(),
            Some("tile.openstreetmap.org:443")
        );
        assert_eq!(
            host_and_port("http://10.0.0.5:8080/{z}/{x}/{y}.png").as_deref(),
            Some("10.0.0.5:8080")
        );
    }

    #[test]
    fn ancestor_covers_the_right_quarter() {
        let (ancestor, uv) = ancestor_within(
            TileId {
                x: 3,
                y: 2,
                zoom: 3,
            },
            2,
        );
        assert_eq!(
            ancestor,
            TileId {
                x: 1,
                y: 1,
                zoom: 2
            }
        );
        assert_eq!(uv.min, Pos2::new(0.5, 0.0));
        assert_eq!(uv.size(), egui::Vec2::splat(0.5));
    }

    #[test]
    fn only_openstreetmap_tiles_are_credited_to_it() {
        assert!(is_openstreetmap(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        ));
        assert!(is_openstreetmap(
            "http://openstreetmap.org:8080/{z}/{x}/{y}.png"
        ));
        assert!(!is_openstreetmap(
            "https://tiles.example.org/{z}/{x}/{y}.png?style=openstreetmap.org"
        ));
        assert!(!is_openstreetmap(
            "https://notopenstreetmap.org/{z}/{x}/{y}.png"
        ));
        let custom = TemplateSource {
            template: "https://tiles.example.org/{z}/{x}/{y}.png".into(),
            attribution: "Tiles: user-configured server",
            attribution_url: "",
        };
        assert!(!custom.attribution().url.contains("openstreetmap"));
    }

    #[test]
    fn pmtiles_headers_are_checked() {
        let mut header = vec![0u8; 127];
        header[..7].copy_from_slice(b"PMTiles");
        header[7] = 3;
        header[99] = 2;
        assert!(check_pmtiles_header("a.pmtiles", &header).is_ok());
        header[99] = 1;
        assert!(matches!(
            check_pmtiles_header("a.pmtiles", &header),
            Err(TileError::UnsupportedTiles(..))
        ));
        header[7] = 2;
        assert!(matches!(
            check_pmtiles_header("a.pmtiles", &header),
            Err(TileError::PmTilesVersion(_, 2))
        ));
        assert!(check_pmtiles_header("a.pmtiles", &header[..20]).is_err());
    }
}
