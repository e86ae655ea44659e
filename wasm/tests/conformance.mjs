// Runs every shared conformance suite (IAM and network; worlds written inline) through the wasm build (the web
// build in wasm/www/pkg, instantiated with initSync on the wasm bytes) and checks that each
// suite's `N passed, M failed` equals the native binary's (`polcheck test SUITE`).
//
//   node wasm/tests/conformance.mjs    (POLCHECK_SHARED=DIR, POLCHECK_BIN=target/debug/polcheck)
import { readFile, readdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const shared = resolve(repo, process.env.POLCHECK_SHARED ?? '../shared');
const bin = resolve(repo, process.env.POLCHECK_BIN ?? 'target/debug/polcheck');
const pkg = join(repo, 'wasm', 'www', 'pkg');

const { initSync, runSuite, listActions } = await import(join(pkg, 'polcheck_wasm.js'));
let t0 = performance.now();
initSync({ module: await readFile(join(pkg, 'polcheck_wasm_bg.wasm')) });
const initMs = performance.now() - t0;
t0 = performance.now();
const firstList = listActions('s3:Get*');
console.log(`wasm in Node: instantiate ${initMs.toFixed(0)} ms; first listActions (parses the catalogue) ${(performance.now() - t0).toFixed(0)} ms, ${firstList.total} actions`);

function native(file) {
  let out;
  try {
    out = execFileSync(bin, ['test', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    out = e.stdout ?? ''; // exit 1 when a test fails: the counts are still printed
  }
  const m = out.match(/(\d+) passed, (\d+) failed\s*$/);
  if (!m) throw new Error(`${bin} test ${file}: no counts in its output:\n${out}`);
  return `${m[1]} passed, ${m[2]} failed`;
}

const files = [];
for (const kind of ['iam', 'network']) {
  const dir = join(shared, 'conformance', kind);
  for (const f of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) files.push(join(dir, f));
}
let mismatches = 0;
let suites = 0;
const total = { passed: 0, failed: 0 };
for (const file of files) {
  const name = file.slice(shared.length + 1);
  const text = await readFile(file, 'utf8');
  let needsWorld = false;
  try {
    needsWorld = typeof JSON.parse(text).world === 'string';
  } catch {
    // not JSON: both faces must count it as a failure, so compare it anyway
  }
  if (needsWorld) {
    console.log(`skip ${name}: its world is a file path, which the playground cannot read`);
    continue;
  }
  suites++;
  const r = runSuite(text);
  const wasm = r.summary;
  const want = native(file);
  total.passed += r.passed;
  total.failed += r.failed;
  const same = wasm === want;
  if (!same) mismatches++;
  console.log(`${same ? 'same' : 'DIFF'} ${name}: wasm ${wasm}, native ${want}`);
  for (const t of r.tests.filter((t) => !t.passed)) console.log(`     FAIL ${name}:${t.line}:${t.column}: ${t.name}: ${t.failure}`);
  if (!r.ok) console.log(`     ${name}:${r.error.line}:${r.error.column}: ${r.error.path}: ${r.error.message}`);
}
console.log(`conformance through wasm: ${suites} suites, ${total.passed} passed, ${total.failed} failed; ${mismatches} differ from the native binary`);
process.exit(mismatches === 0 && suites > 0 ? 0 : 1);
