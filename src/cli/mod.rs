//! The command line: one clap `Args` struct per command, each with `run`. The only place
//! that prints or exits.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` for the commands' output: when stdout is a pipe whose reader has gone
/// (`hindsight init --from old | head`), the command ends quietly, as command-line tools
/// do, instead of panicking as `println!` does. Commands write files whole (a temporary
/// file, then a rename), so stopping at any line leaves no file half written.
macro_rules! outln {
    () => { $crate::cli::out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// [`outln!`] without the newline.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::out(format_args!($($arg)*)) };
}

mod build;
mod check;
mod import;
mod init;
mod new;
mod schema;
mod serve;

use build::BuildArgs;
use check::CheckArgs;
use import::ImportArgs;
use init::InitArgs;
use new::NewArgs;
use schema::SchemaArgs;
use serve::ServeArgs;

use crate::model::diagnostics::{Diagnostic, Tally};

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
    /// Check every postmortem, drafts included: what build reports, every page rendered; writes nothing
    Check(CheckArgs),
    /// Start a new postmortem from the site's template
    New(NewArgs),
    /// Create a new knowledge base: config, an example, .gitignore and a CI workflow
    Init(InitArgs),
    /// Write front matter inferred from the text into postmortems that have none
    Import(ImportArgs),
    /// Preview the site while writing: build, serve over HTTP, rebuild and reload on save
    Serve(ServeArgs),
    /// Print the JSON Schema of this site's front matter, for editors
    Schema(SchemaArgs),
}

impl Cli {
    pub fn run(self) -> ExitCode {
        match self.command {
            Command::Build(args) => args.run(),
            Command::Check(args) => args.run(),
            Command::New(args) => args.run(),
            Command::Init(args) => args.run(),
            Command::Import(args) => args.run(),
            Command::Serve(args) => args.run(),
            Command::Schema(args) => args.run(),
        }
    }
}

/// Writes to stdout; a reader that has gone ends the program quietly (exit 0, as ripgrep
/// does), and any other failure to write ends it with the I/O exit code.
fn out(text: std::fmt::Arguments) {
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: could not write the output: {error}");
        std::process::exit(i32::from(EXIT_FAILURE));
    }
}

/// "1 incident", "2 incidents".
/// Prints an operational failure and returns the exit code for it.
fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_FAILURE)
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// ", 3 notes" when `[check.levels]` lowered some problems to info; else nothing, so
/// summaries read as before.
fn notes(tally: Tally) -> String {
    match tally.infos {
        0 => String::new(),
        n => format!(", {}", count(n, "note")),
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

/// Prints at most `limit` diagnostics in full (0: all), errors first, then one line per
/// code for the rest with its count and first files, so the summary that matters does
/// not scroll away behind hundreds of warnings.
fn print_diagnostics_limited(diagnostics: &[Diagnostic], limit: usize) {
    if limit == 0 || diagnostics.len() <= limit {
        return print_diagnostics(diagnostics);
    }
    let (errors, warnings): (Vec<&Diagnostic>, Vec<&Diagnostic>) = diagnostics
        .iter()
        .partition(|d| d.level == crate::model::diagnostics::Level::Error);
    let ordered: Vec<&Diagnostic> = errors.into_iter().chain(warnings).collect();
    let (shown, rest) = ordered.split_at(limit);
    let mut err = std::io::stderr().lock();
    for diagnostic in shown {
        let _ = writeln!(err, "{}\n", diagnostic.render_human());
    }
    let _ = writeln!(
        err,
        "{} more not shown in full (--max-diagnostics 0 shows all; `hindsight check` lists all):",
        rest.len()
    );
    for line in summary_by_code(rest) {
        let _ = writeln!(err, "  {line}");
    }
    let _ = writeln!(err);
}

/// One line per code and level: "H017 warning × 712: content/a.md, content/b.md, … (90 files)".
fn summary_by_code(diagnostics: &[&Diagnostic]) -> Vec<String> {
    let mut by_code: std::collections::BTreeMap<_, Vec<&str>> = std::collections::BTreeMap::new();
    for d in diagnostics {
        by_code.entry((d.code, d.level)).or_default().push(&d.file);
    }
    by_code
        .into_iter()
        .map(|((code, level), mut files)| {
            let count = files.len();
            files.dedup();
            let first: Vec<&str> = files.iter().take(3).copied().collect();
            let more = if files.len() > 3 {
                format!(", … ({} files)", files.len())
            } else {
                String::new()
            };
            format!("{code} {level} × {count}: {}{more}", first.join(", "))
        })
        .collect()
}
