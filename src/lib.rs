//! Hindsight turns a folder of Markdown postmortems into a static, searchable incident archive.
//!
//! The library is layered (see `ARCHITECTURE.md`); each layer imports only the layers
//! below it. From the bottom: [`model`] (the domain's data), [`parse`] (one file into one
//! incident), [`analyze`] (incidents into a site: indexes, trends, lints), [`render`]
//! (a site into pages and the search index), [`app`] (the commands' pipelines, the only
//! writer) and [`cli`] (arguments, printing, exit codes).
#![warn(unreachable_pub)]

pub mod analyze;
pub mod app;
pub mod cli;
pub mod model;
pub mod parse;
pub mod render;
#[cfg(test)]
mod testing;
