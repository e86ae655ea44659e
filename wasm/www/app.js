// polcheck playground: the page around the wasm engine (./pkg, built by scripts/build-wasm.sh).
// State (policy documents by kind, the request, the world toggle, the flow, the open tab) lives in
// `state` and in the URL hash (`#s=` + base64url of its JSON), so a link reproduces a question.
import init, {
  evaluate, evaluateWorld, evaluateFlow, exposure, describeWorld, validatePolicy, listActions, version,
  checkRequest, validateFindings, diffPolicies, accessPaths, demoWorldFiles, whoCan,
} from './pkg/polcheck_wasm.js';

const KINDS = ['identity', 'resource', 'boundary', 'session', 'scp', 'rcp'];
// Kinds that take any number of documents (SCPs and RCPs in organization levels too); a
// resource, a boundary and a session policy are one document each, as AWS has them.
const MANY = ['identity', 'scp', 'rcp'];
const LEVELS = ['scp', 'rcp'];
// The tabs that are not a policy editor: each has its own panel, and the request and decision
// panels give way to it.
const SIDE = ['network', 'diff', 'paths'];
const HELP = {
  identity: "The caller's identity-based policy (its user, group or role). Empty: the caller has none.",
  resource: 'The resource-based policy of the resource (bucket policy, trust policy, key policy…). Empty: not modelled.',
  boundary: "The caller's permissions boundary. Empty: no boundary.",
  session: 'The session policy; it binds assumed-role and federated sessions only. Empty: none.',
  scp: "A service control policy of the caller's organization (one level). Empty: not in an organization.",
  rcp: "A resource control policy of the resource's organization (one level). Empty: none.",
  diff: 'Two versions of a policy: does the new one allow anything the old one did not? Every newly allowed region is listed with a witness request the engine confirms, as polcheck diff lists them.',
  paths: "Who can become whom on the world (assume a role, pass a role to a service, rewrite a policy…), and who can become an administrator, as polcheck paths finds them.",
  network: "Flows on the world (the demo world, or the estate you opened): would its routes, network ACLs and security groups let this packet and its reply through? Every check runs, so the verdict lists every blocker.",
};
const FLOW_FIELDS = ['from', 'to', 'protocol', 'port', 'sourcePort', 'icmpType', 'icmpCode'];
const DEFAULT_FLOW = { from: 'internet', to: 'i-0web01a2b3c4d5e6f', protocol: 'tcp', port: '443', sourcePort: '', icmpType: '', icmpCode: '' };
const ADDRESS = '__address';
const ACTION = '__action';
const FULL_ACCESS = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}';
const DEBOUNCE_MS = 120;
const SCRIPT_START = performance.now();

const ALLOW_READ = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadShared",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::shared-data", "arn:aws:s3:::shared-data/*"]
    }
  ]
}`;
const EXAMPLES = [
  {
    id: 'developer',
    title: 'Developer policy (corpus/policies/developer.json)',
    files: { identity: 'examples/developer.json' },
    request: {
      principal: 'arn:aws:iam::111122223333:user/alice',
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::demo-artifacts/releases/1.0.zip',
      context: 'aws:MultiFactorAuthPresent=false',
    },
  },
  {
    id: 'cross-account',
    title: 'Cross-account read: identity policy and bucket policy',
    policies: {
      identity: ALLOW_READ,
      resource: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PartnerReads",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::shared-data/*"
    }
  ]
}`,
    },
    request: {
      principal: 'arn:aws:iam::444455556666:user/bob',
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::shared-data/report.csv',
      resourceAccount: '111122223333',
    },
  },
  {
    id: 'scp-regions',
    title: 'SCP: deny everything outside eu-west-1',
    policies: {
      identity: `{
  "Version": "2012-10-17",
  "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}
}`,
      scp: `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "FullAccess", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {
      "Sid": "OnlyIreland",
      "Effect": "Deny",
      "NotAction": ["iam:*", "sts:*"],
      "Resource": "*",
      "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}
    }
  ]
}`,
    },
    request: {
      principal: 'arn:aws:iam::111122223333:role/admin',
      action: 'ec2:RunInstances',
      resource: '*',
      context: 'aws:RequestedRegion=us-east-1',
    },
  },
];

const $ = (id) => document.getElementById(id);
const els = {
  tabs: $('tabs'), help: $('tab-help'), editor: $('editor'), policy: $('policy'), gutter: $('gutter'),
  marks: $('marks'), errors: $('errors'), network: $('network'), docs: $('docs'),
  worldMode: $('world-mode'), principalList: $('principal-list'), networkWorld: $('network-world'),
  estateName: $('estate-name'), estateStatus: $('estate-status'), estateProblems: $('estate-problems'),
  estatePrincipals: $('estate-principals'), estateInstances: $('estate-instances'), estateFileList: $('estate-file-list'),
  requestPanel: document.querySelector('section.request'), decisionPanel: document.querySelector('section.decision'),
  flowForm: $('flow-form'), flowError: $('flow-error'), verdict: $('flow-verdict'), flowSummary: $('flow-summary'),
  blockers: $('flow-blockers'), hops: $('flow-hops'), exposureBtn: $('exposure-btn'), exposureList: $('exposure-list'),
  form: $('request-form'), context: $('context'), requestError: $('request-error'), actionList: $('action-list'),
  decision: $('decision'), blockedBy: $('blocked-by'), allowedBy: $('allowed-by'), missing: $('missing'),
  matched: $('matched'), raw: $('raw'), timing: $('timing'), examples: $('examples'),
  findingsBox: $('findings-box'), findings: $('findings'), findingsCount: $('findings-count'),
  viewing: $('viewing'), viewingName: $('viewing-name'), viewingWhat: $('viewing-what'),
};
const FIELDS = ['principal', 'action', 'resource', 'resourceAccount', 'context'];

let state = emptyState();
let errors = {}; // document name -> {line, column, message, path}
let findings = {}; // document name -> validate's findings [{code, severity, line, column, message, suggestion, fix}]
let deciding = {}; // kind -> [{start, end}]
let engineReady = false;
let viewing = null; // a world file shown read-only: {name, text, start?, end?, what?}
let firstAnswer = null;
let lastHash = '';

function emptyState() {
  return {
    tab: 'identity',
    // Per kind, its documents: [{level, text}] (level: the organization level, root = 0, for
    // SCPs and RCPs; 0 otherwise), and which one the editor shows.
    docs: Object.fromEntries(KINDS.map((k) => [k, [{ level: 0, text: '' }]])),
    active: Object.fromEntries(KINDS.map((k) => [k, 0])),
    request: Object.fromEntries(FIELDS.map((f) => [f, ''])),
    world: false,
    flow: { ...DEFAULT_FLOW },
    diff: { kind: '', old: '', new: '', removed: false },
    paths: { from: '', to: 'admin', all: false, action: '', resource: '' },
  };
}

// ---- URL state -------------------------------------------------------------------------
function encodeState(s) {
  const compact = {
    tab: s.tab,
    docs: Object.fromEntries(Object.entries(s.docs).map(([k, d]) => [k, d.filter((x) => x.text !== '').map((x) => (x.level ? [x.level, x.text] : x.text))]).filter(([, d]) => d.length > 0)),
    request: Object.fromEntries(Object.entries(s.request).filter(([, v]) => v !== '')),
    flow: Object.fromEntries(Object.entries(s.flow).filter(([, v]) => v !== '')),
  };
  if (s.world) compact.world = true;
  if (s.diff.old || s.diff.new || s.diff.kind || s.diff.removed) compact.diff = s.diff;
  if (s.paths.from) compact.paths = s.paths;
  const bytes = new TextEncoder().encode(JSON.stringify(compact));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeState(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '==='.slice((b64.length + 3) % 4));
  const parsed = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  const s = emptyState();
  if (typeof parsed.tab === 'string' && (KINDS.includes(parsed.tab) || SIDE.includes(parsed.tab))) s.tab = parsed.tab;
  // Links made before several documents per kind hold one text per kind under `policies`.
  for (const k of KINDS) if (typeof parsed.policies?.[k] === 'string') s.docs[k] = [{ level: 0, text: parsed.policies[k] }];
  for (const k of KINDS) {
    const d = parsed.docs?.[k];
    if (!Array.isArray(d)) continue;
    const docs = d.flatMap((x) => (typeof x === 'string' ? [{ level: 0, text: x }] : Array.isArray(x) && Number.isInteger(x[0]) && typeof x[1] === 'string' ? [{ level: LEVELS.includes(k) ? Math.max(0, Math.min(x[0], 9)) : 0, text: x[1] }] : []));
    if (docs.length > 0) s.docs[k] = MANY.includes(k) ? docs : docs.slice(0, 1);
  }
  for (const f of FIELDS) if (typeof parsed.request?.[f] === 'string') s.request[f] = parsed.request[f];
  s.world = parsed.world === true;
  if (parsed.flow && typeof parsed.flow === 'object') {
    for (const f of FLOW_FIELDS) s.flow[f] = typeof parsed.flow[f] === 'string' ? parsed.flow[f] : '';
    if (s.flow.protocol === '') s.flow.protocol = 'tcp';
  }
  for (const f of ['kind', 'old', 'new']) if (typeof parsed.diff?.[f] === 'string') s.diff[f] = parsed.diff[f];
  s.diff.removed = parsed.diff?.removed === true;
  for (const f of ['from', 'to', 'action', 'resource']) if (typeof parsed.paths?.[f] === 'string') s.paths[f] = parsed.paths[f];
  s.paths.all = parsed.paths?.all === true;
  return s;
}

function stateFromHash() {
  const m = location.hash.match(/^#s=([A-Za-z0-9_-]+)$/);
  if (!m) return null;
  try {
    return decodeState(m[1]);
  } catch (e) {
    console.warn('polcheck: unreadable state in the link', e);
    return null;
  }
}

function saveHash() {
  const hash = '#s=' + encodeState(state);
  if (hash !== location.hash) {
    lastHash = hash;
    history.replaceState(null, '', hash);
  }
}

// ---- request ---------------------------------------------------------------------------
function parseContext(text) {
  const context = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`context line ${i + 1}: expected key=value, found \`${line}\``);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    context[key] = value.includes(',') ? value.split(',').map((v) => v.trim()) : value;
  }
  return context;
}

// The name of a document, as the engine reports it back: the kind for the first document of a
// kind (`identity`, `scp`), then `identity #2`, `scp level 1 #2`...
function docName(kind, i) {
  if (i === 0) return kind;
  const d = state.docs[kind][i];
  const n = state.docs[kind].slice(0, i + 1).filter((x) => x.level === d.level).length;
  return LEVELS.includes(kind) ? `${kind} level ${d.level} #${n}` : `${kind} #${i + 1}`;
}

// Every document with text, as [kind, index, name, text].
function filledDocs() {
  return KINDS.flatMap((k) => state.docs[k].map((d, i) => [k, i, docName(k, i), d.text]).filter(([, , , t]) => t.trim() !== ''));
}

function docOf(name) {
  return filledDocs().find(([, , n]) => n === name);
}

function buildInput() {
  const docs = filledDocs();
  const of = (k) => docs.filter(([kind]) => kind === k);
  const policies = { identity: of('identity').map(([, , name, text]) => ({ name, text })) };
  for (const k of ['resource', 'boundary', 'session']) {
    const [d] = of(k);
    if (d) policies[k] = { name: d[2], text: d[3] };
  }
  for (const k of LEVELS) {
    const ds = of(k);
    if (ds.length === 0) continue;
    const top = Math.max(...ds.map(([kind, i]) => state.docs[kind][i].level));
    // Levels from the organization root down; a level with no document passes (FullAWSAccess).
    const levels = [];
    for (let level = 0; level <= top; level++) {
      const here = ds.filter(([kind, i]) => state.docs[kind][i].level === level).map(([, , name, text]) => ({ name, text }));
      levels.push(here.length > 0 ? here : [{ name: `${k} level ${level} (FullAWSAccess)`, text: FULL_ACCESS }]);
    }
    policies[k] = levels;
  }
  const r = state.request;
  const request = { action: r.action.trim(), resource: r.resource.trim() || '*', context: parseContext(r.context) };
  if (r.principal.trim()) request.principal = r.principal.trim();
  if (r.resourceAccount.trim()) request.resourceAccount = r.resourceAccount.trim();
  return { policies, request };
}

// ---- the answer ------------------------------------------------------------------------
let timer = null;
function schedule() {
  clearTimeout(timer);
  timer = setTimeout(update, DEBOUNCE_MS);
}

function update() {
  saveHash();
  if (!engineReady) return;
  errors = {};
  findings = {};
  for (const [kind, , name, text] of filledDocs()) {
    const v = validatePolicy(text);
    if (!v.ok) errors[name] = v.error;
    const f = validateFindings(text, kind);
    if (f.ok) findings[name] = f.findings;
  }
  deciding = {};
  showRequestErrors([]);
  let result = null;
  const t0 = performance.now();
  let input = null;
  let requestProblems = [];
  if (state.request.action.trim() !== '') {
    try {
      input = buildInput();
      // The question checked as `polcheck eval` checks it, even while a policy is broken: a
      // misspelt action or caller is said at once, with the did-you-mean.
      const c = checkRequest({ request: input.request, world: state.world ? (worldFiles() ?? true) : undefined });
      if (!c.ok) requestProblems = c.errors;
    } catch (e) {
      requestProblems = [{ source: 'request.context', message: e.message }];
      input = null;
    }
  }
  showRequestErrors(requestProblems);
  if (Object.keys(errors).length > 0) {
    showPending('invalid', 'fix the policy first');
  } else if (state.request.action.trim() === '') {
    showPending('pending', 'enter an action');
  } else if (requestProblems.length > 0 || !input) {
    showPending('invalid', 'fix the request first');
  } else if (state.world && !input.request.principal) {
    // No caller on a world: who can? (`polcheck eval --world W --action A` with no principal.)
    const { action, resource, context, resourceAccount } = input.request;
    const w = whoCan({ world: worldFiles(), action, resource, context, resourceAccount, policies: input.policies });
    if (w.ok) showWhoCan(w, performance.now() - t0);
    else {
      showRequestErrors(w.errors);
      showPending('invalid', 'fix the request first');
    }
  } else {
    result = state.world ? evaluateWorld({ ...input, world: worldFiles() }) : evaluate(input);
    if (!result.ok) {
      showRequestErrors(result.errors);
      showPending('invalid', 'fix the request first');
      result = null;
    }
  }
  const ms = performance.now() - t0;
  if (result) showDecision(result, ms);
  updateFlow();
  updateDiff();
  updatePaths();
  renderTabs();
  renderEditor();
  renderErrors();
  renderFindings();
}

function showPending(cls, text) {
  els.decision.className = 'badge ' + cls;
  els.decision.dataset.decision = '';
  els.decision.textContent = text;
  for (const el of [els.blockedBy, els.allowedBy, els.missing]) el.textContent = '–';
  els.matched.replaceChildren();
  els.raw.textContent = '';
}

function showDecision(r, ms) {
  els.decision.className = 'badge ' + r.decision;
  els.decision.dataset.decision = r.decision;
  els.decision.textContent = r.decision;
  els.blockedBy.textContent = r.blockedBy.join(', ') || '–';
  els.allowedBy.textContent = r.allowedBy.join(', ') || '–';
  els.missing.textContent = r.missingContext.join(', ') || '–';
  // The deciding statements: the Deny ones for an explicit deny, the Allow ones when allowed;
  // an implicit deny is decided by what is missing (blockedBy), not by a statement.
  const decidingEffect = { explicitDeny: 'Deny', allowed: 'Allow' }[r.decision];
  els.matched.replaceChildren(
    ...r.matched.map((m) => {
      const li = document.createElement('li');
      const isDeciding = m.effect === decidingEffect;
      if (isDeciding) (deciding[m.policy] ??= []).push({ start: m.start, end: m.end });
      li.className = isDeciding ? 'deciding' : '';
      li.dataset.policy = m.policy;
      li.dataset.start = m.start.line;
      li.dataset.end = m.end.line;
      const sid = m.sid ? ` “${m.sid}”` : ` #${m.statement}`;
      li.innerHTML = `<span class="eff-${m.effect}"></span> statement<b></b> of the <i></i> policy, lines <code></code>`;
      li.children[0].textContent = m.effect;
      li.children[1].textContent = sid;
      // The editors' policies are named by their kind; the demo world's by where they come from.
      const fromWorld = !docOf(m.policy) && !m.policy.endsWith('(FullAWSAccess)');
      li.children[2].textContent = fromWorld ? `${m.kind}: ${m.policy}` : m.policy === m.kind ? m.kind : m.policy;
      if (fromWorld) li.classList.add('from-world');
      li.children[3].textContent = `${m.start.line}:${m.start.column}–${m.end.line}:${m.end.column}`;
      li.addEventListener('click', () => (fromWorld ? openWorldMatch(m) : goTo(m.policy, m.start.line, m.start.column)));
      li.tabIndex = 0;
      li.setAttribute('role', 'button');
      li.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          li.click();
        }
      });
      return li;
    }),
  );
  if (r.matched.length === 0) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = 'no statement applies';
    els.matched.append(li);
  }
  els.raw.textContent = JSON.stringify({ EvaluationResults: r.EvaluationResults }, null, 2);
  if (firstAnswer === null) {
    firstAnswer = performance.now();
    document.body.dataset.firstAnswerMs = firstAnswer.toFixed(0);
  }
  els.timing.textContent = `first answer ${firstAnswer.toFixed(0)} ms after navigation · this decision ${ms.toFixed(1)} ms`;
}

// Who can: every principal of the world allowed, with the policies that allow it.
function showWhoCan(w, ms) {
  const n = w.principals.filter((p) => p.access !== 'conditional').length;
  els.decision.className = 'badge ' + (n > 0 ? 'allowed' : 'implicitDeny');
  els.decision.dataset.decision = 'who-can';
  els.decision.dataset.count = String(n);
  els.decision.textContent = `${n} of ${w.asked} can`;
  for (const el of [els.blockedBy, els.allowedBy, els.missing]) el.textContent = '–';
  els.matched.replaceChildren(
    ...w.principals.map((p) => {
      const li = document.createElement('li');
      li.className = 'who';
      li.dataset.principal = p.principal;
      li.dataset.access = p.access;
      li.innerHTML = '<code></code> <span class="muted"></span>';
      li.children[0].textContent = p.principal === '*' ? '* (everyone, anonymous callers included)' : p.principal;
      li.children[1].textContent = p.access === 'conditional' ? `allowed only ${p.ifContext.join('; ')}`
        : p.access === 'external' ? `of another account: the resource's policy allows${p.ifContext.length ? ` (${p.ifContext.join('; ')})` : ''}; its own account's policies must allow too`
        : `allowed by ${p.policies.filter((x) => !x.startsWith('SCP FullAWSAccess')).join('; ') || p.allowedBy.join(', ')}`;
      li.title = 'ask as this principal';
      li.tabIndex = 0;
      li.setAttribute('role', 'button');
      const ask = () => {
        $('principal').value = p.principal;
        state.request.principal = p.principal;
        update();
      };
      li.addEventListener('click', ask);
      li.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          ask();
        }
      });
      return li;
    }),
  );
  if (n === 0) els.matched.replaceChildren(Object.assign(document.createElement('li'), { className: 'muted', textContent: 'no principal of the world is allowed' }));
  els.raw.textContent = JSON.stringify(w.aws, null, 2);
  els.timing.textContent = `who can: ${w.summary} · ${ms.toFixed(1)} ms`;
}

// The request's problems, each under the form with its did-you-mean as a button that applies it;
// the field it is about is marked invalid.
const FIELD_OF = { 'request.action': 'action', 'request.principal': 'principal', 'request.resource': 'resource', 'request.context': 'context' };
function showRequestErrors(list) {
  for (const f of FIELDS) {
    $(f).removeAttribute('aria-invalid');
    $(f).removeAttribute('aria-describedby');
  }
  els.requestError.replaceChildren(
    ...list.map((e) => {
      const p = document.createElement('p');
      const field = FIELD_OF[e.source];
      p.dataset.field = field ?? e.source;
      if (field) {
        $(field).setAttribute('aria-invalid', 'true');
        p.id = `${field}-error`;
        $(field).setAttribute('aria-describedby', p.id);
      }
      p.append(document.createTextNode(field ? `${field[0].toUpperCase()}${field.slice(1)}: ${e.message}` : describeError(e.source, e)));
      if (e.suggestion && field) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'suggestion';
        b.textContent = `use ${e.suggestion}`;
        b.addEventListener('click', () => {
          $(field).value = e.suggestion;
          state.request[field] = e.suggestion;
          update();
        });
        p.append(' ', b);
      }
      return p;
    }),
  );
}

// An error as a person reads it: where (the editor, line and column, and the JSON path when it
// is not the whole document), then what.
function describeError(source, e) {
  const where = e.line != null ? `${source}, line ${e.line}, column ${e.column}` : source;
  const path = e.path && e.path !== '$' ? ` (at ${e.path.replace(/^\$\.?/, '')})` : '';
  return `${where}${path}: ${e.message}`;
}

// ---- the editor ------------------------------------------------------------------------
let charWidth = 7.8;
function measureChar() {
  const probe = document.createElement('span');
  probe.style.cssText = 'position:absolute;visibility:hidden;white-space:pre;font:inherit';
  probe.textContent = 'M'.repeat(100);
  els.editor.append(probe);
  charWidth = probe.getBoundingClientRect().width / 100 || charWidth;
  probe.remove();
}

function lineHeight() {
  return parseFloat(getComputedStyle(els.editor).lineHeight) || 20;
}

function renderTabs() {
  for (const b of els.tabs.querySelectorAll('button')) {
    const k = b.dataset.tab;
    b.setAttribute('aria-selected', String(k === state.tab));
    if (!KINDS.includes(k)) continue;
    const names = state.docs[k].map((_, i) => docName(k, i));
    b.classList.toggle('has-text', state.docs[k].some((d) => d.text.trim() !== ''));
    b.classList.toggle('has-error', names.some((n) => errors[n]));
    b.classList.toggle('deciding', names.some((n) => deciding[n]));
  }
  els.help.textContent = HELP[state.tab];
  renderDocBar();
}

// The documents of the open kind: one button each, and buttons to add a document (or an
// organization level) and to remove the open one.
function renderDocBar() {
  const bar = els.docs;
  const k = state.tab;
  bar.hidden = !MANY.includes(k);
  if (bar.hidden) return bar.replaceChildren();
  const buttons = state.docs[k].map((d, i) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.doc = String(i);
    const name = docName(k, i);
    b.textContent = LEVELS.includes(k) ? `level ${d.level} · #${state.docs[k].slice(0, i + 1).filter((x) => x.level === d.level).length}` : `policy ${i + 1}`;
    b.setAttribute('aria-pressed', String(i === state.active[k]));
    b.classList.toggle('has-error', Boolean(errors[name]));
    b.classList.toggle('deciding', Boolean(deciding[name]));
    b.addEventListener('click', () => openDoc(k, i));
    return b;
  });
  const add = (label, level) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'add';
    b.textContent = label;
    b.addEventListener('click', () => {
      state.docs[k].push({ level, text: '' });
      openDoc(k, state.docs[k].length - 1);
    });
    return b;
  };
  const active = state.docs[k][state.active[k]];
  const extra = [add(LEVELS.includes(k) ? `+ policy in level ${active.level}` : '+ policy', active.level)];
  if (LEVELS.includes(k)) extra.push(add(`+ level ${Math.max(...state.docs[k].map((d) => d.level)) + 1}`, Math.max(...state.docs[k].map((d) => d.level)) + 1));
  if (state.docs[k].length > 1) {
    const rm = document.createElement('button');
    rm.type = 'button';
    rm.className = 'remove';
    rm.textContent = 'remove this one';
    rm.addEventListener('click', () => {
      state.docs[k].splice(state.active[k], 1);
      openDoc(k, Math.max(0, state.active[k] - 1));
    });
    extra.push(rm);
  }
  bar.replaceChildren(...buttons, ...extra);
}

function openDoc(kind, i) {
  state.tab = kind;
  state.active[kind] = i;
  renderTabs();
  renderEditor();
  update();
}

function activeName() {
  return KINDS.includes(state.tab) ? docName(state.tab, state.active[state.tab]) : null;
}

function renderEditor() {
  const side = SIDE.includes(state.tab);
  els.editor.hidden = side;
  els.findingsBox.hidden = side;
  for (const t of SIDE) $(t).hidden = state.tab !== t;
  // The request and decision panels are the IAM half's; the other tabs have their own forms.
  els.requestPanel.hidden = side;
  els.decisionPanel.hidden = side;
  document.querySelector('main').classList.toggle('network-mode', side);
  els.viewing.hidden = side || !viewing;
  if (side) {
    if (state.tab === 'network') renderFlowForm();
    if (state.tab === 'diff') renderDiffForm();
    if (state.tab === 'paths') renderPathsForm();
    return;
  }
  // A world file opened from a matched statement or the world browser: read-only.
  const text = viewing ? viewing.text : state.docs[state.tab][state.active[state.tab]].text;
  els.policy.readOnly = Boolean(viewing);
  els.policy.setAttribute('aria-label', viewing ? `World file ${viewing.name} (read-only)` : 'Policy document (JSON)');
  if (viewing) {
    els.viewingName.textContent = viewing.name;
    els.viewingWhat.textContent = viewing.what ?? '';
  }
  if (els.policy.value !== text) els.policy.value = text;
  const lh = lineHeight();
  const textLines = text.split('\n');
  const count = textLines.length;
  const ranges = viewing ? (viewing.start ? [{ start: viewing.start, end: viewing.end }] : []) : deciding[activeName()] ?? [];
  const err = viewing ? null : errors[activeName()];
  const found = viewing ? [] : findings[activeName()] ?? [];
  const lines = [];
  for (let n = 1; n <= count; n++) {
    const div = document.createElement('div');
    div.className = 'ln';
    div.dataset.line = n;
    if (ranges.some((r) => r.start.line <= n && n <= r.end.line)) div.classList.add('hl');
    if (err && err.line === n) div.classList.add('err');
    const here = found.filter((f) => f.line === n);
    if (here.length > 0) {
      div.classList.add(`find-${worst(here)}`);
      div.title = here.map((f) => `${f.severity}[${f.code}]: ${f.message}`).join('\n');
    }
    div.textContent = n;
    lines.push(div);
  }
  els.gutter.replaceChildren(...lines);
  const marks = ranges.map((r) => {
    const div = document.createElement('div');
    div.className = 'mark hl';
    div.dataset.start = r.start.line;
    div.dataset.end = r.end.line;
    div.style.top = `${(r.start.line - 1) * lh}px`;
    div.style.height = `${(r.end.line - r.start.line + 1) * lh}px`;
    return div;
  });
  if (err && err.line != null) {
    const line = document.createElement('div');
    line.className = 'mark err';
    line.style.top = `${(err.line - 1) * lh}px`;
    line.style.height = `${lh}px`;
    const caret = document.createElement('div');
    caret.className = 'caret-err';
    caret.dataset.line = err.line;
    caret.dataset.column = err.column;
    caret.title = err.message;
    caret.style.top = `${(err.line - 1) * lh}px`;
    caret.style.left = `${(err.column - 1) * charWidth}px`;
    marks.push(line, caret);
  }
  // validate's findings: the line tinted by severity, a wavy underline from the column on.
  for (const f of found) {
    if (f.refused && err) continue; // the parse error is marked already
    const u = document.createElement('div');
    u.className = `finding-mark ${f.severity}`;
    u.dataset.line = f.line;
    u.dataset.column = f.column;
    u.dataset.code = f.code;
    u.title = `${f.severity}[${f.code}]: ${f.message}`;
    u.style.top = `${(f.line - 1) * lh}px`;
    u.style.left = `${(f.column - 1) * charWidth}px`;
    // Under the whole string value (or key) the finding is about, else two characters.
    const rest = (textLines[f.line - 1] ?? '').slice(f.column - 1);
    const token = rest.match(/^"(?:[^"\\]|\\.)*"/)?.[0];
    u.style.width = `${Math.max(2, token?.length ?? 2) * charWidth}px`;
    marks.push(u);
  }
  els.marks.replaceChildren(...marks);
  els.editor.dataset.findings = found.map((f) => `${f.line}:${f.column}:${f.code}`).join(',');
  els.editor.dataset.highlight = ranges.map((r) => `${r.start.line}-${r.end.line}`).join(',');
  els.editor.dataset.error = err ? `${err.line}:${err.column}` : '';
  syncScroll();
}

const SEVERITY = ['error', 'warning', 'info'];
function worst(list) {
  return SEVERITY.find((s) => list.some((f) => f.severity === s)) ?? 'info';
}

// validate's findings of every document, the open one first: code, severity, place, message,
// the did-you-mean and the fix; a click goes to the place.
function renderFindings() {
  const active = activeName();
  const rows = filledDocs()
    .flatMap(([, , name]) => (findings[name] ?? []).map((f) => [name, f]))
    .sort(([a], [b]) => (a === active ? 0 : 1) - (b === active ? 0 : 1));
  els.findingsCount.textContent = rows.length === 0 ? 'none: validate finds nothing to say' : `${rows.length}, as polcheck validate finds them`;
  els.findings.replaceChildren(
    ...rows.map(([name, f]) => {
      const li = document.createElement('li');
      li.className = f.severity;
      li.dataset.code = f.code;
      li.dataset.policy = name;
      li.dataset.line = f.line;
      li.dataset.column = f.column;
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'link';
      b.textContent = `${name}, line ${f.line}, column ${f.column}`;
      b.addEventListener('click', () => goTo(name, f.line, f.column));
      const sev = Object.assign(document.createElement('span'), { className: `sev ${f.severity}`, textContent: f.severity });
      const code = Object.assign(document.createElement('code'), { textContent: f.code });
      const msg = Object.assign(document.createElement('span'), { className: 'msg', textContent: f.message + (f.suggestion ? ` (did you mean \`${f.suggestion}\`?)` : '') });
      li.append(sev, ' ', code, ' ', b, ': ', msg);
      if (f.fix) li.append(Object.assign(document.createElement('div'), { className: 'fix', textContent: `fix: ${f.fix}` }));
      return li;
    }),
  );
}

function renderErrors() {
  els.errors.replaceChildren(
    ...filledDocs().filter(([, , name]) => errors[name]).map(([k, , name]) => {
      const e = errors[name];
      const li = document.createElement('li');
      li.dataset.kind = k;
      li.textContent = describeError(name, e);
      li.addEventListener('click', () => goTo(name, e.line, e.column));
      return li;
    }),
  );
}

function syncScroll() {
  const t = els.policy;
  els.gutter.style.transform = `translateY(${-t.scrollTop}px)`;
  els.marks.style.transform = `translate(${-t.scrollLeft}px, ${-t.scrollTop}px)`;
}

function goTo(name, line, column) {
  const doc = docOf(name);
  if (!doc) return;
  viewing = null;
  const [kind, index] = doc;
  state.tab = kind;
  state.active[kind] = index;
  renderTabs();
  renderEditor();
  const lines = els.policy.value.split('\n');
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  offset += Math.max(0, column - 1);
  els.policy.focus();
  els.policy.setSelectionRange(offset, offset);
  els.policy.scrollTop = Math.max(0, (line - 4) * lineHeight());
  saveHash();
}

// ---- world files, read-only --------------------------------------------------------------
let demoTexts = null;
// The world's files as texts: the estate opened, or the demo world's (from the engine).
function worldTexts() {
  if (estate) return estate;
  demoTexts ??= demoWorldFiles();
  return demoTexts;
}

function openWorldFile(v) {
  viewing = v;
  if (SIDE.includes(state.tab)) state.tab = 'identity';
  renderTabs();
  renderEditor();
  if (v.start) {
    const lines = v.text.split('\n');
    const offset = (p) => lines.slice(0, p.line - 1).reduce((n, l) => n + l.length + 1, 0) + p.column - 1;
    els.policy.focus();
    els.policy.setSelectionRange(offset(v.start), offset(v.end));
    els.policy.scrollTop = Math.max(0, (v.start.line - 4) * lineHeight());
  } else {
    els.policy.scrollTop = 0;
    els.policy.focus();
  }
}

// Offset of a 1-based line:column in a text, or -1.
function offsetOf(text, line, column) {
  let at = 0;
  for (let l = 1; l < line; l++) {
    at = text.indexOf('\n', at);
    if (at < 0) return -1;
    at++;
  }
  return at + column - 1;
}

// Whether text[start..end] (1-based positions, end inclusive) is the matched statement.
function isStatement(text, m) {
  const a = offsetOf(text, m.start.line, m.start.column);
  const b = offsetOf(text, m.end.line, m.end.column);
  if (a < 0 || b < a || text[a] !== '{') return false;
  const slice = text.slice(a, b + 1);
  return new RegExp(`"Effect"\\s*:\\s*"${m.effect}"`).test(slice) && (!m.sid || slice.includes(`"${m.sid}"`));
}

// A statement the world's policies matched: the file that holds it, opened at its lines. A
// policy written as a JSON string in the file (bucket policies in ResourcePolicies) opens as
// that string's text, which the statement's place is in.
function openWorldMatch(m) {
  const what = `${m.kind}: ${m.policy}, statement ${m.sid ? `“${m.sid}”` : '#' + m.statement}`;
  const files = worldTexts();
  for (const f of files) {
    if (isStatement(f.text, m)) return openWorldFile({ name: f.name, text: f.text, start: m.start, end: m.end, what });
  }
  for (const f of files) {
    let doc;
    try {
      doc = JSON.parse(f.text);
    } catch {
      continue;
    }
    const stack = [[doc, '']];
    while (stack.length > 0) {
      const [v, path] = stack.pop();
      if (typeof v === 'string') {
        let t = v.trim();
        if (t.startsWith('%7B')) {
          try {
            t = decodeURIComponent(t.replace(/\+/g, ' '));
          } catch {
            continue;
          }
        }
        if (t.startsWith('{') && isStatement(t, m)) return openWorldFile({ name: `${f.name} ${path}`, text: t, start: m.start, end: m.end, what: `${what} (a policy written as a JSON string in the file)` });
      } else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) stack.push([x, Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k]);
      }
    }
  }
  return openWorldFile({ name: m.policy, text: `// ${what}: its text is not in the world's files`, what });
}

// ---- action completion -----------------------------------------------------------------
let lastPattern = '';
function completeActions() {
  if (!engineReady) return;
  const typed = state.request.action.trim();
  if (typed === '' || /[\s]/.test(typed)) return;
  const pattern = typed.includes(':') ? typed + '*' : typed + '*:*';
  if (pattern === lastPattern) return;
  lastPattern = pattern;
  const r = listActions(pattern, 200);
  if (!r.ok) return;
  els.actionList.replaceChildren(
    ...r.actions.map((a) => {
      const o = document.createElement('option');
      o.value = a.name;
      o.label = `${a.name} (${a.accessLevel})`;
      return o;
    }),
  );
}

// ---- the world: the demo world, or the user's own estate ------------------------------------
// `estate` is the user's files ([{name, text}], read in this tab, never sent anywhere), or null
// for the demo world bundled in the engine. describeWorld() loads a world once (the engine
// keeps it compiled while the same texts are passed), so it is asked only when the Network
// tab, the world toggle or a newly opened estate needs it.
let estate = null;
let demo = null; // describeWorld's answer for the current world
function worldFiles() {
  return estate ?? undefined;
}
function demoWorld() {
  if (demo === null) {
    const t0 = performance.now();
    demo = describeWorld({ world: worldFiles() });
    const ms = (performance.now() - t0).toFixed(1);
    if (estate) document.body.dataset.estateMs = ms;
    else document.body.dataset.demoWorldMs = ms;
    if (!demo.ok) console.warn('polcheck: the world did not load', demo.errors);
    fillWorldPickers();
    renderEstate();
  }
  return demo;
}

// Reads dropped or picked files (folders recursively) into [{name, text}], JSON files only.
async function readEntries(entries) {
  const out = [];
  async function walk(entry, prefix) {
    if (entry.isFile) {
      if (!entry.name.toLowerCase().endsWith('.json')) return;
      const file = await new Promise((ok, fail) => entry.file(ok, fail));
      out.push({ name: prefix + entry.name, text: await file.text() });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
        if (batch.length === 0) break;
        for (const e of batch) await walk(e, prefix + entry.name + '/');
      }
    }
  }
  for (const e of entries) await walk(e, '');
  return out;
}

async function readFileList(files) {
  const out = [];
  for (const f of files) {
    const name = f.webkitRelativePath || f.name;
    if (name.toLowerCase().endsWith('.json')) out.push({ name, text: await f.text() });
  }
  return out;
}

function openEstate(files, label) {
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (files.length === 0) {
    els.estateStatus.textContent = `${label}: no .json file found; nothing changed`;
    els.estateStatus.className = 'estate-status bad';
    return;
  }
  estate = files;
  estateLabel = label;
  demo = null;
  state.world = true;
  demoWorld();
  renderWorldMode();
  update();
}
let estateLabel = '';

function useDemoWorld() {
  estate = null;
  estateLabel = '';
  demo = null;
  demoWorld();
  renderWorldMode();
  update();
}

function renderEstate() {
  const name = estate ? `your estate (${estateLabel})` : 'the demo world';
  els.estateName.textContent = name;
  els.networkWorld.textContent = `on ${name}`;
  document.body.dataset.world = estate ? 'estate' : 'demo';
  const problems = [];
  if (!demo) return;
  if (demo.ok) {
    const n = estate ? estate.length : 2;
    els.estateStatus.textContent = `${n} file${n === 1 ? '' : 's'} loaded: account ${demo.account ?? 'unknown'}, ${demo.principals.length} principals, ${demo.instances.length} instances or interfaces${demo.hasNetwork ? '' : ', no network data'}` + (demo.warnings.length ? `, ${demo.warnings.length} warning${demo.warnings.length === 1 ? '' : 's'}` : '');
    els.estateStatus.className = 'estate-status ok';
    for (const w of demo.warnings) problems.push(['warning', w]);
  } else {
    els.estateStatus.textContent = 'this world does not load; the questions below use nothing from it until it is fixed';
    els.estateStatus.className = 'estate-status bad';
    for (const e of demo.errors) problems.push(['error', describeError(e.source ?? 'world', e)]);
  }
  els.estateProblems.replaceChildren(
    ...problems.map(([kind, text]) => Object.assign(document.createElement('li'), { className: kind, textContent: `${kind}: ${text}` })),
  );
  const item = (text) => Object.assign(document.createElement('li'), { textContent: text });
  els.estatePrincipals.replaceChildren(...(demo.principals ?? []).map(item));
  els.estateInstances.replaceChildren(
    ...(demo.instances ?? []).map((i) => item(`${i.id} ${i.privateIp ?? ''}${i.publicIp ? ' public ' + i.publicIp : ''} (${i.subnetId}, ${i.vpcId})`)),
  );
  // Each file opens read-only in the editor.
  els.estateFileList.replaceChildren(
    ...worldTexts().map((f) => {
      const li = document.createElement('li');
      const b = Object.assign(document.createElement('button'), { type: 'button', className: 'link', textContent: f.name });
      b.dataset.file = f.name;
      b.addEventListener('click', () => openWorldFile({ name: f.name, text: f.text }));
      li.append(b, ` (${f.text.length.toLocaleString('en')} characters)`);
      return li;
    }),
  );
}

function fillWorldPickers() {
  if (!demo?.ok) return;
  for (const end of ['from', 'to']) {
    const select = $(`flow-${end}`);
    const options = [new Option('internet (any public address)', 'internet')];
    for (const i of demo.instances) {
      const addr = [i.privateIp, i.publicIp && `public ${i.publicIp}`].filter(Boolean).join(', ');
      options.push(new Option(`${i.id} (${addr})`, i.id));
    }
    options.push(new Option('an address…', ADDRESS));
    select.replaceChildren(...options);
  }
  els.principalList.replaceChildren(...demo.principals.map((p) => new Option(p, p)));
}

function renderWorldMode() {
  els.worldMode.checked = state.world;
  if (!state.world) {
    els.principalList.replaceChildren();
    return;
  }
  demoWorld();
  fillWorldPickers();
}

// ---- the network tab -------------------------------------------------------------------
function isEndpoint(value) {
  return value === 'internet' || Boolean(demo?.instances?.some((i) => i.id === value));
}

// Puts `state.flow` into the form (on load, from a link, from an exposure entry).
function renderFlowForm() {
  demoWorld();
  for (const end of ['from', 'to']) {
    const v = state.flow[end];
    const select = $(`flow-${end}`);
    const address = $(`flow-${end}-address`);
    const picked = v === '' || isEndpoint(v) ? v : ADDRESS;
    select.value = picked;
    address.hidden = picked !== ADDRESS;
    if (picked === ADDRESS && address.value !== v) address.value = v;
  }
  for (const f of ['protocol', 'port', 'sourcePort', 'icmpType', 'icmpCode']) {
    const el = $(`flow-${f}`);
    if (el.value !== state.flow[f]) el.value = state.flow[f];
  }
  const icmp = state.flow.protocol.startsWith('icmp');
  for (const l of els.flowForm.querySelectorAll('.icmp')) l.hidden = !icmp;
  for (const l of els.flowForm.querySelectorAll('.ports')) l.hidden = icmp;
}

// Reads the form into `state.flow`.
function readFlowForm() {
  for (const end of ['from', 'to']) {
    const select = $(`flow-${end}`);
    const address = $(`flow-${end}-address`);
    address.hidden = select.value !== ADDRESS;
    state.flow[end] = select.value === ADDRESS ? address.value.trim() : select.value;
  }
  for (const f of ['protocol', 'port', 'sourcePort', 'icmpType', 'icmpCode']) state.flow[f] = $(`flow-${f}`).value.trim();
  const icmp = state.flow.protocol.startsWith('icmp');
  for (const l of els.flowForm.querySelectorAll('.icmp')) l.hidden = !icmp;
  for (const l of els.flowForm.querySelectorAll('.ports')) l.hidden = icmp;
}

// A numeric field as a number when it is one; otherwise as typed, for the engine to reject
// with its own message.
function numberOrText(text) {
  return /^\d+$/.test(text) ? Number(text) : text;
}

function flowInput() {
  const f = state.flow;
  const flow = { from: f.from, to: f.to, protocol: f.protocol || 'tcp' };
  const fields = flow.protocol.startsWith('icmp') ? ['icmpType', 'icmpCode'] : ['port', 'sourcePort'];
  for (const k of fields) if (f[k] !== '') flow[k] = numberOrText(f[k]);
  return flow;
}

function updateFlow() {
  if (!engineReady || state.tab !== 'network') return;
  demoWorld();
  els.flowError.textContent = '';
  const f = state.flow;
  if (f.from === '' || f.to === '') return showVerdict(null, 'choose both ends');
  const flow = flowInput();
  const t0 = performance.now();
  const v = evaluateFlow({ flow, world: worldFiles() });
  const ms = performance.now() - t0;
  if (!v.ok) {
    els.flowError.textContent = v.errors.map((e) => describeError(e.source, e)).join('\n');
    return showVerdict(null, 'fix the flow first');
  }
  showVerdict(v, `${flow.protocol}${flow.port != null ? ' ' + flow.port : ''} from ${flow.from} to ${flow.to} · ${ms.toFixed(1)} ms`);
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text ?? '–';
  return td;
}

function showVerdict(v, summary) {
  els.flowSummary.textContent = summary;
  const body = els.blockers.tBodies[0];
  if (!v) {
    els.verdict.className = 'badge pending';
    els.verdict.dataset.verdict = '';
    els.verdict.textContent = summary;
    els.flowSummary.textContent = '';
    body.replaceChildren();
    els.hops.replaceChildren();
    return;
  }
  const word = v.allowed ? 'allowed' : 'denied';
  els.verdict.className = 'badge ' + word;
  els.verdict.dataset.verdict = word;
  els.verdict.dataset.blockedBy = v.blockedBy.join(',');
  els.verdict.textContent = word;
  // Each blocker is two rows: kind, component, rule, direction and code, then the explanation.
  body.replaceChildren(
    ...v.blockers.flatMap((b) => {
      const tr = document.createElement('tr');
      tr.dataset.kind = b.kind;
      tr.append(cell(b.kind), cell(b.component), cell(b.rule), cell(b.direction), cell(b.code));
      const why = document.createElement('tr');
      why.className = 'explanation';
      const td = cell(b.explanation);
      td.colSpan = 5;
      why.append(td);
      return [tr, why];
    }),
  );
  if (v.blockers.length === 0) {
    const tr = document.createElement('tr');
    tr.className = 'none';
    const td = cell('nothing blocks: the packet reaches the destination and the reply comes back');
    td.colSpan = 5;
    tr.append(td);
    body.append(tr);
  }
  els.hops.replaceChildren(
    ...travelOrder(v.hops, state.flow).map((h) => {
      const li = document.createElement('li');
      li.dataset.kind = h.kind;
      li.className = h.direction + (h.derived ? ' derived' : '');
      li.innerHTML = '<span class="dir"></span> <b></b> <code></code> <span class="rule"></span>';
      li.children[0].textContent = h.direction;
      li.children[1].textContent = h.kind;
      li.children[2].textContent = h.component;
      li.children[3].textContent = h.rule ?? '';
      if (h.derived) li.title = h.derived;
      return li;
    }),
  );
}

const GATEWAYS = ['internet-gateway', 'nat-gateway', 'vpc-peering', 'transit-gateway', 'vpc-endpoint', 'vpn-gateway'];
// The engine lists a direction's hops in the order it checks them; a person reads a path in
// the order the packet travels: instance, interface, security group, subnet, network ACL out,
// route table, gateway, ... then network ACL in, subnet, security group, interface, instance.
// Every hop of the engine is kept (reordered only); `derived` hops (the instances at the ends,
// the internet gateway a packet from the internet enters by) say where they come from.
function travelOrder(hops, flow) {
  const out = [];
  for (const dir of ['forward', 'reply']) {
    let h = hops.filter((x) => x.direction === dir).map((x) => ({ ...x }));
    const kinds = () => h.map((x) => x.kind);
    // Leaving: interface, subnet, security group -> interface, security group, subnet.
    if (kinds().slice(0, 3).join() === 'interface,subnet,security-group') h = [h[0], h[2], h[1], ...h.slice(3)];
    // Arriving: [security group,] interface, subnet (not the first hop) -> subnet, [security group,] interface.
    for (let i = 1; i + 1 < h.length; i++) {
      if (h[i].kind !== 'interface' || h[i + 1].kind !== 'subnet') continue;
      const sg = h[i - 1].kind === 'security-group' ? i - 1 : -1;
      const block = sg >= 0 ? [h[i + 1], h[sg], h[i]] : [h[i + 1], h[i]];
      const start = sg >= 0 ? sg : i;
      h.splice(start, block.length, ...block);
      i++;
    }
    // A route table (and the gateway it sends to) checked before the network ACL the packet
    // leaves its subnet through: the ACL comes first.
    for (let i = 0; i < h.length; i++) {
      if (h[i].kind !== 'route-table') continue;
      let j = i + 1;
      if (h[j] && GATEWAYS.includes(h[j].kind) && h[j].kind !== 'nat-gateway') j++;
      if (h[j]?.kind === 'network-acl' && /outbound/.test(h[j].rule ?? '')) {
        const [acl] = h.splice(j, 1);
        h.splice(i, 0, acl);
        i = j;
      }
    }
    if (dir === 'forward') {
      // From the internet, the packet enters the VPC through the internet gateway the reply's
      // route leaves by.
      const igw = hops.find((x) => x.direction === 'reply' && x.kind === 'internet-gateway');
      if (h[0]?.kind === 'internet' && igw && !h.some((x) => GATEWAYS.includes(x.kind))) {
        h.splice(1, 0, { direction: 'forward', kind: 'internet-gateway', component: igw.component, derived: 'the VPC\'s internet gateway, which the route of the reply goes back through' });
      }
      const isInstance = (id) => demo?.instances?.some((i) => i.id === id);
      if (flow && isInstance(flow.from) && h[0]?.kind === 'interface') h.unshift({ direction: 'forward', kind: 'instance', component: flow.from, derived: 'the instance the flow is from' });
      if (flow && isInstance(flow.to) && h.at(-1)?.kind === 'interface') h.push({ direction: 'forward', kind: 'instance', component: flow.to, derived: 'the instance the flow is to' });
    }
    out.push(...h);
  }
  return out;
}

function showExposure() {
  const r = exposure({ world: worldFiles() });
  if (!r.ok) {
    els.exposureList.replaceChildren(Object.assign(document.createElement('li'), { textContent: r.errors.map((e) => e.message).join('; ') }));
    return;
  }
  els.exposureList.replaceChildren(
    ...r.exposures.map((e) => {
      const li = document.createElement('li');
      li.dataset.instance = e.instanceId ?? e.interfaceId;
      li.textContent = `${e.instanceId ?? e.interfaceId}  ${e.address}  ${e.protocol} ${e.ports.join(',')}  (${e.subnetId})`;
      li.title = 'ask this flow';
      li.tabIndex = 0;
      li.setAttribute('role', 'button');
      const ask = () => {
        const first = e.ports[0]?.split('-')[0] ?? '';
        state.flow = { ...state.flow, from: 'internet', to: e.instanceId ?? e.interfaceId, protocol: e.protocol, port: first, sourcePort: '' };
        renderFlowForm();
        update();
      };
      li.addEventListener('click', ask);
      li.addEventListener('keydown', (k) => {
        if (k.key === 'Enter' || k.key === ' ') {
          k.preventDefault();
          ask();
        }
      });
      return li;
    }),
  );
  if (r.exposures.length === 0) els.exposureList.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'nothing is reachable from the internet' }));
}

// ---- the Diff tab: is this change safe? ------------------------------------------------------
function renderDiffForm() {
  const d = state.diff;
  if ($('diff-kind').value !== d.kind) $('diff-kind').value = d.kind;
  $('diff-removed').checked = d.removed;
  if ($('diff-old').value !== d.old) $('diff-old').value = d.old;
  if ($('diff-new').value !== d.new) $('diff-new').value = d.new;
}

function readDiffForm() {
  state.diff = { kind: $('diff-kind').value, removed: $('diff-removed').checked, old: $('diff-old').value, new: $('diff-new').value };
}

function updateDiff() {
  if (!engineReady || state.tab !== 'diff') return;
  const d = state.diff;
  const verdict = $('diff-verdict');
  $('diff-error').textContent = '';
  const pending = (text) => {
    verdict.className = 'badge pending';
    verdict.dataset.result = '';
    verdict.textContent = text;
    $('diff-summary').textContent = '';
    $('diff-regions').replaceChildren();
  };
  if (d.old.trim() === '' || d.new.trim() === '') return pending('write both policies');
  const t0 = performance.now();
  const r = diffPolicies({ old: d.old, new: d.new, kind: d.kind || undefined, removed: d.removed });
  const ms = performance.now() - t0;
  if (!r.ok) {
    $('diff-error').textContent = r.errors.map((e) => describeError(e.source === 'OLD' ? 'before' : e.source === 'NEW' ? 'after' : e.source, e)).join('\n');
    return pending('fix the policies first');
  }
  verdict.className = 'badge ' + { PASS: 'allowed', FAIL: 'explicitDeny', UNKNOWN: 'implicitDeny' }[r.result];
  verdict.dataset.result = r.result;
  verdict.textContent = r.result;
  const field = d.removed ? 'removedAccess' : 'newAccess';
  const regions = r[field] ?? [];
  const n = regions.length + (r.omitted ?? 0);
  const how = `(as ${r.kind} policies, ${ms.toFixed(1)} ms)`;
  $('diff-summary').textContent = r.result === 'PASS'
    ? `${d.removed ? 'the change removes nothing' : 'this change grants nothing new'} ${how}`
    : r.result === 'UNKNOWN' ? `cannot say: ${r.unknown} ${how}`
    : `${d.removed ? 'this change removes' : 'this change grants'} ${n} region${n === 1 ? '' : 's'} of requests ${how}:`;
  $('diff-regions').replaceChildren(
    ...regions.map((g) => {
      const li = document.createElement('li');
      const dl = document.createElement('dl');
      const row = (label, value) => {
        if (!value || value.length === 0) return;
        dl.append(Object.assign(document.createElement('dt'), { textContent: label }));
        dl.append(Object.assign(document.createElement('dd'), { textContent: Array.isArray(value) ? value.join('; ') : value }));
      };
      row('actions', g.actions);
      row('e.g.', g.exampleActions?.slice(0, 6).join(', ') + (g.exampleActions?.length > 6 ? ', …' : ''));
      row('resources', g.resources);
      row('principals', g.principals);
      row('conditions', g.conditions);
      row('statements', g.statements);
      const w = g.witness;
      row('witness', [w.principal && `principal ${w.principal}`, `${w.action} on ${w.resource}`, w.context && `context ${Object.entries(w.context).map(([k, v]) => `${k}=${v}`).join(', ')}`].filter(Boolean).join(' · '));
      li.append(dl);
      return li;
    }),
  );
}

// ---- the Paths tab: who can become whom ------------------------------------------------------
let graphCache = null; // {world, graph} — accessPaths' nodes and edges for the current world
function pathsGraph() {
  const key = estate ?? 'demo';
  if (graphCache?.key !== key) {
    const t0 = performance.now();
    graphCache = { key, graph: accessPaths({ world: worldFiles() }), hops: new Map() };
    document.body.dataset.graphMs = (performance.now() - t0).toFixed(1);
  }
  return graphCache.graph;
}

// One edge's hop explained (its steps, each with the statements that decide it), asked of the
// engine when the pointer or the focus first reaches the edge, then kept for this graph.
function edgeHop(k) {
  const cache = graphCache?.hops;
  if (cache?.has(k)) return cache.get(k);
  const r = accessPaths({ world: worldFiles(), edge: k, graph: false });
  const hop = r.ok ? r.hop : null;
  cache?.set(k, hop);
  return hop;
}

const conditionsText = (cs) => (cs.length ? ' when ' + cs.map((c) => `${c.key}=${c.value}`).join(', ') : '');
const statementText = (a) => `allowed by ${a.sid ? `\`${a.sid}\`` : 'a statement'} in ${a.policy} (${a.kind}): ${a.statement}`;

// A hop as lines of text, as polcheck paths prints it: the hop, then each step with its
// decision and the statements that allowed it, then the hops an elevating edge walks after.
function hopLines(h, indent = '') {
  const lines = [`${indent}${h.from} --${h.method}--> ${h.elevates ? 'gives any permission to' : 'becomes'} ${h.to}${h.conditional ? ' [conditional]' : ''}`];
  if (h.note) lines.push(`${indent}    note: ${h.note}`);
  for (const st of h.steps) {
    lines.push(`${indent}    ${st.action} on ${st.resource}${conditionsText(st.conditions)}: ${st.decision}`);
    for (const a of st.allowedBy) lines.push(`${indent}      ${statementText(a)}`);
  }
  for (const t of h.then ?? []) lines.push(...hopLines(t, indent + '  then '));
  return lines;
}

// The edge under the pointer (or focused) explained below the graph.
function showEdge(k) {
  const box = $('paths-edge');
  const hop = edgeHop(k);
  box.dataset.edge = String(k);
  box.textContent = hop ? hopLines(hop).join('\n') : '';
  box.hidden = !hop;
}

function renderPathsForm() {
  const g = pathsGraph();
  if (!g.ok) return;
  const from = $('paths-from');
  const to = $('paths-to');
  const names = g.nodes.map((n) => n.arn);
  if (from.options.length !== names.length || [...from.options].some((o, i) => o.value !== names[i])) {
    from.replaceChildren(...g.nodes.map((n) => new Option(`${n.name} (${n.kind}${n.admin ? ', admin' : ''})`, n.arn)));
    to.replaceChildren(new Option('admin (allowed * on *)', 'admin'), new Option('an action on a resource…', ACTION), ...g.nodes.map((n) => new Option(`${n.name} (${n.kind})`, n.arn)));
  }
  if (!state.paths.from || !names.includes(state.paths.from)) {
    // Start from the first user (then role) of the first 20 that is not admin but can become
    // one; else from the first principal with somewhere to go.
    const order = [...g.nodes].sort((a, b) => (a.kind === 'user' ? 0 : 1) - (b.kind === 'user' ? 0 : 1)).filter((n) => !n.admin).slice(0, 20);
    const escalates = order.find((n) => accessPaths({ world: worldFiles(), from: n.arn, to: 'admin', graph: false }).Paths?.length > 0);
    state.paths.from = escalates?.arn ?? g.nodes[g.edges[0]?.from ?? 0]?.arn ?? '';
  }
  from.value = state.paths.from;
  to.value = state.paths.to === 'admin' || state.paths.to === ACTION || names.includes(state.paths.to) ? state.paths.to : 'admin';
  $('paths-all').checked = state.paths.all;
  for (const l of $('paths-form').querySelectorAll('.paths-action')) l.hidden = to.value !== ACTION;
  if ($('paths-action').value !== state.paths.action) $('paths-action').value = state.paths.action;
  if ($('paths-resource').value !== state.paths.resource) $('paths-resource').value = state.paths.resource;
}

let lastPathsAsked = '';
function updatePaths() {
  if (!engineReady || state.tab !== 'paths') return;
  renderPathsForm();
  $('paths-error').textContent = '';
  $('paths-world').textContent = `on ${estate ? `your estate (${estateLabel})` : 'the demo world'}`;
  const g = pathsGraph();
  if (!g.ok) {
    $('paths-error').textContent = g.errors.map((e) => describeError(e.source, e)).join('\n');
    drawGraph({ nodes: [], edges: [] }, []);
    return;
  }
  const p = state.paths;
  const t0 = performance.now();
  if (p.to === ACTION && p.action.trim() === '') {
    $('paths-summary').textContent = 'enter an action';
    drawGraph(g, [], p.from);
    $('paths-list').replaceChildren();
    return;
  }
  const target = p.to === ACTION ? { action: p.action.trim(), resource: p.resource.trim() || '*' } : { to: p.to };
  // The same question on the same graph is already drawn: redrawing would only drop the
  // pointer's place (a change event that changes nothing, or an edit in another tab).
  const asked = JSON.stringify([graphCache?.key, p.from, p.all, target]);
  if (asked === lastPathsAsked && $('paths-graph').childElementCount > 0) return;
  lastPathsAsked = asked;
  const r = accessPaths({ world: worldFiles(), from: p.from, all: p.all, graph: false, ...target });
  const ms = performance.now() - t0;
  if (!r.ok) {
    lastPathsAsked = '';
    $('paths-error').textContent = r.errors.map((e) => describeError(e.source, e)).join('\n');
    drawGraph(g, []);
    return;
  }
  const fromNode = g.nodes.find((n) => n.arn === p.from);
  const toText = p.to === 'admin' ? 'admin' : p.to === ACTION ? `${target.action} on ${target.resource}` : g.nodes.find((n) => n.arn === p.to)?.name ?? p.to;
  $('paths-summary').textContent = r.Paths.length === 0
    ? `no path from ${fromNode?.name} to ${toText} · ${ms.toFixed(1)} ms`
    : `${r.Paths.length} path${r.Paths.length === 1 ? '' : 's'} from ${fromNode?.name} to ${toText} · ${ms.toFixed(1)} ms`;
  $('paths-summary').dataset.count = String(r.Paths.length);
  // The hops of the paths found are already explained: keep them for hover.
  r.routes.forEach((route, i) => route.edges.forEach((k, j) => {
    const hop = r.Paths[i]?.hops[j];
    if (hop && graphCache) graphCache.hops.set(k, hop);
  }));
  drawGraph(g, r.routes, p.from);
  $('paths-list').replaceChildren(
    ...r.Paths.map((path, k) => {
      const li = document.createElement('li');
      li.append(Object.assign(document.createElement('b'), { textContent: `path ${k + 1}` }));
      const ol = document.createElement('ol');
      ol.className = 'hop-list';
      if (path.hops.length === 0) ol.append(Object.assign(document.createElement('li'), { textContent: `${path.from} itself` }));
      for (const h of path.hops) {
        const hop = document.createElement('li');
        hop.dataset.method = h.method;
        hop.innerHTML = '<code></code> <b></b> <code></code><span class="muted"></span>';
        hop.children[0].textContent = h.from;
        hop.children[1].textContent = `--${h.method}--> ${h.elevates ? 'gives any permission to' : 'becomes'}`;
        hop.children[2].textContent = h.to;
        hop.children[3].textContent = (h.conditional ? ' [conditional]' : '') + (h.note ? ` (${h.note})` : '');
        const steps = document.createElement('ul');
        for (const st of h.steps) {
          const step = Object.assign(document.createElement('li'), {
            textContent: `${st.action} on ${st.resource}${conditionsText(st.conditions)}: ${st.decision}`,
          });
          if (st.allowedBy.length) {
            const by = document.createElement('ul');
            by.className = 'allowed-by';
            for (const a of st.allowedBy) by.append(Object.assign(document.createElement('li'), { textContent: statementText(a) }));
            step.append(by);
          }
          steps.append(step);
        }
        hop.append(steps);
        ol.append(hop);
      }
      const end = Object.assign(document.createElement('li'), { className: 'end', textContent: `=> ${path.to}${path.elevated ? ' (holding any permission)' : ''}${path.conditions.length ? ' when ' + path.conditions.map((c) => `${c.key}=${c.value}`).join(', ') : ''}` });
      ol.append(end);
      li.append(ol);
      return li;
    }),
  );
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text != null) el.textContent = text;
  return el;
}

// The principal graph as columns: the principal asked about first, then what it reaches one
// hop away, two hops away, ...; principals it does not reach in the last column. The paths
// found are drawn bold, in the order of their hops.
function drawGraph(g, routes, from) {
  const el = $('paths-graph');
  const start = g.nodes.findIndex((n) => n.arn === from);
  const depth = new Array(g.nodes.length).fill(-1);
  if (start >= 0) {
    // Breadth-first over each node's own edges (a list per node, a moving head instead of
    // shift()): linear in nodes and edges, so a large estate does not hang the tab.
    const out = g.nodes.map(() => []);
    for (const e of g.edges) out[e.from]?.push(e.to);
    depth[start] = 0;
    const queue = [start];
    for (let head = 0; head < queue.length; head++) {
      const i = queue[head];
      for (const to of out[i]) if (depth[to] < 0) {
        depth[to] = depth[i] + 1;
        queue.push(to);
      }
    }
  }
  // reduce, not Math.max(...): spreading a hundred thousand arguments overflows the stack.
  const maxDepth = depth.reduce((m, d) => Math.max(m, d), 0);
  const column = depth.map((d) => (d < 0 ? maxDepth + 1 : d));
  const rows = [];
  const place = g.nodes.map((_, i) => {
    const c = column[i];
    rows[c] = (rows[c] ?? 0) + 1;
    return [c, rows[c] - 1];
  });
  const W = 250, H = 46, PAD = 60, BOX = 160;
  const width = (column.reduce((m, c) => Math.max(m, c), 0) + 1) * W + PAD;
  const height = rows.reduce((m, r) => Math.max(m, r ?? 0), 1) * H + PAD * 2;
  el.setAttribute('viewBox', `0 0 ${width} ${height}`);
  el.setAttribute('width', width);
  el.setAttribute('height', height);
  const onPath = new Set(routes.flatMap((r) => r.edges));
  const xy = (i) => [PAD + place[i][0] * W, PAD + place[i][1] * H];
  const children = [svg('title', { id: 'paths-graph-title' }, `principal graph: ${g.nodes.length} principals, ${g.edges.length} ways one can act as another${onPath.size ? `; the path asked for is bold` : ''}`)];
  children.push(svg('defs', {}));
  const marker = (id, cls) => {
    const m = svg('marker', { id, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    m.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: cls }));
    children[1].append(m);
  };
  marker('arrow', 'arrow');
  marker('arrow-on', 'arrow on');
  g.edges.forEach((e, k) => {
    const [x1, y1] = xy(e.from);
    const [x2, y2] = xy(e.to);
    // Forward (to a later column): right side to left side. Back: left side to right side,
    // bowed up. In the same column: left side to left side, bowed out to the left.
    const dc = place[e.to][0] - place[e.from][0];
    const a = dc > 0 ? [x1 + BOX, y1 + 15] : [x1, y1 + 15];
    const b = dc < 0 ? [x2 + BOX, y2 + 15] : [x2, y2 + 15];
    const mid = dc === 0 ? [a[0] - 45, (a[1] + b[1]) / 2] : [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2 - (dc < 0 ? 30 : 0)];
    const on = onPath.has(k);
    const path = svg('path', { d: `M ${a[0]} ${a[1]} Q ${mid[0]} ${mid[1]} ${b[0]} ${b[1]}`, class: `edge${on ? ' on' : ''}${e.conditional ? ' conditional' : ''}`, 'marker-end': `url(#${on ? 'arrow-on' : 'arrow'})` });
    path.dataset.edge = k;
    path.dataset.method = e.method;
    // Focusable, so the keyboard reaches what the pointer does; the deciding statements are
    // asked on first hover or focus (a large estate has too many edges to explain them all).
    path.setAttribute('tabindex', '0');
    // An edge already explained (a hop of the path, or hovered before this redraw) keeps its
    // explanation; the others say who becomes whom until they are asked.
    const known = graphCache?.hops.get(k);
    const title = svg('title', {}, known ? hopLines(known).join('\n') : `${g.nodes[e.from].name} --${e.method}--> ${g.nodes[e.to].name}${e.conditional ? ' (conditional)' : ''}`);
    path.append(title);
    const explain = () => {
      showEdge(k);
      const hop = graphCache?.hops.get(k);
      if (hop) title.textContent = hopLines(hop).join('\n');
    };
    path.addEventListener('mouseenter', explain);
    path.addEventListener('focus', explain);
    children.push(path);
    if (on) children.push(svg('text', { x: mid[0], y: mid[1] - 19, class: 'edge-label', 'text-anchor': 'middle' }, e.method));
  });
  g.nodes.forEach((n, i) => {
    const [x, y] = xy(i);
    const grp = svg('g', { class: `node ${n.kind}${n.admin ? ' admin' : ''}${i === start ? ' start' : ''}${column[i] > maxDepth ? ' unreached' : ''}` });
    grp.dataset.arn = n.arn;
    grp.append(svg('rect', { x, y, width: BOX, height: 30, rx: 6 }));
    grp.append(svg('text', { x: x + 8, y: y + 19 }, `${n.kind === 'role' ? '◆' : n.kind === 'user' ? '●' : '○'} ${n.name.length > 20 ? n.name.slice(0, 19) + '…' : n.name}${n.admin ? ' ★' : ''}`));
    grp.append(svg('title', {}, `${n.arn} (${n.kind}${n.admin ? ', admin' : ''})`));
    children.push(grp);
  });
  el.replaceChildren(...children);
  const box = $('paths-edge');
  if (box && !(box.dataset.edge in g.edges)) box.hidden = true;
}

// ---- wiring ----------------------------------------------------------------------------
function loadState(s) {
  state = s;
  for (const f of FIELDS) $(f).value = state.request[f];
  lastPattern = '';
  renderWorldMode();
  renderTabs();
  renderEditor();
  update();
}

async function loadExample(id) {
  const ex = EXAMPLES.find((e) => e.id === id);
  if (!ex) return;
  const s = emptyState();
  for (const [kind, text] of Object.entries(ex.policies ?? {})) s.docs[kind] = [{ level: 0, text }];
  for (const [kind, url] of Object.entries(ex.files ?? {})) {
    const res = await fetch(url);
    s.docs[kind] = [{ level: 0, text: res.ok ? await res.text() : `// could not load ${url}: HTTP ${res.status}` }];
  }
  Object.assign(s.request, ex.request);
  loadState(s);
}

function wire() {
  for (const ex of EXAMPLES) els.examples.append(new Option(ex.title, ex.id));
  els.examples.addEventListener('change', () => loadExample(els.examples.value));
  els.tabs.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-tab]');
    if (!b) return;
    viewing = null;
    state.tab = b.dataset.tab;
    renderTabs();
    renderEditor();
    saveHash();
    if (state.tab === 'network') updateFlow();
    if (state.tab === 'diff') updateDiff();
    if (state.tab === 'paths') updatePaths();
  });
  $('viewing-close').addEventListener('click', () => {
    viewing = null;
    renderEditor();
    els.policy.focus();
  });
  els.policy.addEventListener('input', () => {
    if (viewing) return;
    state.docs[state.tab][state.active[state.tab]].text = els.policy.value;
    els.examples.value = '';
    renderEditor(); // line numbers follow at once; marks are refreshed by the debounced update
    schedule();
  });
  els.policy.addEventListener('scroll', syncScroll);
  els.policy.addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      document.execCommand('insertText', false, '  ');
    }
  });
  for (const f of FIELDS) {
    $(f).addEventListener('input', () => {
      state.request[f] = $(f).value;
      els.examples.value = '';
      if (f === 'action') completeActions();
      if (f === 'principal' && state.world) renderWorldMode();
      schedule();
    });
  }
  els.form.addEventListener('submit', (e) => e.preventDefault());
  els.worldMode.addEventListener('change', () => {
    state.world = els.worldMode.checked;
    renderWorldMode();
    schedule();
  });
  $('estate-files').addEventListener('change', async (e) => {
    const files = [...e.target.files];
    openEstate(await readFileList(files), files.length === 1 ? files[0].name : `${files.length} files`);
    e.target.value = '';
  });
  $('estate-folder').addEventListener('change', async (e) => {
    const files = [...e.target.files];
    const top = files[0]?.webkitRelativePath?.split('/')[0] ?? 'folder';
    openEstate(await readFileList(files), `folder ${top}`);
    e.target.value = '';
  });
  $('estate-demo').addEventListener('click', useDemoWorld);
  const zone = document.body;
  zone.addEventListener('dragover', (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
    e.preventDefault();
    document.body.classList.add('dropping');
  });
  zone.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) document.body.classList.remove('dropping');
  });
  zone.addEventListener('drop', async (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
    e.preventDefault();
    document.body.classList.remove('dropping');
    const entries = [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
    const files = entries.length ? await readEntries(entries) : await readFileList([...e.dataTransfer.files]);
    openEstate(files, entries.length === 1 ? entries[0].name : `${files.length} dropped files`);
  });
  els.flowForm.addEventListener('input', () => {
    readFlowForm();
    schedule();
  });
  els.flowForm.addEventListener('change', () => {
    readFlowForm();
    schedule();
  });
  els.flowForm.addEventListener('submit', (e) => e.preventDefault());
  els.exposureBtn.addEventListener('click', showExposure);
  for (const ev of ['input', 'change']) {
    $('diff-form').addEventListener(ev, () => {
      readDiffForm();
      schedule();
    });
    $('paths-form').addEventListener(ev, () => {
      state.paths = { from: $('paths-from').value, to: $('paths-to').value, all: $('paths-all').checked, action: $('paths-action').value, resource: $('paths-resource').value };
      schedule();
    });
  }
  $('diff-form').addEventListener('submit', (e) => e.preventDefault());
  $('paths-form').addEventListener('submit', (e) => e.preventDefault());
  $('diff-from-editor').addEventListener('click', () => {
    const k = KINDS.find((x) => state.docs[x][state.active[x]].text.trim() !== '') ?? 'identity';
    const text = state.docs[k][state.active[k]].text;
    state.diff = { ...state.diff, old: text, new: text, kind: { identity: 'identity', resource: 'resource', boundary: 'boundary', scp: 'scp', rcp: 'rcp' }[k] ?? '' };
    renderDiffForm();
    update();
  });
  window.addEventListener('hashchange', () => {
    if (location.hash === lastHash) return;
    const s = stateFromHash();
    if (s) loadState(s);
  });
  $('copy-link').addEventListener('click', async () => {
    saveHash();
    try {
      await navigator.clipboard.writeText(location.href);
      $('copied').hidden = false;
      setTimeout(() => ($('copied').hidden = true), 1500);
    } catch {
      prompt('Copy this link', location.href);
    }
  });
}

async function main() {
  wire();
  measureChar();
  const fromLink = stateFromHash();
  const t0 = performance.now();
  try {
    await init();
  } catch (e) {
    showPending('invalid', `the engine did not load: ${e.message}`);
    return;
  }
  engineReady = true;
  const loadMs = performance.now() - t0;
  Object.assign(document.body.dataset, { scriptStartMs: SCRIPT_START.toFixed(0), engineReadyMs: performance.now().toFixed(0) });
  if (fromLink) loadState(fromLink);
  else await loadExample('developer');
  els.examples.value = fromLink ? '' : 'developer';
  // After the first answer: version() and action completion parse the catalogue (~100 ms).
  setTimeout(() => {
    const v = version();
    $('engine-version').textContent = `polcheck ${v.polcheck} · catalogue ${v.catalogue ?? 'unavailable'} · engine loaded in ${loadMs.toFixed(0)} ms`;
    completeActions();
    demoWorld(); // the world panel's summary (the demo world loads in a few ms)
  }, 0);
}

main();
