// Gavel checklist page: enhances /checklist/ and /courts/<court>/checklist/ in place, as
// docs/checklist-ui.md describes. A classic script with no dependencies, so it also runs from
// file://. Without it the page is a complete static list; with it the page asks only the questions
// that still matter, marks every step, and keeps the answers in this browser (localStorage) only.
(function () {
  'use strict';

  var G = typeof globalThis !== 'undefined' ? globalThis : this;

  // ---------------------------------------------------------------------------------------------
  // Pure helpers (no DOM). Exposed as GavelChecklistUI._internals for the Node tests.
  // ---------------------------------------------------------------------------------------------

  var DOC_KEYS = ['courts', 'answers', 'court_answers'];
  var DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
  var COURT_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

  function own(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  // Works for objects made in another realm too (JSON.parse in a test's own context).
  function isObject(v) { return Object.prototype.toString.call(v) === '[object Object]'; }

  function isDate(s) {
    var m = typeof s === 'string' && DATE_RE.exec(s);
    if (!m) return false;
    var y = +m[1], mo = +m[2], d = +m[3];
    if (mo < 1 || mo > 12 || d < 1) return false;
    var days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    return d <= days[mo - 1];
  }

  function emptyAnswers() { return { courts: [], answers: {}, court_answers: {} }; }

  // --- UTF-8 and base64url (no atob/TextEncoder needed, so it runs anywhere) -------------------

  function utf8Encode(str) {
    var out = [];
    for (var i = 0; i < str.length; i++) {
      var c = str.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
        var d = str.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; } else c = 0xfffd;
      } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return out;
  }

  // Strict: invalid UTF-8 throws, so a damaged link is refused rather than half-read.
  function utf8Decode(bytes) {
    var out = '';
    var i = 0;
    while (i < bytes.length) {
      var b = bytes[i++];
      var cp, need, min;
      if (b < 0x80) { cp = b; need = 0; min = 0; }
      else if (b >= 0xc2 && b < 0xe0) { cp = b & 31; need = 1; min = 0x80; }
      else if (b >= 0xe0 && b < 0xf0) { cp = b & 15; need = 2; min = 0x800; }
      else if (b >= 0xf0 && b < 0xf5) { cp = b & 7; need = 3; min = 0x10000; }
      else throw new Error('invalid UTF-8');
      for (var k = 0; k < need; k++) {
        var n = bytes[i++];
        if (n === undefined || (n & 0xc0) !== 0x80) throw new Error('invalid UTF-8');
        cp = (cp << 6) | (n & 63);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new Error('invalid UTF-8');
      out += String.fromCodePoint(cp);
    }
    return out;
  }

  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

  function base64urlEncode(text) {
    var bytes = utf8Encode(String(text));
    var out = '';
    for (var i = 0; i < bytes.length; i += 3) {
      var n = (bytes[i] << 16) | ((i + 1 < bytes.length ? bytes[i + 1] : 0) << 8) | (i + 2 < bytes.length ? bytes[i + 2] : 0);
      out += B64.charAt((n >> 18) & 63) + B64.charAt((n >> 12) & 63);
      if (i + 1 < bytes.length) out += B64.charAt((n >> 6) & 63);
      if (i + 2 < bytes.length) out += B64.charAt(n & 63);
    }
    return out;
  }

  // Also takes standard base64 (+ and /) and padding, which mail programs sometimes produce.
  function base64urlDecode(s) {
    if (typeof s !== 'string') throw new Error('not base64url');
    s = s.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) throw new Error('not base64url');
    var bytes = [];
    for (var i = 0; i < s.length; i += 4) {
      var chunk = s.substr(i, 4);
      var n = 0;
      for (var j = 0; j < 4; j++) n = (n << 6) | (j < chunk.length ? B64.indexOf(chunk.charAt(j)) : 0);
      bytes.push((n >> 16) & 255);
      if (chunk.length > 2) bytes.push((n >> 8) & 255);
      if (chunk.length > 3) bytes.push(n & 255);
    }
    return utf8Decode(bytes);
  }

  // --- What the page knows ------------------------------------------------------------------------

  // The courts and facts of the checklists on this page. Tick facts (done.<step>) are booleans in
  // the scope of their step.
  function knownFrom(checklists) {
    var known = { courts: [], facts: Object.create(null), order: [] };
    (checklists || []).forEach(function (c) {
      var id = c && c.court && c.court.id;
      if (typeof id === 'string' && known.courts.indexOf(id) < 0) known.courts.push(id);
      ((c && c.facts) || []).forEach(function (f) {
        if (known.facts[f.id]) return;
        known.facts[f.id] = {
          id: f.id, type: f.type, scope: f.scope === 'court' ? 'court' : 'person', question: f.question || f.id,
          help: f.help || '', label: f.label || f.id, options: Array.isArray(f.options) ? f.options.slice() : [],
          optionLabels: Array.isArray(f.option_labels) ? f.option_labels.slice() : [],
        };
        known.order.push(f.id);
      });
      ((c && c.steps) || []).forEach(function (s) {
        if (!s.tick || known.facts[s.tick]) return;
        known.facts[s.tick] = {
          id: s.tick, type: 'boolean', scope: s.scope === 'court' ? 'court' : 'person', tick: true, step: s.id,
          question: s.title || s.id, help: '', label: s.title || s.id, options: [],
        };
      });
    });
    return known;
  }

  function typeWords(fact) {
    switch (fact.type) {
      case 'boolean': return 'true or false';
      case 'number': return 'a number';
      case 'date': return 'a date written YYYY-MM-DD';
      case 'choice': return 'one of ' + fact.options.map(function (o) { return '“' + o + '”'; }).join(', ');
      default: return 'text';
    }
  }

  function valueFits(fact, v) {
    switch (fact.type) {
      case 'boolean': return typeof v === 'boolean';
      case 'number': return typeof v === 'number' && isFinite(v);
      case 'date': return isDate(v);
      case 'choice': return typeof v === 'string' && fact.options.indexOf(v) >= 0;
      case 'text': return typeof v === 'string';
      default: return false;
    }
  }

  var REFUSED = ' Your answers were not changed.';

  // Strict check of an answers document from a file or a link (docs/checklist-ui.md): an object with
  // only courts/answers/court_answers, known courts, known facts in their own scope, values of the
  // right type (null means unanswered and is dropped). Returns {ok, doc} or {ok: false, error}.
  function validateAnswers(doc, known) {
    function refuse(why) { return { ok: false, error: 'This is not an answers file this page can use: ' + why + '.' + REFUSED }; }
    if (!isObject(doc)) return refuse('it does not hold an answers document (a JSON object)');
    var keys = Object.keys(doc);
    for (var i = 0; i < keys.length; i++) {
      if (DOC_KEYS.indexOf(keys[i]) < 0) return refuse('it has an entry “' + keys[i] + '” that answers files do not have');
    }
    var out = emptyAnswers();
    if (own(doc, 'courts')) {
      if (!Array.isArray(doc.courts)) return refuse('“courts” should be a list of court ids');
      for (i = 0; i < doc.courts.length; i++) {
        var c = doc.courts[i];
        if (typeof c !== 'string') return refuse('“courts” should be a list of court ids');
        if (known.courts.indexOf(c) < 0) return refuse('it names a court this page does not know, “' + c + '”');
        if (out.courts.indexOf(c) < 0) out.courts.push(c);
      }
    }
    function checkMap(map, scope, where, into) {
      if (!isObject(map)) return '“' + where + '” should be an object of answers';
      var ids = Object.keys(map);
      for (var j = 0; j < ids.length; j++) {
        var id = ids[j];
        var fact = known.facts[id];
        if (!fact) return 'it answers “' + id + '”, a question this page does not know';
        if (fact.scope !== scope) {
          return scope === 'court' ? '“' + id + '” is asked once for all courts, so it belongs in “answers”'
            : '“' + id + '” is asked for each court, so it belongs in “court_answers”';
        }
        var v = map[id];
        if (v === null) continue;
        if (!valueFits(fact, v)) return 'the answer to “' + id + '”' + (where === 'answers' ? '' : ' in ' + where) + ' should be ' + typeWords(fact);
        into[id] = v;
      }
      return null;
    }
    if (own(doc, 'answers')) {
      var e = checkMap(doc.answers, 'person', 'answers', out.answers);
      if (e) return refuse(e);
    }
    if (own(doc, 'court_answers')) {
      if (!isObject(doc.court_answers)) return refuse('“court_answers” should be an object with one entry per court');
      var courts = Object.keys(doc.court_answers);
      for (i = 0; i < courts.length; i++) {
        var court = courts[i];
        if (known.courts.indexOf(court) < 0) return refuse('it has answers for a court this page does not know, “' + court + '”');
        var into = {};
        e = checkMap(doc.court_answers[court], 'court', 'court_answers.' + court, into);
        if (e) return refuse(e);
        if (Object.keys(into).length) out.court_answers[court] = into;
      }
    }
    return { ok: true, doc: out };
  }

  // Lenient reading of what this browser stored: keeps what other checklist pages of the site wrote
  // (facts and courts this page does not know), drops only what cannot be an answer at all.
  function sanitizeStored(raw) {
    var out = emptyAnswers();
    if (!isObject(raw)) return out;
    if (Array.isArray(raw.courts)) {
      raw.courts.forEach(function (c) { if (typeof c === 'string' && COURT_ID_RE.test(c) && out.courts.indexOf(c) < 0) out.courts.push(c); });
    }
    function copy(map, into) {
      if (!isObject(map)) return;
      Object.keys(map).forEach(function (k) {
        var v = map[k];
        if (typeof v === 'boolean' || typeof v === 'string' || (typeof v === 'number' && isFinite(v))) into[k] = v;
      });
    }
    copy(raw.answers, out.answers);
    if (isObject(raw.court_answers)) {
      Object.keys(raw.court_answers).forEach(function (c) {
        var into = {};
        copy(raw.court_answers[c], into);
        if (Object.keys(into).length) out.court_answers[c] = into;
      });
    }
    return out;
  }

  // What this page exports or shares: only what it knows, so that the same page can import it.
  function restrictToKnown(doc, known) {
    var out = emptyAnswers();
    (doc.courts || []).forEach(function (c) { if (known.courts.indexOf(c) >= 0 && out.courts.indexOf(c) < 0) out.courts.push(c); });
    Object.keys(doc.answers || {}).forEach(function (id) {
      var f = known.facts[id];
      if (f && f.scope === 'person' && valueFits(f, doc.answers[id])) out.answers[id] = doc.answers[id];
    });
    Object.keys(doc.court_answers || {}).forEach(function (c) {
      if (known.courts.indexOf(c) < 0) return;
      var map = doc.court_answers[c] || {};
      var into = {};
      Object.keys(map).forEach(function (id) {
        var f = known.facts[id];
        if (f && f.scope === 'court' && valueFits(f, map[id])) into[id] = map[id];
      });
      if (Object.keys(into).length) out.court_answers[c] = into;
    });
    return out;
  }

  function getAnswer(doc, factId, court) {
    var map = court ? (doc.court_answers || {})[court] : doc.answers;
    return map && own(map, factId) ? map[factId] : undefined;
  }

  // Records (or, with value undefined/null, forgets) one answer; returns a new document.
  function setAnswer(doc, factId, court, value) {
    var next = JSON.parse(JSON.stringify(doc));
    var map;
    if (court) {
      map = next.court_answers[court] || (next.court_answers[court] = {});
    } else map = next.answers;
    if (value === undefined || value === null) delete map[factId];
    else map[factId] = value;
    if (court && !Object.keys(map).length) delete next.court_answers[court];
    return next;
  }

  function storageKey(basePath) { return 'gavel:' + basePath + ':answers:v1'; }

  // The site's own path on its server, from the canonical address of this page and the relative
  // link from this page to the site root ("../../../"): each "../" climbs one folder.
  function basePathFrom(canonicalPath, rootHref) {
    var ups = (String(rootHref || '').match(/\.\.\//g) || []).length;
    var parts = String(canonicalPath || '/').split('/').filter(Boolean);
    parts = parts.slice(0, Math.max(0, parts.length - ups));
    return '/' + parts.map(function (p) { return p + '/'; }).join('');
  }

  // Which questions to ask: the facts in each visible step's `missing` list, at the first step (in
  // page order) that misses them, each once. pageSteps: [{step, courts}] in page order, `courts`
  // being the chosen courts the step is shown for. Within a step, facts keep the site's order
  // (facts.yml), so "In what capacity do you e-file?" comes before a question it makes moot.
  function questionsToAsk(pageSteps, evaluation, known) {
    var results = Object.create(null);
    ((evaluation && evaluation.courts) || []).forEach(function (c) {
      var byStep = Object.create(null);
      c.steps.forEach(function (s) { byStep[s.id] = s; });
      results[c.id] = byStep;
    });
    var order = (known && known.order) || [];
    function rank(id) { var i = order.indexOf(id); return i < 0 ? order.length : i; }
    var seen = Object.create(null);
    var out = [];
    pageSteps.forEach(function (ps, index) {
      ps.courts.forEach(function (court) {
        var r = results[court] && results[court][ps.step];
        if (!r || r.status !== 'needs-answers') return;
        var missing = r.missing.slice().sort(function (a, b) { return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0); });
        missing.forEach(function (id) {
          var fact = known && known.facts[id];
          var scope = fact ? fact.scope : 'person';
          var key = scope === 'court' ? id + '@' + court : id;
          if (seen[key]) return;
          seen[key] = true;
          out.push({ index: index, step: ps.step, fact: id, scope: scope, court: scope === 'court' ? court : null, key: key });
        });
      });
    });
    return out;
  }

  // --- Dates in a court's zone --------------------------------------------------------------------

  var formatters = Object.create(null);

  function zoneParts(ms, timeZone) {
    var f = formatters[timeZone];
    if (!f) {
      try {
        f = new Intl.DateTimeFormat('en-US', {
          timeZone: timeZone, calendar: 'gregory', numberingSystem: 'latn', year: 'numeric', month: 'long',
          day: 'numeric', hour: 'numeric', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
        });
      } catch (e) {
        return timeZone === 'UTC' ? {} : zoneParts(ms, 'UTC');
      }
      formatters[timeZone] = f;
    }
    var parts = {};
    f.formatToParts(new Date(ms)).forEach(function (p) { parts[p.type] = p.value; });
    return parts;
  }

  var MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

  function toMillis(t) { return typeof t === 'number' ? t : Date.parse(t); }

  // "March 30, 2020, 8:00 a.m. CDT", the way the build writes rules in English.
  function formatInstant(instant, timeZone) {
    var p = zoneParts(toMillis(instant), timeZone || 'UTC');
    var h = parseInt(p.hour, 10) % 24;
    var h12 = h % 12 === 0 ? 12 : h % 12;
    return p.month + ' ' + parseInt(p.day, 10) + ', ' + p.year + ', ' + h12 + ':' + p.minute + ' ' +
      (h < 12 ? 'a.m.' : 'p.m.') + (p.timeZoneName ? ' ' + p.timeZoneName : '');
  }

  // "May 1, 2012" for an answer "2012-05-01".
  function formatDate(s) {
    var m = DATE_RE.exec(s);
    return m ? MONTHS[+m[2] - 1] + ' ' + +m[3] + ', ' + +m[1] : String(s);
  }

  function dayNumber(ms, timeZone) {
    var p = zoneParts(ms, timeZone);
    return Math.round(Date.UTC(+p.year, MONTHS.indexOf(p.month), +p.day) / 86400000);
  }

  function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }

  // "in 3 days" (calendar days in the court's zone), "in 5 hours" on the day itself, or
  // "went live 2 days ago" / "went live today".
  function countdown(nowMs, atMs, timeZone) {
    var days = dayNumber(atMs, timeZone) - dayNumber(nowMs, timeZone);
    if (atMs > nowMs) {
      if (days >= 1) return 'in ' + plural(days, 'day');
      var minutes = Math.ceil((atMs - nowMs) / 60000);
      if (minutes >= 60) return 'in ' + plural(Math.round(minutes / 60), 'hour');
      return 'in ' + plural(minutes, 'minute');
    }
    if (days <= -1) return 'went live ' + plural(-days, 'day') + ' ago';
    return 'went live today';
  }

  function joinWords(list) {
    if (list.length <= 1) return list.join('');
    return list.slice(0, -1).join(', ') + ' and ' + list[list.length - 1];
  }

  // The text of a step's status badge (docs/checklist-ui.md). ctx: {timeZone, waitsFor: [titles],
  // dueAt: instant or null}.
  function statusText(result, ctx) {
    ctx = ctx || {};
    switch (result.status) {
      case 'done': return 'Done';
      case 'not-applicable': return 'Not applicable';
      case 'needs-answers': return 'Needs answers';
      case 'blocked':
        return ctx.waitsFor && ctx.waitsFor.length ? 'Blocked — waits for ' + joinWords(ctx.waitsFor) : 'Blocked — waits for earlier steps';
      case 'not-yet':
        // A day the court gave without a time is shown without one.
        if (result.opens_on) return 'Not yet — opens on ' + formatDate(result.opens_on);
        return result.opens_at ? 'Not yet — opens ' + formatInstant(result.opens_at, ctx.timeZone)
          : 'Not yet — opening date not announced';
      case 'todo':
        if (result.overdue) {
          if (ctx.dueDay) return 'To do — overdue since ' + formatDate(ctx.dueDay);
          return ctx.dueAt ? 'To do — overdue since ' + formatInstant(ctx.dueAt, ctx.timeZone) : 'To do — overdue';
        }
        return 'To do';
    }
    return 'Unknown';
  }

  var READINESS_WORDS = { 'action-needed': 'action needed', 'needs-answers': 'needs answers', ready: 'ready' };

  // Optional steps (marked by the page from the checklist) are never counted.
  function countStatuses(steps) {
    var n = { todo: 0, blocked: 0, 'needs-answers': 0, 'not-yet': 0, done: 0, 'not-applicable': 0 };
    steps.forEach(function (s) { if (!s.optional) n[s.status] = (n[s.status] || 0) + 1; });
    return n;
  }

  // "W.D. Wis. Bankruptcy Court: action needed, 2 steps to do"
  function courtSummary(name, courtResult) {
    var n = countStatuses(courtResult.steps);
    var parts = [];
    if (n.todo) parts.push(plural(n.todo, 'step') + ' to do');
    if (n.blocked) parts.push(n.blocked + ' blocked');
    if (n['needs-answers']) parts.push(n['needs-answers'] + (n['needs-answers'] === 1 ? ' needs' : ' need') + ' answers');
    if (!parts.length && n['not-yet']) parts.push(n['not-yet'] + ' not open yet');
    return name + ': ' + READINESS_WORDS[courtResult.readiness] + (parts.length ? ', ' + parts.join(', ') : '');
  }

  // Every fact a tree names (facts with a default are ticks, which have their own checkbox).
  function factsIn(tree, into) {
    if (!tree || typeof tree !== 'object') return into;
    if (own(tree, 'fact') && !tree['default'] && into.indexOf(tree.fact) < 0) into.push(tree.fact);
    (tree.args || []).forEach(function (a) { factsIn(a, into); });
    return into;
  }

  // An option in words: its label from facts.yml, else its id made readable.
  function humanOption(v, fact) {
    var i = fact && fact.options ? fact.options.indexOf(v) : -1;
    if (i >= 0 && fact.optionLabels && typeof fact.optionLabels[i] === 'string') return fact.optionLabels[i];
    return String(v).replace(/_/g, ' ');
  }

  function answerWords(fact, v) {
    if (fact.type === 'boolean') return v ? 'Yes' : 'No';
    if (fact.type === 'date') return formatDate(v);
    if (fact.type === 'choice') return humanOption(v, fact);
    return String(v);
  }

  var internals = {
    isDate: isDate, emptyAnswers: emptyAnswers, utf8Encode: utf8Encode, utf8Decode: utf8Decode,
    base64urlEncode: base64urlEncode, base64urlDecode: base64urlDecode, knownFrom: knownFrom,
    validateAnswers: validateAnswers, sanitizeStored: sanitizeStored, restrictToKnown: restrictToKnown,
    getAnswer: getAnswer, setAnswer: setAnswer, storageKey: storageKey, basePathFrom: basePathFrom,
    questionsToAsk: questionsToAsk, formatInstant: formatInstant, formatDate: formatDate, countdown: countdown,
    statusText: statusText, courtSummary: courtSummary, factsIn: factsIn, answerWords: answerWords,
  };
  G.GavelChecklistUI = { _internals: internals };

  // ---------------------------------------------------------------------------------------------
  // The page
  // ---------------------------------------------------------------------------------------------

  if (typeof document === 'undefined' || typeof window === 'undefined') return;

  var script = document.currentScript;

  function start() {
    var app = document.getElementById('checklist-app');
    var data = G.GAVEL_CHECKLISTS;
    var engine = G.GavelChecklistEngine;
    if (!app || !data || !engine || typeof engine.evaluate !== 'function') return;
    var checklists = Object.keys(data).map(function (k) { return data[k]; }).filter(function (c) { return c && c.court && c.court.id; });
    if (!checklists.length) return;
    try {
      new ChecklistPage(app, checklists, engine).init();
    } catch (e) {
      // Whatever went wrong, the static checklist stays whole and usable.
      app.hidden = true;
      var cards = document.querySelector('.checklist-courts');
      if (cards) cards.hidden = false;
      throw e;
    }
  }

  function rootHref(app) {
    var attr = app.getAttribute('data-root');
    if (attr !== null) return attr.replace(/index\.html$/, '');
    var src = script && script.getAttribute('src');
    return src ? src.replace(/assets\/[^/]*$/, '') : '';
  }

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'text') el.textContent = v;
        else if (k === 'className') el.className = v;
        else el.setAttribute(k, v === true ? '' : v);
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return el;
  }

  function idPart(s) { return String(s).replace(/[^A-Za-z0-9_-]/g, '-'); }

  function ChecklistPage(app, checklists, engine) {
    this.app = app;
    this.checklists = checklists;
    this.engine = engine;
    this.byCourt = Object.create(null);
    checklists.forEach(function (c) { this.byCourt[c.court.id] = c; }, this);
    this.known = knownFrom(checklists);
    var page = app.getAttribute('data-page');
    this.isAll = page ? page === 'all' : checklists.length > 1;
    this.root = rootHref(app);
    this.offlineLinks = /index\.html$/.test(app.getAttribute('data-root') || '') || location.protocol === 'file:';
    var canonical = document.querySelector('link[rel="canonical"]');
    var canonicalPath = '/';
    try { canonicalPath = canonical ? new URL(canonical.getAttribute('href'), location.href).pathname : '/'; } catch (e) { /* keep "/" */ }
    this.key = storageKey(canonical ? basePathFrom(canonicalPath, this.root) : new URL(this.root || './', location.href).pathname);
    this.storageOK = true;
    this.doc = this.load();
    this.questions = Object.create(null); // key -> {node, inputs}
    this.pendingRadio = null;
    this.holdOpen = null;
    this.arrowKey = false;
  }

  ChecklistPage.prototype.init = function () {
    var self = this;
    this.collectSteps();
    this.buildApp();
    var courtsSection = document.querySelector('.checklist-courts');
    if (courtsSection) courtsSection.hidden = true; // the readiness summary below replaces the cards
    this.app.hidden = false;
    this.status = document.getElementById('checklist-status');
    if (!this.applyFragment(true)) this.render({ announce: 'initial' });
    document.addEventListener('change', function (e) { self.onChange(e); });
    document.addEventListener('click', function (e) { self.onClick(e); });
    document.addEventListener('keydown', function (e) { self.onKeydown(e); });
    document.addEventListener('focusout', function (e) { self.onFocusout(e); });
    window.addEventListener('storage', function (e) {
      if (e.key === self.key) { self.doc = self.load(); self.render({}); }
    });
    window.addEventListener('hashchange', function () { self.applyFragment(false); });
    // Countdowns and steps that open at go-live move with the clock.
    setInterval(function () { self.render({ quiet: true }); }, 60000);
    registerServiceWorker(this.root);
  };

  // --- storage ------------------------------------------------------------------------------------

  ChecklistPage.prototype.load = function () {
    try {
      var raw = G.localStorage.getItem(this.key);
      return raw ? sanitizeStored(JSON.parse(raw)) : emptyAnswers();
    } catch (e) {
      if (e && e.name === 'SecurityError') this.storageOK = false;
      return emptyAnswers();
    }
  };

  ChecklistPage.prototype.save = function () {
    try {
      G.localStorage.setItem(this.key, JSON.stringify(this.doc));
      this.storageOK = true;
    } catch (e) {
      this.storageOK = false;
    }
    if (this.storageNote) this.storageNote.hidden = this.storageOK;
  };

  // --- the steps already on the page --------------------------------------------------------------

  ChecklistPage.prototype.collectSteps = function () {
    var self = this;
    this.steps = Array.prototype.map.call(document.querySelectorAll('li.checklist-step'), function (li) {
      var stepId = li.getAttribute('data-step');
      var courts = (li.getAttribute('data-court') || '').split(/\s+/).filter(function (c) { return self.byCourt[c]; });
      var first = courts[0] || '';
      li.id = li.id || 'step-' + idPart(first) + '-' + idPart(stepId);
      var title = li.querySelector('.checklist-step__title');
      if (title && !title.id) title.id = li.id + '-title';
      var status = li.querySelector('.status');
      if (!status) {
        status = h('p', { className: 'status' }, [h('span', { className: 'status__label', text: 'Status:' }), ' ', h('span', { className: 'status__text' })]);
        li.insertBefore(status, title ? title.nextSibling : li.firstChild);
      }
      status.id = li.id + '-status';
      status.setAttribute('tabindex', '-1');
      var statusText = status.querySelector('.status__text') || status;
      var ui = h('div', { className: 'step-ui' });
      var detail = h('p', { className: 'step-ui__detail', hidden: true });
      var questions = h('div', { className: 'step-ui__questions' });
      var tickBox = h('div', { className: 'step-ui__tick', hidden: true });
      var given = h('div', { className: 'step-ui__given', hidden: true });
      ui.appendChild(detail);
      ui.appendChild(questions);
      ui.appendChild(tickBox);
      ui.appendChild(given);
      status.parentNode.insertBefore(ui, status.nextSibling);
      var courtsText = li.querySelector('.checklist-step__courts');
      return {
        li: li, id: stepId, courts: courts, titleEl: title, titleText: title ? title.textContent.trim() : stepId,
        statusEl: status, statusText: statusText, detail: detail, questions: questions, tickBox: tickBox, given: given,
        courtsEl: courtsText, courtsOriginal: courtsText ? courtsText.textContent : '',
      };
    });
  };

  // --- the controls above the steps ---------------------------------------------------------------

  ChecklistPage.prototype.buildApp = function () {
    var self = this;
    var app = this.app;
    while (app.firstChild) app.removeChild(app.firstChild);
    if (this.isAll) {
      var boxes = this.checklists.map(function (c) {
        var id = 'court-choice-' + idPart(c.court.id);
        return h('div', { className: 'choice' }, [
          h('input', { type: 'checkbox', id: id, name: 'court', value: c.court.id }),
          h('label', { 'for': id, text: c.court.name + (c.court.short_name && c.court.short_name !== c.court.name ? ' (' + c.court.short_name + ')' : '') }),
        ]);
      });
      this.chooser = h('fieldset', { id: 'court-chooser', className: 'court-chooser' },
        [h('legend', { text: 'In which courts do you file?' }),
          h('p', { className: 'court-chooser__hint', id: 'court-chooser-hint', text: 'Choose each court you e-file in. Steps for your PACER account are shown once and count for all of them.' })]
          .concat(boxes));
      app.appendChild(this.chooser);
    }
    this.readiness = h('section', { className: 'readiness', 'aria-labelledby': 'readiness-heading' }, [
      h('h2', { id: 'readiness-heading', text: 'Where you stand' }),
    ]);
    this.readinessBody = h('div', { className: 'readiness__body' });
    this.readiness.appendChild(this.readinessBody);
    app.appendChild(this.readiness);

    var toolsHeading = h('h2', { id: 'checklist-tools-heading', text: 'Your answers' });
    this.importMessage = h('p', { id: 'import-message', className: 'import-message', role: 'alert' });
    this.shareResult = h('div', { id: 'share-result', className: 'share-result', hidden: true });
    this.storageNote = h('p', { className: 'storage-note', hidden: this.storageOK,
      text: 'This browser does not let the page keep your answers, so they will be lost when you leave. Export them to a file to keep them.' });
    var tools = h('section', { id: 'checklist-tools', className: 'checklist-tools', 'aria-labelledby': 'checklist-tools-heading' }, [
      toolsHeading,
      h('p', { className: 'checklist-tools__note', text: 'Your answers stay in this browser. Nothing is sent anywhere. To move them to another computer, export them to a file or share a link that holds them.' }),
      this.storageNote,
      h('div', { className: 'checklist-tools__row' }, [
        h('button', { type: 'button', id: 'export-answers', text: 'Export answers' }),
        h('span', { className: 'file-picker' }, [
          h('label', { 'for': 'import-answers', className: 'file-picker__label', text: 'Import answers from a file' }),
          h('input', { type: 'file', id: 'import-answers', accept: '.json,application/json' }),
        ]),
        h('button', { type: 'button', id: 'share-answers', text: 'Share a link with your answers' }),
        h('button', { type: 'button', id: 'forget-answers', className: 'button--secondary', text: 'Forget my answers' }),
      ]),
      this.importMessage,
      this.shareResult,
    ]);
    app.appendChild(tools);
    var fileInput = tools.querySelector('#import-answers');
    fileInput.addEventListener('change', function () { self.importFile(fileInput); });
  };

  // --- state --------------------------------------------------------------------------------------

  ChecklistPage.prototype.chosenCourts = function () {
    if (!this.isAll) return this.checklists.map(function (c) { return c.court.id; });
    var wanted = this.doc.courts;
    return this.checklists.map(function (c) { return c.court.id; }).filter(function (id) { return wanted.indexOf(id) >= 0; });
  };

  ChecklistPage.prototype.now = function () { return new Date().getTime(); };

  ChecklistPage.prototype.evaluate = function (courts) {
    var self = this;
    var lists = courts.map(function (c) { return self.byCourt[c]; });
    var result = this.engine.evaluate(lists, this.doc, new Date(this.now()).toISOString());
    var map = Object.create(null);
    result.courts.forEach(function (c) {
      var steps = Object.create(null);
      c.steps.forEach(function (s) {
        var def = self.stepDef(c.id, s.id);
        if (def && def.optional) s.optional = true; // for the page's counts; the engine already leaves it out of readiness
        steps[s.id] = s;
      });
      map[c.id] = { result: c, steps: steps };
    });
    return { raw: result, byCourt: map };
  };

  ChecklistPage.prototype.stepDef = function (court, stepId) {
    var c = this.byCourt[court];
    if (!c) return null;
    for (var i = 0; i < c.steps.length; i++) if (c.steps[i].id === stepId) return c.steps[i];
    return null;
  };

  // The instant a date-time rule of a step gives: null when unknown, undefined when it cannot be evaluated.
  ChecklistPage.prototype.ruleInstant = function (court, rule) {
    var v = this.ruleValue(court, rule);
    return v === undefined ? undefined : v && v.instant ? v.instant : null;
  };

  // The rule's value in its one-key form ({"instant", "day"} for a day given without a time).
  ChecklistPage.prototype.ruleValue = function (court, rule) {
    try {
      return this.engine.evaluateRule(rule, { checklist: this.byCourt[court], answers: this.doc, now: new Date(this.now()).toISOString() });
    } catch (e) {
      return undefined;
    }
  };

  // When a step opens: an instant, null when unknown, undefined when it has no opening rule.
  ChecklistPage.prototype.opensAt = function (court, step) {
    if (!step || !step.available_from || typeof this.engine.evaluateRule !== 'function') return undefined;
    return this.ruleInstant(court, step.available_from);
  };

  ChecklistPage.prototype.dueAt = function (court, step) {
    if (!step || !step.due_by || typeof this.engine.evaluateRule !== 'function') return null;
    var at = this.ruleInstant(court, step.due_by);
    return at === undefined ? null : at;
  };

  // --- rendering ----------------------------------------------------------------------------------

  ChecklistPage.prototype.render = function (opts) {
    opts = opts || {};
    var self = this;
    var active = document.activeElement;
    var activeStep = active && active.closest ? active.closest('li.checklist-step') : null;
    var chosen = this.chosenCourts();
    var ev = this.evaluate(chosen);
    var nowMs = this.now();
    this.lastEval = ev;

    if (this.chooser) {
      Array.prototype.forEach.call(this.chooser.querySelectorAll('input[name="court"]'), function (box) {
        box.checked = chosen.indexOf(box.value) >= 0;
      });
    }

    var pageSteps = [];
    var visible = [];
    this.steps.forEach(function (s) {
      var courts = chosen.filter(function (c) { return s.courts.indexOf(c) >= 0; });
      s.visibleCourts = courts;
      s.li.hidden = courts.length === 0;
      if (!courts.length) return;
      pageSteps.push({ step: s.id, courts: courts });
      visible.push(s);
      self.renderStatus(s, ev, nowMs);
    });

    var asked = questionsToAsk(pageSteps, ev.raw, this.known);
    this.renderQuestions(visible, asked, chosen.length > 1);
    visible.forEach(function (s) { self.renderTick(s); self.renderGiven(s, asked); });
    this.renderReadiness(chosen, ev, nowMs);
    if (this.shareResult && !this.shareResult.hidden) this.share(false);

    // Focus stays where it was; if the control that had it went away (an answered question), it
    // moves to the status of the step it belonged to, which now says what the answer changed.
    if (opts.focus) {
      opts.focus.focus();
    } else if (active && active !== document.body && activeStep && !activeStep.hidden && lostFocus()) {
      var st = activeStep.querySelector('.status');
      if (st) st.focus();
    }

    if (!opts.quiet) this.announce(chosen, ev, opts.announce);
  };

  function lostFocus() {
    var el = document.activeElement;
    return !el || el === document.body || !document.contains(el) || !!el.closest('[hidden]');
  }

  ChecklistPage.prototype.renderStatus = function (s, ev, nowMs) {
    var self = this;
    var court = s.visibleCourts[0];
    var r = ev.byCourt[court] && ev.byCourt[court].steps[s.id];
    if (!r) return;
    var def = this.stepDef(court, s.id);
    var checklist = this.byCourt[court];
    var tz = checklist.court.timezone;
    var waitsFor = [];
    if (r.status === 'blocked' && def) {
      (def.requires || []).forEach(function (req) {
        var rr = ev.byCourt[court].steps[req];
        if (rr && rr.status !== 'done' && rr.status !== 'not-applicable') {
          var d = self.stepDef(court, req);
          waitsFor.push(d ? d.title : req);
        }
      });
    }
    var due = r.status === 'todo' ? this.dueAt(court, def) : null;
    var dueValue = r.status === 'todo' && def && def.due_by ? this.ruleValue(court, def.due_by) : null;
    var dueDay = dueValue && dueValue.day ? dueValue.day : null;
    var text = statusText(r, { timeZone: tz, waitsFor: waitsFor, dueAt: due, dueDay: dueDay });
    // A step done once for several courts whose courts judge it differently (one court's own
    // deadline or window): each court's status is listed.
    if (s.visibleCourts.length > 1) {
      var each = s.visibleCourts.map(function (c) {
        var cr = ev.byCourt[c] && ev.byCourt[c].steps[s.id];
        if (!cr) return null;
        var cd = self.stepDef(c, s.id);
        var cdue = cr.status === 'todo' ? self.dueAt(c, cd) : null;
        var cv = cr.status === 'todo' && cd && cd.due_by ? self.ruleValue(c, cd.due_by) : null;
        return { court: c, text: statusText(cr, { timeZone: self.byCourt[c].court.timezone, dueAt: cdue, dueDay: cv && cv.day ? cv.day : null }) };
      }).filter(Boolean);
      if (each.some(function (e) { return e.text !== each[0].text; })) {
        text = each.map(function (e) { return self.byCourt[e.court].court.short_name + ': ' + e.text; }).join('; ');
      }
    }
    s.li.setAttribute('data-status', r.status);
    s.li.setAttribute('data-overdue', r.overdue ? 'true' : 'false');
    s.statusEl.setAttribute('data-status', r.status);
    if (s.statusText.textContent !== text) s.statusText.textContent = text;
    s.statusEl.classList.toggle('status--overdue', !!r.overdue);

    var detail = '';
    if (r.status === 'todo' && due && !r.overdue) detail = 'Due by ' + (dueDay ? formatDate(dueDay) : formatInstant(due, tz)) + ' (' + countdown(nowMs, toMillis(due), tz) + ').';
    else if (r.status === 'needs-answers') detail = r.missing.length === 1 ? 'Answer the question below to settle this step.' : 'Answer the questions below to settle this step.';
    else if (r.status === 'not-yet' && r.opens_at) detail = 'It opens ' + countdown(nowMs, toMillis(r.opens_at), tz) + '. Until then there is nothing to do here.';
    else if (r.status === 'not-yet') detail = 'It opens when the court announces its go-live date.';
    else if (r.status === 'not-applicable') detail = 'From your answers, you do not need this step.';
    else if (r.status === 'blocked') {
      var opens = this.opensAt(court, def);
      if (opens === null) detail = 'It also opens only once the court announces its go-live date.';
      else if (opens && toMillis(opens) > nowMs) detail = 'It also opens only on ' + formatInstant(opens, tz) + ' (' + countdown(nowMs, toMillis(opens), tz) + ').';
    }
    if (s.detail.textContent !== detail) s.detail.textContent = detail;
    s.detail.hidden = !detail;

    if (s.courtsEl && this.isAll) {
      var names = s.visibleCourts.map(function (c) { return self.byCourt[c].court.short_name || c; });
      var t = 'For: ' + names.join(', ');
      if (s.courtsEl.textContent !== t) s.courtsEl.textContent = t;
    }
  };

  // Questions live in the step they decide. One that is no longer asked (answered, or moot) stays
  // in the page, hidden, holding its answer: the control a person just used does not vanish under
  // them, and "Change" brings the same question back.
  ChecklistPage.prototype.renderQuestions = function (visible, asked, manyCourts) {
    var self = this;
    var wanted = Object.create(null);
    asked.forEach(function (q) { wanted[q.key] = q; });
    Object.keys(this.questions).forEach(function (key) {
      var entry = self.questions[key];
      if (!wanted[key] && entry !== self.holdOpen) {
        entry.node.hidden = true;
        if (self.pendingRadio === entry) self.pendingRadio = null;
      }
      self.syncQuestion(entry);
    });
    var perStep = visible.map(function () { return []; });
    asked.forEach(function (q) { perStep[q.index].push(q); });
    visible.forEach(function (s, i) {
      var container = s.questions;
      var shown = perStep[i].map(function (q) {
        var entry = self.questions[q.key];
        if (!entry) {
          entry = self.questions[q.key] = self.buildQuestion(q);
          self.syncQuestion(entry);
        }
        self.updateQuestionLegend(entry, q, manyCourts);
        entry.node.hidden = false;
        return entry.node;
      });
      var resting = Array.prototype.filter.call(container.children, function (n) { return shown.indexOf(n) < 0; });
      if (self.holdOpen && resting.indexOf(self.holdOpen.node) >= 0) {
        // Still being edited: it keeps its place among the questions.
        var at = Array.prototype.indexOf.call(container.children, self.holdOpen.node);
        resting.splice(resting.indexOf(self.holdOpen.node), 1);
        shown.splice(Math.min(at, shown.length), 0, self.holdOpen.node);
      }
      // In order, moving only nodes that are out of place (moving a node takes its focus away).
      shown.concat(resting).forEach(function (node, j) {
        if (container.children[j] !== node) {
          var hadFocus = node.contains(document.activeElement) ? document.activeElement : null;
          container.insertBefore(node, container.children[j] || null);
          if (hadFocus) hadFocus.focus();
        }
      });
      container.hidden = !shown.some(function (n) { return !n.hidden; });
    });
  };

  // The controls show the stored answer, except one a person is using right now.
  ChecklistPage.prototype.syncQuestion = function (entry) {
    if (entry === this.pendingRadio) return;
    var value = getAnswer(this.doc, entry.fact.id, entry.court);
    entry.inputs.forEach(function (input) {
      if (input.type === 'radio') {
        input.checked = value !== undefined && String(value) === input.value;
      } else if (input !== document.activeElement) {
        var text = value === undefined ? '' : String(value);
        if (input.value !== text) input.value = text;
      }
    });
    if (entry.error && !entry.node.contains(document.activeElement)) {
      entry.error.hidden = true;
      entry.error.textContent = '';
    }
  };

  ChecklistPage.prototype.buildQuestion = function (q) {
    var fact = this.known.facts[q.fact] || { id: q.fact, type: 'text', question: q.fact, help: '', options: [] };
    var base = 'q-' + (q.court ? idPart(q.court) + '-' : '') + idPart(q.fact);
    var helpId = base + '-help';
    var help = fact.help ? h('p', { className: 'question__help', id: helpId, text: fact.help }) : null;
    var common = { 'data-fact': q.fact, 'data-court': q.court || null, 'aria-describedby': help ? helpId : null };
    var node, title, inputs, error;
    if (fact.type === 'boolean' || fact.type === 'choice') {
      var options = fact.type === 'boolean' ? [['true', 'Yes'], ['false', 'No']] : fact.options.map(function (o) { return [o, humanOption(o, fact)]; });
      title = h('legend', { className: 'question__text' });
      inputs = [];
      var list = h('div', { className: 'question__options' + (fact.type === 'boolean' ? ' question__options--inline' : '') },
        options.map(function (o, i) {
          var id = base + '-' + i;
          var input = h('input', Object.assign({ type: 'radio', id: id, name: base, value: o[0] }, common));
          inputs.push(input);
          return h('div', { className: 'choice' }, [input, h('label', { 'for': id, text: o[1] })]);
        }));
      node = h('fieldset', { className: 'question', id: base }, [title, help, list]);
    } else {
      var type = fact.type === 'date' ? 'date' : fact.type === 'number' ? 'number' : 'text';
      var attrs = Object.assign({ type: type, id: base + '-input', className: 'question__input' }, common);
      if (type === 'date') { attrs.min = '1900-01-01'; attrs.max = '2100-12-31'; }
      if (type === 'number') attrs.step = 'any';
      var input = h('input', attrs);
      inputs = [input];
      title = h('label', { className: 'question__text', 'for': input.id });
      error = h('p', { className: 'question__error', id: base + '-error', role: 'alert', hidden: true });
      node = h('div', { className: 'question', id: base }, [title, help, h('div', { className: 'question__field' }, [input]), error]);
    }
    node.setAttribute('data-question', q.key);
    return { node: node, title: title, inputs: inputs, fact: fact, court: q.court, key: q.key, legendText: null, error: error || null };
  };

  ChecklistPage.prototype.updateQuestionLegend = function (entry, q, manyCourts) {
    var court = q.court && manyCourts ? this.byCourt[q.court] : null;
    var text = entry.fact.question + (court ? ' (' + (court.court.short_name || court.court.id) + ')' : '');
    if (entry.legendText !== text) {
      entry.title.textContent = text;
      entry.legendText = text;
    }
  };

  ChecklistPage.prototype.renderTick = function (s) {
    var court = s.visibleCourts[0];
    var def = this.stepDef(court, s.id);
    var box = s.tickBox;
    if (!def || !def.tick) { box.hidden = true; return; }
    var scopeCourt = def.scope === 'court' ? court : null;
    var input = box.querySelector('input[data-tick]');
    if (!input) {
      var id = s.li.id + '-tick';
      input = h('input', { type: 'checkbox', id: id, 'data-tick': def.tick, 'data-court': scopeCourt, 'aria-describedby': s.titleEl ? s.titleEl.id : null });
      box.appendChild(h('div', { className: 'choice choice--tick' }, [input, h('label', { 'for': id, text: 'I have done this' })]));
    }
    input.checked = getAnswer(this.doc, def.tick, scopeCourt) === true;
    box.hidden = false;
  };

  // "Your answers" under a step: what decided it, each with a button to answer again.
  ChecklistPage.prototype.renderGiven = function (s, asked) {
    var self = this;
    var court = s.visibleCourts[0];
    var def = this.stepDef(court, s.id);
    var ids = [];
    if (def) ['applies_if', 'done_if', 'available_from', 'due_by'].forEach(function (k) { factsIn(def[k], ids); });
    var items = [];
    ids.forEach(function (id) {
      var fact = self.known.facts[id];
      if (!fact || fact.tick) return;
      var c = fact.scope === 'court' ? court : null;
      var v = getAnswer(self.doc, id, c);
      if (v === undefined || !valueFits(fact, v)) return;
      var label = fact.question;
      items.push(h('li', null, [
        h('span', { className: 'given__q', text: label + ' ' }),
        h('strong', { className: 'given__a', text: answerWords(fact, v) }), ' ',
        h('button', { type: 'button', className: 'button--link', 'data-change-fact': id, 'data-change-court': c },
          ['Change', h('span', { className: 'visually-hidden', text: ' your answer to: ' + label })]),
      ]));
    });
    var box = s.given;
    var list = items.length ? h('ul', { className: 'given__list' }, items) : null;
    var sig = list ? list.outerHTML : '';
    if (box.getAttribute('data-sig') === sig) return;
    var hadFocus = box.contains(document.activeElement) ? document.activeElement.getAttribute('data-change-fact') : null;
    while (box.firstChild) box.removeChild(box.firstChild);
    if (list) {
      box.appendChild(h('p', { className: 'given__title', text: 'Your answers for this step:' }));
      box.appendChild(list);
      if (hadFocus) {
        var again = box.querySelector('[data-change-fact="' + hadFocus + '"]');
        if (again) again.focus();
      }
    }
    box.setAttribute('data-sig', sig);
    box.hidden = !list;
  };

  ChecklistPage.prototype.stepHref = function (court, stepId) {
    for (var i = 0; i < this.steps.length; i++) {
      var s = this.steps[i];
      if (s.id === stepId && s.courts.indexOf(court) >= 0) return '#' + s.li.id;
    }
    return null;
  };

  ChecklistPage.prototype.courtHref = function (id) {
    return this.root + 'courts/' + id + '/' + (this.offlineLinks ? 'index.html' : '');
  };

  ChecklistPage.prototype.renderReadiness = function (chosen, ev, nowMs) {
    var self = this;
    var body;
    if (!chosen.length) {
      body = h('div', { className: 'readiness__body' }, [
        h('p', { className: 'readiness__empty', text: 'Choose at least one court above to see what you need to do for it.' }),
      ]);
    } else {
      body = h('ul', { className: 'readiness__body readiness-list' }, chosen.map(function (id) { return self.courtReadiness(id, ev, nowMs); }));
    }
    // Rebuilt only when something changed, so a focused link in it keeps its focus.
    if (this.readinessBody.outerHTML === body.outerHTML) return;
    var focusedHref = this.readinessBody.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
    this.readiness.replaceChild(body, this.readinessBody);
    this.readinessBody = body;
    if (focusedHref) {
      var link = body.querySelector('a[href="' + focusedHref.replace(/"/g, '\\"') + '"]');
      if (link) link.focus();
    }
  };

  ChecklistPage.prototype.courtReadiness = function (id, ev, nowMs) {
    var self = this;
    var checklist = this.byCourt[id];
    var court = checklist.court;
    var tz = court.timezone;
    var res = ev.byCourt[id].result;
    var goLive = court.fields && court.fields.go_live && court.fields.go_live.instant;
    var liveMs = goLive ? toMillis(goLive) : null;
    var before = liveMs !== null && nowMs < liveMs;
    var n = countStatuses(res.steps);
    var words = { 'action-needed': 'Action needed', 'needs-answers': 'Needs answers', ready: 'Ready' }[res.readiness];
    var settled = n.done + n['not-applicable'];

    function link(step) {
      var def = self.stepDef(id, step.id);
      var href = self.stepHref(id, step.id);
      var title = def ? def.title : step.id;
      return href ? h('a', { href: href, text: title }) : document.createTextNode(title);
    }
    function group(title, steps, note) {
      if (!steps.length) return null;
      return h('div', { className: 'readiness__group' }, [
        h('h4', { className: 'readiness__group-title', text: title }),
        h('ul', null, steps.map(function (s) {
          var extra = note ? note(s) : '';
          return h('li', null, [link(s), extra ? ' — ' + extra : null]);
        })),
      ]);
    }
    // A blocked step that has not opened yet belongs with what opens later, not with what to do now.
    var opens = Object.create(null);
    res.steps.forEach(function (s) {
      if (s.status === 'not-yet') opens[s.id] = s.opens_at;
      else if (s.status === 'blocked') {
        var at = self.opensAt(id, self.stepDef(id, s.id));
        if (at !== undefined && (at === null || toMillis(at) > nowMs)) opens[s.id] = at;
      }
    });
    var todo = res.steps.filter(function (s) { return s.status === 'todo'; });
    var blocked = res.steps.filter(function (s) { return s.status === 'blocked' && !own(opens, s.id); });
    var questions = res.steps.filter(function (s) { return s.status === 'needs-answers'; });
    var notYet = res.steps.filter(function (s) { return own(opens, s.id); });
    var atGoLive = notYet.filter(function (s) { return liveMs !== null && opens[s.id] && toMillis(opens[s.id]) === liveMs; });
    var later = notYet.filter(function (s) { return atGoLive.indexOf(s) < 0; });
    function waits(s) {
      return ((self.stepDef(id, s.id) || {}).requires || []).filter(function (r) {
        var rr = ev.byCourt[id].steps[r];
        return rr && rr.status !== 'done' && rr.status !== 'not-applicable';
      }).map(function (r) { var d = self.stepDef(id, r); return d ? d.title : r; });
    }

    var stateText = [];
    if (n.todo) stateText.push(plural(n.todo, 'step') + ' to do');
    if (n.blocked) stateText.push(n.blocked + ' waiting for other steps');
    if (n['needs-answers']) stateText.push(n['needs-answers'] + (n['needs-answers'] === 1 ? ' needs' : ' need') + ' your answers');
    stateText.push(settled + ' of ' + res.steps.length + ' done or not needed');

    var goLiveLine;
    if (goLive) {
      goLiveLine = h('p', { className: 'readiness__go-live' }, [
        'Go-live: ', h('time', { datetime: goLive, text: formatInstant(goLive, tz) }), ' (' + countdown(nowMs, liveMs, tz) + ')',
      ]);
    } else {
      goLiveLine = h('p', { className: 'readiness__go-live', text: 'Go-live: not yet announced.' });
    }
    var nowTitle = before ? 'Before go-live' : 'To do now';
    return h('li', { className: 'readiness-court', 'data-readiness-court': id, 'data-readiness': res.readiness }, [
      h('h3', { className: 'readiness-court__name' }, [h('a', { href: this.courtHref(id), text: court.name })]),
      h('p', { className: 'readiness-court__state' }, [
        h('strong', { className: 'readiness-badge', text: words }), ': ' + stateText.join(', ') + '.',
      ]),
      goLiveLine,
      group(nowTitle, todo.concat(blocked).sort(function (a, b) { return res.steps.indexOf(a) - res.steps.indexOf(b); }), function (s) {
        if (s.status === 'blocked') return 'after ' + joinWords(waits(s));
        if (s.overdue) return 'overdue';
        var due = self.dueAt(id, self.stepDef(id, s.id));
        return due ? (toMillis(due) === liveMs ? 'due by go-live' : 'due by ' + formatInstant(due, tz)) : '';
      }),
      group('Questions to answer first', questions, null),
      group('Opens at go-live', atGoLive, function (s) {
        return s.status === 'blocked' ? 'first finish ' + joinWords(waits(s)) : '';
      }),
      group(goLive ? 'Opens later' : 'Opens once the court sets its go-live date', later, function (s) {
        var parts = [];
        if (opens[s.id]) parts.push('opens ' + formatInstant(opens[s.id], tz));
        if (s.status === 'blocked') parts.push('first finish ' + joinWords(waits(s)));
        return parts.join('; ');
      }),
    ]);
  };

  ChecklistPage.prototype.announce = function (chosen, ev, kind) {
    if (!this.status) return;
    var self = this;
    var text;
    if (!chosen.length) text = 'Choose a court to see its steps.';
    else text = chosen.map(function (id) {
      return courtSummary(self.byCourt[id].court.short_name || self.byCourt[id].court.name, ev.byCourt[id].result);
    }).join('. ') + '.';
    if (typeof kind === 'string' && kind !== 'initial') text = kind + ' ' + text;
    if (this.status.textContent !== text) this.status.textContent = text;
  };

  // --- events -------------------------------------------------------------------------------------

  ChecklistPage.prototype.update = function (doc, opts) {
    this.doc = doc;
    this.save();
    this.render(opts || {});
  };

  ChecklistPage.prototype.questionFor = function (el) {
    var node = el.closest && el.closest('[data-question]');
    return node ? this.questions[node.getAttribute('data-question')] : null;
  };

  // Records an answer from a question's control. `report` shows what is wrong with a value that
  // cannot be saved (when the person leaves the field or presses Enter, not at every keystroke).
  ChecklistPage.prototype.commit = function (entry, raw, report) {
    var fact = entry.fact;
    var value;
    if (fact.type === 'boolean') value = raw === 'true' ? true : raw === 'false' ? false : undefined;
    else if (fact.type === 'number') value = raw === '' || raw === null ? undefined : Number(raw);
    else if (fact.type === 'date') value = raw;
    else value = raw;
    var problem = null;
    if (fact.type === 'text' && typeof value === 'string' && !value.trim()) return false;
    if (value === undefined || raw === '' || !valueFits(fact, value)) {
      problem = raw === '' || raw === undefined ? null : fact.type === 'number' ? 'Enter a number.' : fact.type === 'date' ? 'Enter a whole date, for example 05/01/2012.' : null;
    } else if (fact.type === 'date' && (+value.slice(0, 4) < 1900 || +value.slice(0, 4) > 2100)) {
      problem = 'Enter a date with a four-digit year between 1900 and 2100.';
    } else problem = false;
    if (problem !== false) {
      if (problem && report && entry.error) {
        entry.error.textContent = problem;
        entry.error.hidden = false;
      }
      return false;
    }
    if (entry.error) { entry.error.hidden = true; entry.error.textContent = ''; }
    // A field keeps its question open while the person is still in it (they may be correcting a
    // date); it closes when they leave. A radio group closes at once.
    this.holdOpen = entry.inputs[0].type !== 'radio' && entry.node.contains(document.activeElement) ? entry : null;
    var doc = setAnswer(this.doc, fact.id, entry.court, value);
    if (!this.isAll) doc = this.withCourt(doc);
    if (JSON.stringify(doc) === JSON.stringify(this.doc)) return true;
    this.update(doc, { announce: 'Answer saved.' });
    return true;
  };

  // Answering on one court's page means that court matters to you: it joins your courts.
  ChecklistPage.prototype.withCourt = function (doc) {
    this.checklists.forEach(function (c) { if (doc.courts.indexOf(c.court.id) < 0) doc.courts.push(c.court.id); });
    return doc;
  };

  ChecklistPage.prototype.onChange = function (e) {
    var t = e.target;
    if (!t || !t.getAttribute) return;
    if (t.name === 'court' && this.chooser && this.chooser.contains(t)) {
      var ids = this.checklists.map(function (c) { return c.court.id; });
      var doc = JSON.parse(JSON.stringify(this.doc));
      var keep = doc.courts.filter(function (c) { return ids.indexOf(c) < 0; }); // courts other pages know
      var boxes = this.chooser.querySelectorAll('input[name="court"]');
      var picked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).map(function (b) { return b.value; });
      doc.courts = picked.concat(keep);
      var name = this.byCourt[t.value] ? this.byCourt[t.value].court.short_name : t.value;
      this.update(doc, { announce: name + (t.checked ? ' added to' : ' removed from') + ' your courts.' });
      return;
    }
    if (t.hasAttribute('data-tick')) {
      var court = t.getAttribute('data-court') || null;
      var next = setAnswer(this.doc, t.getAttribute('data-tick'), court, t.checked ? true : undefined);
      if (!this.isAll) next = this.withCourt(next);
      this.update(next, { announce: t.checked ? 'Marked as done.' : 'No longer marked as done.' });
      return;
    }
    if (t.hasAttribute('data-fact')) {
      var entry = this.questionFor(t);
      if (!entry) return;
      if (t.type === 'radio') {
        if (this.arrowKey) {
          // Arrow keys move through the options: save when the reader settles (Enter, Space or
          // leaving the question), not at every option passed on the way.
          this.pendingRadio = entry;
          return;
        }
        this.pendingRadio = null;
        this.commit(entry, t.value);
        return;
      }
      // A date field reports a change at every digit of its year: commit() takes only a
      // plausible year, and the question stays open until the person leaves it.
      this.commit(entry, t.value, t !== document.activeElement);
    }
  };

  ChecklistPage.prototype.onKeydown = function (e) {
    var t = e.target;
    if (!t || !t.hasAttribute || !t.hasAttribute('data-fact')) return;
    var self = this;
    if (t.type === 'radio') {
      if (/^Arrow/.test(e.key)) {
        this.arrowKey = true;
        setTimeout(function () { self.arrowKey = false; }, 0);
      } else if ((e.key === 'Enter' || e.key === ' ') && t.checked) {
        var entry = this.questionFor(t);
        if (entry) {
          e.preventDefault();
          this.pendingRadio = null;
          this.commit(entry, t.value);
        }
      }
    } else if (e.key === 'Enter') {
      var q = this.questionFor(t);
      if (q) {
        e.preventDefault();
        this.commit(q, t.value, true);
      }
    }
  };

  ChecklistPage.prototype.onFocusout = function (e) {
    var t = e.target;
    var self = this;
    if (t && t.hasAttribute && t.hasAttribute('data-fact') && t.type !== 'radio') {
      var entry = this.questionFor(t);
      if (!entry || (e.relatedTarget && entry.node.contains(e.relatedTarget))) return;
      setTimeout(function () {
        if (entry.node.contains(document.activeElement)) return;
        if (t.value !== '') self.commit(entry, t.value, true);
        if (self.holdOpen === entry) {
          self.holdOpen = null;
          self.render({ quiet: true });
        }
      }, 0);
      return;
    }
    var p = this.pendingRadio;
    if (!p || !p.node.contains(e.target)) return;
    if (e.relatedTarget && p.node.contains(e.relatedTarget)) return;
    this.pendingRadio = null;
    var checked = p.node.querySelector('input[type="radio"]:checked');
    // After the focus has landed, so that the render does not fight the browser over it.
    if (checked) setTimeout(function () { if (self.questions[p.key] === p) self.commit(p, checked.value); }, 0);
  };

  ChecklistPage.prototype.onClick = function (e) {
    var t = e.target && e.target.closest ? e.target.closest('button') : null;
    if (!t) return;
    if (t.id === 'export-answers') return this.exportFile();
    if (t.id === 'share-answers') return this.share(true);
    if (t.id === 'forget-answers') return this.forget();
    if (t.id === 'copy-share-link') return this.copyShare();
    if (t.hasAttribute('data-change-fact')) {
      var id = t.getAttribute('data-change-fact');
      var court = t.getAttribute('data-change-court') || null;
      var fact = this.known.facts[id];
      var key = fact && fact.scope === 'court' ? id + '@' + court : id;
      this.doc = setAnswer(this.doc, id, court, undefined);
      this.save();
      this.render({ announce: 'Answer cleared; the question is asked again.' });
      var q = this.questions[key];
      if (q && q.inputs[0]) q.inputs[0].focus();
    }
  };

  // --- export, import, share, forget ----------------------------------------------------------------

  ChecklistPage.prototype.exportDoc = function () { return restrictToKnown(this.doc, this.known); };

  ChecklistPage.prototype.exportFile = function () {
    var text = JSON.stringify(this.exportDoc(), null, 2) + '\n';
    var blob = new Blob([text], { type: 'application/json' });
    var url = URL.createObjectURL(blob);
    var a = h('a', { href: url, download: 'gavel-answers.json', hidden: true });
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    this.say('Your answers were saved to the file gavel-answers.json.');
  };

  ChecklistPage.prototype.say = function (text) {
    if (this.status) this.status.textContent = text;
  };

  ChecklistPage.prototype.refuse = function (message) {
    this.importMessage.textContent = message;
    this.importMessage.classList.add('import-message--error');
  };

  ChecklistPage.prototype.clearMessage = function () {
    this.importMessage.textContent = '';
    this.importMessage.classList.remove('import-message--error');
  };

  // Parses and checks a document's text; applies it only when it passes. Returns true if applied.
  ChecklistPage.prototype.importText = function (text, source) {
    var parsed;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      this.refuse('This is not an answers file this page can use: ' + (source === 'the link' ? 'the link' : 'the file ' + source) + ' does not hold JSON.' + REFUSED);
      return false;
    }
    var checked = validateAnswers(parsed, this.known);
    if (!checked.ok) {
      this.refuse(checked.error);
      return false;
    }
    this.clearMessage();
    var doc = checked.doc;
    if (!this.isAll && !doc.courts.length) doc = this.withCourt(doc);
    this.update(doc, { announce: 'Answers imported from ' + source + '.' });
    return true;
  };

  ChecklistPage.prototype.importFile = function (input) {
    var self = this;
    var file = input.files && input.files[0];
    if (!file) return;
    var name = file.name || 'the file';
    if (file.size > 1000000) {
      this.refuse('This is not an answers file this page can use: ' + name + ' is far too large.' + REFUSED);
      input.value = '';
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      self.importText(String(reader.result), name);
      input.value = '';
    };
    reader.onerror = function () {
      self.refuse('The file ' + name + ' could not be read.' + REFUSED);
      input.value = '';
    };
    reader.readAsText(file);
  };

  ChecklistPage.prototype.shareURL = function () {
    var encoded = base64urlEncode(JSON.stringify(this.exportDoc()));
    return location.href.split('#')[0] + '#answers=' + encoded;
  };

  ChecklistPage.prototype.share = function (fromButton) {
    var url = this.shareURL();
    var hash = url.slice(url.indexOf('#'));
    if (location.hash !== hash) {
      try { history.replaceState(history.state, '', hash); } catch (e) { this.ignoreHash = hash; location.hash = hash; }
    }
    var box = this.shareResult;
    var input = box.querySelector('#share-link');
    if (!input) {
      while (box.firstChild) box.removeChild(box.firstChild);
      input = h('input', { type: 'text', id: 'share-link', readonly: true, className: 'share-result__link', 'aria-describedby': 'share-link-note' });
      var row = h('div', { className: 'share-result__row' }, [input]);
      if (navigator.clipboard && navigator.clipboard.writeText) row.appendChild(h('button', { type: 'button', id: 'copy-share-link', text: 'Copy link' }));
      box.appendChild(h('label', { 'for': 'share-link', text: 'Link with your answers' }));
      box.appendChild(row);
      box.appendChild(h('p', { id: 'share-link-note', className: 'share-result__note',
        text: 'Anyone who opens this link sees your answers, and the page they open puts them in place of their own. The link is also in your address bar.' }));
    }
    input.value = url;
    box.hidden = false;
    if (fromButton) {
      input.focus();
      input.select();
      this.say('A link with your answers is in the address bar and below the buttons.');
    }
  };

  ChecklistPage.prototype.copyShare = function () {
    var self = this;
    var input = document.getElementById('share-link');
    if (!input) return;
    navigator.clipboard.writeText(input.value).then(function () { self.say('Link copied.'); },
      function () { input.focus(); input.select(); self.say('Copying is not allowed here; the link is selected for you to copy.'); });
  };

  ChecklistPage.prototype.forget = function () {
    var ok = typeof window.confirm === 'function' ? window.confirm('Forget every answer this checklist has stored in this browser?') : true;
    if (!ok) return;
    try { G.localStorage.removeItem(this.key); } catch (e) { /* nothing stored */ }
    this.doc = emptyAnswers();
    this.pendingRadio = null;
    this.holdOpen = null;
    this.clearMessage();
    this.shareResult.hidden = true;
    if (/^#answers=/.test(location.hash)) this.dropHash();
    this.render({ announce: 'Your answers were forgotten.' });
  };

  ChecklistPage.prototype.dropHash = function () {
    try { history.replaceState(history.state, '', location.pathname + location.search); } catch (e) { location.hash = ''; }
  };

  // A link made by "Share" carries the answers after #answers=: apply them, then take them out of
  // the address bar so that a reload or a bookmark does not apply them again.
  ChecklistPage.prototype.applyFragment = function (initial) {
    var m = /^#answers=(.*)$/.exec(location.hash);
    if (!m) return false;
    if (this.ignoreHash === location.hash) { this.ignoreHash = null; return false; }
    if (!this.shareResult.hidden && location.href === this.shareURL()) return false; // our own link
    var text;
    try {
      text = base64urlDecode(decodeURIComponent(m[1]));
    } catch (e) {
      this.refuse('The link does not hold answers this page can read: it is damaged or incomplete.' + REFUSED);
      this.dropHash();
      return false;
    }
    this.dropHash();
    if (!initial) this.shareResult.hidden = true;
    return this.importText(text, 'the link');
  };

  // --- offline ------------------------------------------------------------------------------------

  function registerServiceWorker(root) {
    if (!/^https?:$/.test(location.protocol) || !('serviceWorker' in navigator)) return;
    try {
      navigator.serviceWorker.register(root + 'sw.js').catch(function () { /* offline use is a bonus */ });
    } catch (e) { /* ignore */ }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
