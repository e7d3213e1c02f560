//! `hindsight check`: every problem `build` would report (drafts included, every page
//! rendered), what was inferred from postmortems without front matter, and with
//! `--min-score` the postmortems below it; writes nothing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::build::resolve_as_of;
use super::{EXIT_FAILURE, count, exit_code, notes};
use crate::app::check::{self, CheckReport, InferredList};
use crate::model::diagnostics::{Diagnostic, Tally, github_command};
use crate::model::inference::InferredField;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Messages with the source line and a caret, for people
    Human,
    /// One JSON document on stdout, for tools
    Json,
    /// GitHub Actions workflow commands, so problems show on the pull request's diff
    Github,
}

#[derive(Debug, clap::Args)]
pub(super) struct CheckArgs {
    /// The site root: the folder holding hindsight.toml and content/
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// How to print what was found
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Exit with 1 on warnings too, not only on errors
    #[arg(long)]
    strict: bool,
    /// Fail (H028, an error) for each postmortem in review or final whose quality score
    /// (0-100, see docs/quality.md) is below N, listing its score and what it lacks
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=100))]
    min_score: Option<u32>,
}

impl CheckArgs {
    pub(super) fn run(self) -> ExitCode {
        let as_of = match resolve_as_of(None) {
            Ok(date) => date,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(EXIT_FAILURE);
            }
        };
        let report = match check::check(&self.root, as_of, self.min_score) {
            Ok(report) => report,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(EXIT_FAILURE);
            }
        };
        let tally = Tally::of(&report.diagnostics);
        match self.format {
            Format::Human => print_human(&report, tally),
            Format::Json => print_json(&report, tally),
            Format::Github => print_github(&report, tally, &github_prefix(&self.root)),
        }
        exit_code(tally, self.strict)
    }
}

fn summary(report: &CheckReport, tally: Tally) -> String {
    format!(
        "checked {}: {}, {}{}",
        count(report.files, "file"),
        count(tally.errors, "error"),
        count(tally.warnings, "warning"),
        notes(tally)
    )
}

/// "5:3", or for values read from the title or the file name, "title/name".
fn place(line: u32, col: u32) -> String {
    if line == 0 {
        "title/name".to_string()
    } else {
        format!("{line}:{col}")
    }
}

/// Long text (an impact paragraph) cut to a line's worth.
fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

fn print_human(report: &CheckReport, tally: Tally) {
    super::print_diagnostics(&report.diagnostics);
    let mut out = std::io::stdout().lock();
    for (file, fields) in report.inferred.iter() {
        let _ = writeln!(out, "{file}: inferred from the text (no front matter):");
        for field in &fields {
            let value = shorten(&field.value);
            let evidence = if field.evidence == field.value {
                String::new()
            } else {
                format!("   ← \"{}\"", shorten(&field.evidence))
            };
            let _ = writeln!(
                out,
                "  {:<10} {:<13} {value}{evidence}",
                place(field.line, field.col),
                field.field,
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "{}", summary(report, tally));
}

/// The JSON document, written as it is serialized: a check of 100,000 postmortems
/// without front matter reports some 100 MB of it, and building it as one
/// `serde_json::Value` first held that several times over. Objects keep the keys in
/// alphabetical order, as a `Value`'s map writes them.
fn print_json(report: &CheckReport, tally: Tally) {
    #[derive(serde::Serialize)]
    struct Document<'a> {
        diagnostics: Sorted<'a, Diagnostic>,
        errors: usize,
        files: usize,
        inferred: Inferred<'a>,
        infos: usize,
        warnings: usize,
    }
    let document = Document {
        diagnostics: Sorted(&report.diagnostics),
        errors: tally.errors,
        files: report.files,
        inferred: Inferred(&report.inferred),
        infos: tally.infos,
        warnings: tally.warnings,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A closed pipe (`| head`) ends the output; there is nothing else to do about it.
    let _ = serde_json::to_writer_pretty(&mut out, &document)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
}

/// Items written with their keys in alphabetical order: each goes through a `Value`
/// (one item's worth of memory, not the report's).
struct Sorted<'a, T>(&'a [T]);

impl<T: serde::Serialize> serde::Serialize for Sorted<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            let value = serde_json::to_value(item).map_err(S::Error::custom)?;
            seq.serialize_element(&value)?;
        }
        seq.end()
    }
}

/// `report.inferred` as `[{"fields": [...], "file": "..."}]`, each file's read as it is
/// written.
struct Inferred<'a>(&'a InferredList);

impl serde::Serialize for Inferred<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        #[derive(serde::Serialize)]
        struct Entry<'a> {
            fields: Sorted<'a, InferredField>,
            file: &'a str,
        }
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for (file, fields) in self.0.iter() {
            seq.serialize_element(&Entry {
                fields: Sorted(&fields),
                file,
            })?;
        }
        seq.end()
    }
}

/// Annotations name files from the repository root, which is the working directory in a
/// workflow; the site root may be a folder below it.
fn github_prefix(root: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let root = absolute(root);
    let cwd = std::env::current_dir()
        .map(|d| absolute(&d))
        .unwrap_or_default();
    let Ok(relative) = root.strip_prefix(&cwd) else {
        // Outside the working directory: the absolute path is the best there is.
        return format!("{}/", root.display().to_string().trim_end_matches('/'));
    };
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}/", parts.join("/"))
    }
}

fn print_github(report: &CheckReport, tally: Tally, prefix: &str) {
    let mut out = std::io::stdout().lock();
    for diagnostic in &report.diagnostics {
        let _ = writeln!(out, "{}", diagnostic.render_github(prefix));
    }
    // One notice per file: GitHub shows at most ten annotations of a kind per step.
    for (file, fields) in report.inferred.iter() {
        let lines: Vec<String> = fields
            .iter()
            .map(|field| {
                let from = if field.evidence == field.value || field.evidence.starts_with("line") {
                    String::new()
                } else {
                    format!(" ← \"{}\"", shorten(&field.evidence))
                };
                let at = if field.evidence.starts_with("line") {
                    field.evidence.clone()
                } else {
                    place(field.line, field.col)
                };
                format!("{} = {} ({at}){from}", field.field, shorten(&field.value))
            })
            .collect();
        let position = fields
            .iter()
            .filter(|f| f.line > 0)
            .map(|f| (f.line, f.col))
            .min();
        let file = format!("{prefix}{file}");
        let message = format!("metadata inferred from the text:\n{}", lines.join("\n"));
        let line = github_command("notice", &file, position, "inferred", &message);
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "{}", summary(report, tally));
}
