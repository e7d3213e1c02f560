//! The command line: one clap `Args` struct per command, each with `run`. The only place
//! that prints or exits.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod build;

use build::BuildArgs;

use crate::diagnostics::{Diagnostic, Tally};

/// Exit codes: 0 success; 1 content errors (with --strict, warnings too); 2 usage or I/O.
const EXIT_CONTENT: u8 = 1;
const EXIT_FAILURE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "hindsight",
    version,
    about = "Turn a folder of Markdown postmortems into a browsable incident archive"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the site into the output folder
    Build(BuildArgs),
}

impl Cli {
    pub fn run(self) -> ExitCode {
        match self.command {
            Command::Build(args) => args.run(),
        }
    }
}

/// "1 incident", "2 incidents".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn exit_code(tally: Tally, strict: bool) -> ExitCode {
    if tally.errors > 0 || (strict && tally.warnings > 0) {
        ExitCode::from(EXIT_CONTENT)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let mut err = std::io::stderr().lock();
    for diagnostic in diagnostics {
        let _ = writeln!(err, "{}\n", diagnostic.render_human());
    }
}
