//! Live reload: a page of `hindsight serve` reloads by itself after the postmortem is
//! edited on disk, shows the edit, and keeps its scroll position; a broken front matter
//! shows the overlay in place.

use std::fs;

use serde_json::json;

use super::*;

const PAGE: &str = "incidents/checkout-outage/";
const FILE: &str = "content/2024-03-05-checkout-outage.md";

#[tokio::test(flavor = "current_thread")]
async fn an_open_page_reloads_itself_after_an_edit_and_keeps_its_place() {
    let Some(session) = session().await else {
        return;
    };
    let client = &session.client;
    let (_work, root) = fixture_site("full-incident");
    // A long body, so the page has somewhere to scroll to.
    let long: String = (1..=150)
        .map(|i| format!("\nParagraph {i} of the timeline.\n"))
        .collect();
    let text = fs::read_to_string(root.join(FILE)).expect("read the postmortem") + &long;
    fs::write(root.join(FILE), &text).expect("write the postmortem");

    let (_server, address) = serve(&root);

    client
        .goto(&format!("http://{address}/{PAGE}"))
        .await
        .expect("open the page");
    wait_until(
        client,
        "the live-reload script",
        "return !!window.__hindsightLive;",
        |v| v == &json!(true),
    )
    .await;
    // Mark this document and scroll down: a reload loses the mark, keeps the place.
    let scrolled = client
        .execute(
            "window.__before = true; window.scrollTo(0, 900); return window.scrollY;",
            Vec::new(),
        )
        .await
        .expect("scroll");
    assert!(
        scrolled.as_f64().unwrap_or(0.0) > 800.0,
        "the page scrolls: {scrolled}"
    );

    let edited = text.replace(
        "Paragraph 3 of the timeline.",
        "Paragraph 3, edited in place.",
    );
    let saving = root.join("content/.saving.tmp");
    fs::write(&saving, &edited).expect("write the edit");
    fs::rename(&saving, root.join(FILE)).expect("save it over the original");

    wait_until(
        client,
        "the page to reload with the edit",
        "return [window.__before === undefined, document.body.innerText.includes('Paragraph 3, edited in place.')];",
        |v| v == &json!([true, true]),
    )
    .await;
    let y = wait_until(
        client,
        "the scroll position to come back",
        "return document.readyState === 'complete' ? window.scrollY : -1;",
        |v| v.as_f64().unwrap_or(-1.0) >= 0.0 && v.as_f64() != Some(0.0),
    )
    .await;
    let y = y.as_f64().unwrap_or(0.0);
    assert!((850.0..=950.0).contains(&y), "scroll position kept: {y}");

    // A broken front matter: the open page shows the overlay in place, without a reload;
    // fixing the file takes it away.
    client
        .execute("window.__before = true;", Vec::new())
        .await
        .expect("mark the page");
    let broken = edited.replacen("severity: SEV1", "severity: [SEV1", 1);
    fs::write(&saving, &broken).expect("write the broken file");
    fs::rename(&saving, root.join(FILE)).expect("save it");
    let shown = wait_until(
        client,
        "the overlay",
        "const o = document.getElementById('hindsight-overlay'); return o ? [window.__before === true, o.innerText] : null;",
        |v| !v.is_null(),
    )
    .await;
    assert_eq!(shown[0], json!(true), "shown in place, not by a reload");
    let text = shown[1].as_str().unwrap_or_default();
    assert!(
        text.contains(&format!("{FILE}:6:11: error[H002]")),
        "{text}"
    );
    fs::write(&saving, edited.replace("edited in place", "fixed again")).expect("write");
    fs::rename(&saving, root.join(FILE)).expect("save it");
    wait_until(
        client,
        "the fixed page without the overlay",
        "return !document.getElementById('hindsight-overlay') && document.body.innerText.includes('Paragraph 3, fixed again.');",
        |v| v == &json!(true),
    )
    .await;
    session.close().await;
}
