// Gavel site search: runs in the browser over the search index the build splits into shards
// (search/meta.js, then terms-N.js, docs-N.js and titles-N.js as a query needs them; each sets
// globalThis.GAVEL_SEARCH_SHARDS[name]). Entries are {t: title, u: site path, s: summary, x: text}.
// A classic script with no dependencies and no fetch(): shards load as <script> elements, so search
// works from file:// as well as from a server.
(function () {
  'use strict';

  var G = typeof globalThis !== 'undefined' ? globalThis : this;
  var LIMIT = 20;

  // ---------------------------------------------------------------------------------------------
  // Pure helpers, exposed as GavelSearch._internals for the Node tests.
  // ---------------------------------------------------------------------------------------------

  var foldCache = Object.create(null);

  // Lower case, accents and curly quotes folded, one output character per input character (so
  // positions found in the folded text are positions in the original, for highlighting).
  function fold(s) {
    s = String(s || '');
    var out = '';
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i);
      var f = foldCache[c];
      if (f === undefined) {
        f = c.normalize ? c.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase() : c.toLowerCase();
        if (c === '\u2019' || c === '\u2018') f = "'";
        else if (c === '\u201c' || c === '\u201d') f = '"';
        if (f.length !== 1) f = c.toLowerCase().length === 1 ? c.toLowerCase() : c;
        foldCache[c] = f;
      }
      out += f;
    }
    return out;
  }

  function isWordChar(c) { return /[\p{L}\p{N}]/u.test(c); }

  // The words of a query, folded and without repeats. One-letter words are dropped unless the
  // query has nothing else.
  function terms(query) {
    var words = fold(query).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    var long = words.filter(function (w) { return w.length > 1; });
    var chosen = long.length ? long : words;
    return chosen.filter(function (w, i) { return chosen.indexOf(w) === i; });
  }

  // Positions where `term` starts a word in `folded`.
  function wordStarts(folded, term, max) {
    var found = [];
    var from = 0;
    while (found.length < (max || Infinity)) {
      var i = folded.indexOf(term, from);
      if (i < 0) break;
      if (i === 0 || !isWordChar(folded.charAt(i - 1))) found.push(i);
      from = i + 1;
    }
    return found;
  }

  // Every entry that has all the words somewhere, best first: a word in the title outranks any
  // number of words in the text; then the summary; then how often the text has them. The ranking's
  // definition: searchShards below gives exactly this over the shards (bench/search_queries.mjs
  // runs both).
  function search(index, query, limit) {
    var words = terms(query);
    if (!words.length) return { total: 0, results: [], terms: words };
    var phrase = fold(query).trim();
    var scored = [];
    (index || []).forEach(function (entry, order) {
      var title = fold(entry.t), summary = fold(entry.s), text = fold(entry.x);
      var inTitle = 0, inSummary = 0, inText = 0;
      for (var i = 0; i < words.length; i++) {
        var w = words[i];
        var t = wordStarts(title, w, 1).length;
        var s = wordStarts(summary, w, 1).length;
        var x = wordStarts(text, w, 20).length;
        if (!t && !s && !x) return;
        inTitle += t ? 1 : 0;
        inSummary += s ? 1 : 0;
        inText += x;
      }
      var score = (inTitle === words.length ? 1e7 : 0) + inTitle * 1e6 +
        (words.length > 1 && title.indexOf(phrase) >= 0 ? 1e5 : 0) + (title === phrase ? 5e4 : 0) +
        inSummary * 1e3 + Math.min(inText, 999);
      scored.push({ entry: entry, score: score, order: order });
    });
    scored.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    var top = scored.slice(0, limit || LIMIT).map(function (r) {
      return { entry: r.entry, score: r.score, snippet: snippet(r.entry, words) };
    });
    return { total: scored.length, results: top, terms: words };
  }

  // About `width` characters of the text around the first word found, cut at spaces, as pieces
  // [{text, mark}] with the words marked. Falls back to the summary, then the start of the text.
  function snippet(entry, words, width) {
    width = width || 180;
    var source = String(entry.x || '');
    var folded = fold(source);
    var first = -1;
    words.forEach(function (w) {
      var at = wordStarts(folded, w, 1);
      if (at.length && (first < 0 || at[0] < first)) first = at[0];
    });
    if (first < 0) {
      if (entry.s) { source = String(entry.s); folded = fold(source); }
      first = 0;
    }
    var start = Math.max(0, first - Math.floor(width / 3));
    if (start > 0) {
      var space = source.indexOf(' ', start);
      start = space >= 0 && space < first ? space + 1 : start;
    }
    var end = Math.min(source.length, start + width);
    if (end < source.length) {
      var cut = source.lastIndexOf(' ', end);
      if (cut > first && cut > start) end = cut;
    }
    var pieces = [];
    var marks = [];
    words.forEach(function (w) {
      wordStarts(folded.slice(0, end), w).forEach(function (i) {
        if (i >= start && i + w.length <= end) marks.push([i, i + w.length]);
      });
    });
    marks.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var pos = start;
    if (start > 0) pieces.push({ text: '…', mark: false });
    marks.forEach(function (m) {
      if (m[0] < pos) return; // overlapping words: the longer, earlier one wins
      if (m[0] > pos) pieces.push({ text: source.slice(pos, m[0]), mark: false });
      pieces.push({ text: source.slice(m[0], m[1]), mark: true });
      pos = m[1];
    });
    if (pos < end) pieces.push({ text: source.slice(pos, end), mark: false });
    if (end < source.length) pieces.push({ text: '…', mark: false });
    return pieces;
  }

  // ---------------------------------------------------------------------------------------------
  // The sharded index: the same results as search() over every entry, loading only what a query
  // needs (SearchIndex.swift writes it).
  // ---------------------------------------------------------------------------------------------

  var DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
  var DIGIT = Object.create(null);
  for (var d = 0; d < DIGITS.length; d++) DIGIT[DIGITS.charAt(d)] = d;

  // Calls visit(entry, code, titleLength, neighbours) for each posting of one word: base-32 numbers
  // whose digits of 32 and up say another follows. The first is (gap - 1) * CODES + code, the gap
  // being from the previous entry (the first entry's from -1). When the code's bit 2 says the title
  // has the word, the title's length follows, then how many times the title has it and, for each,
  // the neighbour codes of the words before and after it.
  var CODES = 84;
  function decodePostings(text, visit) {
    var i = 0, id = -1;
    function number() {
      var value = 0, scale = 1, digit;
      do {
        digit = DIGIT[text.charAt(i++)];
        if (digit === undefined) throw new Error('damaged search index');
        value += (digit & 31) * scale;
        scale *= 32;
      } while (digit >= 32);
      return value;
    }
    while (i < text.length) {
      var first = number();
      var code = first % CODES;
      id += (first - code) / CODES + 1;
      var titleLength = 0, neighbours = [];
      if (code & 2) {
        titleLength = number();
        for (var n = number() * 2; n > 0; n--) neighbours.push(number());
      }
      visit(id, code, titleLength, neighbours);
    }
  }

  var NO_NEIGHBOUR = 4096;

  // The last three units of a word before, or the first three of the word after, as 12 bits
  // (32-bit FNV-1a over the units), as SearchIndex.swift writes them.
  function neighbour(units) {
    var hash = 0x811c9dc5;
    for (var i = 0; i < units.length; i++) hash = Math.imul(hash ^ units.charCodeAt(i), 16777619) >>> 0;
    return hash & 0xfff;
  }

  // The word runs of a folded phrase (letters and numbers, unit by unit, as the index has them).
  function runs(phrase) {
    var out = [], word = '';
    for (var i = 0; i < phrase.length; i++) {
      var c = phrase.charAt(i);
      if (isWordChar(c)) word += c;
      else if (word) { out.push(word); word = ''; }
    }
    if (word) out.push(word);
    return out;
  }

  // False when the title cannot hold the phrase: every word of the phrase after its first stands at
  // a word start in a title that has it, between words that end and start as the phrase's do
  // (the phrase's first word may end a longer word, its last begin one, so those are compared only
  // when three units long). `found(word)` gives a term's title neighbours, or null.
  function mayHoldPhrase(words, found) {
    var last = words.length - 1;
    for (var m = 1; m <= last; m++) {
      var pairs = found(words[m]);
      if (!pairs) continue; // not a term of the query (a one-letter word): not checked
      var before = m - 1 > 0 || words[0].length >= 3 ? neighbour(words[m - 1].slice(-3)) : -1;
      var after = m === last ? -2 : m + 1 < last || words[last].length >= 3 ? neighbour(words[m + 1].slice(0, 3)) : -1;
      var ok = false;
      for (var p = 0; p + 1 < pairs.length && !ok; p += 2) {
        ok = pairs[p] !== NO_NEIGHBOUR && (before < 0 || pairs[p] === before) &&
          (after === -2 || (pairs[p + 1] !== NO_NEIGHBOUR && (after < 0 || pairs[p + 1] === after)));
      }
      if (!ok) return false;
    }
    return true;
  }

  // The term shards that may hold words starting with `term`: shard k holds the words from its
  // first word up to the next shard's (null for an empty shard).
  function termShards(meta, term) {
    var firsts = meta.terms || [], names = [], end = term + '\uffff';
    var filled = [];
    for (var i = 0; i < firsts.length; i++) if (firsts[i] !== null) filled.push(i);
    for (var k = 0; k < filled.length; k++) {
      var low = firsts[filled[k]], high = k + 1 < filled.length ? firsts[filled[k + 1]] : null;
      if (low >= end) break;
      if (high !== null && high <= term) continue;
      names.push('terms-' + filled[k]);
    }
    return names;
  }

  function shardOf(id, per, count) { return Math.min(Math.floor(id / per), count - 1); }

  // search(entries, query, limit) over the shards: `load(names)` gives a promise of the shards by
  // name. Postings give every entry with all the words and its score but for the two phrase
  // bonuses, which need the title; titles are loaded only for entries that could reach the shown
  // results with a bonus (best first), and entries only for the results shown.
  function searchShards(meta, load, query, limit) {
    limit = limit || LIMIT;
    var words = terms(query);
    if (!words.length) return Promise.resolve({ total: 0, results: [], terms: words });
    var phrase = fold(query).trim();
    var n = words.length;
    var wanted = [];
    words.forEach(function (w) {
      termShards(meta, w).forEach(function (name) { if (wanted.indexOf(name) < 0) wanted.push(name); });
    });
    var candidates = [];
    return load(wanted).then(function (shards) {
      var perTerm = words.map(function (w) {
        var found = new Map();
        termShards(meta, w).forEach(function (name) {
          var shard = shards[name] || {};
          Object.keys(shard).forEach(function (word) {
            if (word.lastIndexOf(w, 0) !== 0) return;
            decodePostings(shard[word], function (id, code, titleLength, neighbours) {
              var hit = found.get(id);
              if (!hit) { hit = { t: 0, s: 0, x: 0, length: 0, neighbours: [] }; found.set(id, hit); }
              if (code & 2) {
                hit.t = 1;
                hit.length = titleLength;
                hit.neighbours = hit.neighbours.concat(neighbours);
              }
              if (code & 1) hit.s = 1;
              hit.x += code >> 2;
            });
          });
        });
        return found;
      });
      var fewest = perTerm.reduce(function (a, b) { return b.size < a.size ? b : a; });
      var phraseWords = runs(phrase);
      fewest.forEach(function (_, id) {
        var inTitle = 0, inSummary = 0, inText = 0, titleLength = -1;
        for (var k = 0; k < n; k++) {
          var hit = perTerm[k].get(id);
          if (!hit) return;
          inTitle += hit.t;
          inSummary += hit.s;
          inText += Math.min(hit.x, 20);
          if (hit.t) titleLength = hit.length;
        }
        var score = (inTitle === n ? 1e7 : 0) + inTitle * 1e6 + inSummary * 1e3 + Math.min(inText, 999);
        // The phrase in the title puts every word but perhaps the first at a word start there, beside
        // the words the phrase has; the title equal to the phrase puts all of them, and has its length.
        var bonus = (n > 1 && inTitle >= n - 1 && titleLength >= phrase.length ? 1e5 : 0) +
          (inTitle === n && titleLength === phrase.length ? 5e4 : 0);
        if (bonus && !mayHoldPhrase(phraseWords, function (w) {
          var k = words.indexOf(w);
          if (k < 0) return null;
          var hit = perTerm[k].get(id);
          return hit && hit.t ? hit.neighbours : [];
        })) bonus = 0;
        candidates.push({ id: id, score: score, best: score + bonus, open: bonus > 0 });
      });
      return settle();
    }).then(function (top) {
      var names = [];
      top.forEach(function (c) {
        var name = 'docs-' + shardOf(c.id, meta.docs[0], meta.docs[1]);
        if (names.indexOf(name) < 0) names.push(name);
      });
      return load(names).then(function (shards) {
        var results = top.map(function (c) {
          var shard = shardOf(c.id, meta.docs[0], meta.docs[1]);
          var entry = shards['docs-' + shard][c.id - shard * meta.docs[0]];
          return { entry: entry, score: c.score, snippet: snippet(entry, words) };
        });
        return { total: candidates.length, results: results, terms: words };
      });
    });

    function rank(a, b) {
      return (b.open ? b.best : b.score) - (a.open ? a.best : a.score) || a.id - b.id;
    }
    // The first `limit` by score, or by the best score an unread title could give; the titles of
    // those still open are read, and so on until the first `limit` are all settled.
    function settle() {
      candidates.sort(rank);
      var top = candidates.slice(0, limit);
      var open = top.filter(function (c) { return c.open; });
      if (!open.length) return Promise.resolve(top);
      var names = [];
      open.forEach(function (c) {
        var name = 'titles-' + shardOf(c.id, meta.titles[0], meta.titles[1]);
        if (names.indexOf(name) < 0) names.push(name);
      });
      return load(names).then(function (shards) {
        open.forEach(function (c) {
          var shard = shardOf(c.id, meta.titles[0], meta.titles[1]);
          var title = fold(shards['titles-' + shard][c.id - shard * meta.titles[0]]);
          if (n > 1 && title.indexOf(phrase) >= 0) c.score += 1e5;
          if (title === phrase) c.score += 5e4;
          c.open = false;
        });
        return settle();
      });
    }
  }

  // Loads shards as <script> elements from `base` (the site's search/ folder), once each.
  function scriptLoader(base) {
    var registry = G.GAVEL_SEARCH_SHARDS = G.GAVEL_SEARCH_SHARDS || {};
    var pending = Object.create(null);
    function one(name) {
      if (registry[name]) return Promise.resolve();
      if (!pending[name]) {
        pending[name] = new Promise(function (resolve, reject) {
          var element = document.createElement('script');
          element.src = base + name + '.js';
          element.onload = function () {
            if (registry[name]) resolve();
            else { delete pending[name]; reject(new Error('search shard ' + name + ' is empty')); }
          };
          element.onerror = function () { delete pending[name]; reject(new Error('search shard ' + name + ' did not load')); };
          document.head.appendChild(element);
        });
      }
      return pending[name];
    }
    return function (names) {
      return Promise.all(names.map(one)).then(function () { return registry; });
    };
  }

  // A site path as a link from the search page: relative to the site root, and ending in
  // index.html for folders when the site is read from disk.
  function hrefFor(root, path, fromDisk) {
    var p = String(path || '');
    var hashAt = p.search(/[?#]/);
    var rest = hashAt >= 0 ? p.slice(hashAt) : '';
    if (hashAt >= 0) p = p.slice(0, hashAt);
    if (fromDisk && (p === '' || /\/$/.test(p))) p += 'index.html';
    var href = (root || '') + p + rest;
    return href === '' ? './' : href;
  }

  function statusFor(query, total, shown) {
    var q = '“' + String(query).trim() + '”';
    if (!total) return 'No results for ' + q + '. Try fewer or different words, or browse the pages listed below.';
    var n = total === 1 ? '1 result' : total + ' results';
    return n + ' for ' + q + (total > shown ? '; showing the best ' + shown + '.' : '.');
  }

  G.GavelSearch = { _internals: { fold: fold, terms: terms, search: search, searchShards: searchShards, decodePostings: decodePostings,
    termShards: termShards, neighbour: neighbour, runs: runs, mayHoldPhrase: mayHoldPhrase, snippet: snippet, hrefFor: hrefFor, statusFor: statusFor, LIMIT: LIMIT } };

  // ---------------------------------------------------------------------------------------------
  // The page
  // ---------------------------------------------------------------------------------------------

  if (typeof document === 'undefined' || typeof window === 'undefined') return;

  var script = document.currentScript;
  var src = script && script.getAttribute('src');
  var root = src ? src.replace(/assets\/[^/]*$/, '') : '../';

  function registerServiceWorker() {
    if (!/^https?:$/.test(location.protocol) || !('serviceWorker' in navigator)) return;
    try {
      navigator.serviceWorker.register(root + 'sw.js').catch(function () { /* offline use is a bonus */ });
    } catch (e) { /* ignore */ }
  }

  function start() {
    var input = document.getElementById('search-q');
    var status = document.getElementById('search-status');
    var results = document.getElementById('search-results');
    registerServiceWorker();
    if (!input || !status || !results) return;
    var meta = (G.GAVEL_SEARCH_SHARDS || {}).meta;
    if (!meta || !Array.isArray(meta.terms)) {
      status.textContent = 'Search is not available: the search index did not load. Use the pages listed below.';
      return;
    }
    var load = scriptLoader(root + 'search/');
    var fromDisk = location.protocol === 'file:';
    var timer = null;
    var last = null;
    var asked = 0;

    function show(query, updateAddress) {
      if (query === last) return;
      last = query;
      while (results.firstChild) results.removeChild(results.firstChild);
      if (updateAddress) {
        try {
          var url = location.pathname + (query.trim() ? '?q=' + encodeURIComponent(query.trim()) : '') + location.hash;
          history.replaceState(history.state, '', url);
        } catch (e) { /* some file:// pages refuse; the results still show */ }
      }
      var ask = ++asked;
      if (!query.trim()) {
        status.textContent = '';
        return;
      }
      if (!terms(query).length) {
        status.textContent = 'Type a word to search for.';
        return;
      }
      searchShards(meta, load, query, LIMIT).then(function (found) {
        if (ask === asked) showResults(query, found);
      }, function () {
        if (ask === asked) status.textContent = 'Search is not available: part of the search index did not load (offline?). Use the pages listed below.';
      });
    }

    function showResults(query, found) {
      var list = document.createElement('ol');
      list.className = 'search-results__list';
      found.results.forEach(function (r) {
        var li = document.createElement('li');
        li.className = 'search-result';
        var title = document.createElement('p');
        title.className = 'search-result__title';
        var a = document.createElement('a');
        a.href = hrefFor(root, r.entry.u, fromDisk);
        a.textContent = r.entry.t;
        title.appendChild(a);
        li.appendChild(title);
        var snip = document.createElement('p');
        snip.className = 'search-result__snippet';
        r.snippet.forEach(function (piece) {
          if (piece.mark) {
            var m = document.createElement('mark');
            m.textContent = piece.text;
            snip.appendChild(m);
          } else snip.appendChild(document.createTextNode(piece.text));
        });
        if (snip.textContent.trim()) li.appendChild(snip);
        list.appendChild(li);
      });
      if (found.results.length) results.appendChild(list);
      status.textContent = statusFor(query, found.total, found.results.length);
    }

    var params = null;
    try { params = new URLSearchParams(location.search); } catch (e) { params = null; }
    var initial = params ? params.get('q') || '' : '';
    if (initial) {
      input.value = initial;
      show(initial, false);
    }
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { show(input.value, true); }, 250);
    });
    var form = input.form;
    if (form) {
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        clearTimeout(timer);
        last = null;
        show(input.value, true);
      });
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
