/* Hindsight: what every page does with JavaScript, all of it optional.
 * - "/" focuses the search box (unless you are typing somewhere);
 * - a table or code block that scrolls sideways becomes a named tab stop;
 * - opened from disk (file://), folder links go to the folder's index.html, which a
 *   browser does not do by itself, and the header search goes to search/index.html. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var box = document.getElementById("search-q") || document.getElementById("site-search-q");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // On a narrow screen the search filters fold under their summary, after the results.
  var fold = document.getElementById("search-filters-fold");
  if (fold && window.matchMedia) {
    var narrow = window.matchMedia("(max-width: 50rem)");
    fold.open = !narrow.matches;
    // Widened past the breakpoint, the filters are a column again: their summary is hidden.
    narrow.addEventListener("change", function () { if (!narrow.matches) fold.open = true; });
  }

  // A box that scrolls sideways (a wide table or a code block, on a phone) is a tab stop
  // named by what it holds, so the keyboard can reach and scroll it. Chart boxes have
  // their own tabindex and name in the page.
  function reachableScrollers() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap, pre"), function (box) {
      if (box.hasAttribute("tabindex") || box.scrollWidth <= box.clientWidth + 1) return;
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", box.tagName === "PRE" ? "Code (scrolls sideways)" : "Table (scrolls sideways)");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", reachableScrollers);
  else reachableScrollers();
  window.addEventListener("resize", reachableScrollers);

  if (location.protocol !== "file:") return;
  function toIndex(url) {
    return url.replace(/^([^?#]*\/)([?#].*)?$/, function (_, path, rest) { return path + "index.html" + (rest || ""); });
  }
  function fixLinks() {
    Array.prototype.forEach.call(document.querySelectorAll("a[href]"), function (a) {
      var href = a.getAttribute("href");
      if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.charAt(0) === "#") return;
      a.setAttribute("href", toIndex(href));
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[action]"), function (form) {
      form.setAttribute("action", toIndex(form.getAttribute("action")));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fixLinks);
  else fixLinks();
})();
