//! `hindsight init [DIR]`: a new knowledge base with a config, an example and CI.

use std::path::PathBuf;
use std::process::ExitCode;

use super::EXIT_FAILURE;
use crate::app::scaffold::{self, InitAction};

#[derive(Debug, clap::Args)]
pub(super) struct InitArgs {
    /// The folder to create the knowledge base in
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Add the files to a folder that is not empty (existing files are kept)
    #[arg(long)]
    force: bool,
}

impl InitArgs {
    pub(super) fn run(self) -> ExitCode {
        match scaffold::write_init(&self.dir, self.force) {
            Ok(done) => {
                for (path, action) in done {
                    let what = match action {
                        InitAction::Created => "created",
                        InitAction::Kept => "kept   ",
                        InitAction::Appended => "updated",
                    };
                    println!("{what} {}", self.dir.join(path).display());
                }
                let root = self.dir.display();
                println!("\nnext: hindsight check --root {root} && hindsight build --root {root}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(EXIT_FAILURE)
            }
        }
    }
}
