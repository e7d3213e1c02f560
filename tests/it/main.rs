//! Integration tests: build sites with the real `hindsight` binary (or the library where that
//! is simpler) and check what a user sees: the pages written, the numbers on them, and the
//! messages printed.

mod adopt;
mod archives;
mod authoring;
mod check;
mod ci_examples;
mod content;
mod diagnostics;
mod failures;
mod health;
mod importing;
mod infer;
mod layers;
mod links;
mod lists;
mod messy;
mod output;
mod pages;
mod previews;
mod properties;
mod publish;
mod retro;
mod schema;
mod search;
mod security;
mod serve;
mod shape;
mod similar;
mod snapshots;
mod strip;
mod support;
mod teams;
mod terms;
mod times;
mod trends;
