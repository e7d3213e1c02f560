//! Hindsight turns a folder of Markdown postmortems into a static, searchable incident archive.
//!
//! The library is a pipeline of plain functions over plain data; see `ARCHITECTURE.md`.
#![warn(unreachable_pub)]

pub mod frontmatter;
pub mod markdown;
