//! A site on disk put together: its config, its content files and its theme, read once
//! into a [`Project`] that the pipelines below take apart.

use std::fs;
use std::path::{Path, PathBuf};

use crate::model::config::{CONFIG_FILE, Config};
use crate::parse::source::{Content, ContentFilter, ReadError, SourceFile, load_sources};
use crate::render::theme::Theme;

/// Everything `analyze` and `render` need, read from disk once.
#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub config: Config,
    pub sources: Vec<SourceFile>,
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

/// Reads the config, every content file and the theme of the site at `root`.
pub fn load(root: &Path) -> Result<Project, LoadError> {
    if !root.is_dir() {
        return Err(LoadError::RootNotFound {
            path: root.display().to_string(),
        });
    }
    let config = load_config(root)?;
    let content_dir = root.join(&config.content_dir);
    let filter = ContentFilter::new(&config, &content_dir);
    let Content { sources, skipped } = load_sources(&content_dir, root, &filter)?;
    let theme = Theme::load(root, &config.theme)?;
    Ok(Project {
        root: root.to_path_buf(),
        config,
        sources,
        skipped,
        theme,
    })
}

/// Reads `hindsight.toml` if present; a missing file means all defaults.
pub fn load_config(root: &Path) -> Result<Config, LoadError> {
    let path = root.join(CONFIG_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(Config::parse(&text, CONFIG_FILE)?),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(source) => Err(LoadError::Read(ReadError {
            path: path.display().to_string(),
            source,
        })),
    }
}
