//! `hindsight init --from DIR`: survey an existing archive, propose the `hindsight.toml`
//! that maps it, prove the proposal by analyzing the archive with it, and write it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::analyze::site::{self, AnalyzeOptions};
use crate::analyze::survey::{self, Folder, Proposal, Survey};
use crate::model::config::{CONFIG_FILE, Config, ConfigError};
use crate::model::diagnostics::{Diagnostic, Level};
use crate::model::field::Field;
use crate::parse::source::{Content, ContentFilter, ReadError, load_sources};

/// What `init --from` found and proposes.
#[derive(Debug)]
pub struct Adoption {
    pub survey: Survey,
    pub proposal: Proposal,
    pub folder: Folder,
    /// The proposed `hindsight.toml`.
    pub config_text: String,
    /// Files the default `exclude` leaves out (READMEs, templates, `_*`), by path.
    pub excluded: Vec<String>,
    /// The archive analyzed with the proposed config.
    pub verdict: Verdict,
}

/// The archive as the proposed config builds it.
#[derive(Debug, Default)]
pub struct Verdict {
    pub pages: usize,
    pub errors: usize,
    pub warnings: usize,
    /// The diagnostics, for the caller to print the errors among them.
    pub diagnostics: Vec<Diagnostic>,
    /// Per field that makes a facet or a trend: incidents with a value.
    pub coverage: Vec<(&'static str, usize)>,
}

#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    #[error("{0} is not a folder")]
    NotAFolder(String),
    #[error(
        "{from} is not inside the site root {root}: run `init --from` in the folder that holds the archive"
    )]
    Outside { from: String, root: String },
    #[error("refusing to overwrite {0}: move it away, or use --dry-run to see the proposal")]
    Exists(String),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("the proposed config does not load, which is a bug in Hindsight: {0}")]
    Proposal(#[from] ConfigError),
    #[error("failed to write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// Surveys the archive in `from` (a folder inside `root`) and proposes a config for it.
pub fn adopt(root: &Path, from: &Path) -> Result<Adoption, AdoptError> {
    let from_dir = root.join(from);
    if !from_dir.is_dir() {
        return Err(AdoptError::NotAFolder(from_dir.display().to_string()));
    }
    let content_dir = relative_dir(root, &from_dir)?;
    let defaults = Config::default();
    let by_default = load(&defaults, &from_dir, root)?;
    let everything = Config {
        include: vec!["*".to_string()],
        ..Config::default()
    };
    let all = load(&everything, &from_dir, root)?;
    let survey = survey::survey(&all.sources);
    let mut proposal = survey::propose(&survey);
    let (timezone, timezone_note) = timezone(&survey);
    let folder = Folder {
        include: include(&survey, &by_default, &defaults),
        timezone,
        timezone_note,
        content_dir,
    };
    let excluded = excluded(&by_default, &all);
    // The files' texts go once surveyed, before the archive is read again (twice, below):
    // an archive of 10,000 postmortems held three times took 500 MB.
    drop((by_default, all));
    // The mapping alone first, to see which categories the archive yields through it
    // (prose included); then the config with the vocabulary found.
    let mapped = Config::parse(&survey::to_toml(&survey, &proposal, &folder), CONFIG_FILE)?;
    let postmortems = load(&mapped, &from_dir, root)?;
    survey::refine(&mut proposal, &mapped, &postmortems.sources);
    drop(postmortems);
    let config_text = survey::to_toml(&survey, &proposal, &folder);
    let config = Config::parse(&config_text, CONFIG_FILE)?;
    let verdict = verdict(&config, &from_dir, root)?;
    Ok(Adoption {
        survey,
        proposal,
        folder,
        config_text,
        excluded,
        verdict,
    })
}

fn load(config: &Config, dir: &Path, root: &Path) -> Result<Content, ReadError> {
    load_sources(dir, root, &ContentFilter::new(config, dir))
}

/// `from` relative to `root`, `/`-separated: the config's `content_dir`.
fn relative_dir(root: &Path, from: &Path) -> Result<String, AdoptError> {
    let outside = || AdoptError::Outside {
        from: from.display().to_string(),
        root: root.display().to_string(),
    };
    let root = fs::canonicalize(root).map_err(|_| outside())?;
    let from = fs::canonicalize(from).map_err(|_| outside())?;
    let relative = from.strip_prefix(&root).map_err(|_| outside())?;
    let parts: Vec<String> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    Ok(if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    })
}

/// The `include` globs, when the default ones would leave some postmortems out: the
/// defaults, plus each other extension found, plus each file without one by name.
fn include(survey: &Survey, by_default: &Content, defaults: &Config) -> Option<Vec<String>> {
    let read: Vec<&str> = by_default.sources.iter().map(|s| s.path.as_str()).collect();
    let mut include = defaults.include.clone();
    for path in &survey.postmortems {
        if read.contains(&path.as_str()) {
            continue;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        let pattern = match name.rsplit_once('.') {
            Some((stem, extension)) if !stem.is_empty() => format!("*.{extension}"),
            _ => name.to_string(),
        };
        if !include.contains(&pattern) {
            include.push(pattern);
        }
    }
    (include != defaults.include).then_some(include)
}

/// The site's zone and why: the named zone the archive's times give, else UTC.
fn timezone(survey: &Survey) -> (String, String) {
    match survey.zone() {
        (Some(zone), named, unzoned) => (
            zone.to_string(),
            match unzoned {
                0 => format!("{named} times name this zone; times are shown in it."),
                _ => format!(
                    "{named} times name this zone; times are shown in it, and the {unzoned} \
                     without a zone or offset are read in it."
                ),
            },
        ),
        (None, _, 0) => (
            "UTC".to_string(),
            "Every time carries its offset; times are shown in UTC.".to_string(),
        ),
        (None, _, unzoned) => (
            "UTC".to_string(),
            format!(
                "{unzoned} times carry no zone or offset and are read in this zone: set the \
                 zone they were written in."
            ),
        ),
    }
}

/// Files the default `exclude` leaves out (READMEs, templates): skipped by the default
/// globs and not surveyed either, since surveying keeps the default `exclude`.
fn excluded(by_default: &Content, all: &Content) -> Vec<String> {
    let surveyed: Vec<&str> = all.sources.iter().map(|s| s.path.as_str()).collect();
    by_default
        .skipped
        .iter()
        .filter(|path| !surveyed.contains(&path.as_str()))
        .cloned()
        .collect()
}

/// Analyzes the archive with `config`, as `check` would.
fn verdict(config: &Config, dir: &Path, root: &Path) -> Result<Verdict, AdoptError> {
    let content = load(config, dir, root)?;
    let options = AnalyzeOptions {
        drafts: true,
        ..Default::default()
    };
    let (site, diagnostics) = site::analyze_without_bodies(config, &content.sources, options);
    let count = |level| diagnostics.iter().filter(|d| d.level == level).count();
    let incidents = &site.incidents;
    let with = |test: &dyn Fn(&crate::model::incident::Incident) -> bool| {
        incidents.iter().filter(|incident| test(incident)).count()
    };
    let coverage = vec![
        (Field::StartedAt.name(), with(&|i| i.started_at.is_some())),
        (Field::Services.name(), with(&|i| !i.services.is_empty())),
        (
            Field::RootCause.name(),
            with(&|i| !i.root_causes.is_empty()),
        ),
        (Field::Severity.name(), with(&|i| i.severity.is_some())),
        ("duration", with(&|i| i.duration().is_some())),
    ];
    Ok(Verdict {
        pages: incidents.len(),
        errors: count(Level::Error),
        warnings: count(Level::Warning),
        diagnostics,
        coverage,
    })
}

/// Writes `text` as `root/hindsight.toml`, which must not exist: through a temporary file
/// beside it, flushed, then linked into place, so the config appears whole or not at all
/// and a file that appeared meanwhile is never replaced.
pub fn write_config(root: &Path, text: &str) -> Result<PathBuf, AdoptError> {
    let path = root.join(CONFIG_FILE);
    if path.exists() {
        return Err(AdoptError::Exists(path.display().to_string()));
    }
    let temp = root.join(format!(
        ".{CONFIG_FILE}.hindsight-init-{}",
        std::process::id()
    ));
    let result = write_temp(&temp, text).and_then(|()| fs::hard_link(&temp, &path));
    // The temporary file is ours alone; once linked (or failed) it is not needed.
    let _ = fs::remove_file(&temp);
    match result {
        Ok(()) => Ok(path),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            Err(AdoptError::Exists(path.display().to_string()))
        }
        Err(source) => Err(AdoptError::Write {
            path: path.display().to_string(),
            source,
        }),
    }
}

fn write_temp(temp: &Path, text: &str) -> io::Result<()> {
    let mut file: File = OpenOptions::new().write(true).create_new(true).open(temp)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}
