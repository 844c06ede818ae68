// The DLQ ops console: a client of /api/v1/dlq with the operator's bearer token. Everything the API answers is
// written into the page as text (textContent), never as markup: payloads, keys and error messages come from any
// producer.
'use strict';

const API = '/api/v1/dlq';
const TOKEN_KEY = 'dlq-console-token';

const state = { filter: {}, cursor: null, entry: null, jobTimer: null };

const $ = (id) => document.getElementById(id);

function el(tag, text, attributes) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  for (const [name, value] of Object.entries(attributes || {})) {
    node.setAttribute(name, value);
  }
  return node;
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
}

// A problem+json answer as one line: its detail and, for a 400, each field it names.
function problemText(status, body) {
  if (body && typeof body === 'object') {
    let text = (body.title || ('HTTP ' + status)) + ': ' + (body.detail || '');
    if (Array.isArray(body.errors)) {
      text += ' ' + body.errors.map((e) => (e.field || e.pointer || e.name || '') + ' ' + (e.message || e.detail || ''))
        .join('; ');
    }
    return text.trim();
  }
  return 'HTTP ' + status;
}

async function call(method, path, body) {
  const headers = { 'Accept': 'application/json, application/problem+json' };
  if (token()) {
    headers['Authorization'] = 'Bearer ' + token();
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, { method, headers, body: (body !== undefined) ? JSON.stringify(body) : undefined });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  }
  catch (e) {
    parsed = null;
  }
  if (!response.ok) {
    const error = new Error(problemText(response.status, parsed));
    error.status = response.status;
    throw error;
  }
  showError('');
  return parsed;
}

async function guarded(work) {
  try {
    await work();
  }
  catch (e) {
    showError(e.message);
  }
}

// ---- token

function describeToken() {
  const jwt = token();
  const who = $('who');
  if (!jwt) {
    who.textContent = 'no token';
    return;
  }
  try {
    const claims = JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    const roles = claims.roles || claims.scope || '';
    const expires = claims.exp ? new Date(claims.exp * 1000).toISOString() : '?';
    who.textContent = 'as ' + claims.sub + ' (' + roles + '), until ' + expires;
  }
  catch (e) {
    who.textContent = 'a token that is not a JWT';
  }
}

// an alert's link names the entry it is about: #entry=<id>
function linkedEntry() {
  const match = /^#entry=([0-9a-fA-F-]{36})$/.exec(location.hash);
  return match ? match[1] : null;
}

function start() {
  const linked = linkedEntry();
  return Promise.all([search(true), loadJobs(), linked ? openEntry(linked) : null]);
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  describeToken();
  guarded(start);
});

// ---- search, facets, pages

function readFilter() {
  const form = $('search-form');
  const filter = {};
  for (const name of ['sourceService', 'topic', 'errorClass', 'fingerprint', 'key', 'keyBase64', 'q']) {
    const value = form.elements[name].value;
    if (value.trim() !== '') {
      filter[name] = value;
    }
  }
  for (const name of ['from', 'to']) {
    const value = form.elements[name].value;
    if (value) {
      // the browser's local time, as an instant
      filter[name] = new Date(value).toISOString();
    }
  }
  const statuses = Array.from(form.querySelectorAll('input[name=status]:checked')).map((box) => box.value);
  if (statuses.length > 0) {
    filter.status = statuses;
  }
  return filter;
}

function query(filter, extra) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) {
    if (Array.isArray(value)) {
      value.forEach((v) => params.append(name, v));
    }
    else {
      params.append(name, value);
    }
  }
  for (const [name, value] of Object.entries(extra || {})) {
    if (value !== null && value !== undefined) {
      params.append(name, value);
    }
  }
  const text = params.toString();
  return text ? '?' + text : '';
}

async function search(fresh) {
  if (fresh) {
    state.filter = readFilter();
    state.cursor = null;
    $('results').tBodies[0].replaceChildren();
    $('bulk-start').disabled = true;
    $('bulk-dry-run').textContent = '';
    loadFacets();
  }
  const page = await call('GET', API + '/messages' + query(state.filter, { cursor: state.cursor, limit: 50 }));
  const body = $('results').tBodies[0];
  for (const entry of page.items) {
    const row = el('tr', null, { 'data-id': entry.id, 'class': 'entry' });
    row.append(el('td', entry.lastFailedAt), el('td', entry.status), el('td', entry.sourceService ?? ''),
      el('td', entry.originalTopic ?? ''),
      el('td', (entry.originalPartition ?? '') + '/' + (entry.originalOffset ?? '')), el('td', entry.keyText ?? ''),
      el('td', entry.errorClass ?? ''), el('td', entry.errorMessage ?? ''), el('td', entry.attempts));
    row.addEventListener('click', () => guarded(() => openEntry(entry.id)));
    body.append(row);
  }
  state.cursor = page.nextCursor;
  $('more').hidden = !page.nextCursor;
  $('result-count').textContent = body.rows.length + (page.nextCursor ? '+ shown' : ' shown');
}

async function loadFacets() {
  const target = $('facets');
  target.replaceChildren();
  let facets;
  try {
    facets = await call('GET', API + '/messages/facets' + query(state.filter));
  }
  catch (e) {
    showError(e.message);
    return;
  }
  target.append(el('p', facets.total + ' entries' + (facets.defaultWindow ? ' failed in the last hour (give a'
    + ' time range to count others)' : ''), { 'class': 'muted', 'id': 'facets-total' }));
  const groups = { status: 'Status', sourceService: 'Source service', topic: 'Topic', errorClass: 'Error class' };
  for (const [group, title] of Object.entries(groups)) {
    const list = el('ul', null, { 'class': 'facet', 'data-group': group });
    for (const [value, count] of Object.entries(facets[group] || {})) {
      const item = el('li');
      const pick = el('button', value + ' (' + count + ')', { 'type': 'button', 'data-value': value });
      pick.addEventListener('click', () => {
        if (group === 'status') {
          for (const box of $('search-form').querySelectorAll('input[name=status]')) {
            box.checked = box.value === value;
          }
        }
        else {
          $('search-form').elements[group].value = value;
        }
        guarded(() => search(true));
      });
      item.append(pick);
      list.append(item);
    }
    target.append(el('h3', title), list);
  }
}

$('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  guarded(() => search(true));
});
$('clear').addEventListener('click', () => {
  $('search-form').reset();
  guarded(() => search(true));
});
$('more').addEventListener('click', () => guarded(() => search(false)));

// ---- one entry

function field(list, name, value) {
  list.append(el('dt', name), el('dd', (value === null || value === undefined) ? '' : value));
}

async function openEntry(id) {
  const entry = await call('GET', API + '/messages/' + encodeURIComponent(id));
  state.entry = entry;
  $('detail-panel').hidden = false;
  $('payload').hidden = true;
  $('action-result').textContent = '';
  $('detail-id').textContent = entry.id;
  const fields = $('detail-fields');
  fields.replaceChildren();
  for (const [name, value] of Object.entries(entry)) {
    if (name !== 'headers' && name !== 'errorStacktrace' && name !== 'id') {
      field(fields, name, (typeof value === 'object' && value !== null) ? JSON.stringify(value) : value);
    }
  }
  const headers = $('detail-headers').tBodies[0];
  headers.replaceChildren();
  for (const header of entry.headers || []) {
    const row = el('tr');
    row.append(el('td', header.key), el('td', header.valueText ?? ('base64: ' + (header.valueBase64 ?? ''))));
    headers.append(row);
  }
  $('detail-stack').textContent = entry.errorStacktrace || '';
  const history = await call('GET', API + '/messages/' + encodeURIComponent(id) + '/history');
  const list = $('detail-history');
  list.replaceChildren();
  for (const failure of history.failures || []) {
    list.append(el('li', failure.failedAt + ': failure ' + failure.attempt + ', ' + (failure.errorClass ?? '') + ': '
      + (failure.errorMessage ?? '')));
  }
  for (const redrive of history.redrives || []) {
    list.append(el('li', redrive.sentAt + ': ' + redrive.kind + ' redrive by ' + redrive.actor + ' to '
      + redrive.targetTopic + ' (' + (redrive.reason ?? '') + '): ' + (redrive.outcome ?? 'no outcome yet')));
  }
  // the first page of each list (50); the rest in keyset pages, as the audit trail below
  if (history.nextCursor) {
    list.append(el('li', 'later failures and redrives: GET ' + API + '/messages/' + id + '/history?cursor='
      + history.nextCursor));
  }
  await showAudit(id);
  $('detail-panel').scrollIntoView();
}

// who did what to the entry and why, newest first (the kit's audit log; its latest 50)
async function showAudit(id) {
  const trail = await call('GET', '/api/v1/ops/audit?resourceType=dlq-entry&resourceId=' + encodeURIComponent(id));
  const list = $('detail-audit');
  list.replaceChildren();
  for (const record of trail.items || []) {
    list.append(el('li', record.occurredAt + ': ' + record.action + ' by ' + record.actor + ', ' + record.outcome
      + (record.reason ? ' (' + record.reason + ')' : '')));
  }
  if (trail.nextCursor) {
    list.append(el('li', 'older records: GET /api/v1/ops/audit?resourceType=dlq-entry&resourceId=' + id));
  }
}

function reason() {
  return $('action-reason').value;
}

$('reveal').addEventListener('click', () => guarded(async () => {
  const revealed = await call('POST', API + '/messages/' + encodeURIComponent(state.entry.id) + '/reveal',
    { reason: reason() });
  const shown = (payload) => (payload === null || payload === undefined) ? '(no value)'
    : (payload.text ?? ('base64: ' + payload.base64));
  $('payload-text').textContent = shown(revealed.original);
  $('edited-title').hidden = !revealed.edited;
  $('edited-text').hidden = !revealed.edited;
  $('edited-text').textContent = revealed.edited ? shown(revealed.edited) : '';
  $('payload').hidden = false;
  await showAudit(state.entry.id);
}));

$('redrive').addEventListener('click', () => guarded(async () => {
  const body = { reason: reason() };
  if ($('action-target').value.trim() !== '') {
    body.targetTopic = $('action-target').value.trim();
  }
  const sent = await call('POST', API + '/messages/' + encodeURIComponent(state.entry.id) + '/redrive', body);
  // the entry read again (its status, its history), then what was sent: opening it clears the result line
  await openEntry(state.entry.id);
  $('action-result').textContent = 'Redriven to ' + sent.topic + ' (partition ' + sent.partition + ', offset '
    + sent.offset + '): ' + sent.status;
}));

$('discard').addEventListener('click', () => guarded(async () => {
  const discarded = await call('POST', API + '/messages/' + encodeURIComponent(state.entry.id) + '/discard',
    { reason: reason() });
  await openEntry(state.entry.id);
  $('action-result').textContent = 'Discarded: ' + discarded.status;
}));

$('close-detail').addEventListener('click', () => {
  $('detail-panel').hidden = true;
  state.entry = null;
});

// ---- bulk redrive

function bulkRequest(dryRun) {
  const form = $('bulk-form');
  const request = { filter: state.filter, reason: form.elements.reason.value, dryRun };
  if (form.elements.unthrottled.checked) {
    request.unthrottled = true;
  }
  else {
    request.ratePerSecond = Number(form.elements.ratePerSecond.value);
  }
  if (form.elements.targetTopic.value.trim() !== '') {
    request.targetTopic = form.elements.targetTopic.value.trim();
  }
  return request;
}

$('bulk-form').addEventListener('submit', (event) => {
  event.preventDefault();
  guarded(async () => {
    const counted = await call('POST', API + '/redrives', bulkRequest(true));
    $('bulk-dry-run').textContent = counted.count + ' entries would be sent';
    $('bulk-start').disabled = counted.count === 0;
  });
});

$('bulk-start').addEventListener('click', () => guarded(async () => {
  $('bulk-start').disabled = true;
  const job = await call('POST', API + '/redrives', bulkRequest(false));
  $('bulk-dry-run').textContent = 'Started ' + job.id + ' (' + job.total + ' entries)';
  await loadJobs();
}));

async function jobAction(id, action) {
  await call('POST', API + '/redrives/' + encodeURIComponent(id) + '/' + action, { reason: $('job-reason').value });
  await loadJobs();
}

async function loadJobs() {
  const page = await call('GET', API + '/redrives?limit=20');
  const body = $('jobs').tBodies[0];
  body.replaceChildren();
  let running = false;
  for (const job of page.items) {
    running = running || job.status === 'RUNNING';
    // a cancelled job's unsent entries are done with too: its bar reaches the end, and says how many
    const done = job.sent + job.failed + job.skipped + (job.cancelled ?? 0);
    const row = el('tr', null, { 'data-id': job.id, 'data-status': job.status });
    const progress = el('progress', null, { 'max': String(Math.max(job.total, 1)), 'value': String(done) });
    const progressCell = el('td');
    progressCell.append(progress, el('span', ' ' + done + '/' + job.total));
    const actions = el('td');
    for (const action of ['pause', 'resume', 'cancel']) {
      const allowed = (action === 'pause' && job.status === 'RUNNING')
        || (action === 'resume' && job.status === 'PAUSED')
        || (action === 'cancel' && (job.status === 'RUNNING' || job.status === 'PAUSED'));
      if (allowed) {
        const button = el('button', action, { 'type': 'button', 'class': 'job-' + action });
        button.addEventListener('click', () => guarded(() => jobAction(job.id, action)));
        actions.append(button);
      }
    }
    row.append(el('td', job.createdAt), el('td', job.status, { 'class': 'job-status' }), progressCell,
      el('td', job.sent, { 'class': 'job-sent' }), el('td', job.failed), el('td', job.skipped),
      el('td', job.pending, { 'class': 'job-pending' }), el('td', job.cancelled ?? 0, { 'class': 'job-cancelled' }),
      el('td', job.unthrottled ? 'unthrottled' : job.ratePerSecond + '/s'), el('td', job.createdBy),
      el('td', job.reason ?? ''), actions);
    body.append(row);
  }
  clearTimeout(state.jobTimer);
  if (running) {
    state.jobTimer = setTimeout(() => guarded(loadJobs), 1000);
  }
}

$('jobs-refresh').addEventListener('click', () => guarded(loadJobs));

// ---- start

describeToken();
if (token()) {
  guarded(start);
}
window.addEventListener('hashchange', () => {
  if (token() && linkedEntry()) {
    guarded(() => openEntry(linkedEntry()));
  }
});
