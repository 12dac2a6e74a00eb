//! The command line: the GUI by default, `export` and `stats` without a window.

use crate::io::import::{Period, Subset};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::io::{self, ExportFormat, LoadError};
use crate::model::aggregate::{GroupBy, group_totals};
use crate::model::change::{Baseline, Change, ChangeSettings};
use crate::model::{
    Attribution, Dataset, Filter, Incident, Kind, Method, Summary, Target, area, date,
};

#[derive(Debug, Parser)]
#[command(
    name = "khorasan-atlas",
    version,
    about = "Explore Islamic State Khorasan (ISK) incidents: linked timeline, map and detail panel.",
    long_about = "Without a subcommand, opens the viewer on the embedded dataset plus any --data files.\n\
                  The app makes no network request unless online map tiles are switched on."
)]
pub struct Cli {
    /// A file to load as a layer (repeatable): ACLED, GTD or UCDP GED CSV, Parquet or Arrow
    /// IPC, any CSV or GeoJSON (columns guessed, or given by --mapping), a Khorasan Atlas RON
    /// dataset, or a folder of Parquet files partitioned as year=Y/month=M (only the
    /// partitions and row groups --from and --to need are read). For export, stats and
    /// screenshot the files replace the embedded dataset unless --with-embedded.
    #[arg(long, value_name = "FILE", global = true)]
    pub data: Vec<PathBuf>,

    /// Field mapping (RON) for --data files of no known schema, e.g.
    /// (date: Some("when"), latitude: Some("y"), longitude: Some("x")).
    #[arg(long, value_name = "FILE", global = true)]
    pub mapping: Option<PathBuf>,

    /// Keep the embedded dataset alongside --data files in export, stats and screenshot
    /// (the viewer always has it, as a layer that can be hidden).
    #[arg(long, global = true)]
    pub with_embedded: bool,

    /// Start in a saved view (filters, map, layers, layout, title, theme).
    #[arg(long, value_name = "FILE")]
    pub view: Option<PathBuf>,

    /// A PMTiles or MBTiles file (raster tiles) to draw over the offline basemap.
    #[arg(long, value_name = "FILE")]
    pub basemap: Option<PathBuf>,

    /// Initial window size in logical points, e.g. 1920x1080 (the viewer only).
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub window_size: Option<(f32, f32)>,

    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

/// `--format` of `export`; the model and io know nothing of the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    Csv,
    Geojson,
}

impl From<ExportFormatArg> for ExportFormat {
    fn from(format: ExportFormatArg) -> Self {
        match format {
            ExportFormatArg::Csv => Self::Csv,
            ExportFormatArg::Geojson => Self::Geojson,
        }
    }
}

/// `--only` of `screenshot`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PictureScopeArg {
    Window,
    Map,
    Timeline,
}

impl From<PictureScopeArg> for crate::state::PictureScope {
    fn from(scope: PictureScopeArg) -> Self {
        match scope {
            PictureScopeArg::Window => Self::Window,
            PictureScopeArg::Map => Self::Map,
            PictureScopeArg::Timeline => Self::Timeline,
        }
    }
}

/// `--by` of `stats`: the groupings of the trend views.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GroupByArg {
    Year,
    Month,
    MonthOfYear,
    Country,
    Province,
    Kind,
    Attribution,
}

impl From<GroupByArg> for GroupBy {
    fn from(group_by: GroupByArg) -> Self {
        match group_by {
            GroupByArg::Year => Self::Year,
            GroupByArg::Month => Self::Month,
            GroupByArg::MonthOfYear => Self::MonthOfYear,
            GroupByArg::Country => Self::Country,
            GroupByArg::Province => Self::Province,
            GroupByArg::Kind => Self::Kind,
            GroupByArg::Attribution => Self::Attribution,
        }
    }
}

fn parse_scale(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(scale) if (1.0..=4.0).contains(&scale) => Ok(scale),
        _ => Err(format!("'{text}' is not a scale between 1 and 4")),
    }
}

/// "2021-03" as (2021, 3).
pub fn parse_month(text: &str) -> Result<(i32, u32), String> {
    let invalid = || format!("'{text}' is not a month as YYYY-MM, e.g. 2021-03");
    let (year, month) = text.trim().split_once('-').ok_or_else(invalid)?;
    let year: i32 = year.parse().map_err(|_| invalid())?;
    let month: u32 = month.parse().map_err(|_| invalid())?;
    if (1..=12).contains(&month) && (1900..=2100).contains(&year) {
        Ok((year, month))
    } else {
        Err(invalid())
    }
}

pub fn parse_size(text: &str) -> Result<(f32, f32), String> {
    let (w, h) = text
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("'{text}' is not WIDTHxHEIGHT, e.g. 1280x800"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<f32>()
            .ok()
            .filter(|v| (200.0..=10_000.0).contains(v))
            .ok_or_else(|| format!("'{v}' is not a size between 200 and 10000"))
    };
    Ok((parse(w)?, parse(h)?))
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Write the filtered incidents as CSV or GeoJSON (stdout unless -o).
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormatArg,
        /// Output file; standard output when absent.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Write CSV text cells exactly as in the data, even those a spreadsheet would run as
        /// a formula (by default a cell starting with = + - @, a tab or a carriage return
        /// gets a leading ').
        #[arg(long)]
        raw_formulas: bool,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Render a saved view to a PNG file offscreen, then exit: no window, no display; the PNG
    /// is the size times the scale in pixels, the same bytes for the same view and data.
    Screenshot {
        /// The saved view to render.
        #[arg(long, value_name = "FILE")]
        view: PathBuf,
        /// The file to write: a PNG picture, or vector SVG or PDF (text as text) by its
        /// extension (a GIF with --animate).
        #[arg(long, value_name = "FILE.png|svg|pdf")]
        out: PathBuf,
        /// Size in points; the view's own size when absent.
        #[arg(long, value_name = "WxH", value_parser = parse_size)]
        size: Option<(f32, f32)>,
        /// Pixels per point: 1, 2 or 4 times the size.
        #[arg(long, default_value_t = 1.0, value_parser = parse_scale)]
        scale: f32,
        /// The whole window, or only the map or the timeline.
        #[arg(long, value_enum, default_value = "window")]
        only: PictureScopeArg,
        /// Write the playback as an animated GIF instead: one frame per month, with the
        /// view's playback window (last N months or cumulative) and speed.
        #[arg(long)]
        animate: bool,
        /// First month of the animation (YYYY-MM); the view's period or the data's first
        /// month when absent.
        #[arg(long, value_name = "YYYY-MM", value_parser = parse_month, requires = "animate")]
        from: Option<(i32, u32)>,
        /// Last month of the animation (YYYY-MM); the view's period or the data's last month
        /// when absent.
        #[arg(long, value_name = "YYYY-MM", value_parser = parse_month, requires = "animate")]
        to: Option<(i32, u32)>,
    },
    /// Print counts of the filtered incidents by year, country, kind, attribution and precision.
    Stats {
        #[arg(long, value_enum, default_value = "text")]
        format: StatsFormat,
        /// Group by (repeatable): the numbers the trend views draw. Without it, a summary.
        #[arg(long, value_enum, value_name = "GROUP")]
        by: Vec<GroupByArg>,
        /// What changed: per country and province, incidents and deaths in the last --window
        /// months (up to --to, else the latest month with data) against --baseline, with the
        /// surge flag (the numbers of the app's Change view).
        #[arg(long)]
        change: bool,
        /// Months in the change window (and in its baseline).
        #[arg(long, value_name = "MONTHS", default_value_t = 3, requires = "change")]
        window: u32,
        /// What the window is compared with: the months just before it, or the same months a
        /// year earlier.
        #[arg(long, value_enum, default_value = "previous", requires = "change")]
        baseline: BaselineArg,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Write a synthetic ACLED-shaped CSV for scale tests (every row is marked synthetic).
    Synth(SynthArgs),
    /// Time loading the --data files and the filter scan the views run on them, as JSON
    /// (used by benches/compare.py).
    #[command(hide = true)]
    Measure {
        /// Scans to time; the median is reported.
        #[arg(long, default_value_t = 20)]
        repeat: u32,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum BaselineArg {
    Previous,
    Year,
}

/// Arguments of `synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of rows.
    #[arg(long, value_name = "N")]
    pub rows: u64,
    /// Seed: the same seed always gives the same file.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// The CSV file to write.
    #[arg(long, value_name = "FILE.csv")]
    pub out: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    Text,
    Csv,
}

/// Filter flags with the same meaning as the filter panel.
#[derive(Debug, Default, Args)]
pub struct FilterArgs {
    /// First day, inclusive (YYYY-MM-DD). Imprecise dates match if their span overlaps.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<String>,
    /// Last day, inclusive (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<String>,
    /// ISO 3166-1 alpha-2 country code (repeatable), e.g. AF, PK, RU.
    #[arg(long, value_name = "CC")]
    pub country: Vec<String>,
    /// Province or first-level division as written in the data (repeatable).
    #[arg(long, value_name = "NAME")]
    pub province: Vec<String>,
    /// Incident kind (repeatable): attack, foiled-plot, arrest, counter-operation, leadership-loss, other.
    #[arg(long, value_name = "K")]
    pub kind: Vec<String>,
    /// Attribution grade (repeatable): claimed-isk, claimed-is-central, attributed-officials, suspected.
    #[arg(long, value_name = "A")]
    pub attribution: Vec<String>,
    /// Method (repeatable), e.g. suicide-bombing, armed-assault, plot.
    #[arg(long, value_name = "M")]
    pub method: Vec<String>,
    /// Target category (repeatable), e.g. civilians, religious-minority, taliban.
    #[arg(long, value_name = "T")]
    pub target: Vec<String>,
    /// Keep incidents whose highest reported death toll is at least N.
    #[arg(long, value_name = "N")]
    pub min_killed: Option<u32>,
    /// Case-insensitive text in place, province, country, summary or notes.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only incidents whose actor is ISK under any name ACLED, GTD or UCDP use for it.
    #[arg(long)]
    pub isk: bool,
    /// Actor exactly as written in the data (repeatable), e.g. "Islamic State (Afghanistan)".
    #[arg(long, value_name = "NAME")]
    pub actor: Vec<String>,
    /// Case-insensitive part of the actor's name.
    #[arg(long, value_name = "TEXT")]
    pub actor_text: Option<String>,
    /// Count each event once across the layers (the --data files, and the embedded dataset
    /// with --with-embedded): an incident matched to one of an earlier layer is left out.
    #[arg(long)]
    pub dedupe: bool,
    /// Within KM kilometres of a point (repeatable; areas combine as "inside any"), e.g.
    /// 34.43,70.45,50 for 50 km around Jalalabad. An incident counts when its footprint (its
    /// point widened by its place's precision: 5 km for a town ... 250 km for a country)
    /// meets the area.
    #[arg(long, value_name = "LAT,LON,KM", allow_hyphen_values = true)]
    pub within: Vec<String>,
    /// A box of longitudes and latitudes (repeatable), west, south, east, north, e.g.
    /// 69.5,33.8,71.2,35.0.
    #[arg(long, value_name = "W,S,E,N", allow_hyphen_values = true)]
    pub bbox: Vec<String>,
    /// The polygons of a GeoJSON file (Polygon and MultiPolygon, outer rings; repeatable).
    #[arg(long, value_name = "FILE")]
    pub area: Vec<PathBuf>,
}

/// A command-line mistake: printed on stderr, exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Import(#[from] crate::io::import::ImportError),
    #[error("cannot write output: {0}")]
    Output(String),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Usage(_) => 2,
            Self::Load(_) | Self::Import(_) | Self::Output(_) => 1,
        }
    }
}

impl FilterArgs {
    /// The period of `--from` and `--to` (also what Parquet reading may skip by).
    fn period(&self) -> Result<Period, CliError> {
        let day = |flag: &str, text: &Option<String>| {
            text.as_deref()
                .map(|text| {
                    date::parse_day(text).map_err(|error| {
                        CliError::Usage(format!("--{flag}: {error} (expected YYYY-MM-DD)"))
                    })
                })
                .transpose()
        };
        let (from, to) = (day("from", &self.from)?, day("to", &self.to)?);
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(CliError::Usage(format!("--from {from} is after --to {to}")));
        }
        Ok(Period { from, to })
    }

    /// Turn flags into a [`Filter`], checking every value against the vocabularies and the data.
    pub fn to_filter(&self, dataset: &Dataset) -> Result<Filter, CliError> {
        let mut filter = self.to_filter_but_provinces()?;
        let known_provinces: BTreeSet<&str> = dataset
            .incidents
            .iter()
            .map(|incident| incident.location.admin1.as_str())
            .collect();
        let mut provinces = BTreeSet::new();
        for name in &self.province {
            let found = known_provinces
                .iter()
                .find(|known| known.eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| {
                    CliError::Usage(format!(
                        "--province: no incident in the data is in '{name}'; known: {}",
                        known_provinces
                            .iter()
                            .filter(|p| !p.is_empty())
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
            provinces.insert((*found).to_owned());
        }
        filter.provinces = provinces;
        Ok(filter)
    }

    /// The [`Filter`] of every flag but `--province`, whose names are checked against the
    /// data once it is loaded.
    fn to_filter_but_provinces(&self) -> Result<Filter, CliError> {
        let Period { from, to } = self.period()?;
        let mut countries = BTreeSet::new();
        for code in &self.country {
            let upper = code.trim().to_ascii_uppercase();
            if !crate::io::import::countries::is_alpha2(&upper) {
                return Err(CliError::Usage(format!(
                    "--country: '{code}' is not an ISO 3166-1 alpha-2 country code (e.g. AF, PK, IR, RU)"
                )));
            }
            countries.insert(upper);
        }
        let mut areas = Vec::new();
        for text in &self.within {
            areas.push(
                area::parse_within(text)
                    .map_err(|why| CliError::Usage(format!("--within: {why}")))?,
            );
        }
        for text in &self.bbox {
            areas.push(
                area::parse_bbox(text).map_err(|why| CliError::Usage(format!("--bbox: {why}")))?,
            );
        }
        for path in &self.area {
            let text = std::fs::read_to_string(path)
                .map_err(|error| CliError::Usage(format!("--area {}: {error}", path.display())))?;
            areas.extend(
                area::polygons_from_geojson(&text)
                    .map_err(|why| CliError::Usage(format!("--area {}: {why}", path.display())))?,
            );
        }
        Ok(Filter {
            from,
            to,
            countries,
            provinces: BTreeSet::new(),
            areas,
            kinds: parse_all("kind", &self.kind, Kind::from_key, Kind::keys)?,
            attributions: parse_all(
                "attribution",
                &self.attribution,
                Attribution::from_key,
                Attribution::keys,
            )?,
            methods: parse_all("method", &self.method, Method::from_key, Method::keys)?,
            targets: parse_all("target", &self.target, Target::from_key, Target::keys)?,
            min_killed: self.min_killed.unwrap_or(0),
            text: self.search.clone().unwrap_or_default(),
            isk_only: self.isk,
            count_once: self.dedupe,
            actors: self
                .actor
                .iter()
                .map(|name| name.trim().to_owned())
                .collect(),
            actor_text: self.actor_text.clone().unwrap_or_default(),
        })
    }
}

fn parse_all<T: Ord>(
    flag: &str,
    values: &[String],
    parse: impl Fn(&str) -> Option<T>,
    keys: impl Fn() -> Vec<&'static str>,
) -> Result<BTreeSet<T>, CliError> {
    values
        .iter()
        .map(|value| {
            parse(value).ok_or_else(|| {
                CliError::Usage(format!(
                    "--{flag}: unknown value '{value}'; expected one of: {}",
                    keys().join(", ")
                ))
            })
        })
        .collect()
}

/// Which data the command line works on: `--data` files (with `--mapping`), and the
/// embedded dataset when there are none or with `--with-embedded`.
#[derive(Clone, Debug, Default)]
pub struct DataArgs {
    pub files: Vec<PathBuf>,
    pub mapping: Option<PathBuf>,
    pub with_embedded: bool,
}

impl Cli {
    pub fn data_args(&self) -> DataArgs {
        DataArgs {
            files: self.data.clone(),
            mapping: self.mapping.clone(),
            with_embedded: self.with_embedded,
        }
    }
}

/// The mapping file named by `--mapping`, read.
pub fn load_mapping(data: &DataArgs) -> Result<Option<crate::io::import::FieldMapping>, CliError> {
    data.mapping
        .as_deref()
        .map(crate::io::import::FieldMapping::load)
        .transpose()
        .map_err(CliError::Usage)
}

/// The layers the command line works on, loaded (row problems are printed on stderr).
pub fn load_layers(data: &DataArgs) -> Result<Vec<crate::layers::Layer>, CliError> {
    load_layers_within(data, &Subset::everything())
}

/// [`load_layers`], where only `period` is wanted: Parquet partitions and row groups wholly
/// outside it are not read (the filter still decides which incidents count).
fn load_layers_within(
    data: &DataArgs,
    subset: &Subset,
) -> Result<Vec<crate::layers::Layer>, CliError> {
    let mapping = load_mapping(data)?;
    let mut layers = Vec::new();
    if data.files.is_empty() || data.with_embedded {
        layers.push(crate::layers::Layer::embedded(io::embedded_dataset()?));
    }
    let loaded = crate::layers::load_for_command_line(&data.files, mapping.as_ref(), subset)?;
    for (number, (path, imported)) in loaded.into_iter().enumerate() {
        let spec = crate::layers::LayerSpec {
            path: Some(path.clone()),
            mapping: mapping.clone(),
            ..crate::layers::LayerSpec::default()
        };
        layers.push(crate::layers::Layer::imported(
            number + 1,
            &path,
            imported,
            spec,
        ));
    }
    Ok(layers)
}

/// The data the command line works on, merged into one dataset.
pub fn load_dataset(data: &DataArgs) -> Result<Dataset, CliError> {
    Ok(load_merged(data, &Subset::everything())?.0)
}

/// The merged data and each incident's layer.
fn load_merged(data: &DataArgs, subset: &Subset) -> Result<(Dataset, Vec<u16>), CliError> {
    let mut layers = load_layers_within(data, subset)?;
    let (merged, layer_of) = crate::layers::merge(&mut layers);
    drop(layers);
    // Alone, the layer's dataset is taken rather than copied.
    let dataset = Arc::try_unwrap(merged).unwrap_or_else(|shared| (*shared).clone());
    Ok((dataset, layer_of))
}

/// The incidents a command works on: those the filter keeps, each event once across layers
/// with `--dedupe` (the number left out is printed on stderr).
fn chosen<'a>(dataset: &'a Dataset, layer_of: &[u16], filter: &Filter) -> Vec<&'a Incident> {
    let matches = if filter.count_once {
        let matches = crate::model::matching::find(dataset, layer_of);
        eprintln!(
            "--dedupe: {} events found in more than one layer; {} incidents counted in another \
             layer's are left out",
            matches.events.len(),
            matches.duplicate_count()
        );
        Some(matches)
    } else {
        None
    };
    // On every core, in order: a big export's million incidents are tested here.
    use rayon::prelude::*;
    dataset
        .incidents
        .par_iter()
        .enumerate()
        .filter(|(index, incident)| {
            filter.matches(incident)
                && !matches
                    .as_ref()
                    .is_some_and(|matches| matches.is_duplicate(*index))
        })
        .map(|(_, incident)| incident)
        .collect()
}

/// Run a headless subcommand.
pub fn run_command(data: &DataArgs, command: &CliCommand) -> Result<(), CliError> {
    match command {
        CliCommand::Synth(args) => return synth(args),
        CliCommand::Measure { repeat } => return measure(data, *repeat),
        _ => {}
    }
    let subset = match command {
        // The change's baseline lies before any --from: only --to bounds what is read.
        CliCommand::Stats {
            filter,
            change: true,
            ..
        } => Subset::within(Period {
            from: None,
            ..filter.period()?
        }),
        // An export is of the incidents its filter keeps, and only those are loaded; but
        // --province names are checked against the whole data, and --dedupe matches
        // incidents across layers, outside the filter too.
        CliCommand::Export { filter, .. } if filter.province.is_empty() && !filter.dedupe => {
            Subset::only(filter.to_filter_but_provinces()?)
        }
        // The total of the data is part of the statistics: every incident is loaded.
        CliCommand::Export { filter, .. } | CliCommand::Stats { filter, .. } => {
            Subset::within(filter.period()?)
        }
        _ => Subset::everything(),
    };
    let (dataset, layer_of) = load_merged(data, &subset)?;
    let result = match command {
        CliCommand::Export {
            format,
            output,
            raw_formulas,
            filter,
        } => {
            // The filter the load was for is the whole filter (it has no --province).
            let filter = match &subset.only {
                Some(only) => Filter::clone(only),
                None => filter.to_filter(&dataset)?,
            };
            let incidents = chosen(&dataset, &layer_of, &filter);
            let mut out: Box<dyn Write> = match output {
                Some(path) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(path).map_err(|error| {
                        CliError::Output(format!("{}: {error}", path.display()))
                    })?,
                )),
                None => Box::new(std::io::stdout().lock()),
            };
            let written = match ExportFormat::from(*format) {
                ExportFormat::Csv => {
                    let formulas = if *raw_formulas {
                        io::FormulaCells::Raw
                    } else {
                        io::FormulaCells::Neutralised
                    };
                    io::write_csv_with(&mut out, &dataset, incidents.iter().copied(), formulas)
                        .map_err(|error| error.to_string())
                }
                ExportFormat::Geojson => {
                    io::write_geojson(&mut out, &dataset, incidents.iter().copied())
                        .map_err(|error| error.to_string())
                }
            };
            written
                .and_then(|()| out.flush().map_err(|error| error.to_string()))
                .map_err(CliError::Output)?;
            if let Some(path) = output {
                eprintln!("wrote {} incidents to {}", incidents.len(), path.display());
            }
            Ok(())
        }
        CliCommand::Synth(_) | CliCommand::Measure { .. } => Ok(()),
        CliCommand::Screenshot { .. } => Err(CliError::Usage(
            "the screenshot command is run from main".into(),
        )),
        CliCommand::Stats {
            format,
            filter,
            change: true,
            window,
            baseline,
            ..
        } => {
            let filter = filter.to_filter(&dataset)?;
            if *window == 0 || *window > 120 {
                return Err(CliError::Usage(format!(
                    "--window {window}: expected 1 to 120 months"
                )));
            }
            let settings = ChangeSettings {
                months: *window,
                baseline: match baseline {
                    BaselineArg::Previous => Baseline::Previous,
                    BaselineArg::Year => Baseline::YearEarlier,
                },
            };
            let change = Change::compute(&dataset, &filter, settings);
            let text = match format {
                StatsFormat::Text => change_text(&change),
                StatsFormat::Csv => change_csv(&change),
            };
            std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .map_err(|error| CliError::Output(error.to_string()))
        }
        CliCommand::Stats {
            format, by, filter, ..
        } => {
            let filter = filter.to_filter(&dataset)?;
            let incidents = chosen(&dataset, &layer_of, &filter);
            let summary = Summary::compute(&dataset, incidents.iter().copied());
            let text = match (format, by.is_empty()) {
                (StatsFormat::Text, true) => {
                    stats_text(&summary, dataset.incidents.len(), &dataset.metadata)
                }
                (StatsFormat::Csv, true) => stats_csv(&summary),
                (StatsFormat::Text, false) => grouped_text(by, &incidents),
                (StatsFormat::Csv, false) => grouped_csv(by, &incidents),
            };
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .map_err(|error| CliError::Output(error.to_string()))
        }
    };
    // The process ends after its command: freeing a million incidents one by one only delays
    // the exit (about a tenth of a big export's time), the system takes the memory back at once.
    std::mem::forget(dataset);
    result
}

/// `stats --change` as text: what was compared, then one line per country and province.
fn change_text(change: &Change) -> String {
    let months = change.settings.months;
    let mut text = format!(
        "Change: {} ({months} month(s) against {}); {} incident(s) known only to their year \
         left out\nSurge: a baseline average of 1 or more a month and at least twice its \
         incidents; new: none in the baseline; +N?: tolls unknown\n\n",
        change.describe(),
        change.settings.baseline.label(),
        change.year_only,
    );
    text.push_str(&format!(
        "{:<9} {:<28} {:>2} {:>6} {:>6} {:>6} {:>7} {:>11} {:>11}  flag\n",
        "level", "place", "cc", "now", "before", "change", "%", "killed now", "before"
    ));
    for row in change.rows() {
        let place = row.place;
        text.push_str(&format!(
            "{:<9} {:<28} {:>2} {:>6} {:>6} {:>+6} {:>7} {:>11} {:>11}  {}\n",
            row.level.label(),
            row.name,
            row.country_code,
            place.now.count,
            place.before.count,
            place.difference(),
            row.percent_words(),
            place.now.killed.short_display(),
            place.before.killed.short_display(),
            place.flag(months).map_or("", |flag| flag.label()),
        ));
    }
    text
}

fn change_csv(change: &Change) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let months = change.settings.months;
    let header = [
        "level",
        "place",
        "country_code",
        "now",
        "before",
        "change",
        "percent",
        "killed_now_min",
        "killed_now_max",
        "killed_before_min",
        "killed_before_max",
        "flag",
    ];
    // Writing to memory cannot fail.
    let _ = writer.write_record(header);
    for row in change.rows() {
        let place = row.place;
        let percent = place
            .ratio()
            .map_or_else(String::new, |ratio| format!("{:.1}", ratio * 100.0));
        let _ = writer.write_record([
            row.level.label().to_owned(),
            crate::io::export::neutralise_formula(row.name.to_owned()),
            row.country_code.to_owned(),
            place.now.count.to_string(),
            place.before.count.to_string(),
            place.difference().to_string(),
            percent,
            place.now.killed.min.to_string(),
            place.now.killed.max.to_string(),
            place.before.killed.min.to_string(),
            place.before.killed.max.to_string(),
            place
                .flag(months)
                .map_or("", |flag| flag.label())
                .to_owned(),
        ]);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn synth(args: &SynthArgs) -> Result<(), CliError> {
    let file = std::fs::File::create(&args.out)
        .map_err(|error| CliError::Output(format!("{}: {error}", args.out.display())))?;
    let started = std::time::Instant::now();
    crate::synth::write_acled(std::io::BufWriter::new(file), args.rows, args.seed, |row| {
        if row > 0 {
            eprint!("\r{row} rows written");
        }
    })
    .map_err(|error| CliError::Output(format!("{}: {error}", args.out.display())))?;
    eprintln!(
        "\rwrote {} synthetic rows (seed {}) to {} in {:.1} s",
        args.rows,
        args.seed,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The comparison query of benches/compare.py: Afghanistan, from 2020, at least one killed,
/// counted per month.
pub fn comparison_filter() -> Filter {
    Filter {
        from: NaiveDate::from_ymd_opt(2020, 1, 1),
        countries: ["AF".to_owned()].into(),
        min_killed: 1,
        ..Filter::default()
    }
}

fn measure(data: &DataArgs, repeat: u32) -> Result<(), CliError> {
    use std::time::Instant;
    let started = Instant::now();
    let dataset = load_dataset(data)?;
    let load_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let columns = crate::model::columns::Columns::build(&dataset);
    let columns_s = started.elapsed().as_secs_f64();
    let filter = comparison_filter();
    let mut times = Vec::new();
    let mut result = None;
    for _ in 0..repeat.max(1) {
        let started = Instant::now();
        // Everything the views derive, plus the per-month counts of the filtered set.
        let scan = columns.scan(&dataset, &filter, crate::model::StackBy::Kind);
        let per_month = columns.month_counts(&scan.filtered);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        result = Some((scan, per_month));
    }
    times.sort_by(f64::total_cmp);
    let (scan, per_month) = result.expect("scanned at least once");
    let months = per_month.len();
    let per_month: u32 = per_month.values().sum();
    println!(
        "{{\"rows\": {}, \"load_s\": {load_s:.3}, \"columns_s\": {columns_s:.3}, \"scan_ms_median\": {:.3}, \"scan_ms_min\": {:.3}, \"matched\": {}, \"months\": {}, \"per_month_total\": {per_month}, \"resident_mb\": {:.1}}}",
        dataset.incidents.len(),
        times[times.len() / 2],
        times[0],
        scan.filtered.len(),
        months,
        resident_megabytes().unwrap_or(f64::NAN),
    );
    Ok(())
}

/// This process's resident memory (Linux: VmRSS), in MiB.
fn resident_megabytes() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Rows of (group, key, count) shared by the text and CSV forms of `stats`.
fn stats_rows(summary: &Summary) -> Vec<(&'static str, String, String)> {
    let mut rows = vec![
        ("total", "incidents".to_owned(), summary.count.to_string()),
        (
            "total",
            "killed_min".to_owned(),
            summary.killed.min.to_string(),
        ),
        (
            "total",
            "killed_max".to_owned(),
            summary.killed.max.to_string(),
        ),
        (
            "total",
            "killed_unknown".to_owned(),
            summary.killed.unknown.to_string(),
        ),
        (
            "total",
            "distinct_sources".to_owned(),
            summary.distinct_sources.to_string(),
        ),
    ];
    rows.extend(
        summary
            .by_year
            .iter()
            .map(|(year, n)| ("year", year.to_string(), n.to_string())),
    );
    rows.extend(
        summary
            .by_country
            .iter()
            .map(|((code, name), n)| ("country", format!("{code} {name}"), n.to_string())),
    );
    rows.extend(
        summary
            .by_kind
            .iter()
            .map(|(kind, n)| ("kind", kind.key().to_owned(), n.to_string())),
    );
    rows.extend(
        summary
            .by_attribution
            .iter()
            .map(|(a, n)| ("attribution", a.key().to_owned(), n.to_string())),
    );
    rows.extend(
        summary
            .by_date_precision
            .iter()
            .map(|(p, n)| ("date_precision", p.label().to_owned(), n.to_string())),
    );
    rows.extend(
        summary
            .by_location_precision
            .iter()
            .map(|(p, n)| ("location_precision", p.key().to_owned(), n.to_string())),
    );
    rows
}

fn grouped_text(by: &[GroupByArg], incidents: &[&Incident]) -> String {
    let mut text = String::new();
    for &arg in by {
        let group_by = GroupBy::from(arg);
        text.push_str(&format!(
            "by {}:\n  {:<34} {:>9} {:>11}\n",
            group_by.label(),
            "",
            "incidents",
            "killed"
        ));
        for (key, total) in group_totals(group_by, incidents.iter().copied()) {
            text.push_str(&format!(
                "  {:<34} {:>9} {:>11}\n",
                key.label(),
                total.count,
                total.killed.display()
            ));
        }
        text.push('\n');
    }
    text
}

fn grouped_csv(by: &[GroupByArg], incidents: &[&Incident]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut write = || -> csv::Result<()> {
        writer.write_record([
            "by",
            "key",
            "label",
            "incidents",
            "killed_min",
            "killed_max",
            "killed_unknown",
        ])?;
        for &arg in by {
            let group_by = GroupBy::from(arg);
            let by_name = arg
                .to_possible_value()
                .map(|value| value.get_name().to_owned())
                .unwrap_or_default();
            for (key, total) in group_totals(group_by, incidents.iter().copied()) {
                writer.write_record([
                    by_name.clone(),
                    key.key(),
                    key.label(),
                    total.count.to_string(),
                    total.killed.min.to_string(),
                    total.killed.max.to_string(),
                    total.killed.unknown.to_string(),
                ])?;
            }
        }
        Ok(())
    };
    write().expect("writing to memory cannot fail");
    String::from_utf8(writer.into_inner().expect("in memory")).expect("utf-8 input")
}

fn stats_text(summary: &Summary, total: usize, metadata: &crate::model::Metadata) -> String {
    let mut text = String::new();
    let coverage = metadata.coverage_line();
    if !coverage.is_empty() {
        // Where the data ends, before any count is read as current.
        text.push_str(&format!(
            "{} {}: {coverage}\n",
            metadata.title, metadata.version
        ));
    }
    text.push_str(&format!(
        "{} of {total} incidents; killed {}; {} distinct sources\n",
        summary.count,
        summary.killed.display(),
        summary.distinct_sources
    ));
    let mut group = "";
    for (row_group, key, count) in stats_rows(summary) {
        if row_group == "total" {
            continue;
        }
        if row_group != group {
            group = row_group;
            text.push_str(&format!("\nby {}:\n", group.replace('_', " ")));
        }
        text.push_str(&format!("  {key:<28} {count:>5}\n"));
    }
    text
}

fn stats_csv(summary: &Summary) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut write = || -> csv::Result<()> {
        writer.write_record(["group", "key", "count"])?;
        for (group, key, count) in stats_rows(summary) {
            writer.write_record([group, key.as_str(), count.as_str()])?;
        }
        Ok(())
    };
    write().expect("writing to memory cannot fail");
    String::from_utf8(writer.into_inner().expect("in memory")).expect("utf-8 input")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_flags_are_usage_errors() {
        let dataset = Dataset::default();
        let cases = [
            FilterArgs {
                from: Some("2022-01-01".into()),
                to: Some("2021-01-01".into()),
                ..FilterArgs::default()
            },
            FilterArgs {
                from: Some("2022-13-01".into()),
                ..FilterArgs::default()
            },
            FilterArgs {
                country: vec!["QQ".into()],
                ..FilterArgs::default()
            },
            FilterArgs {
                kind: vec!["picnic".into()],
                ..FilterArgs::default()
            },
            FilterArgs {
                province: vec!["Atlantis".into()],
                ..FilterArgs::default()
            },
        ];
        for args in cases {
            let error = args.to_filter(&dataset).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{error}");
        }
    }

    #[test]
    fn flags_build_the_same_filter_as_the_ui() {
        let args = FilterArgs {
            from: Some("2021-01-01".into()),
            country: vec!["af".into()],
            kind: vec!["foiled-plot".into()],
            attribution: vec!["claimed-isk".into()],
            min_killed: Some(10),
            search: Some("Kabul".into()),
            ..FilterArgs::default()
        };
        let filter = args.to_filter(&Dataset::default()).unwrap();
        assert_eq!(filter.countries, BTreeSet::from(["AF".to_owned()]));
        assert_eq!(filter.kinds, BTreeSet::from([Kind::FoiledPlot]));
        assert_eq!(filter.min_killed, 10);
        assert_eq!(filter.from, NaiveDate::from_ymd_opt(2021, 1, 1));
    }
}
