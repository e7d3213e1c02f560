//! `hindsight import FILE_OR_DIR...`: front matter written into postmortems that have
//! none, from what their text states.

use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;

use super::{count, fail};
use crate::app::import::{self, Outcome};
use crate::app::project;

#[derive(Debug, clap::Args)]
pub(super) struct ImportArgs {
    /// Postmortem files, or folders to import every Markdown file of
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The site root, whose hindsight.toml gives the vocabularies and the time zone
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Print the changes as a diff instead of writing them
    #[arg(long)]
    dry_run: bool,
}

impl ImportArgs {
    pub(super) fn run(self) -> ExitCode {
        let config = match project::load_config(&self.root) {
            Ok(config) => config,
            Err(error) => return fail(error.to_string()),
        };
        let files = match import::content_files(&self.paths) {
            Ok(files) => files,
            Err(error) => return fail(error.to_string()),
        };
        let (mut imported, mut had_front_matter, mut skipped) = (0, 0, 0);
        for file in files {
            let shown = file.display().to_string();
            let bytes = match fs::read(&file) {
                Ok(bytes) => bytes,
                Err(error) => return fail(format!("failed to read {shown}: {error}")),
            };
            let path = import::display_path(&file, &self.root);
            let stem = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            match import::import(&path, &stem, &bytes, &config) {
                Outcome::Imported { text, front_matter } => {
                    imported += 1;
                    if self.dry_run {
                        let original = String::from_utf8_lossy(&bytes);
                        print!("{}", import::diff(&shown, &original, &front_matter));
                    } else if let Err(error) = fs::write(&file, text) {
                        return fail(format!("failed to write {shown}: {error}"));
                    } else {
                        println!("imported {shown}");
                    }
                }
                Outcome::HasFrontMatter => had_front_matter += 1,
                Outcome::Skipped(reason) => {
                    skipped += 1;
                    eprintln!("skipped {shown}: {reason}");
                }
            }
        }
        let verb = if self.dry_run {
            "would import"
        } else {
            "imported"
        };
        println!(
            "{verb} {}; {} already had front matter; {} skipped",
            count(imported, "file"),
            had_front_matter,
            skipped
        );
        ExitCode::SUCCESS
    }
}
