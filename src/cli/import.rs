//! `hindsight import FILE_OR_DIR...`: front matter written into postmortems that have
//! none, from what their text states.
//!
//! A file that cannot be written stops the command with its name, as it is likely the
//! first of many (a full disk, a read-only folder). A file that was edited while it was
//! being imported is skipped with its name and the others go on; the command still ends
//! in failure, so a script sees that importing must run again.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{count, fail};
use crate::app::import::{self, Original, Outcome, WriteError};
use crate::app::project;
use crate::model::config::Config;
use crate::parse::source::ContentFilter;

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

/// Writes an imported file over its original: `import::write`, or in tests one that fails
/// or races an editor.
type Writer<'a> = &'a dyn Fn(&Original, &[u8]) -> Result<(), WriteError>;

/// What became of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    Imported,
    HadFrontMatter,
    Skipped,
    /// Edited on disk while it was imported, so left as the author saved it.
    Changed,
}

impl ImportArgs {
    pub(super) fn run(self) -> ExitCode {
        self.run_with(&import::write)
    }

    /// Imports every file through `write`, printing what became of each and a summary.
    fn run_with(&self, write: Writer) -> ExitCode {
        let config = match project::load_config(&self.root) {
            Ok(config) => config,
            Err(error) => return fail(error.to_string()),
        };
        let content_dir = self.root.join(&config.content_dir);
        let filter = ContentFilter::new(&config, &content_dir);
        let files = match import::content_files(&self.paths, &filter) {
            Ok(files) => files,
            Err(error) => return fail(error.to_string()),
        };
        let mut done = Vec::with_capacity(files.len());
        for file in files {
            match self.import_file(&file, &config, write) {
                Ok(outcome) => done.push(outcome),
                Err(message) => return fail(message),
            }
        }
        self.summary(&done)
    }

    /// Imports one file and prints what became of it; `Err` is a failure that stops the
    /// command, its message naming the file.
    fn import_file(&self, file: &Path, config: &Config, write: Writer) -> Result<Done, String> {
        let shown = file.display().to_string();
        let original = import::read(file).map_err(|e| format!("failed to read {shown}: {e}"))?;
        let path = import::display_path(file, &self.root);
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match import::import(&path, &stem, &original.bytes, config) {
            Outcome::Imported { front_matter, .. } if self.dry_run => {
                let before = String::from_utf8_lossy(&original.bytes);
                out!("{}", import::diff(&shown, &before, &front_matter));
                Ok(Done::Imported)
            }
            Outcome::Imported { text, .. } => match write(&original, &text) {
                Ok(()) => {
                    outln!("imported {shown}");
                    Ok(Done::Imported)
                }
                Err(error @ WriteError::Changed) => {
                    eprintln!("skipped {shown}: {error}");
                    Ok(Done::Changed)
                }
                Err(error) => Err(format!("failed to write {shown}: {error}")),
            },
            Outcome::HasFrontMatter => Ok(Done::HadFrontMatter),
            Outcome::Skipped(reason) => {
                eprintln!("skipped {shown}: {reason}");
                Ok(Done::Skipped)
            }
        }
    }

    /// Prints the counts; fails if a file changed while it was imported.
    fn summary(&self, done: &[Done]) -> ExitCode {
        let number = |of: Done| done.iter().filter(|d| **d == of).count();
        let verb = if self.dry_run {
            "would import"
        } else {
            "imported"
        };
        outln!(
            "{verb} {}; {} already had front matter; {} skipped",
            count(number(Done::Imported), "file"),
            number(Done::HadFrontMatter),
            number(Done::Skipped) + number(Done::Changed)
        );
        match number(Done::Changed) {
            0 => ExitCode::SUCCESS,
            changed => fail(format!(
                "{} changed while being imported; run import again",
                count(changed, "file")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::{self, Write};

    use super::*;

    const SEED: &str = include_str!("../../content/2024/web-app-caching-layer-outage.md");

    /// A site root whose `content` folder holds `a.md` and `b.md`, both prose only.
    fn site() -> (tempfile::TempDir, ImportArgs) {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir(root.path().join("content")).unwrap();
        for name in ["a.md", "b.md"] {
            fs::write(root.path().join("content").join(name), SEED).unwrap();
        }
        let args = ImportArgs {
            paths: vec![root.path().join("content")],
            root: root.path().to_path_buf(),
            dry_run: false,
        };
        (root, args)
    }

    fn disk_full(original: &Original, text: &[u8]) -> Result<(), WriteError> {
        import::write_with(original, text, &mut |file, text| {
            file.write_all(&text[..text.len() / 2])?;
            Err(io::Error::other("no space left on device"))
        })
    }

    #[test]
    fn a_failed_write_names_the_file_stops_and_leaves_it_whole() {
        let (root, args) = site();
        let a = root.path().join("content/a.md");
        let config = Config::default();
        let message = args.import_file(&a, &config, &disk_full).unwrap_err();
        assert!(message.starts_with("failed to write "), "{message}");
        assert!(
            message.contains("a.md: no space left on device"),
            "{message}"
        );
        assert_eq!(
            args.run_with(&disk_full),
            ExitCode::from(super::super::EXIT_FAILURE)
        );
        for name in ["a.md", "b.md"] {
            assert_eq!(
                fs::read_to_string(root.path().join("content").join(name)).unwrap(),
                SEED
            );
        }
        let mut left: Vec<_> = fs::read_dir(root.path().join("content")).unwrap().collect();
        left.retain(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        });
        assert!(left.is_empty(), "temporary files left: {left:?}");
    }

    #[test]
    fn a_file_edited_meanwhile_is_skipped_the_rest_imported_and_the_command_fails() {
        let (root, args) = site();
        let a = root.path().join("content/a.md");
        // `a.md` comes first: the author saves it while its import is being written.
        let first = std::cell::Cell::new(true);
        let edit_a_first = |original: &Original, text: &[u8]| {
            if first.replace(false) {
                fs::write(&a, format!("{SEED}\nAn edit.\n")).unwrap();
            }
            import::write(original, text)
        };
        assert_eq!(
            args.run_with(&edit_a_first),
            ExitCode::from(super::super::EXIT_FAILURE)
        );
        let a_now = fs::read_to_string(&a).unwrap();
        assert_eq!(
            a_now,
            format!("{SEED}\nAn edit.\n"),
            "the edit was overwritten"
        );
        let b_now = fs::read_to_string(root.path().join("content/b.md")).unwrap();
        assert!(
            b_now.starts_with("---\n") && b_now.ends_with(SEED),
            "{b_now}"
        );
    }
}
