use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    hindsight::cli::Cli::parse().run()
}
