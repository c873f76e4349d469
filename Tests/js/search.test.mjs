// Unit tests of the site search (Templates/assets/search.js): folding, word matching, ranking
// (titles above text), the 20-result limit, snippets and links. The classic script is loaded into
// a fresh context with no document. Run from the project root: node --test Tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const source = readFileSync(new URL('../../Templates/assets/search.js', import.meta.url), 'utf8');
const context = {};
vm.runInNewContext(source, context, { filename: 'search.js' });
const s = context.GavelSearch._internals;
const plain = (v) => JSON.parse(JSON.stringify(v));

const entry = (t, u, x = '', summary = '') => ({ t, u, s: summary, x });

const index = [
  entry('About NextGen CM/ECF', 'about-nextgen/', 'NextGen CM/ECF is the rebuilt filing system. Link accounts after go-live. Link, link, link.'),
  entry('Link your PACER and CM/ECF accounts — W.D. Wis.', 'courts/wiwb/steps/link-accounts/', 'Once the court is live, connect your accounts.'),
  entry('Central Sign-On', 'central-sign-on/', 'One PACER account for every court.', 'One login for every NextGen court.'),
  entry('Frequently asked questions', 'faq/', 'Can I link before go-live? No. Unlinking is not possible.'),
  entry('Café rules', 'cafe/', 'The court’s café is closed.'),
];

test('folding lowers case, strips accents and straightens quotes, one character for one', () => {
  assert.equal(s.fold('Café ÉCF'), 'cafe ecf');
  assert.equal(s.fold('court’s “notice”'), 'court\'s "notice"');
  for (const text of ['Café ÉCF', 'İstanbul', 'ﬁle', '🏛️ court']) assert.equal(s.fold(text).length, text.length);
});

test('query words are folded, split on punctuation and deduplicated', () => {
  assert.deepEqual(plain(s.terms('  CM/ECF  link LINK ')), ['cm', 'ecf', 'link']);
  assert.deepEqual(plain(s.terms('a link')), ['link'], 'one-letter words go when there are others');
  assert.deepEqual(plain(s.terms('a')), ['a']);
  assert.deepEqual(plain(s.terms(' ,.; ')), []);
});

test('a word in the title outranks any number of words in the text', () => {
  const found = s.search(index, 'link');
  assert.equal(found.results[0].entry.u, 'courts/wiwb/steps/link-accounts/');
  const urls = plain(found.results.map((r) => r.entry.u));
  assert.deepEqual(urls.slice(1).sort(), ['about-nextgen/', 'faq/'].sort());
  // Text hits rank by how often the words occur.
  assert.deepEqual(urls.slice(1), ['about-nextgen/', 'faq/']);
});

test('every word must match (words start at a word boundary)', () => {
  assert.deepEqual(plain(s.search(index, 'pacer every').results.map((r) => r.entry.u)), ['central-sign-on/']);
  assert.equal(s.search(index, 'pacer nowhere').total, 0);
  // "link" does not match inside "unlinking".
  const faq = s.search(index, 'linking');
  assert.equal(faq.total, 0);
});

test('the summary counts above the text, below the title', () => {
  const found = s.search([
    entry('Other', 'a/', 'login login login login'),
    entry('Other', 'b/', '', 'One login for all.'),
    entry('Login help', 'c/', ''),
  ], 'login');
  assert.deepEqual(plain(found.results.map((r) => r.entry.u)), ['c/', 'b/', 'a/']);
});

test('the whole phrase in a title ranks first among title matches', () => {
  const found = s.search([
    entry('Accounts to link later', 'a/'),
    entry('Link accounts', 'b/'),
  ], 'link accounts');
  assert.equal(found.results[0].entry.u, 'b/');
});

test('accents and curly quotes do not stop a match', () => {
  assert.equal(s.search(index, 'cafe').results[0].entry.u, 'cafe/');
  assert.deepEqual(plain(s.search(index, "court's cafe").results.map((r) => r.entry.u)), ['cafe/']);
  assert.deepEqual(plain(s.search(index, 'COURT’S CAFÉ').results.map((r) => r.entry.u)), ['cafe/']);
});

test('at most twenty results are shown; the total counts them all', () => {
  const many = Array.from({ length: 45 }, (_, i) => entry(`Notice ${i}`, `n/${i}/`, 'downtime window'));
  const found = s.search(many, 'downtime');
  assert.equal(found.total, 45);
  assert.equal(found.results.length, 20);
  assert.equal(found.results[0].entry.u, 'n/0/', 'ties keep the index order');
  assert.equal(s.statusFor('downtime', 45, 20), '45 results for “downtime”; showing the best 20.');
  assert.equal(s.statusFor('x', 1, 1), '1 result for “x”.');
  assert.match(s.statusFor('zzz', 0, 0), /^No results for “zzz”/);
});

test('snippets show the text around the first match, with the words marked', () => {
  const long = 'Intro words. '.repeat(40) + 'Here you link the accounts, then you link again. ' + 'Tail words. '.repeat(40);
  const pieces = plain(s.snippet(entry('T', 'u/', long), ['link']));
  const text = pieces.map((p) => p.text).join('');
  assert.equal(pieces[0].text, '…');
  assert.equal(pieces[pieces.length - 1].text, '…');
  assert.ok(text.length < 220, text.length);
  assert.deepEqual(pieces.filter((p) => p.mark).map((p) => p.text), ['link', 'link']);
  assert.ok(text.includes('Here you link the accounts'));
});

test('a snippet marks the original characters, accents and case kept', () => {
  const pieces = plain(s.snippet(entry('T', 'u/', 'Le Café du Palais.'), ['cafe']));
  assert.deepEqual(pieces, [{ text: 'Le ', mark: false }, { text: 'Café', mark: true }, { text: ' du Palais.', mark: false }]);
});

test('without a match in the text, the snippet is the summary', () => {
  const pieces = plain(s.snippet(entry('Link', 'u/', 'Nothing here.', 'A summary.'), ['link']));
  assert.deepEqual(pieces, [{ text: 'A summary.', mark: false }]);
});

test('links are relative to the search page and name index.html from disk', () => {
  assert.equal(s.hrefFor('../', 'courts/wiwb/', false), '../courts/wiwb/');
  assert.equal(s.hrefFor('../', 'courts/wiwb/', true), '../courts/wiwb/index.html');
  assert.equal(s.hrefFor('../', '', true), '../index.html');
  assert.equal(s.hrefFor('../', '', false), '../');
  assert.equal(s.hrefFor('../', 'feed.xml', true), '../feed.xml');
  assert.equal(s.hrefFor('../', 'faq/#linking', true), '../faq/index.html#linking');
  assert.equal(s.hrefFor('', '', false), './');
});

test('postings decode from their digits (the same digits SearchShardsTests writes)', () => {
  const seen = [];
  s.decodePostings('6C1WW47' + 'WD' + 'fsjp5' + 'wk2WeYw30', (id, code, length, around) => seen.push([id, code, length, around]));
  assert.deepEqual(plain(seen), [[0, 6, 12, [4096, 7]], [5, 80, 0, []], [70000, 1, 0, []], [70031, 2, 4000000, []]]);
  assert.throws(() => s.decodePostings('0!', () => {}), /damaged/);
});

test('a term is looked for in the shards whose word ranges can hold words starting with it', () => {
  const meta = { terms: ['a', null, 'court', 'link', null, 'pacer'] };
  assert.deepEqual(plain(s.termShards(meta, 'co')), ['terms-0', 'terms-2']);
  assert.deepEqual(plain(s.termShards(meta, 'court')), ['terms-2']);
  assert.deepEqual(plain(s.termShards(meta, 'l')), ['terms-2', 'terms-3']);
  assert.deepEqual(plain(s.termShards(meta, 'zebra')), ['terms-5']);
  assert.deepEqual(plain(s.termShards(meta, '0')), []);
});

test('neighbour codes match the Swift side and rule out titles that cannot hold the phrase', () => {
  let hash = 0x811c9dc5;
  for (const u of [0x69, 0x6e, 0x6b]) hash = Number((BigInt(hash ^ u) * 16777619n) & 0xffffffffn) >>> 0;
  assert.equal(s.neighbour('ink'), hash & 0xfff);
  assert.equal(s.neighbour(''), 0x9dc5 & 0xfff);
  assert.deepEqual(plain(s.runs('link  your-accounts!')), ['link', 'your', 'accounts']);
  // "link accounts" in "Reminder: link your accounts": accounts follows "your", not a word ending "ink".
  const title = (pairs) => (w) => (w === 'accounts' ? pairs : null);
  const your = s.neighbour('our'), after = s.neighbour('aft');
  assert.equal(s.mayHoldPhrase(['link', 'accounts'], title([your, after])), false);
  assert.equal(s.mayHoldPhrase(['link', 'accounts'], title([s.neighbour('ink'), after])), true);
  assert.equal(s.mayHoldPhrase(['unlink', 'accounts'], title([s.neighbour('ink'), 4096])), true, 'the first word may end a longer one');
  assert.equal(s.mayHoldPhrase(['link', 'accounts'], title([4096, after])), false, 'no word before it');
  assert.equal(s.mayHoldPhrase(['link', 'accounts'], title([])), false, 'not in the title');
});

test('an empty query finds nothing', () => {
  assert.deepEqual(plain(s.search(index, '   ')), { total: 0, results: [], terms: [] });
});

test('the script loads without a document and touches nothing else', () => {
  const ctx = {};
  vm.runInNewContext(source, ctx);
  assert.deepEqual(Object.keys(ctx), ['GavelSearch']);
});
