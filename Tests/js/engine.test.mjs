// Runs every shared test vector (TestVectors/*.json) through the browser engine, one test per case,
// plus a few unit tests of the engine's own. Run from the project root: node --test Tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { evaluate, evaluateRule, ENGINE_FORMAT_VERSION } from '../../Templates/assets/checklist-engine.js';

const vectorDir = new URL('../../TestVectors/', import.meta.url);
const files = readdirSync(vectorDir).filter((f) => f.endsWith('.json')).sort();
const names = new Set();

test('there are test vectors', () => {
  assert.ok(files.length > 0);
});

for (const file of files) {
  const { cases } = JSON.parse(readFileSync(new URL(file, vectorDir), 'utf8'));
  for (const c of cases) {
    const name = `${file}: ${c.name}`;
    test(name, () => {
      assert.ok(!names.has(name), 'case names are unique within a file');
      names.add(name);
      const actual = evaluate(c.checklists, c.answers, c.now);
      assert.deepStrictEqual(actual, c.expected);
      // deepStrictEqual ignores key order; the result's key order is part of the contract.
      assert.equal(JSON.stringify(actual), JSON.stringify(c.expected));
    });
  }
}

// --- unit tests -------------------------------------------------------------------------------

const court = (timezone, fields = {}) => ({ id: 'wiwb', timezone, fields });
const fact = (id, scope = 'person') => ({ fact: id, scope });
const rule = (tree, answers = {}, now = '2020-03-01T12:00:00Z', checklist = { court: court('UTC') }) =>
  evaluateRule(tree, { checklist, answers: { answers }, now });

test('the engine reads the format version the documentation describes', () => {
  const doc = readFileSync(new URL('../../docs/checklist-format.md', import.meta.url), 'utf8');
  assert.equal(ENGINE_FORMAT_VERSION, Number(/^# Compiled checklist format, version (\d+)/.exec(doc)[1]));
});

test('unknown propagates through comparisons and not, and is absorbed by and/or', () => {
  const x = fact('x');
  assert.equal(rule({ op: '<', args: [x, { num: 3 }] }), null);
  assert.equal(rule({ op: 'not', args: [{ op: '==', args: [x, { num: 3 }] }] }), null);
  assert.deepEqual(rule({ op: 'and', args: [x, { bool: false }] }), { bool: false });
  assert.deepEqual(rule({ op: 'or', args: [{ bool: true }, x] }), { bool: true });
  assert.equal(rule({ op: 'and', args: [x, { bool: true }] }), null);
  assert.deepEqual(rule({ op: 'answered', args: [x] }), { bool: false });
});

test('today follows the court zone across the Chicago DST change', () => {
  const today = (now) => rule({ var: 'today' }, {}, now, { court: court('America/Chicago') });
  assert.deepEqual(today('2020-03-08T05:59:59Z'), { date: '2020-03-07' });
  assert.deepEqual(today('2020-03-08T06:00:00Z'), { date: '2020-03-08' }); // CST midnight
  assert.deepEqual(today('2020-03-09T04:59:59Z'), { date: '2020-03-08' }); // CDT from 02:00
  assert.deepEqual(today('2020-03-09T05:00:00Z'), { date: '2020-03-09' });
});

test('now may be a Date or an ISO string, with an offset or milliseconds', () => {
  const checklists = [{ court: court('UTC', { go_live: { instant: '2020-03-30T13:00:00Z' } }), steps: [
    { id: 'link', scope: 'court', requires: [], applies_if: { bool: true }, done_if: { bool: false },
      available_from: { court: 'go_live' }, due_by: null },
  ] }];
  const status = (now) => evaluate(checklists, {}, now).courts[0].steps[0].status;
  assert.equal(status('2020-03-30T13:00:00Z'), 'todo');
  assert.equal(status(new Date(Date.UTC(2020, 2, 30, 13, 0, 0))), 'todo');
  assert.equal(status(new Date(Date.UTC(2020, 2, 30, 12, 59, 59, 999))), 'not-yet');
  assert.equal(status('2020-03-30T08:00:00-05:00'), 'todo');
  assert.equal(status('2020-03-30T12:59:59.999Z'), 'not-yet');
  assert.equal(rule({ var: 'now' }, {}, new Date('2020-03-30T13:00:00.750Z')).instant, '2020-03-30T13:00:00Z');
  assert.throws(() => evaluate(checklists, {}, 'not a date'), TypeError);
});

test('an answer of the wrong JSON type for its fact counts as unanswered', () => {
  const checklist = { court: court('UTC'), facts: [
    { id: 'n', type: 'number' }, { id: 'd', type: 'date' }, { id: 'b', type: 'boolean' },
  ] };
  const eval1 = (tree, answers) => rule(tree, answers, undefined, checklist);
  assert.equal(eval1({ op: '>', args: [fact('n'), { num: 1 }] }, { n: '5' }), null);
  assert.equal(eval1({ op: '<', args: [fact('d'), { date: '2014-08-11' }] }, { d: '2014-02-30' }), null);
  assert.equal(eval1({ op: '==', args: [fact('b'), { bool: true }] }, { b: 'true' }), null);
  assert.deepEqual(eval1({ op: 'answered', args: [fact('b')] }, { b: 1 }), { bool: false });
  // The step's missing list names such a fact, since it is still unanswered.
  const result = evaluate([{ ...checklist, steps: [{ id: 's', scope: 'person', requires: [],
    applies_if: fact('b'), done_if: { bool: false }, available_from: null, due_by: null }] }],
  { answers: { b: 'yes' } }, '2020-03-01T00:00:00Z');
  assert.deepEqual(result.courts[0].steps[0].missing, ['b']);
});

test('a date answer compares chronologically even without a facts list', () => {
  const lt = { op: '<', args: [fact('pacer.created'), { date: '2014-08-11' }] };
  assert.deepEqual(rule(lt, { 'pacer.created': '2009-12-31' }), { bool: true });
  assert.deepEqual(rule(lt, { 'pacer.created': '2014-08-11' }), { bool: false });
});

test('a required step listed later is still evaluated first', () => {
  const step = (id, requires, applies) => ({ id, scope: 'person', requires, applies_if: { bool: applies },
    done_if: { bool: false }, available_from: null, due_by: null });
  const result = evaluate([{ court: court('UTC'), steps: [step('b', ['a'], true), step('a', [], false)] }],
    {}, '2020-03-01T00:00:00Z');
  assert.deepEqual(result.courts[0].steps.map((s) => s.status), ['todo', 'not-applicable']);
});

test('an unknown time zone makes today unknown rather than throwing', () => {
  const t = rule({ op: '==', args: [{ var: 'today' }, { date: '2020-03-01' }] }, {}, undefined,
    { court: court('Mars/Olympus_Mons') });
  assert.equal(t, null);
});

test('the engine is also published on globalThis for classic page scripts', () => {
  assert.equal(globalThis.GavelChecklistEngine.evaluate, evaluate);
});

test('now is read as the Swift engine reads an instant: offsets below 24 hours, years 1000 to 9999', () => {
  const opens = (now) => evaluate([{ court: court('UTC'), steps: [] }], { courts: ['wiwb'] }, now);
  assert.doesNotThrow(() => opens('2020-03-30T12:00+23:59'));
  assert.doesNotThrow(() => opens('2020-03-30T12:00:60.5Z'));
  for (const bad of ['2020-03-30T12:00+99:99', '2020-03-30T12:00+24:00', '2020-03-30T12:00+05:60', '0999-12-31T23:59:59Z',
                     '9999-12-31T23:00:00-05:00', '2020-02-30T12:00Z', '2020-03-30', '+010000-01-01T00:00:00Z']) {
    assert.throws(() => opens(bad), TypeError, bad);
  }
});
