//! `model`: the domain's plain data and the rules that belong to the data alone. An
//! [`incident::Incident`] with typed fields, the site's [`config::Config`], vocabularies
//! and term identity, [`diagnostics::Diagnostic`]s with their positions, and timestamps.
//!
//! The bottom layer: it imports nothing else from the crate, and does no I/O.

pub mod action_item;
pub mod bytes;
pub mod config;
pub mod diagnostics;
pub mod field;
pub mod incident;
pub mod inference;
pub mod link;
pub mod term;
pub mod time;
pub mod vocab;
