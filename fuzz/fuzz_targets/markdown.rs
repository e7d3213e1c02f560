//! `parse::markdown::render` on any text: it never panics, and with raw HTML off its output
//! holds only the elements and attributes the renderer writes, and no URL a browser would run
//! as script. The first byte picks the options.
#![no_main]

use hindsight::parse::markdown::{self, MarkdownOptions};
use hindsight_fuzz::unsafe_html;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let options = MarkdownOptions {
        allow_raw_html: flags & 1 != 0,
        source_dir: (flags & 2 != 0).then(|| "content/2024".to_owned()),
    };
    let rendered = markdown::render(text, &options);
    if !options.allow_raw_html
        && let Some(problem) = unsafe_html(&rendered.html)
    {
        panic!("{problem} in {:?}", rendered.html);
    }
    for entry in &rendered.toc {
        assert!(!entry.id.is_empty() && (1..=4).contains(&entry.level));
    }
});
