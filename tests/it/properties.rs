//! Property tests of the parsers: for generated inputs, built from the tokens that matter to
//! each parser mixed with arbitrary characters, the front matter reader never panics and
//! places every error and value inside the text, quoted strings read back as written, and
//! Markdown with raw HTML off renders nothing that runs. Case counts keep each property
//! near a second; the fuzz targets (docs/fuzzing.md) search the same invariants for longer.

use hindsight::app::scaffold::yaml_string;
use hindsight::model::time::order::{self, DateOrder};
use hindsight::parse::frontmatter::{self, Node, Pos, Value};
use hindsight::parse::incident::read_timestamp;
use hindsight::parse::markdown::{self, MarkdownOptions};
use proptest::prelude::*;

/// The fuzz targets' invariants, shared so that both check the same thing.
#[allow(dead_code)]
#[path = "../../fuzz/src/checks.rs"]
mod checks;

use checks::{Lines, is_refused_control, unsafe_html};

/// Pieces of YAML and TOML syntax, and characters the reader treats specially.
const FRONT_MATTER_TOKENS: &[&str] = &[
    "---\n",
    "+++\n",
    "...\n",
    "--- # 2nd\n",
    "\n",
    "  ",
    ": ",
    "- ",
    "? ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "&a ",
    "*a",
    "!!str ",
    "# c",
    "\"",
    "'",
    "\\u0000",
    "\\x1b",
    "|\n  ",
    "> ",
    " = ",
    "[[t]]\n",
    "[t]\n",
    "title",
    "a",
    "1",
    "0x1F",
    "1979-05-27",
    "日本",
    "\r",
    "\r\n",
    "\t",
    "%YAML 1.2\n",
];

/// Pieces of Markdown that have carried script into pages somewhere, and the syntax around
/// them.
const MARKDOWN_TOKENS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT src=x>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:x\">",
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:x)",
    "[a](java\tscript:x)",
    "[a]( \u{1}javascript:x)",
    "[a](<javascript:x>)",
    "<javascript:alert(1)>",
    "![i](vbscript:x)",
    "[a](data:text/html,x)",
    "![i](data:image/png,x)",
    "[r]: javascript:x\n",
    "[r]",
    "&#106;avascript:",
    "&#x6A;",
    "&amp;",
    "# h {onclick=x}\n",
    "{#id .c onclick=\"x\"}",
    "<!--",
    "-->",
    "`",
    "```\n",
    "\n\n",
    "| a | b |\n|---|---|\n",
    "[^1]",
    "[^1]: x\n",
    "- [ ] ",
    "> ",
    "*",
    "~~",
    "\\",
    "<",
    ">",
    "\"",
    " ",
    "\t",
    "\n",
    "x",
    "日本",
];

/// Pieces of dates and times as archives write them.
const TIMESTAMP_TOKENS: &[&str] = &[
    "2024",
    "1998",
    "02",
    "10",
    "3",
    "12",
    "13",
    "31",
    "/",
    "-",
    ".",
    ":",
    ",",
    " ",
    "T",
    "Z",
    "+02:00",
    "AM",
    "PM",
    "a.m.",
    "February",
    "Feb",
    "Sat",
    "at",
    "PST",
    "CET",
    "Denver",
    "(UTC)",
    "Europe/Berlin",
    "??",
    "th",
];

/// Text made of `tokens` and arbitrary characters, controls included.
fn text_of(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(tokens).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..max).prop_map(|pieces| pieces.concat())
}

/// A file that starts like front matter most of the time.
fn front_matter_text() -> impl Strategy<Value = String> {
    let open = prop::sample::select(&["---\n", "+++\n", ""][..]);
    (open, text_of(FRONT_MATTER_TOKENS, 40)).prop_map(|(open, rest)| format!("{open}{rest}"))
}

/// Every position in a front matter tree, keys included, with what stands there.
fn positions(node: &Node, out: &mut Vec<(Pos, String)>) {
    out.push((node.pos, node.type_name().to_owned()));
    match &node.value {
        Value::String(s) => out.push((node.pos, s.clone())),
        Value::List(items) => items.iter().for_each(|item| positions(item, out)),
        Value::Map(entries) => {
            for entry in entries {
                out.push((entry.key_pos, entry.key.clone()));
                positions(&entry.value, out);
            }
        }
        _ => {}
    }
}

/// The `title` of `text`'s front matter, or the reader's error.
fn title_of(text: &str) -> Result<String, String> {
    let document = frontmatter::parse(text).map_err(|e| e.to_string())?;
    let Some(Node {
        value: Value::Map(entries),
        ..
    }) = document.matter
    else {
        return Err("no fields".to_owned());
    };
    let title = entries.into_iter().find(|e| e.key == "title");
    title
        .and_then(|e| e.value.as_str().map(str::to_owned))
        .ok_or_else(|| "no string title".to_owned())
}

/// What the reader must say about a value holding a refused control character.
fn refused(value: &str, at: &str) -> String {
    let c = value.chars().find(|&c| is_refused_control(c)).unwrap();
    format!(
        "{at}: control character U+{:04X} in a string: expected text without control \
         characters (tab and newline are fine)",
        u32::from(c)
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn front_matter_never_panics_and_positions_lie_in_the_text(text in front_matter_text()) {
        let lines = Lines::new(&text);
        match frontmatter::parse(&text) {
            Err(error) => {
                let pos = error.pos;
                prop_assert!(lines.contains(pos.line, pos.col), "{error} in {text:?}");
            }
            Ok(document) => {
                let mut found = Vec::new();
                if let Some(root) = &document.matter {
                    positions(root, &mut found);
                }
                for (pos, what) in found {
                    prop_assert!(lines.contains(pos.line, pos.col), "{what:?} at {pos}");
                    prop_assert!(!what.chars().any(is_refused_control), "{what:?} at {pos}");
                }
            }
        }
    }

    #[test]
    fn a_yaml_quoted_string_reads_back(value in any::<String>()) {
        let text = format!("---\ntitle: {}\n---\n", yaml_string(&value));
        let want = match value.chars().any(is_refused_control) {
            true => Err(refused(&value, "2:8")),
            false => Ok(value),
        };
        prop_assert_eq!(title_of(&text), want);
    }

    #[test]
    fn a_toml_string_reads_back(value in any::<String>()) {
        let quoted = toml::Value::String(value.clone()).to_string();
        let text = format!("+++\ntitle = {quoted}\n+++\n");
        let want = match value.chars().any(is_refused_control) {
            true => Err(refused(&value, "2:9")),
            false => Ok(value),
        };
        prop_assert_eq!(title_of(&text), want);
    }

    #[test]
    fn a_timestamp_never_panics_and_a_date_that_reads_both_ways_is_never_guessed(
        text in prop_oneof![
            text_of(TIMESTAMP_TOKENS, 12),
            (1u32..=13, 1u32..=13, 1990u32..2030, text_of(TIMESTAMP_TOKENS, 4))
                .prop_map(|(a, b, year, rest)| format!("{a:02}/{b}/{year}{rest}")),
        ],
    ) {
        let tz = chrono_tz::Tz::UTC;
        let unset = read_timestamp(&text, tz, None);
        for order in [DateOrder::MonthFirst, DateOrder::DayFirst] {
            let _ = read_timestamp(&text, tz, Some(order));
        }
        if order::readings(&text) == Some([true, true]) {
            prop_assert!(unset.is_err(), "{text:?} was read as {unset:?}");
        }
    }

    #[test]
    fn markdown_without_raw_html_renders_nothing_that_runs(
        text in text_of(MARKDOWN_TOKENS, 30),
        in_folder in any::<bool>(),
    ) {
        let options = MarkdownOptions {
            allow_raw_html: false,
            source_dir: in_folder.then(|| "content/2024".to_owned()),
        };
        let html = markdown::render(&text, &options).html;
        prop_assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
        prop_assert_eq!(unsafe_html(&html), None, "{}", html);
    }
}

/// The Markdown check is not vacuous: it sees script that raw HTML lets through, and finds
/// nothing wrong with the renderer's whole vocabulary.
#[test]
fn the_markdown_check_finds_script_and_only_script() {
    let render = |text: &str, raw: bool| {
        let options = MarkdownOptions {
            allow_raw_html: raw,
            source_dir: None,
        };
        markdown::render(text, &options).html
    };
    for (html, found) in [
        ("<p><script>x</script></p>", "element <script>"),
        (
            "<a href=\"&#x6A;avascript:x\">",
            "<a>: url \"&#x6A;avascript:x\"",
        ),
        (
            "<a href=\" java\tscript:x\">",
            "<a>: url \" java\\tscript:x\"",
        ),
        ("<h2 id=\"a\" onclick=\"x\">", "<h2>: attribute onclick"),
    ] {
        assert_eq!(unsafe_html(html).as_deref(), Some(found), "{html}");
    }
    let script = "<script>alert(1)</script>\n\n[a](javascript:x)";
    assert!(unsafe_html(&render(script, true)).is_some());
    assert_eq!(unsafe_html(&render(script, false)), None);
    let everything = "# T {#t .c}\n\n*a* **b** ~~c~~ `d` [e](https://x \"t\") ![f](g.png)\n\n\
                      | a | b |\n|:-|-:|\n| 1 | 2 |\n\n- [x] done\n\n3. three\n\n> q\n\n\
                      ```rust\nfn main() {}\n```\n\nnote[^1]\n\n[^1]: foot\n\n---\n\nhard  \nbreak";
    let html = render(everything, false);
    assert_eq!(unsafe_html(&html), None, "{html}");
}
