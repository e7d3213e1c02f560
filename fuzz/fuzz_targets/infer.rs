//! `parse::infer::infer` on any text without front matter: it never panics, and every value
//! it reads points at a line and column of the text (line 0 meaning the title or file name).
#![no_main]

use hindsight::model::config::Config;
use hindsight::parse::infer::{self, Input};
use hindsight_fuzz::{Lines, text_of};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text_of(data) else { return };
    let config = Config::default();
    // The title is the first line, as a heading would give it; the stem carries a date, as
    // many archives' file names do.
    let title = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches('#')
        .trim();
    let input = Input {
        body: &text,
        first_line: 1,
        stem: "2024-02-10-database-outage",
        title,
        config: &config,
    };
    let inference = infer::infer(&input);
    let lines = Lines::new(&text);
    for field in inference.fields(&config) {
        let (line, col) = (field.line, field.col);
        let inside = line == 0 || lines.contains(line, col);
        assert!(
            inside,
            "{} at {line}:{col} ({:?})",
            field.field, field.evidence
        );
    }
    for event in &inference.timeline {
        assert!(
            lines.contains(event.line, event.col),
            "timeline at {}:{}",
            event.line,
            event.col
        );
    }
});
