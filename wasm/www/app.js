// polcheck playground: the page around the wasm engine (./pkg, built by scripts/build-wasm.sh).
// State (policy documents by kind, the request, the world toggle, the flow, the open tab) lives in
// `state` and in the URL hash (`#s=` + base64url of its JSON), so a link reproduces a question.
import init, {
  evaluate, evaluateWorld, evaluateFlow, exposure, describeWorld, validatePolicy, listActions, version,
} from './pkg/polcheck_wasm.js';

const KINDS = ['identity', 'resource', 'boundary', 'session', 'scp', 'rcp'];
// Kinds that take any number of documents (SCPs and RCPs in organization levels too); a
// resource, a boundary and a session policy are one document each, as AWS has them.
const MANY = ['identity', 'scp', 'rcp'];
const LEVELS = ['scp', 'rcp'];
const HELP = {
  identity: "The caller's identity-based policy (its user, group or role). Empty: the caller has none.",
  resource: 'The resource-based policy of the resource (bucket policy, trust policy, key policy…). Empty: not modelled.',
  boundary: "The caller's permissions boundary. Empty: no boundary.",
  session: 'The session policy; it binds assumed-role and federated sessions only. Empty: none.',
  scp: "A service control policy of the caller's organization (one level). Empty: not in an organization.",
  rcp: "A resource control policy of the resource's organization (one level). Empty: none.",
  network: "Flows on the world (the demo world, or the estate you opened): would its routes, network ACLs and security groups let this packet and its reply through? Every check runs, so the verdict lists every blocker.",
};
const FLOW_FIELDS = ['from', 'to', 'protocol', 'port', 'sourcePort', 'icmpType', 'icmpCode'];
const DEFAULT_FLOW = { from: 'internet', to: 'i-0web01a2b3c4d5e6f', protocol: 'tcp', port: '443', sourcePort: '', icmpType: '', icmpCode: '' };
const ADDRESS = '__address';
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
};
const FIELDS = ['principal', 'action', 'resource', 'resourceAccount', 'context'];

let state = emptyState();
let errors = {}; // kind -> {line, column, message, path}
let deciding = {}; // kind -> [{start, end}]
let engineReady = false;
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
  if (typeof parsed.tab === 'string' && (KINDS.includes(parsed.tab) || parsed.tab === 'network')) s.tab = parsed.tab;
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
  for (const [, , name, text] of filledDocs()) {
    const v = validatePolicy(text);
    if (!v.ok) errors[name] = v.error;
  }
  deciding = {};
  els.requestError.textContent = '';
  let result = null;
  const t0 = performance.now();
  if (Object.keys(errors).length > 0) {
    showPending('invalid', 'fix the policy first');
  } else if (state.request.action.trim() === '') {
    showPending('pending', 'enter an action');
  } else {
    let input = null;
    try {
      input = buildInput();
    } catch (e) {
      els.requestError.textContent = e.message;
      showPending('invalid', 'fix the request first');
    }
    if (input) {
      result = state.world ? evaluateWorld({ ...input, world: worldFiles() }) : evaluate(input);
      if (!result.ok) {
        els.requestError.textContent = result.errors.map((e) => describeError(e.source, e)).join('\n');
        showPending('invalid', 'fix the request first');
        result = null;
      }
    }
  }
  const ms = performance.now() - t0;
  if (result) showDecision(result, ms);
  updateFlow();
  renderTabs();
  renderEditor();
  renderErrors();
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
      li.addEventListener('click', () => goTo(m.policy, m.start.line, m.start.column));
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
  return docName(state.tab, state.active[state.tab]);
}

function renderEditor() {
  const network = state.tab === 'network';
  els.editor.hidden = network;
  els.network.hidden = !network;
  // The request and decision panels are the IAM half's; the Network tab has its own form.
  els.requestPanel.hidden = network;
  els.decisionPanel.hidden = network;
  document.querySelector('main').classList.toggle('network-mode', network);
  if (network) {
    renderFlowForm();
    return;
  }
  const text = state.docs[state.tab][state.active[state.tab]].text;
  if (els.policy.value !== text) els.policy.value = text;
  const lh = lineHeight();
  const count = text.split('\n').length;
  const ranges = deciding[activeName()] ?? [];
  const err = errors[activeName()];
  const lines = [];
  for (let n = 1; n <= count; n++) {
    const div = document.createElement('div');
    div.className = 'ln';
    div.dataset.line = n;
    if (ranges.some((r) => r.start.line <= n && n <= r.end.line)) div.classList.add('hl');
    if (err && err.line === n) div.classList.add('err');
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
  els.marks.replaceChildren(...marks);
  els.editor.dataset.highlight = ranges.map((r) => `${r.start.line}-${r.end.line}`).join(',');
  els.editor.dataset.error = err ? `${err.line}:${err.column}` : '';
  syncScroll();
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
  const files = estate ? estate.map((f) => `${f.name} (${f.text.length.toLocaleString('en')} characters)`) : ['corpus/worlds/demo/iam.json', 'corpus/worlds/demo/network.json'];
  els.estateFileList.replaceChildren(...files.map(item));
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
    ...v.hops.map((h) => {
      const li = document.createElement('li');
      li.dataset.kind = h.kind;
      li.className = h.direction;
      li.innerHTML = '<span class="dir"></span> <b></b> <code></code> <span class="rule"></span>';
      li.children[0].textContent = h.direction;
      li.children[1].textContent = h.kind;
      li.children[2].textContent = h.component;
      li.children[3].textContent = h.rule ?? '';
      return li;
    }),
  );
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
      li.addEventListener('click', () => {
        const first = e.ports[0]?.split('-')[0] ?? '';
        state.flow = { ...state.flow, from: 'internet', to: e.instanceId ?? e.interfaceId, protocol: e.protocol, port: first, sourcePort: '' };
        renderFlowForm();
        update();
      });
      return li;
    }),
  );
  if (r.exposures.length === 0) els.exposureList.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'nothing is reachable from the internet' }));
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
    state.tab = b.dataset.tab;
    renderTabs();
    renderEditor();
    saveHash();
    if (state.tab === 'network') updateFlow();
  });
  els.policy.addEventListener('input', () => {
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
