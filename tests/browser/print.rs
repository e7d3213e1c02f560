//! An incident page prints: the example's longest incident page, printed to PDF by
//! Chromium on A4 and on US Letter, read back with `pdftotext -layout` (poppler-utils,
//! which `.ci/run` installs): every table row's text is on the paper (a table cut off at
//! the page's edge loses its text), no page ends with a heading, and the site's chrome is
//! not printed. In the page itself, with the print rules applied at a paper's width: no
//! box scrolls or clips, and every external link shows its URL after it.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use fantoccini::wd::{PrintConfiguration, PrintSize};
use serde_json::Value;

use super::search::{build_example, static_server};
use super::*;

/// The print rules applied on screen; then what the page shows: its headings, each table
/// row's cells, the boxes that clip, and the external links whose URL is not shown.
const PRINTED: &str = r#"
// Appended to the page's own style sheet: the page's CSP allows no inline <style>.
const sheet = [...document.styleSheets].pop();
const start = sheet.cssRules.length;
const printRules = [...document.styleSheets].flatMap((s) => [...s.cssRules])
  .filter((rule) => rule.media && [...rule.media].includes('print'))
  .flatMap((rule) => [...rule.cssRules].map((r) => r.cssText));
for (const text of printRules) sheet.insertRule(text, sheet.cssRules.length);
const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
const main = document.querySelector('main');
const headings = [...main.querySelectorAll('h1, h2, h3, h4')].filter(shown).map((h) => h.innerText.trim());
const rows = [...main.querySelectorAll('tr')].filter(shown).map((r) => [...r.cells].map((c) => c.innerText.trim()));
const clipping = [...main.querySelectorAll('*')].filter((e) => shown(e)
  && ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(e).overflowX)
  && e.scrollWidth > e.clientWidth + 1).map((e) => e.tagName + '.' + e.className);
const wide = document.documentElement.scrollWidth > document.documentElement.clientWidth + 1;
const bare = [...main.querySelectorAll('a[href^="http"]')].filter(shown)
  .filter((a) => !getComputedStyle(a, '::after').content.includes(a.getAttribute('href')))
  .map((a) => a.getAttribute('href'));
const chrome = ['.site-header', '.site-footer', '.skip-link', '.site-search']
  .filter((s) => [...document.querySelectorAll(s)].some(shown));
while (sheet.cssRules.length > start) sheet.deleteRule(start);
return [headings, rows, clipping, wide, bare, chrome];
"#;

/// The example's longest incident page (the most bytes), as a path in `site`.
fn longest_incident(site: &Path) -> PathBuf {
    fs::read_dir(site.join("incidents"))
        .expect("read the incidents folder")
        .flatten()
        .map(|e| e.path().join("index.html"))
        .filter(|p| p.is_file())
        .max_by_key(|p| fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .expect("an incident page")
}

/// `pdftotext -layout` of `pdf`, or `None` (skip) outside CI when poppler is missing.
fn pdf_text(pdf: &Path) -> Option<String> {
    match Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "pdftotext failed on {}",
                pdf.display()
            );
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Err(error) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs pdftotext (apt-get install poppler-utils): {error}"
            );
            eprintln!("skipped: pdftotext is not installed");
            None
        }
    }
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_lowercase).collect()
}

/// Whether `word` is on the paper: whole, or broken over two lines where the page
/// wrapped a long word ("(billing-" and "api)").
fn printed(word: &str, paper: &HashSet<String>) -> bool {
    paper.contains(word)
        || word
            .char_indices()
            .skip(1)
            .any(|(at, _)| paper.contains(&word[..at]) && paper.contains(&word[at..]))
}

/// The problems of one printout: row text missing, pages ending with a heading.
fn problems(text: &str, headings: &[String], rows: &[Vec<String>]) -> Vec<String> {
    let paper: HashSet<String> = words(text).into_iter().collect();
    let mut found = Vec::new();
    for row in rows {
        let missing: Vec<String> = row
            .iter()
            .flat_map(|cell| words(cell))
            // A symbol alone (❌) is drawn from whatever font has it, and some fonts'
            // glyphs carry no text in the PDF: only words with a letter or digit count.
            .filter(|word| word.chars().any(char::is_alphanumeric))
            .filter(|word| !printed(word, &paper))
            .collect();
        if !missing.is_empty() {
            found.push(format!("row {row:?}: not printed: {missing:?}"));
        }
    }
    let headings: HashSet<String> = headings.iter().map(|h| words(h).join(" ")).collect();
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    for (number, page) in pages.iter().enumerate() {
        let last = page
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        if headings.contains(&words(last).join(" ")) {
            found.push(format!(
                "page {} ends with the heading {last:?}",
                number + 1
            ));
        }
    }
    for chrome in ["skip to content", "skip to search", "acme incident archive"] {
        if text.to_lowercase().contains(chrome) {
            found.push(format!("the site's chrome is printed: {chrome:?}"));
        }
    }
    found
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "current_thread")]
async fn the_longest_incident_prints_on_a4_and_letter_without_clipping_or_orphans() {
    let work = tempfile::tempdir().expect("a temporary folder");
    let site = work.path().join("site");
    build_example(&site);
    let page = longest_incident(&site);
    // Over HTTP, not file://, so the page may read its own style sheet's rules.
    let address = static_server(site.clone());
    let Some(session) = session().await else {
        return;
    };
    let client = &session.client;
    let path = page.strip_prefix(&site).expect("a page of the site");
    client
        .goto(&format!("http://{address}/pm/{}", path.display()))
        .await
        .expect("open the page");
    // About an A4 page's printable width (210 mm less the margins) in CSS pixels.
    client.set_window_size(700, 1000).await.expect("resize");
    let shown = client
        .execute(PRINTED, Vec::new())
        .await
        .expect("read the page");
    let headings = strings(&shown[0]);
    let rows: Vec<Vec<String>> = shown[1].as_array().unwrap().iter().map(strings).collect();
    assert!(rows.len() > 5, "the page has tables: {rows:?}");
    assert_eq!(
        strings(&shown[2]),
        Vec::<String>::new(),
        "boxes that clip in print"
    );
    assert_eq!(
        shown[3],
        Value::Bool(false),
        "the page is wider than the paper"
    );
    assert_eq!(
        strings(&shown[4]),
        Vec::<String>::new(),
        "links printed without their URL"
    );
    assert_eq!(strings(&shown[5]), Vec::<String>::new(), "chrome printed");

    let mut found = Vec::new();
    for (paper, size) in [("A4", PrintSize::A4), ("Letter", PrintSize::US_LETTER)] {
        let config = PrintConfiguration::builder()
            .size(size)
            // Shrinking to fit would hide a page wider than the paper.
            .shrink_to_fit(false)
            .build()
            .expect("a print configuration");
        let pdf = client.print(config).await.expect("print to PDF");
        let file = work.path().join(format!("{paper}.pdf"));
        fs::write(&file, &pdf).expect("write the PDF");
        let Some(text) = pdf_text(&file) else {
            return;
        };
        let pages = text.split('\u{c}').filter(|p| !p.trim().is_empty()).count();
        eprintln!("print: {} on {paper}: {pages} pages", page.display());
        found.extend(
            problems(&text, &headings, &rows)
                .into_iter()
                .map(|p| format!("{paper}: {p}")),
        );
    }
    session.close().await;
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn a_page_ending_with_a_heading_and_a_clipped_row_are_found() {
    let headings = vec!["Timeline".to_string(), "Impact".to_string()];
    let rows = vec![vec![
        "Place order (checkout-api)".to_string(),
        "down".to_string(),
    ]];
    let good = "Impact\nPlace order (checkout-\n    api)   down\n\u{c}Timeline\n- 09:00 x\n";
    assert_eq!(problems(good, &headings, &rows), Vec::<String>::new());
    let bad = "Intro\nTimeline\n\u{c}Place order (checkout-\n";
    let found = problems(bad, &headings, &rows);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].contains("[\"(checkout-api)\", \"down\"]"),
        "{found:?}"
    );
    assert!(found[1].starts_with("page 1 ends with the heading"));
}
