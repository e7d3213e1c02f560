//! `hindsight import`: the metadata inferred from a postmortem written as prose, written
//! into it as front matter.
//!
//! The front matter goes before the first byte of the file (after a byte-order mark), so
//! the text after it is byte-for-byte what it was, and the parser reads the same body.
//! Each value carries a YAML comment naming the line it came from, for the reviewer of the
//! change. A file that already has front matter is left alone, which makes importing
//! twice the same as importing once; `git diff` shows, and `git checkout` undoes, an
//! import.
//!
//! Making the new text ([`import`]) is pure. Writing it ([`write`]) is one of the
//! deliberate exceptions to "only `app::output` writes": the postmortem is the author's
//! own file, so it is replaced the way a careful editor saves, never truncated in place.
//! The new text goes to a hidden temporary file beside it, is flushed to disk, and is
//! renamed over the original only if the original is still exactly what was read. A full
//! disk or a crash therefore leaves either the old file or the new one, never half of
//! each, and an edit saved while the import ran is never overwritten.
//!
//! Every value is quoted by yaml-rust2's emitter rather than by hand, and the quoted text
//! of each evidence comment is kept on one line, so no text from a postmortem can end a
//! comment early or make the front matter stop parsing.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::SecondsFormat;
use walkdir::WalkDir;
use yaml_rust2::{EmitError, Yaml, YamlEmitter};

use crate::model::action_item::{ActionItem, ActionStatus};
use crate::model::config::Config;
use crate::model::incident::Incident;
use crate::model::inference::{Evidence, Inference, Inferred};
use crate::model::time::duration;
use crate::model::vocab::Vocabularies;
use crate::parse::incident;
use crate::parse::source::{ContentFilter, SourceFile};

/// What importing one file would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The new text of the file, and the front matter block it starts with (LF endings).
    Imported { text: Vec<u8>, front_matter: String },
    /// The file has front matter already.
    HasFrontMatter,
    /// The file cannot be imported; the reason is a lowercase message.
    Skipped(String),
}

/// Imports one file's `bytes`; `path` is how diagnostics name it (relative to the site
/// root) and `stem` its name without extension.
pub fn import(path: &str, stem: &str, bytes: &[u8], config: &Config) -> Outcome {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Outcome::Skipped("file is not valid UTF-8".into());
    };
    let bom = if text.starts_with('\u{feff}') {
        "\u{feff}"
    } else {
        ""
    };
    let text = &text[bom.len()..];
    let normalized = text.replace("\r\n", "\n");
    match crate::parse::frontmatter::parse(&normalized) {
        Ok(document) if document.format.is_some() => return Outcome::HasFrontMatter,
        Ok(_) => {}
        Err(error) => {
            return Outcome::Skipped(format!("front matter error at {error}"));
        }
    }
    let source = SourceFile {
        path: path.to_string(),
        stem: stem.to_string(),
        bytes: Ok(bytes.to_vec()),
    };
    let vocabularies = Vocabularies::new(config);
    let mut diagnostics = Vec::new();
    let Some(incident) = incident::parse(&source, config, &vocabularies, &mut diagnostics) else {
        return Outcome::Skipped("file is empty".into());
    };
    let front_matter = match front_matter(&incident, config) {
        Ok(front_matter) => front_matter,
        Err(error) => return Outcome::Skipped(format!("failed to quote a value: {error}")),
    };
    let block = if text.contains("\r\n") {
        front_matter.replace('\n', "\r\n")
    } else {
        front_matter.clone()
    };
    let mut out = Vec::with_capacity(bytes.len() + block.len());
    out.extend_from_slice(bom.as_bytes());
    out.extend_from_slice(block.as_bytes());
    out.extend_from_slice(text.as_bytes());
    Outcome::Imported {
        text: out,
        front_matter,
    }
}

/// `text` as a double-quoted YAML scalar, quoted by yaml-rust2's emitter so that the
/// escaping is the YAML library's and not ours.
///
/// The emitter quotes only what needs it (escaping quotes, backslashes and the C0
/// controls, line breaks among them) and leaves the rest plain. A string it leaves plain
/// has no quote, backslash or line break, so it means the same inside quotes; every value
/// is quoted, as `hindsight new` writes them, so a reviewer sees text as text and a value
/// such as `yes` or `12` is never read as anything else. What the emitter lets through
/// raw but must not be written raw is escaped afterwards by [`escape_unseen`].
fn quoted(text: &str) -> Result<String, EmitError> {
    let mut emitted = String::new();
    YamlEmitter::new(&mut emitted).dump(&Yaml::String(readable(text)))?;
    // The emitter starts every document with its start marker; anything else would mean
    // its format changed, and guessing at it could write a wrong value.
    let scalar = emitted
        .strip_prefix("---\n")
        .ok_or(EmitError::FmtError(std::fmt::Error))?;
    let scalar = if scalar.starts_with('"') {
        scalar.to_owned()
    } else {
        format!("\"{scalar}\"")
    };
    Ok(escape_unseen(&scalar))
}

/// Escapes, inside a double-quoted scalar, the characters the emitter writes as they are
/// but that would change the document or hide from its reviewer: control characters it
/// does not escape (such as BEL, DEL and the C1 set with U+0085, "next line"), the Unicode
/// line and paragraph separators (U+2028, U+2029), which YAML 1.1 readers and many
/// editors take as line breaks, and the byte-order mark, which readers drop.
///
/// `\uXXXX` is YAML's own escape, so the value still reads back the same, and each of
/// these characters is in the Basic Multilingual Plane, so four digits always suffice.
fn escape_unseen(scalar: &str) -> String {
    let mut out = String::with_capacity(scalar.len());
    for c in scalar.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` as the front matter reader accepts it: CRLF, a carriage return or NEL alone is the
/// line break it meant, and any other control character but tab and newline becomes
/// U+FFFD, since the reader refuses control characters (they would reach a page raw).
pub(crate) fn readable(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\r' | '\u{85}' => '\n',
            '\t' | '\n' => c,
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// "# line 5: \"February 10, 2024, 9:00 AM\"", for the reviewer of the import.
///
/// The words come from the postmortem, so they are quoted like a value: a line break or
/// any other control character in them is escaped, and the comment stays on its line
/// whatever the file holds.
fn comment(evidence: &Evidence) -> Result<String, EmitError> {
    let mut words: String = evidence.text.chars().take(60).collect();
    if words.len() < evidence.text.len() {
        words.push('…');
    }
    Ok(if words.is_empty() {
        format!("  # line {}", evidence.line)
    } else if evidence.line == 0 {
        format!("  # from {} in the title or file name", quoted(&words)?)
    } else {
        format!("  # line {}: {}", evidence.line, quoted(&words)?)
    })
}

/// The front matter block for `incident`, whose values were inferred.
fn front_matter(incident: &Incident, config: &Config) -> Result<String, EmitError> {
    let mut out = String::from(
        "---\n# Written by `hindsight import` from the text below: check each value against its line.\n",
    );
    out.push_str(&format!("title: {}\n", quoted(&incident.title)?));
    if let Some(inferred) = incident.inference() {
        push_times(&mut out, inferred)?;
        push_lengths(&mut out, inferred)?;
        push_severity_and_services(&mut out, inferred, config)?;
        push_texts(&mut out, inferred)?;
        push_action_items(&mut out, inferred, &incident.action_items)?;
    }
    out.push_str("---\n");
    Ok(out)
}

/// Appends one `key: value` line, with a comment naming the line the value came from.
fn push_line(
    out: &mut String,
    key: &str,
    value: String,
    evidence: &Evidence,
) -> Result<(), EmitError> {
    out.push_str(&format!("{key}: {value}{}\n", comment(evidence)?));
    Ok(())
}

/// Appends the four timestamps that were inferred, in UTC. They are written as chrono
/// formats them, unquoted: RFC 3339 text made by the program, not taken from the file.
fn push_times(out: &mut String, inferred: &Inference) -> Result<(), EmitError> {
    for (key, value) in [
        ("started_at", &inferred.started_at),
        ("detected_at", &inferred.detected_at),
        ("mitigated_at", &inferred.mitigated_at),
        ("resolved_at", &inferred.resolved_at),
    ] {
        if let Some(v) = value {
            let time = v.value.to_rfc3339_opts(SecondsFormat::Secs, true);
            push_line(out, key, time, &v.evidence)?;
        }
    }
    Ok(())
}

/// Appends the lengths the text states that no start turned into a time
/// (`duration: "45m"`), in the shape the front matter reader takes.
fn push_lengths(out: &mut String, inferred: &Inference) -> Result<(), EmitError> {
    for (key, value) in inferred.lengths() {
        if let Some(v) = value {
            push_line(out, key, quoted(&duration::show(v.value))?, &v.evidence)?;
        }
    }
    Ok(())
}

/// Appends the severity, by its key in the config, and the services as one list.
fn push_severity_and_services(
    out: &mut String,
    inferred: &Inference,
    config: &Config,
) -> Result<(), EmitError> {
    if let Some(v) = &inferred.severity
        && let Some(severity) = config.severities.get(v.value)
    {
        push_line(out, "severity", quoted(&severity.key)?, &v.evidence)?;
    }
    if let Some(first) = inferred.services.first() {
        let names = inferred
            .services
            .iter()
            .map(|s| quoted(&s.value))
            .collect::<Result<Vec<_>, _>>()?;
        let list = format!("[{}]", names.join(", "));
        push_line(out, "services", list, &first.evidence)?;
    }
    Ok(())
}

/// Appends the root cause, trigger, summary and impact that were inferred.
fn push_texts(out: &mut String, inferred: &Inference) -> Result<(), EmitError> {
    let text_fields: [(&str, &Option<Inferred<String>>); 4] = [
        ("root_cause", &inferred.root_cause),
        ("trigger", &inferred.trigger),
        ("summary", &inferred.summary),
        ("impact", &inferred.impact),
    ];
    for (key, value) in text_fields {
        if let Some(v) = value {
            // A paragraph read whole needs no quote of itself in the comment.
            let evidence = if v.evidence.text == v.value {
                Evidence {
                    text: String::new(),
                    ..v.evidence.clone()
                }
            } else {
                v.evidence.clone()
            };
            push_line(out, key, quoted(&v.value)?, &evidence)?;
        }
    }
    Ok(())
}

/// Appends the action items, which parsing gave the incident (`items`), with a comment
/// naming the lines they span.
fn push_action_items(
    out: &mut String,
    inferred: &Inference,
    items: &[ActionItem],
) -> Result<(), EmitError> {
    let Some(extent) = inferred.action_items_extent().filter(|_| !items.is_empty()) else {
        return Ok(());
    };
    out.push_str(&format!(
        "action_items:  # lines {}–{}\n",
        extent.line, extent.last_line
    ));
    for item in items {
        out.push_str(&format!("  - title: {}\n", quoted(&item.title)?));
        if let Some(owner) = &item.owner {
            out.push_str(&format!("    owner: {}\n", quoted(owner)?));
        }
        if let Some(due) = item.due {
            out.push_str(&format!("    due: {due}\n"));
        }
        if item.status == ActionStatus::Done {
            out.push_str("    status: done\n");
        }
    }
    Ok(())
}

/// A file as `import` read it: its bytes, and what must still be true of it when the
/// imported text replaces it.
#[derive(Debug)]
pub struct Original {
    /// The file itself, links resolved: the temporary file goes beside it, so the rename
    /// stays in one file system and a symbolic link keeps pointing at the imported file.
    path: PathBuf,
    /// The bytes read, which the import is made from.
    pub bytes: Vec<u8>,
    /// Size and modification time when read: a cheap first check for a change.
    len: u64,
    modified: Option<SystemTime>,
    /// Given to the new file, so importing never widens or narrows who may read it.
    permissions: fs::Permissions,
}

/// Reads `path` for importing; [`write`] later replaces it only if it is unchanged.
pub fn read(path: &Path) -> io::Result<Original> {
    let path = fs::canonicalize(path)?;
    let mut file = File::open(&path)?;
    let metadata = file.metadata()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(Original {
        path,
        bytes,
        len: metadata.len(),
        modified: metadata.modified().ok(),
        permissions: metadata.permissions(),
    })
}

/// Why an imported file was not written. In every case the original file is as it was
/// and no temporary file is left behind.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file on disk is no longer what was read (an editor saved it meanwhile), so
    /// writing would lose that edit; importing again starts from the new text.
    #[error("changed since it was read; run import again")]
    Changed,
    /// Writing failed: no permission, a full disk, a name too long for a temporary file.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Replaces the `original` file with `text`: through a hidden temporary file beside it,
/// flushed to disk and renamed over the original, and only if the original is unchanged.
pub fn write(original: &Original, text: &[u8]) -> Result<(), WriteError> {
    write_with(original, text, &mut |file, text| file.write_all(text))
}

/// [`write`], with the step that fills the temporary file given, so that tests can make
/// it fail halfway as a full disk would, or edit the original meanwhile as an editor
/// would.
pub fn write_with(
    original: &Original,
    text: &[u8],
    fill: &mut dyn FnMut(&mut File, &[u8]) -> io::Result<()>,
) -> Result<(), WriteError> {
    // Importing changes the file, so it needs the right to change it, as writing in place
    // did: a read-only postmortem stays as it is although its folder is writable.
    OpenOptions::new().append(true).open(&original.path)?;
    let temp = temp_path(&original.path)?;
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(|error| {
            let message = format!("failed to create {}: {error}", temp.display());
            io::Error::new(error.kind(), message)
        })?;
    let result = fill_temp(file, original, text, fill).and_then(|()| replace(original, &temp));
    if result.is_err() {
        // The file is ours and holds nothing of value; if even removing it fails, the
        // error that matters is the one already being reported.
        let _ = fs::remove_file(&temp);
    }
    result
}

/// The hidden temporary file for `path`: `.<name>.hindsight-import-<pid>` in its folder.
/// The process id keeps two imports from sharing one, and the leading dot and the
/// extension keep it out of `build`, `check` and `import` if a crash leaves it behind.
fn temp_path(path: &Path) -> io::Result<PathBuf> {
    let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
        let message = format!("{} is not a file", path.display());
        return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
    };
    let mut temp = OsString::from(".");
    temp.push(name);
    temp.push(format!(".hindsight-import-{}", std::process::id()));
    Ok(folder.join(temp))
}

/// Gives the temporary file the original's permissions (the mode bits on Unix) before
/// anything is in it, fills it, and flushes it to disk so that a crash after the rename
/// cannot leave an empty file in the original's place. The file is closed on return, as
/// Windows renames only closed files.
fn fill_temp(
    mut file: File,
    original: &Original,
    text: &[u8],
    fill: &mut dyn FnMut(&mut File, &[u8]) -> io::Result<()>,
) -> Result<(), WriteError> {
    file.set_permissions(original.permissions.clone())?;
    fill(&mut file, text)?;
    file.sync_all()?;
    Ok(())
}

/// Renames the temporary file over the original, unless the original changed since it
/// was read. A change between this check and the rename itself is not seen; the window
/// is a few system calls wide instead of the whole import.
fn replace(original: &Original, temp: &Path) -> Result<(), WriteError> {
    if changed(original)? {
        return Err(WriteError::Changed);
    }
    fs::rename(temp, &original.path)?;
    sync_folder(&original.path);
    Ok(())
}

/// Whether the file at `original.path` differs from what was read. Size and modification
/// time are compared first; the bytes too, because a same-size save within one tick of a
/// coarse clock keeps both. A file that is gone has changed: renaming would bring back
/// what was deleted or moved.
fn changed(original: &Original) -> io::Result<bool> {
    let metadata = match fs::metadata(&original.path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(true),
        Err(error) => return Err(error),
    };
    if metadata.len() != original.len || metadata.modified().ok() != original.modified {
        return Ok(true);
    }
    match fs::read(&original.path) {
        Ok(bytes) => Ok(bytes != original.bytes),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(error) => Err(error),
    }
}

/// Flushes the folder of `path` on Unix, so that the rename itself survives a crash.
/// Best effort: by now the new file is complete, and if the rename is lost the old one is
/// still there whole.
fn sync_folder(path: &Path) {
    #[cfg(unix)]
    if let Some(folder) = path.parent()
        && let Ok(folder) = File::open(folder)
    {
        let _ = folder.sync_all();
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// A unified diff of an import: the front matter lines added before the first lines of
/// the file.
pub fn diff(path: &str, original: &str, front_matter: &str) -> String {
    let context: Vec<&str> = original
        .trim_start_matches('\u{feff}')
        .lines()
        .take(3)
        .collect();
    let added: Vec<&str> = front_matter.lines().collect();
    let mut out = format!(
        "--- a/{path}\n+++ b/{path}\n@@ -1,{} +1,{} @@\n",
        context.len(),
        context.len() + added.len()
    );
    for line in added {
        out.push_str(&format!("+{line}\n"));
    }
    for line in context {
        out.push_str(&format!(" {line}\n"));
    }
    out
}

/// The postmortem files among `paths`: files as given, folders walked (hidden entries
/// skipped), sorted, each once.
pub fn content_files(paths: &[PathBuf], filter: &ContentFilter) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            for entry in WalkDir::new(path).sort_by_file_name() {
                let entry = entry.map_err(io::Error::other)?;
                if entry.file_type().is_file() && filter.is_postmortem(entry.path()) {
                    files.push(entry.into_path());
                }
            }
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} does not exist", path.display()),
            ));
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// `path` as diagnostics name it: relative to `root` when inside it, `/`-separated.
pub fn display_path(path: &Path, root: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let path = absolute(path);
    let relative = path.strip_prefix(absolute(root)).unwrap_or(&path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests;
