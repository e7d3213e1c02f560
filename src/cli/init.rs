//! `hindsight init [DIR]`: a new knowledge base with a config, an example and CI; with
//! `--from ARCHIVE`, a config that maps an existing archive instead.

use std::path::PathBuf;
use std::process::ExitCode;

use super::EXIT_FAILURE;
use crate::app::adopt::{self, Adoption};
use crate::app::scaffold::{self, InitAction};
use crate::model::diagnostics::Level;

#[derive(Debug, clap::Args)]
pub(super) struct InitArgs {
    /// The folder to create the knowledge base in (with --from: the site root, which
    /// holds the archive)
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Add the files to a folder that is not empty (existing files are kept)
    #[arg(long, conflicts_with = "from")]
    force: bool,
    /// Survey the existing archive in this folder (under DIR) and write a hindsight.toml
    /// that maps its fields, vocabularies and files
    #[arg(long, value_name = "ARCHIVE")]
    from: Option<PathBuf>,
    /// With --from: print the proposed hindsight.toml instead of writing it
    #[arg(long, requires = "from")]
    dry_run: bool,
}

impl InitArgs {
    pub(super) fn run(self) -> ExitCode {
        match &self.from {
            Some(from) => self.adopt(from),
            None => self.scaffold(),
        }
    }

    fn scaffold(&self) -> ExitCode {
        match scaffold::write_init(&self.dir, self.force) {
            Ok(done) => {
                for (path, action) in done {
                    let what = match action {
                        InitAction::Created => "created",
                        InitAction::Kept => "kept   ",
                        InitAction::Appended | InitAction::Replaced => "updated",
                    };
                    outln!("{what} {}", self.dir.join(path).display());
                }
                let root = self.dir.display();
                outln!("\nnext: hindsight check --root {root} && hindsight build --root {root}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(EXIT_FAILURE)
            }
        }
    }

    fn adopt(&self, from: &std::path::Path) -> ExitCode {
        let adoption = match adopt::adopt(&self.dir, from) {
            Ok(adoption) => adoption,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(EXIT_FAILURE);
            }
        };
        print_survey(&adoption);
        if self.dry_run {
            outln!("\n{}", adoption.config_text);
            return ExitCode::SUCCESS;
        }
        match adopt::write_config(&self.dir, &adoption.config_text) {
            Ok(path) => {
                outln!("\nwrote {}", path.display());
                let root = self.dir.display();
                outln!("next: hindsight check --root {root} && hindsight build --root {root}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(EXIT_FAILURE)
            }
        }
    }
}

/// The survey: what was found, what each key maps to, what could not be mapped, and what
/// the proposed config builds.
fn print_survey(adoption: &Adoption) {
    let Adoption {
        survey, proposal, ..
    } = adoption;
    let files = survey.postmortems.len();
    outln!(
        "{}: {files} postmortems, {} with front matter, {} without",
        adoption.folder.content_dir,
        survey.with_front_matter,
        files - survey.with_front_matter
    );
    for (what, paths) in [
        ("left out by the default exclude", &adoption.excluded),
        ("not text", &survey.not_text),
        ("empty", &survey.empty),
        (
            "front matter unreadable (see hindsight check)",
            &survey.unreadable_front_matter,
        ),
    ] {
        if !paths.is_empty() {
            outln!("  {what}: {}", paths.join(", "));
        }
    }
    if let Some(include) = &adoption.folder.include {
        outln!("  include: {}", include.join(", "));
    }
    if !survey.keys.is_empty() {
        outln!(
            "\n  {:<24} {:>6} {:>9}  maps to",
            "front matter key",
            "files",
            "coverage"
        );
    }
    for stats in &survey.keys {
        let coverage = percent(stats.filled, survey.with_front_matter);
        let target = match proposal.field_of(&stats.key) {
            Some(field) => field.name().to_string(),
            None => {
                let reason = proposal.unmapped.iter().find(|(key, _)| key == &stats.key);
                format!("- ({})", reason.map_or("", |(_, reason)| reason))
            }
        };
        outln!(
            "  {:<24} {:>6} {:>8}%  {target}",
            stats.key,
            stats.filled,
            coverage
        );
    }
    print_vocabularies(adoption);
    print_verdict(adoption);
}

fn print_vocabularies(adoption: &Adoption) {
    let proposal = &adoption.proposal;
    outln!();
    for (name, vocabulary) in [
        ("severities", &proposal.severities),
        ("categories", &proposal.categories),
        ("services", &proposal.services),
    ] {
        if vocabulary.values.is_empty() {
            continue;
        }
        let values: Vec<String> = vocabulary
            .values
            .iter()
            .take(12)
            .map(|(value, count)| format!("{value} {count}"))
            .collect();
        let more = vocabulary.values.len().saturating_sub(12);
        let more = if more > 0 {
            format!(", {more} more")
        } else {
            String::new()
        };
        let kept = if vocabulary.default_fits && name != "services" {
            " (the defaults know them all)"
        } else {
            ""
        };
        outln!("  {name}{kept}: {}{more}", values.join(", "));
    }
    for (field, from, to) in &proposal.value_maps {
        outln!("  {}: \"{from}\" is read as \"{to}\"", field.name());
    }
    if let Some(template) = &proposal.title_template {
        outln!("  titles of files without one: {template}");
    }
}

fn print_verdict(adoption: &Adoption) {
    let verdict = &adoption.verdict;
    let pages = verdict.pages;
    outln!(
        "\n  with this config: {pages} pages, {} errors, {} warnings",
        verdict.errors,
        verdict.warnings
    );
    let coverage: Vec<String> = verdict
        .coverage
        .iter()
        .map(|(field, count)| format!("{field} {}%", percent(*count, pages)))
        .collect();
    outln!("  incidents with a value: {}", coverage.join(", "));
    for diagnostic in verdict
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
    {
        outln!("  {diagnostic}");
    }
}

fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}
