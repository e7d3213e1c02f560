//! Hindsight turns a folder of Markdown postmortems into a static, searchable incident archive.
//!
//! The library is a pipeline of plain functions over plain data (see `ARCHITECTURE.md`):
//! [`source::load`] reads, [`site::analyze`] parses and indexes, [`render::render`] renders,
//! and [`output::write_site`] writes. [`build::build`] runs the four in a row.
#![warn(unreachable_pub)]

pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod frontmatter;
pub mod import;
pub mod incident;
pub mod incremental;
pub mod index;
pub mod infer;
pub mod markdown;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod source;
#[cfg(test)]
mod testing;
pub mod theme;
pub mod time;
pub mod trends;
pub mod vocab;
pub mod watch;
