// The live-reload client of `hindsight serve`, served at /__hindsight/live.js and never
// written to the site (see live.rs). It is a file of its own, not an inline script, so
// pages keep a Content-Security-Policy that allows only the site's own scripts.
(() => {
  const script = document.currentScript;
  // The version of the site this page was served from, set by the server on the tag.
  const version = script ? script.dataset.version : "";
  const key = "hindsight-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const restore = () => window.scrollTo(0, Number(saved));
    if (document.readyState === "complete") restore(); else addEventListener("load", restore, { once: true });
  }
  const source = new EventSource("/__hindsight/events");
  const reload = () => {
    sessionStorage.setItem(key, String(window.scrollY));
    source.close();
    location.reload();
  };
  const current = () => document.getElementById("hindsight-overlay");
  const overlay = async () => {
    const response = await fetch("/__hindsight/overlay", { cache: "no-store" });
    if (!response.ok) return;
    const html = await response.text();
    const old = current();
    // The page came with the overlay, and `hello` fetches it again: the same problems keep
    // the overlay as it is (its focus, its scroll) rather than swapping in a copy under
    // the reader's pointer. Both sides are serialized by the browser, so they compare.
    const next = document.createElement("template");
    next.innerHTML = html;
    const fresh = next.content.firstElementChild;
    if (old && fresh && old.outerHTML === fresh.outerHTML) return;
    if (old) old.remove();
    if (html) document.body.insertAdjacentHTML("beforeend", html);
  };
  // The overlay's close button and Escape, here because the page allows no inline
  // handlers. Closing hides the problems until they change (or the page reloads).
  const close = () => {
    const shown = current();
    if (shown) shown.remove();
  };
  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("#hindsight-overlay .hindsight-overlay-close")) close();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented && current()) close();
  });
  source.addEventListener("hello", (e) => { if (JSON.parse(e.data).version !== version) reload(); else overlay(); });
  source.addEventListener("reload", (e) => { if (JSON.parse(e.data).version !== version) reload(); });
  source.addEventListener("problems", () => overlay());
  window.__hindsightLive = { version };
})();
