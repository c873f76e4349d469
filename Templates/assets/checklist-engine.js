// Gavel checklist engine: evaluates compiled checklists (docs/checklist-format.md, version 2).
// Plain ES module, no dependencies. It only walks compiled trees; rule text never reaches it.
//
// A value is {t, v} with t one of bool, num, str, date, instant (v is epoch milliseconds for an
// instant, "YYYY-MM-DD" for a date), or live (a go-live that has passed with no date given). An
// instant that stands for a day the court gave without a time carries that day as `day`. Unknown is
// null throughout, including Kleene truth values.

const ENGINE_FORMAT_VERSION = 2;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

// Milliseconds of a UTC date and time. Date.UTC reads years 0 to 99 as 1900 to 1999, so the year is
// set on its own.
function utcMillis(y, mo, d, h, mi, s) {
  const date = new Date(Date.UTC(2000, 0, 1, h, mi, s));
  date.setUTCFullYear(y, mo - 1, d);
  return date.getTime();
}

// A real calendar date in the years 1000 to 9999, as the Swift side (LocalDate.years) reads one:
// 2014-02-30 and 0012-05-01 are not dates.
function isDate(s) {
  const m = typeof s === 'string' && DATE_RE.exec(s);
  if (!m || +m[1] < 1000) return false;
  const d = new Date(utcMillis(+m[1], +m[2], +m[3], 0, 0, 0));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

// An ISO-8601 instant read exactly as the Swift side (Instant(parsing:)) reads one, not by
// Date.parse, whose grammar differs: a Z or +-HH:MM offset (hours below 24), optional seconds and
// fraction, and a result in the years 1000 to 9999. NaN otherwise.
const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d*)?)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const FIRST_MS = utcMillis(1000, 1, 1, 0, 0, 0);
const LAST_MS = utcMillis(9999, 12, 31, 23, 59, 59);

function parseInstant(text) {
  const m = typeof text === 'string' && INSTANT_RE.exec(text);
  if (!m || !isDate(`${m[1]}-${m[2]}-${m[3]}`)) return NaN;
  const [h, mi, s] = [+m[4], +m[5], m[6] === undefined ? 0 : +m[6]];
  if (h > 23 || mi > 59 || s > 60) return NaN;
  let offset = 0;
  if (m[7]) {
    if (+m[8] > 23 || +m[9] > 59) return NaN;
    offset = (+m[8] * 60 + +m[9]) * 60000 * (m[7] === '-' ? -1 : 1);
  }
  const ms = utcMillis(+m[1], +m[2], +m[3], h, mi, Math.min(s, 59)) - offset;
  return ms < FIRST_MS || ms > LAST_MS ? NaN : ms;
}

function toMillis(now) {
  const ms = now instanceof Date ? now.getTime() : typeof now === 'string' ? parseInstant(now) : NaN;
  if (Number.isNaN(ms)) throw new TypeError(`gavel: now is not an ISO-8601 instant: ${now}`);
  return ms;
}

// Instants go out as YYYY-MM-DDTHH:MM:SSZ, never with milliseconds.
function formatInstant(ms) {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

// A one-key literal from the checklist ({"date": "2014-08-11"}) as an internal value.
function literal(node) {
  if ('bool' in node) return typeof node.bool === 'boolean' ? { t: 'bool', v: node.bool } : null;
  if ('num' in node) return Number.isFinite(node.num) ? { t: 'num', v: node.num } : null;
  if ('str' in node) return typeof node.str === 'string' ? { t: 'str', v: node.str } : null;
  if ('date' in node) return isDate(node.date) ? { t: 'date', v: node.date } : null;
  if ('instant' in node) {
    const ms = parseInstant(node.instant);
    if (Number.isNaN(ms)) return null;
    return 'day' in node && isDate(node.day) ? { t: 'instant', v: ms, day: node.day } : { t: 'instant', v: ms };
  }
  if ('live' in node) return node.live === true ? { t: 'live', v: null } : null;
  throw new Error(`gavel: unknown tree node ${JSON.stringify(node)}`);
}

// An answer as a value, or null when unanswered. `type` comes from the checklist's facts list when it
// has one; an answer of the wrong JSON type for it counts as unanswered. Without a type, the JSON type
// decides, and a string that is a calendar date is taken for a date (sameType undoes that for text).
function answerValue(raw, type) {
  if (raw === null || raw === undefined) return null;
  switch (type) {
    case 'boolean': case 'bool':
      return typeof raw === 'boolean' ? { t: 'bool', v: raw } : null;
    case 'number': case 'num':
      return Number.isFinite(raw) ? { t: 'num', v: raw } : null;
    case 'text': case 'choice': case 'str':
      return typeof raw === 'string' ? { t: 'str', v: raw } : null;
    case 'date':
      return isDate(raw) ? { t: 'date', v: raw } : null;
    default:
      if (typeof raw === 'boolean') return { t: 'bool', v: raw };
      if (Number.isFinite(raw)) return { t: 'num', v: raw };
      if (typeof raw === 'string') return { t: isDate(raw) ? 'date' : 'str', v: raw };
      return null;
  }
}

// Brings two values to one type, or returns null when they cannot be compared (which only a wrong
// answer can cause: the build never mixes types).
function sameType(a, b) {
  if (a.t === b.t) return [a, b];
  const kinds = a.t + ' ' + b.t;
  if (kinds === 'date str' || kinds === 'str date') {
    // A date and a text: dates if the text is one, else text (v is the same string either way).
    const t = isDate(a.v) && isDate(b.v) ? 'date' : 'str';
    return [{ t, v: a.v }, { t, v: b.v }];
  }
  return null;
}

function compare(op, a, b) {
  if (a === null || b === null) return null;
  if (a.t === 'live' || b.t === 'live') return null; // known only against now (see evalOp)
  const pair = sameType(a, b);
  if (!pair) return null;
  const [x, y] = [pair[0].v, pair[1].v];
  if (op === '==') return x === y;
  if (op === '!=') return x !== y;
  if (pair[0].t === 'bool' || pair[0].t === 'str') return null; // ordering is only for numbers, dates, instants
  switch (op) {
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    case '>=': return x >= y;
  }
  throw new Error(`gavel: unknown operator ${op}`);
}

const truth = (value) => (value !== null && value.t === 'bool' ? value.v : null);
const boolValue = (b) => (b === null ? null : { t: 'bool', v: b });

// Everything a tree may read while evaluating one court.
function makeContext(checklist, answers, nowMs) {
  const court = checklist.court || {};
  const factTypes = new Map((checklist.facts || []).map((f) => [f.id, f.type]));
  const doc = answers || {};
  let today; // computed on first use: only rules naming `today` need the time zone
  return {
    fields: court.fields || {},
    timeZone: court.timezone || 'UTC',
    now: nowMs,
    today() {
      if (today === undefined) today = localDate(nowMs, court.timezone || 'UTC');
      return today;
    },
    answer(node) {
      const map = node.scope === 'court'
        ? (doc.court_answers || {})[court.id] || {}
        : doc.answers || {};
      const raw = Object.prototype.hasOwnProperty.call(map, node.fact) ? map[node.fact] : null;
      return answerValue(raw, factTypes.get(node.fact));
    },
  };
}

const dateFormats = new Map();
const offsetFormats = new Map();

// The zone's offset from UTC at `ms`, in milliseconds (what Foundation's secondsFromGMT gives).
function offsetAt(ms, timeZone) {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, calendar: 'gregory', numberingSystem: 'latn', hourCycle: 'h23',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    offsetFormats.set(timeZone, format);
  }
  const part = {};
  for (const p of format.formatToParts(new Date(ms))) part[p.type] = p.value;
  const wall = utcMillis(+part.year, +part.month, +part.day, +part.hour, +part.minute, +part.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

// The first instant of a day in a zone: midnight, or the end of a gap that swallows it. Two passes,
// as the build does, so both engines agree on every zone.
function startOfDay(day, timeZone) {
  const m = DATE_RE.exec(day);
  const midnight = utcMillis(+m[1], +m[2], +m[3], 0, 0, 0);
  let first, second;
  try {
    first = offsetAt(midnight, timeZone);
    second = offsetAt(midnight - first, timeZone);
  } catch (e) {
    return null;
  }
  const candidate = midnight - second;
  const local = localDate(candidate, timeZone);
  return local !== null && local.v === day ? candidate : midnight - first;
}

// The calendar date at `ms` in an IANA zone; unknown (null) if the zone is not one the runtime knows.
function localDate(ms, timeZone) {
  let format = dateFormats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone, calendar: 'gregory', numberingSystem: 'latn',
        year: 'numeric', month: '2-digit', day: '2-digit',
      });
    } catch (e) {
      return null;
    }
    dateFormats.set(timeZone, format);
  }
  const part = {};
  for (const p of format.formatToParts(new Date(ms))) part[p.type] = p.value;
  return { t: 'date', v: `${part.year.padStart(4, '0')}-${part.month}-${part.day}` };
}

function evalNode(node, ctx) {
  if ('op' in node) return evalOp(node, ctx);
  if ('fact' in node) {
    const value = ctx.answer(node);
    if (value === null && node.default) return literal(node.default);
    return value;
  }
  if ('court' in node) {
    const field = ctx.fields[node.court];
    return field ? literal(field) : null;
  }
  if ('var' in node) {
    if (node.var === 'now') return { t: 'instant', v: ctx.now };
    if (node.var === 'today') return ctx.today();
    throw new Error(`gavel: unknown variable ${node.var}`);
  }
  return literal(node);
}

const isNow = (node) => node && node.var === 'now';

function evalOp(node, ctx) {
  const args = node.args || [];
  switch (node.op) {
    case '==': case '!=': case '<': case '<=': case '>': case '>=': {
      const a = evalNode(args[0], ctx), b = evalNode(args[1], ctx);
      // A go-live passed with no date is before now, and nothing else is known of it.
      if (a !== null && b !== null && (a.t === 'live' && isNow(args[1]) || b.t === 'live' && isNow(args[0]))) {
        const order = a.t === 'live' ? -1 : 1;
        return boolValue({ '==': order === 0, '!=': order !== 0, '<': order < 0, '<=': order <= 0, '>': order > 0, '>=': order >= 0 }[node.op]);
      }
      return boolValue(compare(node.op, a, b));
    }
    case 'date': {
      const a = evalNode(args[0], ctx);
      if (a === null || a.t !== 'instant') return null;
      return a.day ? { t: 'date', v: a.day } : localDate(a.v, ctx.timeZone);
    }
    case 'day_start': {
      const a = evalNode(args[0], ctx);
      if (a === null || a.t !== 'date') return null;
      const ms = startOfDay(a.v, ctx.timeZone);
      return ms === null ? null : { t: 'instant', v: ms, day: a.v };
    }
    case 'in': {
      const a = evalNode(args[0], ctx);
      if (a === null) return null;
      return boolValue(node.list.some((item) => compare('==', a, literal(item)) === true));
    }
    case 'answered': {
      // Whether there is a value of its own: a fact's default and an absent field do not count.
      const n = args[0];
      const has = 'fact' in n ? ctx.answer(n) !== null : 'court' in n ? n.court in ctx.fields : false;
      return boolValue(has);
    }
    case 'not': {
      const a = truth(evalNode(args[0], ctx));
      return boolValue(a === null ? null : !a);
    }
    case 'and': case 'or': {
      // Kleene: the deciding value (false for and, true for or) wins over unknown.
      const decisive = node.op === 'or';
      let unknown = false;
      for (const arg of args) {
        const a = truth(evalNode(arg, ctx));
        if (a === decisive) return boolValue(decisive);
        if (a === null) unknown = true;
      }
      return boolValue(unknown ? null : !decisive);
    }
  }
  throw new Error(`gavel: unknown operator ${node.op}`);
}

// Unanswered facts without a default that a tree names, anywhere in it (the doc's "named by").
function collectMissing(node, ctx, into) {
  if (!node || typeof node !== 'object') return;
  if ('fact' in node && !node.default && ctx.answer(node) === null) into.push(node.fact);
  for (const arg of node.args || []) collectMissing(arg, ctx, into);
}

// A rule's truth; an absent rule takes the given default.
function rule(tree, ctx, absent) {
  return tree ? truth(evalNode(tree, ctx)) : absent;
}

// A date-time rule's value: an instant (with its day, when the court gave no time), or live.
function instantOf(tree, ctx) {
  const value = evalNode(tree, ctx);
  return value !== null && (value.t === 'instant' || value.t === 'live') ? value : null;
}

function stepResult(id, status, extra) {
  const result = { id, status, opens_at: null, overdue: false, missing: [] };
  if (extra && extra.opens_on) {
    // opens_on stands after opens_at, as the Swift engine writes it.
    return { id, status, opens_at: extra.opens_at, opens_on: extra.opens_on, overdue: false, missing: [] };
  }
  return { ...result, ...extra };
}

function evaluateCourt(checklist, answers, nowMs) {
  const ctx = makeContext(checklist, answers, nowMs);
  const steps = checklist.steps || [];
  const byId = new Map(steps.map((s) => [s.id, s]));
  const results = new Map();
  const inProgress = new Set();

  // Statuses are looked up by id, evaluating a required step first if needed; a missing or cyclic
  // requirement (a build error) just counts as unmet.
  function statusOf(id) {
    if (!results.has(id)) {
      if (!byId.has(id) || inProgress.has(id)) return null;
      inProgress.add(id);
      results.set(id, evaluateStep(byId.get(id)));
      inProgress.delete(id);
    }
    return results.get(id).status;
  }

  function evaluateStep(step) {
    const applies = rule(step.applies_if, ctx, true);
    const done = rule(step.done_if, ctx, false);
    if (applies === false) return stepResult(step.id, 'not-applicable');
    if (done === true) return stepResult(step.id, 'done');
    if (applies === null || done === null) {
      const missing = [];
      if (applies === null) collectMissing(step.applies_if, ctx, missing);
      if (done === null) collectMissing(step.done_if, ctx, missing);
      // Default sort compares UTF-16 code units: locale-free, like Swift's comparison of ASCII ids.
      return stepResult(step.id, 'needs-answers', { missing: [...new Set(missing)].sort() });
    }
    const unmet = (step.requires || []).some((r) => {
      const s = statusOf(r);
      return s !== 'done' && s !== 'not-applicable';
    });
    if (unmet) return stepResult(step.id, 'blocked');
    if (step.available_from) {
      const opens = instantOf(step.available_from, ctx);
      if (opens === null) return stepResult(step.id, 'not-yet');
      if (opens.t === 'instant' && opens.v > nowMs) {
        return stepResult(step.id, 'not-yet', opens.day ? { opens_at: formatInstant(opens.v), opens_on: opens.day } : { opens_at: formatInstant(opens.v) });
      }
    }
    // Inside a window when the step cannot be done: it opens when the window (and any that follows
    // on from it) ends.
    const windows = (step.unavailable || []).map((w) => [parseInstant(w.start), parseInstant(w.end)]);
    let opensAt = nowMs;
    for (let found = true; found;) {
      const w = windows.find(([start, end]) => start <= opensAt && opensAt < end);
      found = w !== undefined;
      if (found) opensAt = w[1];
    }
    if (opensAt > nowMs) return stepResult(step.id, 'not-yet', { opens_at: formatInstant(opensAt) });
    const due = step.due_by ? instantOf(step.due_by, ctx) : null;
    const overdue = due !== null && (due.t === 'live' || nowMs > due.v);
    return stepResult(step.id, 'todo', { overdue });
  }

  const out = steps.map((s) => (statusOf(s.id), results.get(s.id)));
  // Optional steps are shown with their status but never count toward readiness.
  const counted = out.filter((_, i) => steps[i].optional !== true);
  const has = (status) => counted.some((s) => s.status === status);
  const readiness = has('todo') || has('blocked') ? 'action-needed'
    : has('needs-answers') ? 'needs-answers' : 'ready';
  return { id: (checklist.court || {}).id, readiness, steps: out };
}

// Evaluates every checklist given, in that order. answers.courts does not filter: the caller
// chooses which checklists to pass.
function evaluate(checklists, answers, now) {
  const nowMs = toMillis(now);
  return { courts: (checklists || []).map((c) => evaluateCourt(c, answers, nowMs)) };
}

// One tree against one court, for tests and the page's "why" text. context: {checklist, answers,
// now}. Returns the value in the checklist's one-key form ({"bool": true}) or null when unknown.
function evaluateRule(tree, context) {
  const ctx = makeContext(context.checklist || {}, context.answers, toMillis(context.now));
  const value = evalNode(tree, ctx);
  if (value === null) return null;
  if (value.t === 'live') return { live: true };
  if (value.t === 'instant') return value.day ? { instant: formatInstant(value.v), day: value.day } : { instant: formatInstant(value.v) };
  return { [value.t]: value.v };
}

// Also reachable as a global, so a classic page script can call the engine once the module has run.
globalThis.GavelChecklistEngine = Object.freeze({ evaluate, evaluateRule, ENGINE_FORMAT_VERSION });

export { evaluate, evaluateRule, ENGINE_FORMAT_VERSION };
