//! Reading the content folder: which files are postmortems and their bytes, and the one
//! text normaliser every later reader of a file's text goes through ([`SourceFile::text`]).
//!
//! With `render::theme` (a site's own theme), the only reader of files: `analyze` and
//! `render` are pure functions that tests drive with in-memory data, and `serve` re-reads
//! just the files that changed. `app::project` puts the pieces of a site together.

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::model::config::Config;

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
    pub bytes: Result<Vec<u8>, ReadFailure>,
}

/// Why a content file's bytes are missing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReadFailure {
    /// Larger than [`MAX_FILE_BYTES`]; `bytes` is its size.
    TooLarge { bytes: u64 },
    /// The file system's error, as it said it.
    Io(String),
}

impl std::fmt::Display for ReadFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadFailure::TooLarge { bytes } => write!(
                f,
                "file is {} MiB, more than the {} MiB limit",
                bytes / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            ReadFailure::Io(message) => write!(f, "failed to read: {message}"),
        }
    }
}

impl SourceFile {
    /// The file's text as every reader of it sees it: UTF-8, byte-order mark removed, CRLF
    /// made LF, so positions computed by one stage agree with another's. `None` for bytes
    /// that could not be read or are not UTF-8 (`parse::incident` reports which).
    pub fn text(&self) -> Option<Cow<'_, str>> {
        let bytes = self.bytes.as_ref().ok()?;
        std::str::from_utf8(bytes).ok().map(normalize_text)
    }
}

/// Strips a byte-order mark and turns CRLF into LF, so positions and splitting agree.
pub fn normalize_text(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A folder or file of the content folder that could not be read: the message names it.
#[derive(Debug, thiserror::Error)]
#[error("failed to read {path}: {source}")]
pub struct ReadError {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

/// Which files of the content folder are postmortems: the site's `include` and `exclude`
/// globs. A pattern without `/` matches the file name, one with `/` the path under the
/// content folder (as `.gitignore` reads them); case is ignored, since archives move
/// between file systems.
#[derive(Debug, Clone)]
pub struct ContentFilter {
    content_dir: PathBuf,
    include: Patterns,
    exclude: Patterns,
}

/// Globs split by what they match: file names, or paths under the content folder.
#[derive(Debug, Clone)]
struct Patterns {
    names: GlobSet,
    paths: GlobSet,
}

impl Patterns {
    fn new(patterns: &[String]) -> Patterns {
        let (mut names, mut paths) = (GlobSetBuilder::new(), GlobSetBuilder::new());
        for pattern in patterns {
            // `Config` validated every pattern; an invalid one here matches nothing.
            let Ok(glob) = GlobBuilder::new(pattern).case_insensitive(true).build() else {
                continue;
            };
            if pattern.contains('/') {
                paths.add(glob);
            } else {
                names.add(glob);
            }
        }
        let empty = || GlobSet::empty();
        Patterns {
            names: names.build().unwrap_or_else(|_| empty()),
            paths: paths.build().unwrap_or_else(|_| empty()),
        }
    }

    fn matches(&self, name: &str, path: &str) -> bool {
        self.names.is_match(name) || self.paths.is_match(path)
    }
}

impl ContentFilter {
    /// The filter of a site whose content folder is `content_dir`.
    pub fn new(config: &Config, content_dir: &Path) -> ContentFilter {
        ContentFilter {
            content_dir: content_dir.to_path_buf(),
            include: Patterns::new(&config.include),
            exclude: Patterns::new(&config.exclude),
        }
    }

    /// Whether the site's `exclude` leaves the file at `path` out (a template, a README):
    /// a choice the site made, unlike a file `include` does not name.
    pub fn is_excluded(&self, path: &Path) -> bool {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return false;
        };
        let relative = path.strip_prefix(&self.content_dir).unwrap_or(path);
        self.exclude
            .matches(name, &relative.to_string_lossy().replace('\\', "/"))
    }

    /// Whether the file at `path` is a postmortem of the site. Hidden files and editors'
    /// swap and backup files never are.
    pub fn is_postmortem(&self, path: &Path) -> bool {
        self.skipped(path) == Some(false)
    }

    /// `None` for a hidden or editor's file (not worth a word); else whether the site's
    /// globs leave the file out.
    fn skipped(&self, path: &Path) -> Option<bool> {
        let name = path.file_name()?.to_str()?;
        // Vim probes a folder with files named 4913, 5036, ... (digits, no extension).
        let probe = !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit());
        if is_hidden(path.file_name()?) || name.starts_with('#') || name.ends_with('~') || probe {
            return None;
        }
        let relative = path.strip_prefix(&self.content_dir).unwrap_or(path);
        let relative = relative.to_string_lossy().replace('\\', "/");
        let included = self.include.matches(name, &relative);
        Some(!included || self.exclude.matches(name, &relative))
    }
}

/// Files of the content folder that are not read, worth telling the user about: not
/// images or other assets a postmortem embeds.
fn worth_naming(path: &Path) -> bool {
    const ASSETS: &[&str] = &[
        "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "pdf", "css", "js",
    ];
    !path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ASSETS.iter().any(|a| a.eq_ignore_ascii_case(e)))
}

/// What [`load_sources`] found: the postmortems, read, and the files it left out.
#[derive(Debug, Default)]
pub struct Content {
    /// Sorted by path.
    pub sources: Vec<SourceFile>,
    /// Files the site's globs leave out (assets aside), relative to the root, sorted.
    pub skipped: Vec<String>,
}

/// What [`list_sources`] found: the postmortems, not read yet, and the files it left out.
#[derive(Debug, Default)]
pub struct Listed {
    pub listing: Listing,
    /// Files the site's globs leave out (assets aside), relative to the root, sorted.
    pub skipped: Vec<String>,
}

/// The postmortems of a content folder, listed but not read, sorted by path as printed:
/// a build reads each file while it parses it and drops its bytes after, so an archive's
/// bytes are never all in memory at once (76 MB at 10,000 postmortems).
#[derive(Debug, Clone, Default)]
pub struct Listing {
    root: PathBuf,
    /// Each file's path on disk and as printed ([`display_path`]).
    files: Vec<(PathBuf, String)>,
}

impl Listing {
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The `i`-th file, read now.
    pub fn read(&self, i: usize) -> SourceFile {
        read_source(&self.files[i].0, &self.root)
    }

    /// Every file, read in parallel, in order.
    pub fn read_all(&self) -> Vec<SourceFile> {
        (0..self.len())
            .into_par_iter()
            .map(|i| self.read(i))
            .collect()
    }

    /// The file printed as `path` (`SourceFile::path`), read now; `None` when it is not
    /// listed.
    pub fn read_path(&self, path: &str) -> Option<SourceFile> {
        let i = self.files.binary_search_by(|(_, p)| p.as_str().cmp(path));
        i.ok().map(|i| self.read(i))
    }

    /// The text of the file printed as `path`, read again (lossily), for the caret line
    /// of a diagnostic found across files; empty when it is not listed or not readable.
    pub fn text_of(&self, path: &str) -> String {
        match self.read_path(path).map(|file| file.bytes) {
            Some(Ok(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
            _ => String::new(),
        }
    }
}

/// Walks `dir` (the content folder, or a folder in it) for postmortems and reads them in
/// parallel, sorted by path so every later stage sees the same order on every machine.
pub fn load_sources(dir: &Path, root: &Path, filter: &ContentFilter) -> Result<Content, ReadError> {
    let Listed { listing, skipped } = list_sources(dir, root, filter)?;
    Ok(Content {
        sources: listing.read_all(),
        skipped,
    })
}

/// Walks `dir` (the content folder, or a folder in it) for postmortems, sorted by path so
/// every later stage sees the same order on every machine, without reading them.
pub fn list_sources(dir: &Path, root: &Path, filter: &ContentFilter) -> Result<Listed, ReadError> {
    let content_dir = dir;
    if !content_dir.exists() {
        return Ok(Listed::default());
    }
    let mut paths = Vec::new();
    let mut skipped = Vec::new();
    // Not sorted while walked: `files` is sorted once below, by the path as printed.
    // Walkdir's own sort compares `Path::file_name`s, which parses each path again at
    // every comparison: a third of a second for a folder of 100,000 postmortems.
    let walker = WalkDir::new(content_dir)
        .follow_links(true)
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
                    if filter.is_postmortem(path) {
                        paths.push(path.to_path_buf());
                    }
                    continue;
                }
                path => {
                    let path = path.unwrap_or(content_dir).display().to_string();
                    let source = error
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("symbolic link loop"));
                    return Err(ReadError { path, source });
                }
            },
        };
        if !entry.file_type().is_file() {
            continue;
        }
        match filter.skipped(entry.path()) {
            Some(false) => paths.push(entry.into_path()),
            Some(true) if worth_naming(entry.path()) => {
                skipped.push(display_path(entry.path(), root));
            }
            _ => {}
        }
    }
    let mut files: Vec<(PathBuf, String)> = paths
        .into_iter()
        .map(|path| {
            let shown = display_path(&path, root);
            (path, shown)
        })
        .collect();
    // Sorted by the path as printed, so the order is the same on every file system and
    // callers can binary-search by path.
    files.sort_by(|a, b| a.1.cmp(&b.1));
    skipped.sort();
    let root = root.to_path_buf();
    Ok(Listed {
        listing: Listing { root, files },
        skipped,
    })
}

/// Reads the YAML files (`.yaml`, `.yml`) of a Backstage catalog folder (`[registry]
/// backstage`), sorted by path; `None` when `dir` is not a folder.
pub fn load_catalog(dir: &Path, root: &Path) -> Result<Option<Vec<SourceFile>>, ReadError> {
    if !dir.is_dir() {
        return Ok(None);
    }
    let filter = ContentFilter {
        content_dir: dir.to_path_buf(),
        include: Patterns::new(&["*.yaml".to_string(), "*.yml".to_string()]),
        exclude: Patterns::new(&[]),
    };
    Ok(Some(load_sources(dir, root, &filter)?.sources))
}

/// `path` relative to `root`, with `/` separators: how `SourceFile::path` and
/// diagnostics spell a file.
pub fn display_path(path: &Path, root: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads one content file; used by `load_sources` and by `serve` for a changed file.
pub fn read_source(path: &Path, root: &Path) -> SourceFile {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    SourceFile {
        path: display_path(path, root),
        stem,
        bytes: read_bounded(path),
    }
}

/// The bytes of the file at `path`, at most [`MAX_FILE_BYTES`]. Opened once and sized
/// from the open file: asking the path's size first walked the path twice per read (1%
/// of a 10,000-postmortem build, which reads each file twice), and a file that grows
/// after it is sized is still read no further than the limit.
fn read_bounded(path: &Path) -> Result<Vec<u8>, ReadFailure> {
    use std::io::Read;
    let failed = |error: std::io::Error| ReadFailure::Io(error.to_string());
    let file = fs::File::open(path).map_err(failed)?;
    let size = file.metadata().map_err(failed)?.len();
    if size > MAX_FILE_BYTES {
        return Err(ReadFailure::TooLarge { bytes: size });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    match bytes.len() as u64 {
        read if read > MAX_FILE_BYTES => Err(ReadFailure::TooLarge { bytes: read }),
        _ => Ok(bytes),
    }
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
        let filter = ContentFilter::new(&Config::default(), Path::new("content"));
        for (name, expected) in [
            ("a.md", true),
            ("A.MD", true),
            ("a.markdown", true),
            ("2024/db.md", true),
            (".a.md", false),
            (".a.md.swp", false),
            ("a.md~", false),
            ("#a.md#", false),
            ("a.txt", false),
            ("4913", false),
            ("_draft.md", false),
            ("2024/_index.md", false),
            ("README.md", false),
            ("readme.markdown", false),
            ("TEMPLATE.md", false),
            ("postmortem-template.md", false),
        ] {
            let path = Path::new("content").join(name);
            assert_eq!(filter.is_postmortem(&path), expected, "{name}");
        }
        let config = Config::parse(
            "include = [\"*.md\", \"*.txt\", \"notes/*\"]\nexclude = [\"archive/**\"]\n",
            "hindsight.toml",
        )
        .unwrap();
        let filter = ContentFilter::new(&config, Path::new("content"));
        for (name, expected) in [
            ("a.txt", true),
            ("notes/pm-1234", true),
            ("archive/old.md", false),
            ("b.md", true),
        ] {
            let path = Path::new("content").join(name);
            assert_eq!(filter.is_postmortem(&path), expected, "{name}");
        }
    }
}
