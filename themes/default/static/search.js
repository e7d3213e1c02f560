/* Hindsight search: the search page's results, filters and URL state.
 *
 * The index is a set of scripts under search/ that call window.hindsightSearch (meta.js,
 * f/<facet>.js the facets' incident sets, t/<n>.js term shards, d/<n>.js documents in
 * blocks), so it loads from any static host and from file://, where fetch() is refused. The format and the rules are in docs/search.md;
 * src/render/search/query.rs is the same search in Rust, and the browser tests compare
 * the two. The rules' numbers (prefix length, term length, field weights, the digits and
 * the day epoch, the document block) come from meta.js, written by the same Rust constants
 * the index uses. No framework, no dependencies. */
(function () {
  "use strict";

  // The one number both sides must know before reading anything: the format's version
  // (src/render/search/mod.rs FORMAT_VERSION; a unit test holds the two equal).
  var FORMAT_VERSION = 4;
  var PAGE_SIZE = 10;
  var DAY_MS = 86400000;
  // Set from meta.rules by useRules, before any other use.
  var PREFIX_MIN_CHARS, MAX_TERM_CHARS, FIELDS, FIELD_WEIGHTS, EPOCH_MS, NO_DAY, DOC_BLOCK, EAGER_FACET_BYTES;
  var DIGIT_VALUE = new Int8Array(128);

  function useRules(rules) {
    PREFIX_MIN_CHARS = rules.prefixMinChars;
    MAX_TERM_CHARS = rules.maxTermChars;
    FIELDS = rules.fields;
    FIELD_WEIGHTS = rules.fieldWeights;
    EPOCH_MS = Date.parse(rules.epoch + "T00:00:00Z");
    NO_DAY = rules.noDay;
    DOC_BLOCK = rules.docBlock;
    EAGER_FACET_BYTES = rules.eagerFacetBytes;
    for (var d = 0; d < rules.digits.length; d++) DIGIT_VALUE[rules.digits.charCodeAt(d)] = d;
  }

  var root = document.getElementById("search");
  if (!root) return;
  var base = root.getAttribute("data-root") || "./";
  var dataBase = base + "search/";
  var onDisk = location.protocol === "file:";
  var input = document.getElementById("search-q");
  var statusLine = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var filters = document.getElementById("search-filters");

  /* ---- loading the index: every file is a script that registers its data ---- */

  var meta = null;
  var shards = {};
  var docs = {};
  var facetSets = {};
  var loading = {};
  var registry = (window.hindsightSearch = window.hindsightSearch || {});
  registry.meta = function (data) { meta = data; };
  registry.shard = function (i, records) { shards[i] = records; };
  registry.facet = function (param, sets) { facetSets[param] = sets; };
  registry.docs = function (first, records) {
    for (var i = 0; i < records.length; i++) docs[first + i] = records[i];
  };

  function load(path) {
    if (!loading[path]) {
      loading[path] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = dataBase + path;
        script.onload = function () { resolve(); };
        script.onerror = function () {
          delete loading[path];
          reject(new Error("could not load " + script.src));
        };
        document.head.appendChild(script);
      });
    }
    return loading[path];
  }

  /* ---- decoding (src/render/search/encode.rs writes these forms) ---- */

  /* Calls each(value) for every varint of text, from character `from` on. */
  function eachVarint(text, from, each) {
    var value = 0, shift = 0;
    for (var i = from; i < text.length; i++) {
      var v = DIGIT_VALUE[text.charCodeAt(i)];
      value += (v & 31) * Math.pow(2, shift);
      shift += 5;
      if (v < 32) {
        each(value);
        value = 0;
        shift = 0;
      }
    }
  }

  function decodeSet(text, n) {
    var first = text.charCodeAt(0);
    var out = new Int32Array(first === 126 || first === 33 ? n : text.length);
    var size = 0;
    var i, v;
    if (first === 33) { // "!": runs, as (gap from the run before, length - 1) pairs
      var end = -1, start = -1;
      eachVarint(text, 1, function (value) {
        if (start < 0) { start = end + value; return; }
        for (var p = start; p <= start + value && p < n; p++) out[size++] = p;
        end = start + value;
        start = -1;
      });
      return out.subarray(0, size);
    }
    if (first === 126) { // "~": one digit per 6 incidents
      for (i = 1; i < text.length; i++) {
        v = DIGIT_VALUE[text.charCodeAt(i)];
        if (!v) continue;
        for (var k = 0; k < 6; k++) {
          var p = (i - 1) * 6 + k;
          if ((v & (1 << k)) && p < n) out[size++] = p;
        }
      }
      return out.subarray(0, size);
    }
    var previous = -1;
    eachVarint(text, 0, function (gap) {
      previous += gap;
      out[size++] = previous;
    });
    return out.subarray(0, size);
  }

  /* The start day of each of n incidents: runs of (zigzag step from the day before,
   * length - 1); NO_DAY becomes -1. */
  function decodeDays(text, n) {
    var out = new Int32Array(n);
    var size = 0, day = 0, step = -1;
    eachVarint(text, 0, function (value) {
      if (step < 0) { step = value; return; }
      day += step % 2 ? -(step + 1) / 2 : step / 2;
      for (var k = 0; k <= value && size < n; k++) out[size++] = day === NO_DAY ? -1 : day;
      step = -1;
    });
    return out;
  }

  /* The facets: their values from meta.js; each value's incidents, and each incident's
   * values, once the facet's file (f/<param>.js) has loaded and been decoded. */
  var facets = [];
  var days = null;

  function prepare() {
    useRules(meta.rules);
    facets = meta.facets.map(function (facet) {
      var terms = facet.terms.map(function (t) {
        return { name: t[0], slug: t[1], count: t[2], short: t[3] || t[0], docs: null };
      });
      return { param: facet.param, path: facet.path, name: facet.name, plural: facet.plural,
               bytes: facet.bytes, terms: terms, loaded: false, start: null, of: null };
    });
    days = decodeDays(meta.days, meta.count);
  }

  function useFacet(facet) {
    var n = meta.count;
    var sets = facetSets[facet.param] || [];
    var terms = facet.terms;
    terms.forEach(function (t, ti) { t.docs = decodeSet(sets[ti] || "", n); });
    // Compressed rows: the values of incident p are of[start[p] .. start[p + 1]].
    var counts = new Int32Array(n + 1);
    terms.forEach(function (t) { t.docs.forEach(function (p) { counts[p + 1]++; }); });
    for (var p = 0; p < n; p++) counts[p + 1] += counts[p];
    var fill = counts.slice(0, n);
    var of = new Int32Array(counts[n]);
    terms.forEach(function (t, ti) { t.docs.forEach(function (p) { of[fill[p]++] = ti; }); });
    facet.start = counts;
    facet.of = of;
    facet.loaded = true;
  }

  function loadFacets(list) {
    return Promise.all(list.map(function (facet) {
      if (facet.loaded) return null;
      return load("f/" + facet.param + ".js").then(function () { if (!facet.loaded) useFacet(facet); });
    }));
  }

  /* The facets loaded with the page: smallest first, while together they stay within
   * EAGER_FACET_BYTES. The others load when a visitor reaches for the filters or
   * chooses one of their values; until then their values show without counts. */
  function eagerFacets() {
    // A test hook: a page may set window.hindsightSearch.eagerFacetBytes before this
    // script, to try the lazy path on a small site.
    var budget = typeof registry.eagerFacetBytes === "number" ? registry.eagerFacetBytes : EAGER_FACET_BYTES;
    return facets.slice().sort(function (a, b) { return a.bytes - b.bytes; }).filter(function (facet) {
      if (facet.bytes > budget) return false;
      budget -= facet.bytes;
      return true;
    });
  }

  /* ---- tokens: the rules of src/render/search/tokenize.rs ---- */

  var WORD = /[\p{Alphabetic}\p{N}]/u;
  function isWord(ch) {
    var c = ch.charCodeAt(0);
    if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    return WORD.test(ch);
  }
  function isConnector(ch) { return ch === "-" || ch === "_" || ch === "."; }
  function charCount(s) { return Array.from(s).length; }

  function queryTokens(text) {
    var out = [];
    var chars = Array.from(text);
    function emit(term) {
      var count = charCount(term);
      if (count < 2 || count > MAX_TERM_CHARS) return;
      var lowered = term.toLowerCase();
      if (charCount(lowered) <= MAX_TERM_CHARS) out.push(lowered);
    }
    var i = 0;
    while (i < chars.length) {
      if (!isWord(chars[i])) { i++; continue; }
      var start = i;
      var words = [];
      for (;;) {
        var from = i;
        while (i < chars.length && isWord(chars[i])) i++;
        words.push(chars.slice(from, i).join(""));
        if (i + 1 < chars.length && isConnector(chars[i]) && isWord(chars[i + 1])) { i++; continue; }
        break;
      }
      if (words.length > 1) {
        var whole = chars.slice(start, i).join("");
        emit(whole);
        if (charCount(whole) <= MAX_TERM_CHARS) continue;
      }
      words.forEach(emit);
    }
    return out;
  }

  /* ---- terms: shard lookup and prefix expansion ---- */

  /* The shard that would hold `term`: the last whose first term is not after it. */
  function shardOf(term) {
    var heads = meta.shards, lo = 0, hi = heads.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (heads[mid] <= term) lo = mid + 1; else hi = mid;
    }
    return Math.max(0, lo - 1);
  }

  function shardsFor(token) {
    if (!meta.shards.length) return [];
    var first = shardOf(token);
    var last = charCount(token) >= PREFIX_MIN_CHARS ? shardOf(token + "\uffff") : first;
    var out = [];
    for (var s = first; s <= last; s++) out.push(s);
    return out;
  }

  function loadShards(list) {
    return Promise.all(list.map(function (s) { return load("t/" + s + ".js"); }));
  }

  /* Records are ["term", "<all>", "T<title set>", ...]; decoded on first use into the
   * incidents holding the term and, for each, the weight of the best field it is in. */
  var decoded = {};
  function termData(record) {
    var key = record[0];
    if (!decoded[key]) {
      var n = meta.count;
      var all = decodeSet(record[1], n);
      var weight = new Uint8Array(all.length).fill(1);
      for (var i = 2; i < record.length; i++) {
        var w = FIELD_WEIGHTS[FIELDS.indexOf(record[i][0])];
        var field = decodeSet(record[i].slice(1), n);
        // Both lists ascend, and a field's list is part of `all`: one merge walk.
        for (var a = 0, b = 0; b < field.length; b++) {
          while (all[a] < field[b]) a++;
          if (w > weight[a]) weight[a] = w;
        }
      }
      decoded[key] = { all: all, weight: weight };
    }
    return decoded[key];
  }

  function matchingTerms(token) {
    var prefix = charCount(token) >= PREFIX_MIN_CHARS;
    var found = [];
    shardsFor(token).forEach(function (s) {
      (shards[s] || []).forEach(function (record) {
        var term = record[0];
        if (term === token) found.push({ data: termData(record), exact: true });
        else if (prefix && term.lastIndexOf(token, 0) === 0) found.push({ data: termData(record), exact: false });
      });
    });
    return found;
  }

  /* ---- the query: src/render/search/query.rs `run`, step for step ---- */

  /* Resolves to {matched, score} for the text alone (null matched: every incident). */
  function textMatch(text) {
    var n = meta.count;
    var tokens = queryTokens(text);
    var needed = [];
    tokens.forEach(function (t) { needed = needed.concat(shardsFor(t)); });
    return loadShards(needed).then(function () {
      var matched = null;
      var score = new Uint32Array(n);
      var fallbacks = [];
      tokens.forEach(function (token) {
        var terms = matchingTerms(token);
        if (!terms.length && /[-_.]/.test(token)) {
          fallbacks.push(token);
          return;
        }
        var tokenScore = new Uint32Array(n);
        terms.forEach(function (t) {
          var boost = t.exact ? 2 : 1;
          var all = t.data.all, weight = t.data.weight;
          for (var i = 0; i < all.length; i++) {
            var s = weight[i] * boost;
            if (s > tokenScore[all[i]]) tokenScore[all[i]] = s;
          }
        });
        matched = matched || new Uint8Array(n).fill(1);
        for (var p = 0; p < n; p++) {
          if (!tokenScore[p]) matched[p] = 0;
          score[p] += tokenScore[p];
        }
      });
      // A compound the index does not hold: its words must all match instead.
      return fallbacks.reduce(function (chain, token) {
        return chain.then(function () {
          var words = token.split(/[-_.]/).filter(function (w) { return charCount(w) >= 2; });
          return textMatch(words.join(" ")).then(function (sub) {
            matched = matched || new Uint8Array(n).fill(1);
            for (var p = 0; p < n; p++) {
              var hit = sub.matched ? sub.matched[p] : 1;
              if (!hit) matched[p] = 0; else score[p] += 1;
            }
          });
        });
      }, Promise.resolve()).then(function () {
        return { matched: matched, score: score };
      });
    });
  }

  /* Results and facet counts for `state` ({q, chosen: {param: [slug]}, from, to}). */
  function run(state) {
    var chosenFacets = facets.filter(function (facet) { return (state.chosen[facet.param] || []).length; });
    return Promise.all([textMatch(state.q), loadFacets(chosenFacets)]).then(function (both) {
      var text = both[0];
      var n = meta.count;
      var from = dateBound(state.from, false);
      var to = dateBound(state.to, true);
      // Per facet with choices: which incidents pass it.
      var pass = facets.map(function (facet) {
        var slugs = (state.chosen[facet.param] || []).map(function (s) { return s.toLowerCase(); });
        var chosen = facet.terms.filter(function (t) { return slugs.indexOf(t.slug.toLowerCase()) >= 0; });
        if (!chosen.length) return null;
        var ok = new Uint8Array(n);
        chosen.forEach(function (t) { t.docs.forEach(function (p) { ok[p] = 1; }); });
        return ok;
      });
      // A facet not loaded yet has no counts.
      var counts = facets.map(function (f) { return f.loaded ? new Uint32Array(f.terms.length) : null; });
      var results = [];
      for (var p = 0; p < n; p++) {
        if (text.matched && !text.matched[p]) continue;
        if (!isNaN(from) && (days[p] < 0 || days[p] < from)) continue;
        if (!isNaN(to) && (days[p] < 0 || days[p] > to)) continue;
        var failed = -1, failures = 0;
        for (var f = 0; f < pass.length; f++) {
          if (pass[f] && !pass[f][p]) { failures++; failed = f; }
        }
        if (failures > 1) continue;
        if (failures === 0) results.push(p);
        for (f = 0; f < facets.length; f++) {
          if ((failures === 1 && failed !== f) || !counts[f]) continue;
          var facet = facets[f];
          for (var k = facet.start[p]; k < facet.start[p + 1]; k++) counts[f][facet.of[k]]++;
        }
      }
      // Without words every score is 0, and results are already newest first.
      var score = text.score;
      if (text.matched) results.sort(function (a, b) { return score[b] - score[a] || a - b; });
      return { results: results, counts: counts };
    });
  }

  /* A date as a visitor types it, whatever the browser's locale: "2024-03-05", "2024-03"
     (that month) or "2024" (that year); "/" or "." may stand for "-", and "20240305" or
     "202403" (a phone's number pad has no "-") are read too. Returns the first day it
     means (the last when `end`) as a day number and the text normalised to YYYY-MM-DD,
     YYYY-MM or YYYY; or `error`, saying what is wrong. */
  function parseDate(raw, end) {
    var text = String(raw).trim();
    var m = /^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$/.exec(text) ||
      /^(\d{4})(\d{2})(\d{2})?$/.exec(text);
    if (!m) {
      return { error: /^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/.test(text)
        ? "“" + text + "”: write the year first, as YYYY-MM-DD"
        : "“" + text + "” is not a date: expected YYYY-MM-DD, YYYY-MM or YYYY" };
    }
    var year = +m[1], month = m[2] ? +m[2] : 0, day = m[3] ? +m[3] : 0;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    if (m[2] && (month < 1 || month > 12)) {
      return { error: "“" + text + "”: month " + m[2] + " does not exist (01 to 12)" };
    }
    var last = new Date(Date.UTC(year, month || 12, 0)).getUTCDate();
    if (m[3] && (day < 1 || day > last)) {
      return { error: "“" + text + "”: " + m[1] + "-" + pad(month) + " has days 01 to " + last };
    }
    var ms = Date.UTC(year, (month || (end ? 12 : 1)) - 1, day || (end ? last : 1));
    return {
      day: Math.round((ms - EPOCH_MS) / DAY_MS),
      text: m[1] + (m[2] ? "-" + pad(month) : "") + (m[3] ? "-" + pad(day) : "")
    };
  }
  /* The day number a state's bound means, or NaN for none (empty or unreadable). */
  function dateBound(text, end) {
    var parsed = text ? parseDate(text, end) : null;
    return parsed && !parsed.error ? parsed.day : NaN;
  }
  function dayText(day) {
    return day < 0 ? "" : new Date(EPOCH_MS + day * DAY_MS).toISOString().slice(0, 10);
  }

  /* ---- state <-> URL ---- */

  function readState() {
    var params = new URLSearchParams(location.search);
    var chosen = {};
    (meta ? meta.facets : []).forEach(function (facet) {
      var values = params.getAll(facet.param).filter(Boolean);
      if (values.length) chosen[facet.param] = values;
    });
    return { q: params.get("q") || "", chosen: chosen, from: params.get("from") || "", to: params.get("to") || "" };
  }

  function stateQuery(state) {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    meta.facets.forEach(function (facet) {
      (state.chosen[facet.param] || []).forEach(function (v) { params.append(facet.param, v); });
    });
    if (state.from) params.set("from", state.from);
    if (state.to) params.set("to", state.to);
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function saveState(state, push) {
    var url = location.pathname + stateQuery(state) + location.hash;
    if (url === location.pathname + location.search + location.hash) return;
    try {
      if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
    } catch (e) {
      // Some browsers refuse history entries for file:// pages; the search still works.
    }
  }

  /* ---- rendering ---- */

  var state = null;
  var answer = null;
  var shown = 0;
  var sequence = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function pageHref(path) {
    // From disk, a folder link opens a directory listing, not the folder's index.html.
    return base + path + (onDisk && /\/$/.test(path) ? "index.html" : "");
  }

  /* The values of facet `param` a document names (by their place in the facet). */
  function docTerms(doc, param) {
    var terms = facets[facetIndex(param)].terms;
    return (doc[param] || []).map(function (t) { return terms[t]; });
  }
  function facetIndex(param) {
    for (var f = 0; f < facets.length; f++) if (facets[f].param === param) return f;
    return -1;
  }

  /* The passage of `text` around the first match, with every match marked. */
  function snippet(text, tokens) {
    var node = el("p", "search-snippet");
    if (!text) return node;
    var patterns = tokens.map(function (t) {
      var escaped = t.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
      var tail = charCount(t) >= PREFIX_MIN_CHARS ? "[\\p{Alphabetic}\\p{N}]*" : "(?![\\p{Alphabetic}\\p{N}])";
      return escaped + tail;
    });
    var re = patterns.length
      ? new RegExp("(?<![\\p{Alphabetic}\\p{N}])(?:" + patterns.join("|") + ")", "giu")
      : null;
    var first = re ? text.search(re) : -1;
    var start = 0, end = Math.min(text.length, 220);
    if (first > 60) {
      start = text.lastIndexOf(" ", first - 60) + 1;
      end = Math.min(text.length, start + 240);
    }
    if (end < text.length) {
      var cut = text.lastIndexOf(" ", end);
      if (cut > start + 40) end = cut;
    }
    var passage = text.slice(start, end);
    if (start > 0) node.appendChild(document.createTextNode("… "));
    var last = 0;
    if (re) {
      re.lastIndex = 0;
      var m;
      while ((m = re.exec(passage)) !== null) {
        if (!m[0].length) { re.lastIndex++; continue; }
        node.appendChild(document.createTextNode(passage.slice(last, m.index)));
        node.appendChild(el("mark", "", m[0]));
        last = m.index + m[0].length;
      }
    }
    node.appendChild(document.createTextNode(passage.slice(last)));
    if (end < text.length) node.appendChild(document.createTextNode(" …"));
    return node;
  }

  function resultItem(p, rank, tokens) {
    var doc = docs[p];
    var item = el("li", "search-result");
    item.id = "result-" + rank;
    item.setAttribute("data-position", String(p));
    var link = el("a", "search-title", doc.title);
    link.href = pageHref(doc.url);
    var heading = el("h3");
    heading.appendChild(link);
    item.appendChild(heading);
    var line = el("p", "search-meta");
    var date = dayText(days[p]);
    if (date) line.appendChild(el("time", "date", date));
    var severity = docTerms(doc, "severity")[0];
    if (severity && severity.slug !== "not-set") {
      var rankOf = facets[facetIndex("severity")].terms.indexOf(severity) + 1;
      var badge = el("span", "sev sev-" + rankOf, severity.short);
      badge.title = severity.name;
      line.appendChild(badge);
    }
    var services = docTerms(doc, "service").filter(function (t) { return t.slug !== "not-set"; });
    if (services.length) line.appendChild(el("span", "search-services", services.map(function (t) { return t.name; }).join(", ")));
    // Every root cause, as the incident counts under each (in the facet's order).
    var causes = docTerms(doc, "cause").filter(function (t) { return t.slug !== "not-set"; });
    if (causes.length) line.appendChild(el("span", "search-cause", causes.map(function (t) { return t.name; }).join(", ")));
    if (doc.duration) line.appendChild(el("span", "search-duration", doc.duration));
    item.appendChild(line);
    var source = doc.text;
    if (doc.summary && (!tokens.length || doc.text.search(new RegExp(tokens.map(function (t) {
      return t.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
    }).join("|"), "iu")) < 0)) {
      source = doc.summary;
    }
    item.appendChild(snippet(source, tokens));
    return item;
  }

  /* The keyboard moves real focus: from the box down to a result's link and between
   them (the link then reads as itself, and Enter opens it as any link does). */
  function focusResult(index) {
    var items = list.children;
    if (index < 0 || !items.length) { input.focus(); return; }
    items[Math.min(index, items.length - 1)].querySelector("a").focus();
  }

  function focusedResult() {
    var at = document.activeElement;
    var item = at && at.closest ? at.closest(".search-result") : null;
    return item ? Array.prototype.indexOf.call(list.children, item) : -1;
  }

  /* Loads the blocks holding the next page of results' documents and appends them. */
  function showMore(seq, startedAt) {
    var next = answer.results.slice(shown, shown + PAGE_SIZE);
    var blocks = [];
    next.forEach(function (p) {
      var block = Math.floor(p / DOC_BLOCK);
      if (blocks.indexOf(block) < 0) blocks.push(block);
    });
    return Promise.all(blocks.map(function (b) { return load("d/" + b + ".js"); })).then(function () {
      if (seq !== sequence) return;
      root.setAttribute("data-loaded-ms", (performance.now() - startedAt).toFixed(1));
      var tokens = queryTokens(state.q);
      next.forEach(function (p) { list.appendChild(resultItem(p, list.children.length, tokens)); });
      shown += next.length;
      more.hidden = shown >= answer.results.length;
      finish(startedAt);
    });
  }

  function finish(startedAt) {
    root.setAttribute("data-elapsed-ms", (performance.now() - startedAt).toFixed(1));
    root.setAttribute("data-state", "ready");
    root.setAttribute("data-rendered", stateQuery(state));
  }

  function renderStatus() {
    var total = answer.results.length;
    var what = state.q ? " for “" + state.q + "”" : "";
    var filtered = Object.keys(state.chosen).length || state.from || state.to;
    var order = state.q ? ", best match first." : ", newest first.";
    statusLine.textContent = total === 0
      ? "No incidents" + what + (filtered ? " with these filters." : ".") +
        (state.q ? " Try fewer words, or the start of a word." : "")
      : (!state.q && !filtered ? "All " : "") + total + (total === 1 ? " incident" : " incidents") + what +
        (filtered ? ", filtered" : "") + order;
  }

  /* A selector for the filter control that has the focus, to give it back after the
     filters are drawn again. */
  function focusedFilter() {
    var at = document.activeElement;
    if (!at || !filters.contains(at)) return null;
    if (at.id) return "#" + at.id;
    var param = at.getAttribute("data-param");
    return param && at.value ? "input[data-param=\"" + CSS.escape(param) + "\"][value=\"" + CSS.escape(at.value) + "\"]" : null;
  }

  function renderFilters() {
    var focused = focusedFilter();
    drawFilters();
    var again = focused && filters.querySelector(focused);
    if (again) again.focus();
  }

  function drawFilters() {
    var openLists = {};
    Array.prototype.forEach.call(filters.querySelectorAll("fieldset.is-open"), function (f) { openLists[f.getAttribute("data-param")] = true; });
    filters.textContent = "";
    var head = el("div", "search-filters-head");
    head.appendChild(el("h2", "", "Filters"));
    var anyChosen = Object.keys(state.chosen).length || state.from || state.to;
    if (anyChosen) {
      var clear = el("button", "search-clear", "Clear all");
      clear.type = "button";
      clear.addEventListener("click", function () {
        update({ q: state.q, chosen: {}, from: "", to: "" }, true);
      });
      head.appendChild(clear);
    }
    filters.appendChild(head);
    facets.forEach(function (facet, f) {
      var chosen = (state.chosen[facet.param] || []).map(function (s) { return s.toLowerCase(); });
      // A facet no incident of the site has a value in (every one "Not set") filters nothing.
      var used = facet.terms.some(function (t) { return t.slug !== "not-set" && t.count; });
      if (!used && !chosen.length) return;
      var set = el("fieldset", "search-facet");
      set.setAttribute("data-param", facet.param);
      if (openLists[facet.param]) set.classList.add("is-open");
      set.appendChild(el("legend", "", facet.name));
      // Until the facet has loaded, its values with any incident, without counts.
      var counts = answer.counts[f];
      var items = facet.terms.map(function (t, ti) {
        return { term: t, count: counts ? counts[ti] : t.count, on: chosen.indexOf(t.slug.toLowerCase()) >= 0 };
      }).filter(function (x) { return x.count > 0 || x.on; });
      if (!items.length) {
        set.appendChild(el("p", "muted", "None"));
      }
      items.forEach(function (x, i) {
        var label = el("label", "search-option" + (i >= 8 && !x.on ? " is-extra" : ""));
        var box = el("input");
        box.type = "checkbox";
        box.checked = x.on;
        box.setAttribute("data-param", facet.param);
        box.value = x.term.slug;
        box.addEventListener("change", function () { toggle(facet.param, x.term.slug, box.checked); });
        label.appendChild(box);
        label.appendChild(el("span", "search-option-name", x.term.name));
        if (counts) label.appendChild(el("span", "count", String(x.count)));
        set.appendChild(label);
      });
      var extra = items.filter(function (x, i) { return i >= 8 && !x.on; }).length;
      if (extra) {
        var toggleAll = el("button", "search-more-options", set.classList.contains("is-open") ? "Fewer" : "Show " + extra + " more");
        toggleAll.type = "button";
        toggleAll.addEventListener("click", function () {
          set.classList.toggle("is-open");
          toggleAll.textContent = set.classList.contains("is-open") ? "Fewer" : "Show " + extra + " more";
        });
        set.appendChild(toggleAll);
      }
      filters.appendChild(set);
    });
    filters.appendChild(dateFilters());
  }

  /* The start-date range: text boxes, not `type=date`, which shows the browser's locale
     (05.03.2024, 3/5/2024); these read and show YYYY-MM-DD everywhere. A box applies on
     Enter or on leaving it; what cannot be read stays in the box, marked, with why. */
  function dateFilters() {
    var dates = el("fieldset", "search-facet search-dates");
    dates.appendChild(el("legend", "", "Started"));
    var hint = el("p", "search-date-hint", "YYYY-MM-DD; a year (2024) or a month (2024-03) means all of it.");
    hint.id = "search-date-hint";
    dates.appendChild(hint);
    [["from", "From"], ["to", "To"]].forEach(function (pair) {
      var name = pair[0];
      var label = el("label", "search-date");
      label.appendChild(el("span", "", pair[1]));
      var box = el("input");
      box.type = "text";
      box.name = name;
      box.id = "search-" + name;
      box.placeholder = "YYYY-MM-DD";
      box.setAttribute("inputmode", "numeric");
      box.setAttribute("autocomplete", "off");
      box.spellcheck = false;
      box.value = state[name];
      var error = el("p", "search-date-error");
      error.id = "search-" + name + "-error";
      error.setAttribute("role", "alert");
      box.setAttribute("aria-describedby", "search-date-hint " + error.id);
      var mark = function (problem) {
        error.textContent = problem ? pair[1] + ": " + problem : "";
        if (problem) box.setAttribute("aria-invalid", "true"); else box.removeAttribute("aria-invalid");
      };
      var apply = function () {
        var parsed = box.value.trim() ? parseDate(box.value, name === "to") : { text: "" };
        mark(parsed.error);
        if (parsed.error || parsed.text === state[name]) return;
        var next = copyState(state);
        next[name] = parsed.text;
        update(next, true);
      };
      if (state[name]) mark(parseDate(state[name], name === "to").error);
      box.addEventListener("change", apply);
      box.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); apply(); }
      });
      label.appendChild(box);
      dates.appendChild(label);
      dates.appendChild(error);
    });
    return dates;
  }

  function copyState(s) {
    var chosen = {};
    Object.keys(s.chosen).forEach(function (k) { chosen[k] = s.chosen[k].slice(); });
    return { q: s.q, chosen: chosen, from: s.from, to: s.to };
  }

  function toggle(param, slug, on) {
    var next = copyState(state);
    var values = (next.chosen[param] || []).filter(function (v) { return v.toLowerCase() !== slug.toLowerCase(); });
    if (on) values.push(slug);
    if (values.length) next.chosen[param] = values; else delete next.chosen[param];
    update(next, true);
  }

  /* Runs `next`, renders it, and records it in the URL (a new history entry if `push`). */
  function update(next, push, startedAt) {
    startedAt = startedAt || performance.now();
    var seq = ++sequence;
    state = next;
    saveState(state, push);
    root.setAttribute("data-state", "busy");
    return run(state).then(function (result) {
      if (seq !== sequence) return;
      root.setAttribute("data-search-ms", (performance.now() - startedAt).toFixed(1));
      answer = result;
      shown = 0;
      list.textContent = "";
      renderStatus();
      renderFilters();
      return showMore(seq, startedAt);
    }).catch(function (error) {
      if (seq !== sequence) return;
      statusLine.textContent = "The search index could not be loaded (" + error.message + "). Rebuild the site, or browse the facet pages.";
      root.setAttribute("data-state", "error");
    });
  }

  /* ---- wiring ---- */

  // Every keystroke searches (a later answer replaces an earlier one that is still
  // loading) and replaces the history entry; Enter or a filter makes a new entry.
  input.addEventListener("input", function () {
    var next = copyState(state);
    next.q = input.value;
    update(next, false);
  });
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var next = copyState(state);
    next.q = input.value;
    update(next, true);
  });
  // Down goes to the first result; Escape clears the box and searches for everything.
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && list.children.length) { event.preventDefault(); focusResult(0); }
    else if (event.key === "Escape" && input.value) {
      event.preventDefault();
      input.value = "";
      var next = copyState(state);
      next.q = "";
      update(next, false);
    }
  });
  // In the results: Down and Up move between them (Up from the first is the box);
  // Escape goes back to the box.
  list.addEventListener("keydown", function (event) {
    var at = focusedResult();
    if (at < 0) return;
    if (event.key === "ArrowDown") { event.preventDefault(); if (at < list.children.length - 1) focusResult(at + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); focusResult(at - 1); }
    else if (event.key === "Escape") { event.preventDefault(); input.focus(); }
  });
  more.addEventListener("click", function () { showMore(sequence, performance.now()); });
  // A visitor reaching for the filters (pointer, touch or keyboard) loads every facet
  // not loaded yet, and their counts are drawn.
  var everyFacet = null;
  function loadEveryFacet() {
    if (everyFacet || !meta) return;
    everyFacet = loadFacets(facets).then(function () {
      var seq = sequence;
      if (!answer) return;
      return run(state).then(function (result) {
        if (seq !== sequence) return;
        answer.counts = result.counts;
        renderFilters();
      });
    }).catch(function () { everyFacet = null; });
  }
  ["pointerover", "focusin", "touchstart"].forEach(function (type) {
    filters.addEventListener(type, loadEveryFacet, { passive: true });
  });
  window.addEventListener("popstate", function () {
    var next = readState();
    input.value = next.q;
    update(next, false);
  });

  load("meta.js").then(function () {
    if (!meta || meta.version !== FORMAT_VERSION) {
      throw new Error("search/meta.js is missing or from another version of Hindsight");
    }
    prepare();
    return loadFacets(eagerFacets());
  }).then(function () {
    var first = readState();
    input.value = first.q;
    root.classList.add("is-live");
    return update(first, false);
  }).catch(function (error) {
    statusLine.textContent = "The search index could not be loaded (" + error.message + "). Rebuild the site, or browse the facet pages.";
    root.setAttribute("data-state", "error");
  });

  // The test hooks: the same search without the page, for comparing with Rust.
  registry.queryTokens = queryTokens;
  registry.run = function (s) { return loadFacets(facets).then(function () { return run(s); }); };
})();
