//! Reading the content folder: which files are postmortems and their bytes, and the one
//! text normaliser every later reader of a file's text goes through ([`SourceFile::text`]).
//!
//! With `render::theme` (a site's own theme), the only reader of files: `analyze` and
//! `render` are pure functions that tests drive with in-memory data, and `serve` re-reads
//! just the files that changed. `app::project` puts the pieces of a site together.

use std::borrow::Cow;
use std::fs;
use std::path::Path;

use rayon::prelude::*;
use walkdir::WalkDir;

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

/// Walks `content_dir` for Markdown files and reads them in parallel, sorted by path so
/// every later stage sees the same order on every machine.
pub fn load_sources(content_dir: &Path, root: &Path) -> Result<Vec<SourceFile>, ReadError> {
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
                    return Err(ReadError { path, source });
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
        Ok(meta) if meta.len() > MAX_FILE_BYTES => Err(ReadFailure::TooLarge { bytes: meta.len() }),
        Ok(_) => fs::read(path).map_err(|e| ReadFailure::Io(e.to_string())),
        Err(e) => Err(ReadFailure::Io(e.to_string())),
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
