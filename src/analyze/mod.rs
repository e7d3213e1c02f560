//! `analyze`: parsed incidents into a [`Site`](site::Site): duplicate slugs, drafts, the
//! newest-first order ([`site`]), the facet indexes ([`index`]), the review lints
//! ([`check`]), postmortem quality ([`quality`]), the archive's health ([`health`]) and
//! the metrics over time ([`trends`]).
//!
//! Imports `parse` and `model`; knows nothing of templates or HTML. Pure: no I/O.

pub mod check;
pub mod health;
pub mod index;
pub mod quality;
pub mod similar;
pub mod site;
pub mod survey;
pub mod teams;
pub mod trends;
