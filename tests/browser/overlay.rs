//! The problems overlay of `hindsight serve` in a real browser, in the light and the dark
//! scheme: styled by the server's own style sheet under the page's Content-Security-Policy
//! (nothing inline), at the bottom of the viewport below the page title, every text at a
//! contrast of 4.5:1 or more, a close button with a visible focus ring, and closed by the
//! button or Escape. Screenshots of both are left in the test's temporary target folder.

use std::fs;
use std::path::Path;

use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

use super::*;

const PAGE: &str = "incidents/checkout-outage/";
const FILE: &str = "content/2024-03-05-checkout-outage.md";

/// Measures the overlay in the page: where it is, and the contrast of every element that
/// holds text against the first opaque background behind it (WCAG 2 relative luminance).
const MEASURE: &str = r#"
const o = document.getElementById('hindsight-overlay');
if (!o || !window.__hindsightLive) return null;
const parse = (c) => { const m = c.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
const channel = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
const lum = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
const behind = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c.a > 0) return c; } return parse('rgb(255,255,255)'); };
const texts = [o, ...o.querySelectorAll('*')]
  .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
  .map((el) => ({ tag: el.tagName, ratio: ratio(parse(getComputedStyle(el).color), behind(el)) }));
const rect = o.getBoundingClientRect();
const title = document.querySelector('h1').getBoundingClientRect();
const button = o.querySelector('.hindsight-overlay-close');
button.focus();
const ring = getComputedStyle(button);
return {
  dark: matchMedia('(prefers-color-scheme: dark)').matches,
  position: getComputedStyle(o).position,
  role: o.getAttribute('role'),
  bottomGap: innerHeight - rect.bottom,
  belowTitle: rect.top >= title.bottom,
  heightShare: rect.height / innerHeight,
  scrolls: getComputedStyle(o).overflowY,
  texts,
  ring: [ring.outlineStyle, parseFloat(ring.outlineWidth), ratio(parse(ring.outlineColor), behind(o))],
  preBackground: getComputedStyle(o.querySelector('pre')).backgroundColor,
  themePre: (() => { const p = document.createElement('pre'); document.body.append(p); const c = getComputedStyle(p).backgroundColor; p.remove(); return c; })(),
};
"#;

#[tokio::test(flavor = "current_thread")]
async fn the_overlay_is_readable_placed_and_dismissible_in_both_schemes() {
    let (_work, root) = fixture_site("full-incident");
    let (_server, address) = serve(&root);
    // Broken once the page exists, so the page stays (its last good version) with the
    // overlay on it; the overlay is served once the rebuild has noticed.
    let text = fs::read_to_string(root.join(FILE)).expect("read the postmortem");
    let saving = root.join("content/.saving.tmp");
    fs::write(
        &saving,
        text.replacen("severity: SEV1", "severity: [SEV1", 1),
    )
    .expect("write");
    fs::rename(&saving, root.join(FILE)).expect("save it");
    for (scheme, extra) in [("light", &[][..]), ("dark", &["--force-dark-mode"][..])] {
        let Some(session) = session_with(extra).await else {
            return;
        };
        check_scheme(&session.client, address, scheme).await;
        session.close().await;
    }
}

/// Opens the page in one scheme, measures the overlay, takes a screenshot, and closes the
/// overlay with Escape and (after a reload) with its button.
async fn check_scheme(client: &Client, address: SocketAddr, scheme: &str) {
    let url = format!("http://{address}/{PAGE}");
    client.goto(&url).await.expect("open the page");
    let measured = wait_until(client, "the overlay", MEASURE, |v| !v.is_null()).await;
    let figures = measured.to_string();
    assert_eq!(measured["dark"], json!(scheme == "dark"), "{figures}");
    assert_eq!(
        measured["position"], "fixed",
        "styled under the policy: {figures}"
    );
    assert_eq!(measured["role"], "alert");
    assert!(
        measured["bottomGap"]
            .as_f64()
            .is_some_and(|gap| gap.abs() < 1.0),
        "{figures}"
    );
    assert_eq!(measured["belowTitle"], json!(true), "{figures}");
    assert!(
        measured["heightShare"]
            .as_f64()
            .is_some_and(|share| share <= 0.451),
        "{figures}"
    );
    assert_eq!(measured["scrolls"], "auto");
    assert_ne!(
        measured["preBackground"], measured["themePre"],
        "its own pre colours"
    );
    let texts = measured["texts"].as_array().expect("texts");
    assert!(texts.len() >= 3, "{figures}");
    for text in texts {
        let ratio = text["ratio"].as_f64().unwrap_or(0.0);
        assert!(
            ratio >= 4.5,
            "{scheme}: contrast {ratio:.2} of {text} below 4.5"
        );
    }
    let ring = &measured["ring"];
    assert_eq!(ring[0], "solid", "a focus ring: {figures}");
    assert!(ring[1].as_f64().unwrap_or(0.0) >= 2.0 && ring[2].as_f64().unwrap_or(0.0) >= 3.0);
    // axe agrees, where it is installed (the a11y test requires it in CI).
    if let Some(axe) = super::a11y::axe_source() {
        let found = super::a11y::serious_violations(client, &axe, Some("#hindsight-overlay")).await;
        assert!(found.is_empty(), "{scheme}: {found:#?}");
    }
    eprintln!("{scheme} overlay: {figures}");
    save_screenshot(client, scheme).await;
    close_both_ways(client).await;
}

/// Escape closes the overlay; after a reload it is back, and its button closes it.
async fn close_both_ways(client: &Client) {
    // Escape closes it (the button has focus from the measurement).
    client
        .active_element()
        .await
        .expect("the focused element")
        .send_keys(&Key::Escape.to_string())
        .await
        .expect("press Escape");
    assert!(overlay_gone(client).await, "Escape closes the overlay");
    // After a reload it is back, and its button closes it.
    client.refresh().await.expect("reload");
    wait_until(client, "the overlay again", MEASURE, |v| !v.is_null()).await;
    click(
        client,
        Locator::Css("#hindsight-overlay .hindsight-overlay-close"),
        "the close button",
    )
    .await;
    assert!(overlay_gone(client).await, "the button closes the overlay");
}

async fn overlay_gone(client: &Client) -> bool {
    let script = "return !document.getElementById('hindsight-overlay');";
    wait_until(client, "the overlay to close", script, |v| {
        v == &json!(true)
    })
    .await
        == Value::Bool(true)
}

/// Writes the screenshot next to the test binaries' temporary files, for people to look at.
async fn save_screenshot(client: &Client, scheme: &str) {
    let png = client.screenshot().await.expect("take a screenshot");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("overlay-{scheme}.png"));
    fs::write(&path, png).expect("write the screenshot");
    eprintln!("screenshot: {}", path.display());
}
