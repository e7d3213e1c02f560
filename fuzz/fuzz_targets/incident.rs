//! `parse::incident::parse`, the whole per-file parse, on any bytes: it never panics, every
//! diagnostic position lies in the file, and the rendered body is inert (raw HTML is off by
//! default).
#![no_main]

use hindsight::model::config::Config;
use hindsight::model::vocab::Vocabularies;
use hindsight::parse::incident;
use hindsight::parse::source::SourceFile;
use hindsight_fuzz::{Lines, unsafe_html};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = SourceFile {
        path: "content/2024/2024-02-10-outage.md".to_owned(),
        stem: "2024-02-10-outage".to_owned(),
        bytes: Ok(data.to_vec()),
    };
    let config = Config::default();
    let vocabularies = Vocabularies::new(&config);
    let mut diagnostics = Vec::new();
    let parsed = incident::parse(&file, &config, &vocabularies, &mut diagnostics);
    // A file that is not UTF-8 is reported at a position in its valid prefix.
    let text = String::from_utf8_lossy(data);
    let text = hindsight::parse::source::normalize_text(&text);
    let lines = Lines::new(&text);
    for diagnostic in &diagnostics {
        if let (Some(line), Some(col)) = (diagnostic.line, diagnostic.col) {
            let message = &diagnostic.message;
            assert!(lines.contains(line, col), "{line}:{col}: {message}");
        }
    }
    if let Some(incident) = parsed {
        assert!(!config.allow_raw_html);
        if let Some(problem) = unsafe_html(&incident.body.html) {
            panic!("{problem} in {:?}", incident.body.html);
        }
    }
});
