//! `hindsight import`: the metadata inferred from a postmortem written as prose, written
//! into it as front matter (pure, except [`content_files`], which lists a folder).
//!
//! The front matter goes before the first byte of the file (after a byte-order mark), so
//! the text after it is byte-for-byte what it was, and the parser reads the same body.
//! Each value carries a YAML comment naming the line it came from, for the reviewer of the
//! change. A file that already has front matter is left alone, which makes importing
//! twice the same as importing once; `git diff` shows, and `git checkout` undoes, an
//! import.

use std::io;
use std::path::{Path, PathBuf};

use chrono::SecondsFormat;
use walkdir::WalkDir;

use crate::app::scaffold::yaml_string;
use crate::model::action_item::ActionStatus;
use crate::model::config::Config;
use crate::model::incident::Incident;
use crate::model::inference::{Evidence, Inference, Inferred};
use crate::model::vocab::Vocabularies;
use crate::parse::incident;
use crate::parse::source::{SourceFile, is_content_file};

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
    let front_matter = front_matter(&incident, config);
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

/// "# line 5: \"February 10, 2024, 9:00 AM\"", for the reviewer of the import.
fn comment(evidence: &Evidence) -> String {
    let mut quoted: String = evidence.text.chars().take(60).collect();
    if quoted.len() < evidence.text.len() {
        quoted.push('…');
    }
    let quoted = quoted.replace('"', "'");
    if quoted.is_empty() {
        format!("  # line {}", evidence.line)
    } else if evidence.line == 0 {
        format!("  # from \"{quoted}\" in the title or file name")
    } else {
        format!("  # line {}: \"{quoted}\"", evidence.line)
    }
}

/// The front matter block for `incident`, whose values were inferred.
fn front_matter(incident: &Incident, config: &Config) -> String {
    let mut out = String::from(
        "---\n# Written by `hindsight import` from the text below: check each value against its line.\n",
    );
    out.push_str(&format!("title: {}\n", yaml_string(&incident.title)));
    if let Some(inferred) = &incident.inferred {
        push_times(&mut out, inferred);
        push_severity_and_services(&mut out, inferred, config);
        push_texts(&mut out, inferred);
        push_action_items(&mut out, inferred);
    }
    out.push_str("---\n");
    out
}

/// Appends one `key: value` line, with a comment naming the line the value came from.
fn push_line(out: &mut String, key: &str, value: String, evidence: &Evidence) {
    out.push_str(&format!("{key}: {value}{}\n", comment(evidence)));
}

/// Appends the four timestamps that were inferred, in UTC.
fn push_times(out: &mut String, inferred: &Inference) {
    for (key, value) in [
        ("started_at", &inferred.started_at),
        ("detected_at", &inferred.detected_at),
        ("mitigated_at", &inferred.mitigated_at),
        ("resolved_at", &inferred.resolved_at),
    ] {
        if let Some(v) = value {
            push_line(
                out,
                key,
                v.value.to_rfc3339_opts(SecondsFormat::Secs, true),
                &v.evidence,
            );
        }
    }
}

/// Appends the severity, by its key in the config, and the services as one list.
fn push_severity_and_services(out: &mut String, inferred: &Inference, config: &Config) {
    if let Some(v) = &inferred.severity
        && let Some(severity) = config.severities.get(v.value)
    {
        push_line(out, "severity", yaml_string(&severity.key), &v.evidence);
    }
    if let Some(first) = inferred.services.first() {
        let names: Vec<String> = inferred
            .services
            .iter()
            .map(|s| yaml_string(&s.value))
            .collect();
        push_line(
            out,
            "services",
            format!("[{}]", names.join(", ")),
            &first.evidence,
        );
    }
}

/// Appends the root cause, trigger, summary and impact that were inferred.
fn push_texts(out: &mut String, inferred: &Inference) {
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
            push_line(out, key, yaml_string(&v.value), &evidence);
        }
    }
}

/// Appends the action items, with a comment naming the lines they span.
fn push_action_items(out: &mut String, inferred: &Inference) {
    let (Some(first), Some(last)) = (inferred.action_items.first(), inferred.action_items.last())
    else {
        return;
    };
    out.push_str(&format!(
        "action_items:  # lines {}–{}\n",
        first.evidence.line, last.evidence.line
    ));
    for item in &inferred.action_items {
        let item = &item.value;
        out.push_str(&format!("  - title: {}\n", yaml_string(&item.title)));
        if let Some(owner) = &item.owner {
            out.push_str(&format!("    owner: {}\n", yaml_string(owner)));
        }
        if let Some(due) = item.due {
            out.push_str(&format!("    due: {due}\n"));
        }
        if item.status == ActionStatus::Done {
            out.push_str("    status: done\n");
        }
    }
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
pub fn content_files(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            for entry in WalkDir::new(path).sort_by_file_name() {
                let entry = entry.map_err(io::Error::other)?;
                if entry.file_type().is_file() && is_content_file(entry.path()) {
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
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../content/2024/web-app-caching-layer-outage.md");

    fn imported(text: &str) -> (Vec<u8>, String) {
        match import("content/x.md", "x", text.as_bytes(), &Config::default()) {
            Outcome::Imported { text, front_matter } => (text, front_matter),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_body_is_kept_byte_for_byte_and_a_second_import_changes_nothing() {
        for original in [
            SEED.to_string(),
            SEED.replace('\n', "\r\n"),
            format!("\u{feff}{SEED}"),
        ] {
            let (text, front_matter) = imported(&original);
            let text = String::from_utf8(text).unwrap();
            let body = text.trim_start_matches('\u{feff}');
            let separator = if original.contains("\r\n") {
                "\r\n"
            } else {
                "\n"
            };
            assert!(body.starts_with(&front_matter.replace('\n', separator)));
            assert!(text.ends_with(original.trim_start_matches('\u{feff}')));
            assert_eq!(
                import("content/x.md", "x", text.as_bytes(), &Config::default()),
                Outcome::HasFrontMatter
            );
        }
    }

    #[test]
    fn values_carry_the_line_they_came_from() {
        let (_, front_matter) = imported(SEED);
        for line in [
            "started_at: 2024-02-10T09:00:00Z  # line 5: \"February 10, 2024, 9:00 AM\"",
            "resolved_at: 2024-02-11T14:00:00Z  # line 5: \"February 11, 2024, 2:00 PM (UTC)\"",
            "root_cause: \"caching\"  # line 7: \"caching layer\"",
            "action_items:  # lines 33–37",
        ] {
            assert!(
                front_matter.lines().any(|l| l == line),
                "{line}\n{front_matter}"
            );
        }
    }
}
