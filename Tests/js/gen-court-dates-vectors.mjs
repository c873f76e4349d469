// Writes TestVectors/court-dates-and-settings.json: days given without a time, courts live with no
// date, date(...), instants with offsets, unavailable windows, optional steps and one court's own
// rules on a person-scoped step. Expectations come from the literal tables below (the UTC start of
// a day in each zone, read off the tz database by hand), never from an engine.
// Run from the project root: node Tests/js/gen-court-dates-vectors.mjs
import { writeFileSync } from 'node:fs';

// The start of 2021-01-15 (standard time) and 2021-07-15 (daylight time), as UTC instants.
const STARTS = {
  'America/New_York': ['2021-01-15T05:00:00Z', '2021-07-15T04:00:00Z'],
  'America/Chicago': ['2021-01-15T06:00:00Z', '2021-07-15T05:00:00Z'],
  'America/Denver': ['2021-01-15T07:00:00Z', '2021-07-15T06:00:00Z'],
  'America/Phoenix': ['2021-01-15T07:00:00Z', '2021-07-15T07:00:00Z'],
  'America/Los_Angeles': ['2021-01-15T08:00:00Z', '2021-07-15T07:00:00Z'],
  'America/Anchorage': ['2021-01-15T09:00:00Z', '2021-07-15T08:00:00Z'],
  'Pacific/Honolulu': ['2021-01-15T10:00:00Z', '2021-07-15T10:00:00Z'],
  'America/Puerto_Rico': ['2021-01-15T04:00:00Z', '2021-07-15T04:00:00Z'],
  'Pacific/Guam': ['2021-01-14T14:00:00Z', '2021-07-14T14:00:00Z'],
  UTC: ['2021-01-15T00:00:00Z', '2021-07-15T00:00:00Z'],
};
const DAYS = ['2021-01-15', '2021-07-15'];

const cases = [];
const court = (id, timezone, fields = {}) => ({ id, timezone, fields: { id: { str: id }, ...fields } });
const step = (id, extra = {}) => ({ id, scope: 'court', requires: [], applies_if: { bool: true }, done_if: { bool: false },
  available_from: null, due_by: null, ...extra });
const result = (id, status, extra = {}) => {
  const r = { id, status, opens_at: extra.opens_at ?? null };
  if (extra.opens_on) r.opens_on = extra.opens_on;
  return { ...r, overdue: extra.overdue ?? false, missing: extra.missing ?? [] };
};
const readiness = (steps, optional = new Set()) => {
  const counted = steps.filter((s) => !optional.has(s.id));
  if (counted.some((s) => s.status === 'todo' || s.status === 'blocked')) return 'action-needed';
  if (counted.some((s) => s.status === 'needs-answers')) return 'needs-answers';
  return 'ready';
};
function add(name, checklists, now, expectedCourts, answers = {}, courtAnswers = {}) {
  cases.push({ name, checklists, answers: { courts: checklists.map((c) => c.court.id), answers, court_answers: courtAnswers }, now,
    expected: { courts: expectedCourts } });
}
const shift = (iso, seconds) => new Date(Date.parse(iso) + seconds * 1000).toISOString().slice(0, 19) + 'Z';

// 1. A day standing where a date-time is expected opens at the start of that day in the court's zone.
for (const [zone, starts] of Object.entries(STARTS)) {
  starts.forEach((start, i) => {
    const day = DAYS[i];
    const s = step('link', { available_from: { op: 'day_start', args: [{ date: day }] } });
    const c = court('tst', zone);
    const before = result('link', 'not-yet', { opens_at: start, opens_on: day });
    add(`day_start ${day} in ${zone}: a second before`, [{ court: c, steps: [s] }], shift(start, -1),
      [{ id: 'tst', readiness: 'ready', steps: [before] }]);
    add(`day_start ${day} in ${zone}: at the start`, [{ court: c, steps: [s] }], start,
      [{ id: 'tst', readiness: 'action-needed', steps: [result('link', 'todo')] }]);
  });
}

// 2. A go-live given as a day alone: the field carries its day, and opens_on says it.
for (const [zone, starts] of Object.entries(STARTS)) {
  const start = starts[0], day = DAYS[0];
  const c = court('tst', zone, { go_live: { instant: start, day } });
  const link = step('link', { available_from: { court: 'go_live' } });
  const login = step('login', { due_by: { court: 'go_live' } });
  add(`day-only go-live in ${zone}: the day before`, [{ court: c, steps: [link, login] }], shift(start, -3600),
    [{ id: 'tst', readiness: 'action-needed', steps: [result('link', 'not-yet', { opens_at: start, opens_on: day }), result('login', 'todo')] }]);
  add(`day-only go-live in ${zone}: an hour in`, [{ court: c, steps: [link, login] }], shift(start, 3600),
    [{ id: 'tst', readiness: 'action-needed', steps: [result('link', 'todo'), result('login', 'todo', { overdue: true })] }]);
  // date(go_live) is the day itself, whatever the zone.
  const before = step('registered', { applies_if: { op: '<', args: [{ fact: 'cmecf.registered', scope: 'court' }, { op: 'date', args: [{ court: 'go_live' }] }] } });
  add(`date(day-only go-live) in ${zone}`, [{ court: c, steps: [before] }], start,
    [{ id: 'tst', readiness: 'ready', steps: [result('registered', 'not-applicable')] }], {}, { tst: { 'cmecf.registered': day } });
}

// 3. date(x) of an instant is its local date in the court's zone: 04:30Z on March 30 is still
//    March 29 in Chicago (CDT, UTC-5) but March 30 in UTC and in Guam.
const DATE_OF = [
  ['America/Chicago', '2020-03-30T04:30:00Z', '2020-03-29'], ['America/Chicago', '2020-03-30T05:00:00Z', '2020-03-30'],
  ['UTC', '2020-03-30T04:30:00Z', '2020-03-30'], ['Pacific/Guam', '2020-03-29T14:30:00Z', '2020-03-30'],
  ['America/New_York', '2020-11-01T04:30:00Z', '2020-11-01'], ['America/New_York', '2020-11-01T03:59:00Z', '2020-10-31'],
  ['America/Los_Angeles', '2021-03-14T08:30:00Z', '2021-03-14'], ['Pacific/Honolulu', '2021-03-14T09:59:00Z', '2021-03-13'],
];
for (const [zone, instant, day] of DATE_OF) {
  const c = court('tst', zone, { go_live: { instant } });
  const fact = { fact: 'cmecf.registered', scope: 'court' };
  const on = step('on', { applies_if: { op: '==', args: [fact, { op: 'date', args: [{ court: 'go_live' }] }] } });
  const before = step('before', { applies_if: { op: '<', args: [fact, { op: 'date', args: [{ court: 'go_live' }] }] } });
  add(`date(${instant}) is ${day} in ${zone}`, [{ court: c, steps: [on, before] }], '2020-01-01T00:00:00Z',
    [{ id: 'tst', readiness: 'action-needed', steps: [result('on', 'todo'), result('before', 'not-applicable')] }], {}, { tst: { 'cmecf.registered': day } });
}
// date() of an unknown is unknown.
add('date() of an absent go-live is unknown', [{ court: court('tst', 'UTC'), steps: [
  step('s', { applies_if: { op: '<', args: [{ fact: 'cmecf.registered', scope: 'court' }, { op: 'date', args: [{ court: 'go_live' }] }] } })] }],
  '2020-01-01T00:00:00Z', [{ id: 'tst', readiness: 'needs-answers', steps: [result('s', 'needs-answers')] }], {}, { tst: { 'cmecf.registered': '2019-01-01' } });

// 4. A court live with no date: steps opening at go-live are open, steps due then are overdue, and
//    go-live is before now; nothing else is known of it.
const LIVE = { live: true };
{
  const c = court('tst', 'America/Chicago', { go_live: LIVE });
  const now = '2021-06-01T12:00:00Z';
  const cases4 = [
    ['opens at go-live: open', step('s', { available_from: { court: 'go_live' } }), result('s', 'todo')],
    ['due at go-live: overdue', step('s', { due_by: { court: 'go_live' } }), result('s', 'todo', { overdue: true })],
    ['due at go-live but done: done', step('s', { due_by: { court: 'go_live' }, done_if: { bool: true } }), result('s', 'done')],
    ['now >= go_live is true', step('s', { applies_if: { op: '>=', args: [{ var: 'now' }, { court: 'go_live' }] } }), result('s', 'todo')],
    ['go_live < now is true', step('s', { applies_if: { op: '<', args: [{ court: 'go_live' }, { var: 'now' }] } }), result('s', 'todo')],
    ['now < go_live is false', step('s', { applies_if: { op: '<', args: [{ var: 'now' }, { court: 'go_live' }] } }), result('s', 'not-applicable')],
    ['go_live > a fixed instant is unknown', step('s', { applies_if: { op: '>', args: [{ court: 'go_live' }, { instant: '2020-01-01T00:00:00Z' }] } }), result('s', 'needs-answers')],
    ['go_live is answered', step('s', { applies_if: { op: 'answered', args: [{ court: 'go_live' }] } }), result('s', 'todo')],
    ['date(go_live) is unknown', step('s', { applies_if: { op: '==', args: [{ op: 'date', args: [{ court: 'go_live' }] }, { var: 'today' }] } }), result('s', 'needs-answers')],
  ];
  for (const [name, s, r] of cases4) {
    add(`live court without a date: ${name}`, [{ court: c, steps: [s] }], now, [{ id: 'tst', readiness: readiness([r]), steps: [r] }]);
  }
}

// 5. Unavailable windows: not yet while inside one, opening at its end (and at the end of one that
//    follows on from it).
{
  const c = court('tst', 'America/Chicago');
  const w = (start, end) => ({ start, end, reason: 'PACER registration is suspended' });
  const windows = [w('2020-03-09T05:00:00Z', '2020-03-17T05:00:00Z'), w('2020-03-17T05:00:00Z', '2020-03-18T05:00:00Z'), w('2020-04-01T00:00:00Z', '2020-04-02T00:00:00Z')];
  const s = step('register', { unavailable: windows });
  const table = [
    ['before every window', '2020-03-01T00:00:00Z', result('register', 'todo')],
    ['at the start of the first', '2020-03-09T05:00:00Z', result('register', 'not-yet', { opens_at: '2020-03-18T05:00:00Z' })],
    ['inside the first, which the second follows', '2020-03-12T00:00:00Z', result('register', 'not-yet', { opens_at: '2020-03-18T05:00:00Z' })],
    ['inside the second', '2020-03-17T12:00:00Z', result('register', 'not-yet', { opens_at: '2020-03-18T05:00:00Z' })],
    ['at the end of the second', '2020-03-18T05:00:00Z', result('register', 'todo')],
    ['between windows', '2020-03-25T00:00:00Z', result('register', 'todo')],
    ['inside the third', '2020-04-01T12:00:00Z', result('register', 'not-yet', { opens_at: '2020-04-02T00:00:00Z' })],
    ['a second before the third ends', '2020-04-01T23:59:59Z', result('register', 'not-yet', { opens_at: '2020-04-02T00:00:00Z' })],
    ['after every window', '2020-05-01T00:00:00Z', result('register', 'todo')],
  ];
  for (const [name, now, r] of table) {
    add(`unavailable: ${name}`, [{ court: c, steps: [s] }], now, [{ id: 'tst', readiness: readiness([r]), steps: [r] }]);
  }
  // A step that is done, not applicable or waiting for its opening date says so first.
  const done = step('register', { unavailable: windows, done_if: { bool: true } });
  add('unavailable: a done step is done', [{ court: c, steps: [done] }], '2020-03-12T00:00:00Z',
    [{ id: 'tst', readiness: 'ready', steps: [result('register', 'done')] }]);
  const na = step('register', { unavailable: windows, applies_if: { bool: false } });
  add('unavailable: a step that does not apply', [{ court: c, steps: [na] }], '2020-03-12T00:00:00Z',
    [{ id: 'tst', readiness: 'ready', steps: [result('register', 'not-applicable')] }]);
  const later = step('register', { unavailable: windows, available_from: { instant: '2020-03-20T00:00:00Z' } });
  add('unavailable: an opening date after the window decides', [{ court: c, steps: [later] }], '2020-03-12T00:00:00Z',
    [{ id: 'tst', readiness: 'ready', steps: [result('register', 'not-yet', { opens_at: '2020-03-20T00:00:00Z' })] }]);
  const earlier = step('register', { unavailable: windows, available_from: { instant: '2020-03-10T00:00:00Z' } });
  add('unavailable: an opening date inside the window gives way to its end', [{ court: c, steps: [earlier] }], '2020-03-12T00:00:00Z',
    [{ id: 'tst', readiness: 'ready', steps: [result('register', 'not-yet', { opens_at: '2020-03-18T05:00:00Z' })] }]);
  const due = step('register', { unavailable: windows, due_by: { instant: '2020-03-15T00:00:00Z' } });
  add('unavailable: never overdue while not yet open', [{ court: c, steps: [due] }], '2020-03-16T00:00:00Z',
    [{ id: 'tst', readiness: 'ready', steps: [result('register', 'not-yet', { opens_at: '2020-03-18T05:00:00Z' })] }]);
  add('unavailable: overdue once open again', [{ court: c, steps: [due] }], '2020-03-19T00:00:00Z',
    [{ id: 'tst', readiness: 'action-needed', steps: [result('register', 'todo', { overdue: true })] }]);
}

// 6. Optional steps: shown with their status, never counted toward readiness.
{
  const c = court('tst', 'UTC');
  const statuses = {
    todo: {},
    'needs-answers': { applies_if: { fact: 'pacer.firm', scope: 'person' } },
    blocked: { requires: ['first'] },
    'not-yet': { available_from: { instant: '2030-01-01T00:00:00Z' } },
    done: { done_if: { bool: true } },
  };
  const first = step('first');
  for (const [status, extra] of Object.entries(statuses)) {
    for (const required of ['done', 'todo']) {
      const firstStep = required === 'done' ? step('first', { done_if: { bool: true } }) : first;
      const opt = step('paa', { optional: true, ...extra });
      const r = result('paa', status, status === 'needs-answers' ? { missing: ['pacer.firm'] } : status === 'not-yet' ? { opens_at: '2030-01-01T00:00:00Z' } : {});
      const blockedHere = status === 'blocked' && required === 'done';
      const paa = blockedHere ? result('paa', 'todo') : r;
      const firstResult = result('first', required === 'done' ? 'done' : 'todo');
      const steps = [firstResult, paa];
      add(`optional step ${blockedHere ? 'todo (its requirement done)' : status}, the other step ${required}`, [{ court: c, steps: [firstStep, opt] }], '2020-01-01T00:00:00Z',
        [{ id: 'tst', readiness: readiness(steps, new Set(['paa'])), steps }]);
    }
  }
}

// 7. Instants with an offset need no court: PACER-wide dates in person-scoped steps.
{
  const mfa = { instant: '2025-05-11T05:00:00Z' };
  for (const zone of ['America/Chicago', 'Pacific/Honolulu', 'UTC']) {
    const s = { ...step('mfa', { available_from: mfa }), scope: 'person' };
    add(`PACER-wide opening instant, court in ${zone}: before`, [{ court: court('tst', zone), steps: [s] }], '2025-05-11T04:59:59Z',
      [{ id: 'tst', readiness: 'ready', steps: [result('mfa', 'not-yet', { opens_at: '2025-05-11T05:00:00Z' })] }]);
    add(`PACER-wide opening instant, court in ${zone}: after`, [{ court: court('tst', zone), steps: [s] }], '2025-05-11T05:00:00Z',
      [{ id: 'tst', readiness: 'action-needed', steps: [result('mfa', 'todo')] }]);
  }
}

// 8. One court's own deadline on a person-scoped step: done once, but each court judges its deadline.
{
  const upgrade = (due) => ({ ...step('upgrade', due ? { due_by: due } : {}), scope: 'person', done_if: { fact: 'pacer.upgraded', scope: 'person' } });
  const a = { court: court('wiwb', 'America/Chicago', { go_live: { instant: '2020-03-30T13:00:00Z' } }), steps: [upgrade({ court: 'go_live' })] };
  const b = { court: court('pamb', 'America/New_York', { go_live: { instant: '2020-01-13T05:00:00Z', day: '2020-01-13' } }), steps: [upgrade(null)] };
  const table = [
    ['unanswered', {}, '2020-02-01T00:00:00Z', [result('upgrade', 'needs-answers', { missing: ['pacer.upgraded'] })], [result('upgrade', 'needs-answers', { missing: ['pacer.upgraded'] })]],
    ['not upgraded, before either deadline', { 'pacer.upgraded': false }, '2020-01-01T00:00:00Z', [result('upgrade', 'todo')], [result('upgrade', 'todo')]],
    ['not upgraded, after one court\'s deadline', { 'pacer.upgraded': false }, '2020-04-01T00:00:00Z', [result('upgrade', 'todo', { overdue: true })], [result('upgrade', 'todo')]],
    ['upgraded', { 'pacer.upgraded': true }, '2020-04-01T00:00:00Z', [result('upgrade', 'done')], [result('upgrade', 'done')]],
  ];
  for (const [name, answers, now, ra, rb] of table) {
    add(`a person-scoped step with one court's deadline: ${name}`, [a, b], now,
      [{ id: 'wiwb', readiness: readiness(ra), steps: ra }, { id: 'pamb', readiness: readiness(rb), steps: rb }], answers);
  }
  // A prerequisite in one court only.
  const approval = step('judge-approval', { done_if: { fact: 'approved', scope: 'court' } });
  const register = (requires) => step('register', { requires });
  const x = { court: court('x', 'UTC'), steps: [approval, register(['judge-approval'])] };
  const y = { court: court('y', 'UTC'), steps: [approval, register([])] };
  const rx = [result('judge-approval', 'needs-answers', { missing: ['approved'] }), result('register', 'blocked')];
  const ry = [result('judge-approval', 'needs-answers', { missing: ['approved'] }), result('register', 'todo')];
  add('a prerequisite in one court only', [x, y], '2020-01-01T00:00:00Z',
    [{ id: 'x', readiness: readiness(rx), steps: rx }, { id: 'y', readiness: readiness(ry), steps: ry }]);
}

// 9. A day as a deadline is due at the start of that day.
for (const [zone, starts] of Object.entries(STARTS).slice(0, 5)) {
  const s = step('login', { due_by: { op: 'day_start', args: [{ date: DAYS[1] }] } });
  add(`due by the day ${DAYS[1]} in ${zone}: at its start`, [{ court: court('tst', zone), steps: [s] }], starts[1],
    [{ id: 'tst', readiness: 'action-needed', steps: [result('login', 'todo')] }]);
  add(`due by the day ${DAYS[1]} in ${zone}: a second later`, [{ court: court('tst', zone), steps: [s] }], shift(starts[1], 1),
    [{ id: 'tst', readiness: 'action-needed', steps: [result('login', 'todo', { overdue: true })] }]);
}

writeFileSync('TestVectors/court-dates-and-settings.json',
  '{"cases": [\n' + cases.map((c) => JSON.stringify(c)).join(',\n') + '\n]}\n');
console.log(`${cases.length} cases`);
