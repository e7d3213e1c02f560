//! `hindsight new "Title"`: a new postmortem from the site's template, filed by date.

use std::path::PathBuf;
use std::process::ExitCode;

use super::build::resolve_as_of;
use super::fail;
use crate::app::project;
use crate::app::scaffold::{self, NewOptions};
use crate::render::theme::Theme;

#[derive(Debug, clap::Args)]
pub(super) struct NewArgs {
    /// The postmortem's title; its slug names the file
    title: String,
    /// The site root: the folder holding hindsight.toml and content/
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// An affected service (repeat for several)
    #[arg(long = "service", value_name = "NAME")]
    services: Vec<String>,
    /// The root-cause category, a key or label of the site's vocabulary
    #[arg(long)]
    category: Option<String>,
    /// The severity, e.g. SEV2
    #[arg(long)]
    severity: Option<String>,
    /// When it started, e.g. "2024-02-10 09:00" (site time zone) or 2024-02-10T09:00:00Z;
    /// also the date in the file name [default: today, or $SOURCE_DATE_EPOCH's date]
    #[arg(long)]
    started: Option<String>,
}

impl NewArgs {
    pub(super) fn run(self) -> ExitCode {
        let config = match project::load_config(&self.root) {
            Ok(config) => config,
            Err(error) => return fail(error.to_string()),
        };
        let theme = match Theme::load(&self.root, &config.theme) {
            Ok(theme) => theme,
            Err(error) => return fail(error.to_string()),
        };
        let today = match resolve_as_of(None) {
            Ok(today) => today,
            Err(message) => return fail(message),
        };
        let options = NewOptions {
            title: self.title,
            services: self.services,
            category: self.category,
            severity: self.severity,
            started: self.started,
            today,
        };
        let written = scaffold::new_postmortem(&config, &theme, &options)
            .and_then(|made| scaffold::write_new(&self.root, &made));
        match written {
            Ok(path) => {
                outln!("{}", path.display());
                // The modeline of the new file points at the schema; it is made anew from
                // the config, which may have changed since it was last written.
                // Quietly: the path on stdout and the draft note are what an author needs.
                if let Err(error) = scaffold::write_schema(&self.root, &config) {
                    eprintln!("warning: {error} (the editor schema; see `hindsight schema`)");
                }
                if is_draft(&config, &path) {
                    // On stderr: stdout stays the path alone, for scripts.
                    eprintln!(
                        "note: this postmortem is a draft (status: draft): `hindsight serve` shows it; `hindsight build` leaves it out until its status is review or final, or with --drafts"
                    );
                }
                ExitCode::SUCCESS
            }
            Err(error) => fail(error.to_string()),
        }
    }
}

/// Whether the file just written says `status: draft` (a site's own template may not).
fn is_draft(config: &crate::model::config::Config, path: &std::path::Path) -> bool {
    use crate::model::incident::Status;
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let source = crate::parse::source::SourceFile {
        path: path.display().to_string(),
        stem: String::new(),
        bytes: Ok(bytes),
    };
    let vocabularies = crate::model::vocab::Vocabularies::new(config);
    let mut ignored = Vec::new();
    crate::parse::incident::parse(&source, config, &vocabularies, &mut ignored)
        .is_some_and(|incident| incident.status == Status::Draft)
}
