//! A site on disk put together: its config, the list of its content files and its theme,
//! read once into a [`Project`] that the pipelines below take apart. The content files
//! are read while they are parsed (`Listing::read`), one at a time per worker.

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};

use crate::analyze::check;
use crate::analyze::site::{self, AnalyzeOptions, BodyHtml, Site, SourcePages};
use crate::app::aside::AsideFile;
use crate::model::config::{CONFIG_FILE, Config, ConfigError};
use crate::model::diagnostics::Diagnostic;
use crate::model::incident::{Aside, Incident, InferredMetadata};
use crate::model::inference::{InferredField, TimelineEvent};
use crate::model::vocab::Vocabularies;
use crate::parse;
use crate::parse::backstage;
use crate::parse::source::{
    self, ContentFilter, Listed, Listing, ReadError, SourceFile, list_sources,
};
use crate::render::theme::Theme;
use crate::render::{LoadedBody, RenderError};

/// Everything `analyze` and `render` need: the content files listed, the rest read.
#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub config: Config,
    /// The postmortems, in path order, to be read as they are parsed.
    pub sources: Listing,
    /// Files of the content folder the site's globs leave out (see `ContentFilter`).
    pub skipped: Vec<String>,
    pub theme: Theme,
}

/// An operational failure while loading: the message names the path.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(
        "site root {path} is not a folder (expected a folder holding hindsight.toml or content/)"
    )]
    RootNotFound { path: String },
    #[error(transparent)]
    Config(#[from] crate::model::config::ConfigError),
    #[error(transparent)]
    Theme(#[from] crate::render::theme::ThemeError),
}

/// Reads the config and the theme of the site at `root`, and lists its content files.
pub fn load(root: &Path) -> Result<Project, LoadError> {
    if !root.is_dir() {
        return Err(LoadError::RootNotFound {
            path: root.display().to_string(),
        });
    }
    let config = load_config(root)?;
    let content_dir = root.join(&config.content_dir);
    let filter = ContentFilter::new(&config, &content_dir);
    let Listed {
        listing: sources,
        skipped,
    } = list_sources(&content_dir, root, &filter)?;
    let theme = Theme::load(root, &config.theme)?;
    Ok(Project {
        root: root.to_path_buf(),
        config,
        sources,
        skipped,
        theme,
    })
}

/// Parses the listed postmortems and analyzes the site: each file is read while it is
/// parsed and dropped after, and read again only for the caret line of a diagnostic found
/// across files.
pub fn analyze(
    config: &Config,
    sources: &Listing,
    options: AnalyzeOptions,
    html: BodyHtml<'_>,
) -> (Site, Vec<Diagnostic>) {
    site::analyze_each(
        config,
        sources.len(),
        |i| Cow::Owned(sources.read(i)),
        |path| sources.text_of(path),
        options,
        html,
    )
}

/// `incident`'s body for its page and the search index: read back from `aside` where the
/// build set it aside once its file was parsed (`Rendered::aside`), else rendered again
/// from its file: its HTML, links to other postmortems pointed at their pages (`pages`),
/// its plain text, headings and timeline. What the incident's page shows and the search
/// index reads in a build, whose `analyze` dropped them ([`BodyHtml::Drop`],
/// `render::render_site`).
/// A file that is gone, unreadable or changed since it was parsed (its word count differs)
/// is an error: the page would not match the rest of the site.
pub fn body_again(
    sources: &Listing,
    config: &Config,
    pages: &SourcePages,
    incident: &Incident,
    aside: Option<&AsideFile>,
) -> Result<LoadedBody, RenderError> {
    let set_aside = aside.zip(incident.body.aside);
    if let Some(body) = set_aside.and_then(|(file, at)| file.read(at).ok()) {
        return Ok(LoadedBody {
            html: pages.resolve(body.html),
            plain_text: body.plain_text,
            toc: body.toc,
            timeline: body.timeline,
            inferred: body.inferred,
        });
    }
    let error = |message: String| RenderError::Body {
        path: incident.source.clone(),
        message,
    };
    let changed = || error("it changed while the site was built; build again".to_string());
    let file = sources.read_path(&incident.source).ok_or_else(changed)?;
    if let Err(failure) = &file.bytes {
        return Err(error(failure.to_string()));
    }
    let offset = incident.positions.body_offset;
    let body = parse::incident::body_again(&file, config, &incident.title, offset)
        .filter(|body| body.word_count == incident.body.word_count)
        .ok_or_else(changed)?;
    let (timeline, inferred) = match (&incident.inferred, file.text()) {
        (None, Some(text)) => (
            check::body_timeline_again(incident, &body.toc, &text, config),
            Vec::new(),
        ),
        (None, None) => (Vec::new(), Vec::new()),
        // Held by the site where the body was not set aside; read again with the rest
        // of the file's metadata where it was, but could not be read back.
        (Some(InferredMetadata::Held(_) | InferredMetadata::Packed), _) => (
            incident.timeline().into_owned(),
            incident.inferred_fields(config),
        ),
        (Some(InferredMetadata::SetAside), _) => inferred_again(&file, config),
    };
    Ok(LoadedBody {
        html: pages.resolve(body.html),
        plain_text: body.plain_text,
        toc: body.toc,
        timeline,
        inferred,
    })
}

/// What `incident`'s page lists as inferred from its prose (`Inference::fields`), or
/// `None` for one with front matter: from the incident, or where a build set it aside with
/// the body, from `aside` (or, if it cannot be read back, from its file parsed again).
pub fn inferred_fields(
    sources: &Listing,
    config: &Config,
    incident: &Incident,
    aside: Option<&AsideFile>,
) -> Option<Vec<InferredField>> {
    match incident.inferred.as_ref()? {
        InferredMetadata::Held(_) | InferredMetadata::Packed => {
            Some(incident.inferred_fields(config))
        }
        InferredMetadata::SetAside => Some(inferred_set_aside(
            sources,
            config,
            &incident.source,
            incident.body.aside.zip(aside),
        )),
    }
}

/// What the page of the postmortem at `source` lists as inferred, read from where a build
/// set it aside with the body, or where it was not (or cannot be read back), from the file
/// parsed again: empty if that file has front matter now, or cannot be read.
pub fn inferred_set_aside(
    sources: &Listing,
    config: &Config,
    source: &str,
    aside: Option<(Aside, &AsideFile)>,
) -> Vec<InferredField> {
    match aside.and_then(|(at, file)| file.read(at).ok()) {
        Some(body) => body.inferred,
        None => (sources.read_path(source))
            .map_or_else(Vec::new, |file| inferred_again(&file, config).1),
    }
}

/// The timeline inferred from `file`'s prose and the values its page lists as inferred,
/// as parsing it found them: those of an incident whose inference went with its body into
/// the file of bodies set aside, when that body could not be read back.
fn inferred_again(file: &SourceFile, config: &Config) -> (Vec<TimelineEvent>, Vec<InferredField>) {
    let vocabularies = Vocabularies::new(config);
    let incident = parse::incident::parse(file, config, &vocabularies, &mut Vec::new());
    match incident.and_then(|incident| incident.inferred) {
        Some(InferredMetadata::Held(inferred)) => {
            let fields = inferred.fields(config);
            (inferred.timeline, fields)
        }
        _ => (Vec::new(), Vec::new()),
    }
}

/// Reads `hindsight.toml` if present (a missing file means all defaults), and the
/// Backstage catalog it names, whose components join `[[services]]`.
pub fn load_config(root: &Path) -> Result<Config, LoadError> {
    let path = root.join(CONFIG_FILE);
    let mut config = match fs::read_to_string(&path) {
        Ok(text) => Config::parse(&text, CONFIG_FILE)?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Config::default(),
        Err(source) => {
            return Err(LoadError::Read(ReadError {
                path: path.display().to_string(),
                source,
            }));
        }
    };
    load_catalog(root, &mut config)?;
    Ok(config)
}

/// Reads `[registry] backstage` into `config`: its services, and what was wrong with its
/// files as diagnostics. A folder that is not there is a config error: the teams would
/// silently vanish.
fn load_catalog(root: &Path, config: &mut Config) -> Result<(), LoadError> {
    let folder = config.registry.backstage.trim();
    if folder.is_empty() {
        return Ok(());
    }
    let Some(files) = source::load_catalog(&root.join(folder), root)? else {
        return Err(LoadError::Config(ConfigError {
            file: CONFIG_FILE.to_string(),
            message: format!(
                "registry.backstage: \"{folder}\" is not a folder (expected a folder of Backstage catalog files, relative to the site root)"
            ),
        }));
    };
    let (services, diagnostics) = backstage::read_catalog(&files);
    config.add_registry_services(services);
    config.registry.diagnostics = diagnostics;
    Ok(())
}

/// The Backstage catalog folder of a site, absolute, when its config names one: `serve`
/// watches it as part of the config.
pub fn catalog_dir(root: &Path, config: &Config) -> Option<PathBuf> {
    let folder = config.registry.backstage.trim();
    (!folder.is_empty()).then(|| root.join(folder))
}
