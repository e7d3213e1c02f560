//! `hindsight schema`: the JSON Schema of this site's front matter, for editors.

use std::path::PathBuf;
use std::process::ExitCode;

use super::fail;
use crate::app::{project, scaffold};
use crate::render::schema;

#[derive(Debug, clap::Args)]
pub(super) struct SchemaArgs {
    /// The site root: the folder holding hindsight.toml
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Write the schema to this file (replaced whole) instead of printing it; `init` and
    /// `new` keep it in .hindsight/schema.json
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

impl SchemaArgs {
    pub(super) fn run(self) -> ExitCode {
        let config = match project::load_config(&self.root) {
            Ok(config) => config,
            Err(error) => return fail(error),
        };
        let text = schema::schema_text(&config);
        let Some(output) = &self.output else {
            out!("{text}");
            return ExitCode::SUCCESS;
        };
        match scaffold::write_replacing(output, &text) {
            Ok(true) => {
                eprintln!("wrote {}", output.display());
                ExitCode::SUCCESS
            }
            Ok(false) => {
                eprintln!("{} is up to date", output.display());
                ExitCode::SUCCESS
            }
            Err(error) => fail(error),
        }
    }
}
