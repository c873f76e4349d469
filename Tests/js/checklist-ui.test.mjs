// Unit tests of the pure parts of the checklist page script (Templates/assets/checklist.js): the
// answers document checks, base64url for share links, which questions to ask, dates in a court's
// zone and the words of each status. The classic script is loaded into a fresh context with no
// document, so only its helpers run. Run from the project root: node --test Tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { evaluate } from '../../Templates/assets/checklist-engine.js';

const source = readFileSync(new URL('../../Templates/assets/checklist.js', import.meta.url), 'utf8');

function load() {
  const context = {};
  vm.runInNewContext(source, context, { filename: 'checklist.js' });
  return context.GavelChecklistUI._internals;
}

const ui = load();
// Objects made inside the script's context have another Object.prototype: compare as JSON.
const plain = (v) => JSON.parse(JSON.stringify(v));

// --- fixtures -----------------------------------------------------------------------------------

const fact = (id, scope = 'person') => ({ fact: id, scope });
const tick = (step, scope = 'court') => ({ fact: `done.${step}`, scope, default: { bool: false } });

function checklist(id, { goLive = '2020-03-30T13:00:00Z', timezone = 'America/Chicago', extra = [] } = {}) {
  const fields = { id: { str: id } };
  if (goLive) fields.go_live = { instant: goLive };
  return {
    format: 'gavel-checklist', version: 1,
    court: { id, name: `Court ${id}`, short_name: id.toUpperCase(), kind: 'district', timezone, fields },
    facts: [
      { id: 'pacer.kind', type: 'choice', scope: 'person', question: 'Kind?', help: 'h', label: 'the kind', options: ['individual', 'shared_firm', 'none'] },
      { id: 'pacer.created', type: 'date', scope: 'person', question: 'Created?', help: '', label: 'the date', options: [] },
      { id: 'pacer.upgraded', type: 'boolean', scope: 'person', question: 'Upgraded?', help: '', label: 'upgraded', options: [] },
      { id: 'role', type: 'choice', scope: 'person', question: 'Role?', help: '', label: 'role', options: ['attorney', 'pro_hac_vice'] },
      { id: 'years', type: 'number', scope: 'person', question: 'Years?', help: '', label: 'years', options: [] },
      { id: 'bar.id', type: 'text', scope: 'person', question: 'Bar id?', help: '', label: 'bar id', options: [] },
      { id: 'cmecf.knows_login', type: 'boolean', scope: 'court', question: 'Login?', help: '', label: 'login', options: [] },
      { id: 'phv.approved', type: 'boolean', scope: 'court', question: 'PHV?', help: '', label: 'phv', options: [] },
    ],
    steps: [
      { id: 'read', title: 'Read the notice', scope: 'court', requires: [], applies_if: { bool: true }, done_if: tick('read'),
        available_from: null, due_by: null, tick: 'done.read' },
      { id: 'individual', title: 'Get an individual account', scope: 'person', requires: [], applies_if: { bool: true },
        done_if: { op: '==', args: [fact('pacer.kind'), { str: 'individual' }] }, available_from: null, due_by: null, tick: null },
      { id: 'upgrade', title: 'Upgrade', scope: 'person', requires: ['individual'],
        applies_if: { op: '<', args: [fact('pacer.created'), { date: '2014-08-11' }] }, done_if: fact('pacer.upgraded'),
        available_from: null, due_by: null, tick: null },
      { id: 'login', title: 'Know your login', scope: 'court', requires: [], applies_if: { bool: true },
        done_if: fact('cmecf.knows_login', 'court'), available_from: null, due_by: { court: 'go_live' }, tick: null },
      { id: 'link', title: 'Link accounts', scope: 'court', requires: ['individual', 'upgrade', 'login'], applies_if: { bool: true },
        done_if: tick('link'), available_from: { court: 'go_live' }, due_by: null, tick: 'done.link' },
      ...extra,
    ],
  };
}

const phv = {
  id: 'phv', title: 'Pro hac vice', scope: 'court', requires: [],
  applies_if: { op: '==', args: [fact('role'), { str: 'pro_hac_vice' }] }, done_if: fact('phv.approved', 'court'),
  available_from: null, due_by: null, tick: null,
};

const wiwb = checklist('wiwb');
const ca10 = checklist('ca10', { goLive: '2020-09-14T15:00:00Z', timezone: 'America/Denver', extra: [phv] });
const known = ui.knownFrom([wiwb, ca10]);

// --- base64url ----------------------------------------------------------------------------------

test('base64url round-trips text, including non-ASCII and astral characters', () => {
  for (const text of ['', 'a', 'ab', 'abc', 'abcd', '{"courts":["wiwb"]}', 'Café — “quoted” ✓', 'emoji 🏛️ and 𝔘', '\u0000\u007f\u0080\u07ff\u0800\uffff']) {
    const encoded = ui.base64urlEncode(text);
    assert.match(encoded, /^[A-Za-z0-9_-]*$/, 'only URL-safe characters, no padding');
    assert.equal(encoded, Buffer.from(text, 'utf8').toString('base64url'), 'the same as Node\'s base64url');
    assert.equal(ui.base64urlDecode(encoded), text);
  }
});

test('base64url decoding takes padding and standard base64, and refuses damage', () => {
  const text = 'subjects?>>';
  assert.equal(ui.base64urlDecode(Buffer.from(text).toString('base64')), text);
  assert.equal(ui.base64urlDecode(Buffer.from('ab').toString('base64url') + '=='), 'ab');
  assert.throws(() => ui.base64urlDecode('abc!'));
  assert.throws(() => ui.base64urlDecode('a')); // no byte has one character
  assert.throws(() => ui.base64urlDecode(Buffer.from([0xff, 0xfe]).toString('base64url'))); // not UTF-8
  assert.throws(() => ui.base64urlDecode(Buffer.from([0xc0, 0x80]).toString('base64url'))); // overlong
  assert.throws(() => ui.base64urlDecode(Buffer.from([0xed, 0xa0, 0x80]).toString('base64url'))); // a surrogate
  assert.throws(() => ui.base64urlDecode(null));
});

test('a share link round-trips an answers document', () => {
  const doc = { courts: ['wiwb'], answers: { 'pacer.kind': 'individual', 'pacer.created': '2012-05-01' }, court_answers: { wiwb: { 'cmecf.knows_login': true } } };
  const back = JSON.parse(ui.base64urlDecode(ui.base64urlEncode(JSON.stringify(doc))));
  assert.deepEqual(back, doc);
  assert.equal(ui.validateAnswers(back, known).ok, true);
});

// --- what the page knows --------------------------------------------------------------------------

test('known facts include ticks in the scope of their step, and every court', () => {
  assert.deepEqual(plain(known.courts), ['wiwb', 'ca10']);
  assert.equal(known.facts['done.read'].scope, 'court');
  assert.equal(known.facts['done.read'].type, 'boolean');
  assert.equal(known.facts['pacer.kind'].scope, 'person');
  assert.equal(known.facts['cmecf.knows_login'].scope, 'court');
  assert.deepEqual(plain(known.order.slice(0, 3)), ['pacer.kind', 'pacer.created', 'pacer.upgraded']);
});

// --- answers validation ---------------------------------------------------------------------------

test('a good answers document passes, normalised (nulls dropped, courts deduplicated)', () => {
  const r = ui.validateAnswers({
    courts: ['wiwb', 'ca10', 'wiwb'],
    answers: { 'pacer.kind': 'individual', 'pacer.created': '2012-02-29', 'pacer.upgraded': null, years: 3.5, 'bar.id': 'x' },
    court_answers: { wiwb: { 'cmecf.knows_login': false, 'done.read': true }, ca10: { 'phv.approved': null } },
  }, known);
  assert.equal(r.ok, true, r.error);
  assert.deepEqual(plain(r.doc), {
    courts: ['wiwb', 'ca10'],
    answers: { 'pacer.kind': 'individual', 'pacer.created': '2012-02-29', years: 3.5, 'bar.id': 'x' },
    court_answers: { wiwb: { 'cmecf.knows_login': false, 'done.read': true } },
  });
});

test('every part of the document is optional', () => {
  assert.deepEqual(plain(ui.validateAnswers({}, known)), { ok: true, doc: { courts: [], answers: {}, court_answers: {} } });
});

test('malformed or foreign documents are refused with a reason', () => {
  const refused = [
    [null, /answers document/],
    [[], /answers document/],
    ['text', /answers document/],
    [{ courts: ['wiwb'], extra: 1 }, /“extra”/],
    [{ version: 1 }, /“version”/],
    [{ courts: 'wiwb' }, /list of court ids/],
    [{ courts: [1] }, /list of court ids/],
    [{ courts: ['nowhere'] }, /does not know, “nowhere”/],
    [{ answers: [] }, /object of answers/],
    [{ answers: { 'pacer.linkd': true } }, /“pacer.linkd”, a question this page does not know/],
    [{ answers: { 'cmecf.knows_login': true } }, /belongs in “court_answers”/],
    [{ answers: { 'done.read': true } }, /belongs in “court_answers”/],
    [{ court_answers: { wiwb: { 'pacer.kind': 'individual' } } }, /belongs in “answers”/],
    [{ court_answers: { nowhere: {} } }, /court this page does not know/],
    [{ court_answers: [] }, /one entry per court/],
    [{ court_answers: { wiwb: 'yes' } }, /object of answers/],
    [{ answers: { 'pacer.upgraded': 'true' } }, /“pacer.upgraded” should be true or false/],
    [{ answers: { 'pacer.created': '2014-02-30' } }, /should be a date/],
    [{ answers: { 'pacer.created': '2014-8-11' } }, /should be a date/],
    [{ answers: { 'pacer.created': 20140811 } }, /should be a date/],
    [{ answers: { 'pacer.kind': 'firm' } }, /should be one of “individual”, “shared_firm”, “none”/],
    [{ answers: { years: '3' } }, /should be a number/],
    [{ answers: { 'bar.id': 7 } }, /should be text/],
    [{ court_answers: { wiwb: { 'cmecf.knows_login': 1 } } }, /in court_answers.wiwb should be true or false/],
  ];
  for (const [doc, reason] of refused) {
    const r = ui.validateAnswers(doc, known);
    assert.equal(r.ok, false, JSON.stringify(doc));
    assert.match(r.error, reason, JSON.stringify(doc));
    assert.match(r.error, /Your answers were not changed\.$/);
  }
});

test('the validator never trusts the prototype chain', () => {
  const doc = JSON.parse('{"answers": {"__proto__": true}}');
  assert.equal(ui.validateAnswers(doc, known).ok, false);
  assert.equal(ui.validateAnswers({ answers: { toString: true } }, known).ok, false);
});

test('stored answers are read leniently: what other pages know is kept, junk is dropped', () => {
  const stored = ui.sanitizeStored({
    courts: ['wiwb', 'vtd', 3, 'wiwb', '../x'], answers: { role: 'attorney', junk: { a: 1 }, n: Infinity },
    court_answers: { vtd: { 'cmecf.has_account': true }, wiwb: [] }, extra: true,
  });
  assert.deepEqual(plain(stored), { courts: ['wiwb', 'vtd'], answers: { role: 'attorney' }, court_answers: { vtd: { 'cmecf.has_account': true } } });
  assert.deepEqual(plain(ui.sanitizeStored('nonsense')), { courts: [], answers: {}, court_answers: {} });
});

test('exports keep only what the page knows, so the page can import its own file', () => {
  const doc = { courts: ['wiwb', 'vtd'], answers: { 'pacer.kind': 'individual', other: true, 'pacer.created': 'soon' },
    court_answers: { wiwb: { 'cmecf.knows_login': true, other: 1 }, vtd: { 'cmecf.knows_login': true } } };
  const out = ui.restrictToKnown(doc, ui.knownFrom([wiwb]));
  assert.deepEqual(plain(out), { courts: ['wiwb'], answers: { 'pacer.kind': 'individual' }, court_answers: { wiwb: { 'cmecf.knows_login': true } } });
  assert.equal(ui.validateAnswers(plain(out), ui.knownFrom([wiwb])).ok, true);
});

test('setting and clearing answers does not change the original document', () => {
  const doc = { courts: [], answers: {}, court_answers: {} };
  const a = ui.setAnswer(doc, 'cmecf.knows_login', 'wiwb', true);
  assert.deepEqual(plain(doc), { courts: [], answers: {}, court_answers: {} });
  assert.equal(ui.getAnswer(a, 'cmecf.knows_login', 'wiwb'), true);
  const b = ui.setAnswer(a, 'cmecf.knows_login', 'wiwb', undefined);
  assert.deepEqual(plain(b.court_answers), {});
  const c = ui.setAnswer(doc, 'pacer.kind', null, 'none');
  assert.equal(ui.getAnswer(c, 'pacer.kind', null), 'none');
  assert.equal(ui.getAnswer(c, 'pacer.created', null), undefined);
});

// --- storage key ----------------------------------------------------------------------------------

test('the storage key names the site base path', () => {
  assert.equal(ui.storageKey('/'), 'gavel:/:answers:v1');
  assert.equal(ui.basePathFrom('/checklist/', '../'), '/');
  assert.equal(ui.basePathFrom('/courts/wiwb/checklist/', '../../../'), '/');
  assert.equal(ui.basePathFrom('/nextgen/courts/wiwb/checklist/', '../../../'), '/nextgen/');
  assert.equal(ui.basePathFrom('/nextgen/checklist/', '../'), '/nextgen/');
  assert.equal(ui.basePathFrom('/', ''), '/');
});

// --- which questions to ask -------------------------------------------------------------------------

const NOW = '2020-03-27T17:00:00Z';

function pageSteps(lists, chosen) {
  // The all-courts page: person steps once (listing every court), then each court's own steps.
  const steps = [];
  const person = new Map();
  for (const c of lists) {
    for (const s of c.steps) {
      if (s.scope === 'person') {
        if (!person.has(s.id)) { person.set(s.id, { step: s.id, courts: [] }); steps.push(person.get(s.id)); }
        person.get(s.id).courts.push(c.court.id);
      }
    }
  }
  for (const c of lists) for (const s of c.steps) if (s.scope === 'court') steps.push({ step: s.id, courts: [c.court.id] });
  return steps.map((s) => ({ step: s.step, courts: s.courts.filter((c) => chosen.includes(c)) })).filter((s) => s.courts.length);
}

const ask = (answers, lists = [wiwb, ca10]) => {
  const chosen = lists.map((c) => c.court.id);
  const evaluation = evaluate(lists, answers, NOW);
  const steps = pageSteps(lists, chosen);
  return { asked: plain(ui.questionsToAsk(steps, evaluation, ui.knownFrom(lists))), steps, evaluation };
};

test('with no answers, every missing fact is asked once, at the first step that misses it', () => {
  const { asked, steps } = ask({});
  assert.deepEqual(asked.map((q) => [steps[q.index].step, q.fact, q.court]), [
    ['individual', 'pacer.kind', null],
    ['upgrade', 'pacer.created', null],
    ['upgrade', 'pacer.upgraded', null],
    ['login', 'cmecf.knows_login', 'wiwb'],
    ['login', 'cmecf.knows_login', 'ca10'],
    ['phv', 'role', null], // facts.yml order within a step: role before phv.approved
    ['phv', 'phv.approved', 'ca10'],
  ]);
});

test('the questions are exactly the missing facts of the steps that need answers', () => {
  for (const answers of [
    {},
    { answers: { 'pacer.kind': 'individual' } },
    { answers: { 'pacer.kind': 'shared_firm', 'pacer.created': '2016-01-01', role: 'attorney' }, court_answers: { wiwb: { 'cmecf.knows_login': true } } },
    { answers: { 'pacer.created': '2010-01-01', 'pacer.upgraded': false, role: 'pro_hac_vice' }, court_answers: { ca10: { 'phv.approved': true } } },
  ]) {
    const { asked, evaluation } = ask(answers);
    const expected = new Set();
    for (const c of evaluation.courts) {
      for (const s of c.steps) {
        for (const f of s.missing) expected.add(known.facts[f].scope === 'court' ? `${f}@${c.id}` : f);
      }
    }
    assert.deepEqual(new Set(asked.map((q) => q.key)), expected, JSON.stringify(answers));
    assert.equal(asked.length, expected.size, 'each once');
  }
});

test('answered facts are no longer asked, and a fact that stops mattering goes too', () => {
  // An account opened after the cut-off: the upgrade step no longer applies, so "Upgraded?" goes.
  const { asked } = ask({ answers: { 'pacer.kind': 'individual', 'pacer.created': '2016-01-01' } });
  const facts = asked.map((q) => q.fact);
  assert.ok(!facts.includes('pacer.kind'));
  assert.ok(!facts.includes('pacer.created'));
  assert.ok(!facts.includes('pacer.upgraded'));
  assert.ok(facts.includes('cmecf.knows_login'));
});

test('steps of courts not chosen ask nothing', () => {
  const evaluation = evaluate([wiwb], {}, NOW);
  const steps = pageSteps([wiwb, ca10], ['wiwb']);
  const asked = plain(ui.questionsToAsk(steps, evaluation, known));
  assert.ok(asked.every((q) => q.court === null || q.court === 'wiwb'));
  assert.ok(!asked.some((q) => q.fact === 'role'));
});

// --- dates and words --------------------------------------------------------------------------------

test('instants read in the court\'s zone, across daylight saving time', () => {
  assert.equal(ui.formatInstant('2020-03-30T13:00:00Z', 'America/Chicago'), 'March 30, 2020, 8:00 a.m. CDT');
  assert.equal(ui.formatInstant('2020-03-06T22:00:00Z', 'America/New_York'), 'March 6, 2020, 5:00 p.m. EST');
  assert.equal(ui.formatInstant('2020-03-09T12:00:00Z', 'America/New_York'), 'March 9, 2020, 8:00 a.m. EDT');
  assert.equal(ui.formatInstant('2020-09-14T15:00:00Z', 'America/Denver'), 'September 14, 2020, 9:00 a.m. MDT');
  assert.equal(ui.formatInstant('2020-01-01T18:05:00Z', 'America/Chicago'), 'January 1, 2020, 12:05 p.m. CST');
  assert.equal(ui.formatInstant('2020-01-01T06:00:00Z', 'America/Chicago'), 'January 1, 2020, 12:00 a.m. CST');
  assert.equal(ui.formatDate('2012-05-01'), 'May 1, 2012');
});

test('the countdown counts calendar days in the court\'s zone', () => {
  const goLive = Date.parse('2020-03-30T13:00:00Z'); // 8:00 a.m. CDT
  const at = (iso) => ui.countdown(Date.parse(iso), goLive, 'America/Chicago');
  assert.equal(at('2020-03-27T17:00:00Z'), 'in 3 days');
  assert.equal(at('2020-03-30T04:00:00Z'), 'in 1 day'); // 11 p.m. CDT on March 29
  assert.equal(at('2020-03-30T06:00:00Z'), 'in 7 hours'); // 1 a.m. on the day
  assert.equal(at('2020-03-30T12:30:00Z'), 'in 30 minutes');
  assert.equal(at('2020-03-30T13:00:00Z'), 'went live today');
  assert.equal(at('2020-04-01T15:00:00Z'), 'went live 2 days ago');
  assert.equal(at('2020-03-31T15:00:00Z'), 'went live 1 day ago');
});

test('status words follow the contract', () => {
  const tz = 'America/Chicago';
  const r = (status, extra = {}) => ({ id: 's', status, opens_at: null, overdue: false, missing: [], ...extra });
  assert.equal(ui.statusText(r('todo')), 'To do');
  assert.equal(ui.statusText(r('done')), 'Done');
  assert.equal(ui.statusText(r('needs-answers', { missing: ['a'] })), 'Needs answers');
  assert.equal(ui.statusText(r('not-applicable')), 'Not applicable');
  assert.equal(ui.statusText(r('blocked'), { waitsFor: ['Get an individual account'] }), 'Blocked — waits for Get an individual account');
  assert.equal(ui.statusText(r('blocked'), { waitsFor: ['A', 'B', 'C'] }), 'Blocked — waits for A, B and C');
  assert.equal(ui.statusText(r('not-yet', { opens_at: '2020-03-30T13:00:00Z' }), { timeZone: tz }), 'Not yet — opens March 30, 2020, 8:00 a.m. CDT');
  assert.equal(ui.statusText(r('not-yet')), 'Not yet — opening date not announced');
  assert.equal(ui.statusText(r('todo', { overdue: true }), { timeZone: tz, dueAt: '2020-03-30T13:00:00Z' }), 'To do — overdue since March 30, 2020, 8:00 a.m. CDT');
});

test('the live summary names the court, its readiness and what is left', () => {
  const evaluation = evaluate([wiwb], { answers: { 'pacer.kind': 'individual', 'pacer.created': '2016-01-01' } }, NOW);
  assert.equal(ui.courtSummary('W.D. Wis. Bankruptcy Court', evaluation.courts[0]),
    'W.D. Wis. Bankruptcy Court: action needed, 1 step to do, 1 blocked, 1 needs answers');
  const ready = evaluate([wiwb], { answers: { 'pacer.kind': 'individual', 'pacer.created': '2016-01-01' },
    court_answers: { wiwb: { 'cmecf.knows_login': true, 'done.read': true } } }, NOW);
  assert.equal(ui.courtSummary('W.D. Wis.', ready.courts[0]), 'W.D. Wis.: ready, 1 not open yet');
});

test('the facts a rule names skip ticks', () => {
  assert.deepEqual(plain(ui.factsIn(ca10.steps[5].applies_if, [])), ['role']);
  assert.deepEqual(plain(ui.factsIn(wiwb.steps[0].done_if, [])), []);
  assert.deepEqual(plain(ui.factsIn({ op: 'and', args: [fact('a'), fact('b'), fact('a')] }, [])), ['a', 'b']);
});

test('the script loads without a document and touches nothing else', () => {
  const context = {};
  vm.runInNewContext(source, context);
  assert.deepEqual(Object.keys(context), ['GavelChecklistUI']);
});
