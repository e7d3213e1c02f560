//! Loading a site from disk: the config, the content files and the theme. The only reader.
//!
//! Everything the later stages need is read here into a [`Project`], so `analyze` and
//! `render` are pure functions that tests can drive with in-memory data, and `serve` can
//! re-read just the files that changed.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{CONFIG_FILE, Config};
use crate::theme::Theme;

/// Files larger than this are reported instead of read: no postmortem is 16 MiB of text,
/// and reading a stray dump into memory would slow every build.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One content file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root with `/` separators, as diagnostics print it.
    pub path: String,
    /// File name without extension: the default slug.
    pub stem: String,
    /// The raw bytes, or why they could not be read.
    pub bytes: Result<Vec<u8>, String>,
}

/// Everything `analyze` and `render` need, read from disk once.
#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub config: Config,
    pub sources: Vec<SourceFile>,
    pub theme: Theme,
}

/// An operational failure while loading: the message names the path.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("failed to read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "site root {path} is not a folder (expected a folder holding hindsight.toml or content/)"
    )]
    RootNotFound { path: String },
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Theme(#[from] crate::theme::ThemeError),
}

/// Reads the config, every content file and the theme of the site at `root`.
pub fn load(root: &Path) -> Result<Project, LoadError> {
    if !root.is_dir() {
        return Err(LoadError::RootNotFound {
            path: root.display().to_string(),
        });
    }
    let config = load_config(root)?;
    let sources = load_sources(&root.join(&config.content_dir), root)?;
    let theme = Theme::load(root, &config.theme)?;
    Ok(Project {
        root: root.to_path_buf(),
        config,
        sources,
        theme,
    })
}

/// Reads `hindsight.toml` if present; a missing file means all defaults.
pub fn load_config(root: &Path) -> Result<Config, LoadError> {
    let path = root.join(CONFIG_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(Config::parse(&text, CONFIG_FILE)?),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(source) => Err(LoadError::Io {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// Walks `content_dir` for Markdown files and reads them in parallel, sorted by path so
/// every later stage sees the same order on every machine.
pub fn load_sources(content_dir: &Path, root: &Path) -> Result<Vec<SourceFile>, LoadError> {
    if !content_dir.exists() {
        return Ok(Vec::new());
    }
    let mut paths = Vec::new();
    let walker = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        // Hidden folders (.git, .obsidian) hold no postmortems; skipping them also keeps
        // the walk fast in repositories with large histories.
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => match error.path() {
                // A link that points nowhere: Emacs lock files (`.#x.md`) are such links and
                // are skipped like other hidden files; a dangling link named like a
                // postmortem is reported on that file, and the build goes on.
                Some(path) if path.is_symlink() && !path.exists() => {
                    if is_content_file(path) {
                        paths.push(path.to_path_buf());
                    }
                    continue;
                }
                path => {
                    let path = path.unwrap_or(content_dir).display().to_string();
                    let source = error
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("symbolic link loop"));
                    return Err(LoadError::Io { path, source });
                }
            },
        };
        if entry.file_type().is_file() && is_content_file(entry.path()) {
            paths.push(entry.into_path());
        }
    }
    let mut sources: Vec<SourceFile> = paths
        .par_iter()
        .map(|path| read_source(path, root))
        .collect();
    // Sorted by the path as printed, so the order is the same on every file system and
    // callers can binary-search by path.
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(sources)
}

/// Reads one content file; used by `load_sources` and by `serve` for a changed file.
pub fn read_source(path: &Path, root: &Path) -> SourceFile {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let display: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = match fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => Err(format!(
            "file is {} MiB, more than the {} MiB limit",
            meta.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )),
        Ok(_) => fs::read(path).map_err(|e| format!("failed to read: {e}")),
        Err(e) => Err(format!("failed to read: {e}")),
    };
    SourceFile {
        path: display.join("/"),
        stem,
        bytes,
    }
}

/// Whether a path is a postmortem: Markdown, not hidden, not an editor's swap or backup file.
pub fn is_content_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let markdown = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
    markdown && !is_hidden(path.file_name().unwrap_or_default()) && !name.starts_with('#')
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    // `.#x.md` (Emacs lock), `.x.md.swp` (vim), and dot-folders all start with a dot;
    // `x.md~` and `#x.md#` fail the extension check or the `#` check above.
    name.starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_files() {
        for (name, expected) in [
            ("a.md", true),
            ("A.MD", true),
            ("a.markdown", true),
            (".a.md", false),
            (".a.md.swp", false),
            ("a.md~", false),
            ("#a.md#", false),
            ("a.txt", false),
            ("4913", false),
        ] {
            assert_eq!(is_content_file(Path::new(name)), expected, "{name}");
        }
    }
}
