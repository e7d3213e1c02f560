//! The command line: one clap `Args` struct per command, each with `run`. The only place
//! that prints or exits.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::build::{self, BuildOptions};
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

#[derive(Debug, clap::Args)]
struct BuildArgs {
    /// The site root: the folder holding hindsight.toml and content/
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Output folder [default: <root>/public, or output_dir from hindsight.toml]
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Override base_url, e.g. https://intranet.example/eng/postmortems/
    #[arg(long)]
    base_url: Option<String>,
    /// Include postmortems with `status: draft`
    #[arg(long)]
    drafts: bool,
    /// Treat warnings as errors; any content problem writes nothing
    #[arg(long)]
    strict: bool,
    /// Print the time spent in each stage of the build
    #[arg(long)]
    timings: bool,
}

impl Cli {
    pub fn run(self) -> ExitCode {
        match self.command {
            Command::Build(args) => args.run(),
        }
    }
}

impl BuildArgs {
    fn run(self) -> ExitCode {
        let timings = self.timings;
        let options = BuildOptions {
            root: self.root,
            output: self.output,
            base_url: self.base_url,
            drafts: self.drafts,
            strict: self.strict,
        };
        match build::build(&options) {
            Ok(report) => {
                print_diagnostics(&report.diagnostics);
                let tally = Tally::of(&report.diagnostics);
                let mut out = std::io::stdout().lock();
                let summary = format!(
                    "{}, {}, {}, {} in {:.2}s",
                    count(report.incidents, "incident"),
                    count(report.pages, "page"),
                    count(tally.warnings, "warning"),
                    count(tally.errors, "error"),
                    report.elapsed.as_secs_f64()
                );
                if timings {
                    for (stage, time) in &report.stages {
                        let _ =
                            writeln!(out, "{stage:>14}: {:>8.1} ms", time.as_secs_f64() * 1000.0);
                    }
                }
                let _ = if report.written {
                    writeln!(out, "built {summary} → {}", report.output.display())
                } else {
                    writeln!(out, "nothing written (--strict): {summary}")
                };
                exit_code(tally, options.strict)
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(EXIT_FAILURE)
            }
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
    let stderr = std::io::stderr();
    let _color = stderr.is_terminal();
    let mut err = stderr.lock();
    for diagnostic in diagnostics {
        let _ = writeln!(err, "{}\n", diagnostic.render_human());
    }
}
