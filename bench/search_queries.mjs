// Runs queries against a built site's sharded search index the way the search page does, and
// against every entry at once with the original ranking (search() over the whole index), and
// prints, per query, whether both give the same results and how many bytes of index the sharded
// search loaded. Used by the search test (Tests/GavelCoreTests/Site/SearchShardsTests.swift) and by
// bench/run.py. Usage: node bench/search_queries.mjs OUTPUT_DIR QUERY...   (prints JSON)
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const [output, ...queries] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const context = {};
vm.runInNewContext(readFileSync(join(here, '../Templates/assets/search.js'), 'utf8'), context);
const s = context.GavelSearch._internals;

// Each shard is run as the browser runs it: a script that sets GAVEL_SEARCH_SHARDS[name].
function shardLoader() {
  const sandbox = {};
  const bytes = { loaded: 0, files: 0 };
  const load = (names) => {
    for (const name of names) {
      if (sandbox.GAVEL_SEARCH_SHARDS && sandbox.GAVEL_SEARCH_SHARDS[name]) continue;
      const text = readFileSync(join(output, 'search', name + '.js'));
      bytes.loaded += text.length;
      bytes.files += 1;
      vm.runInNewContext(text.toString('utf8'), sandbox);
    }
    return Promise.resolve(sandbox.GAVEL_SEARCH_SHARDS);
  };
  return { load, bytes };
}

const all = shardLoader();
const names = readdirSync(join(output, 'search')).filter((f) => /^docs-\d+\.js$/.test(f)).map((f) => f.slice(0, -3));
names.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
const shards = await all.load(['meta', ...names]);
const entries = names.flatMap((n) => shards[n]);
const plain = (v) => JSON.parse(JSON.stringify(v));

const report = [];
for (const query of queries) {
  const first = shardLoader();
  await first.load(['meta']);
  const meta = (await first.load([]))['meta'];
  const sharded = plain(await s.searchShards(meta, first.load, query));
  const whole = plain(s.search(entries, query));
  report.push({ query, same: JSON.stringify(sharded) === JSON.stringify(whole), total: whole.total, shown: whole.results.length,
                bytes: first.bytes.loaded, files: first.bytes.files, sharded: sharded.results.map((r) => r.entry.u), whole: whole.results.map((r) => r.entry.u) });
}
const allBytes = readdirSync(join(output, 'search')).reduce((sum, f) => sum + readFileSync(join(output, 'search', f)).length, 0);
console.log(JSON.stringify({ entries: entries.length, indexBytes: allBytes, queries: report }, null, 1));
