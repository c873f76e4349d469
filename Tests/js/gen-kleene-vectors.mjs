// Writes TestVectors/kleene.json: full truth tables for not, and, or (two and three operands).
// Expectations come from the literal Kleene tables below, not from the engine.
// Run from the project root: node Tests/js/gen-kleene-vectors.mjs
import { writeFileSync } from 'node:fs';

// t = true, f = false, u = unknown (the fact is left unanswered).
const NOT = { t: 'f', f: 't', u: 'u' };
const AND = { tt: 't', tf: 'f', tu: 'u', ft: 'f', ff: 'f', fu: 'f', ut: 'u', uf: 'f', uu: 'u' };
const OR = { tt: 't', tf: 't', tu: 't', ft: 't', ff: 'f', fu: 'u', ut: 't', uf: 'u', uu: 'u' };
const TABLE = { and: AND, or: OR };
const V = ['t', 'f', 'u'];
const FACTS = ['a', 'b', 'c'];

const fact = (id) => ({ fact: id, scope: 'person' });
const step = (id, applies, done) => ({ id, scope: 'person', requires: [], applies_if: applies,
  done_if: done, available_from: null, due_by: null });
const result = (id, status, missing = []) => ({ id, status, opens_at: null, overdue: false, missing });

// The rule X is tested twice: as applies_if (done_if false) and as done_if (applies_if true).
function makeCase(name, tree, values, x) {
  const answers = {};
  values.forEach((v, i) => { if (v !== 'u') answers[FACTS[i]] = v === 't'; });
  // Every fact the rule names is unanswered exactly when its value is u; a..c already sort.
  const missing = FACTS.filter((_, i) => values[i] === 'u');
  const steps = {
    t: [result('as-applies', 'todo'), result('as-done', 'done')],
    f: [result('as-applies', 'not-applicable'), result('as-done', 'todo')],
    u: [result('as-applies', 'needs-answers', missing), result('as-done', 'needs-answers', missing)],
  }[x];
  return {
    name,
    checklists: [{ court: { id: 'wiwb', timezone: 'America/Chicago', fields: {} },
      steps: [step('as-applies', tree, { bool: false }), step('as-done', { bool: true }, tree)] }],
    answers: { courts: ['wiwb'], answers, court_answers: {} },
    now: '2020-03-01T12:00:00Z',
    expected: { courts: [{ id: 'wiwb', readiness: x === 'u' ? 'needs-answers' : 'action-needed', steps }] },
  };
}

const cases = [];
for (const a of V) {
  cases.push(makeCase(`not ${a} = ${NOT[a]}`, { op: 'not', args: [fact('a')] }, [a], NOT[a]));
}
for (const op of ['and', 'or']) {
  for (const a of V) for (const b of V) {
    const x = TABLE[op][a + b];
    cases.push(makeCase(`${a} ${op} ${b} = ${x}`, { op, args: [fact('a'), fact('b')] }, [a, b], x));
  }
}
for (const op of ['and', 'or']) {
  for (const a of V) for (const b of V) for (const c of V) {
    const x = TABLE[op][TABLE[op][a + b] + c]; // both are associative
    cases.push(makeCase(`${op}(${a}, ${b}, ${c}) = ${x}`,
      { op, args: [fact('a'), fact('b'), fact('c')] }, [a, b, c], x));
  }
}

// One case per line block: readable diffs without the bulk of a fully indented dump.
const body = cases.map((c) => '  {' + Object.entries(c)
  .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n   ') + '}').join(',\n');
writeFileSync(new URL('../../TestVectors/kleene.json', import.meta.url), `{"cases": [\n${body}\n]}\n`);
console.log(`kleene.json: ${cases.length} cases`);
