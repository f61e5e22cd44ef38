// Durable agents: the list (status tabs with counts, filters in the URL, keyset paging) and one
// agent (summary, input and output, entries, checkpoints, tasks, signals, its live data), with
// Signal and Cancel; the detail refreshes every few seconds like a workflow's.
import { h, replace, badge, table, card, fields, time, preview, pretty, jsonBlock, toast, errorBox, duration } from './dom.js';
import { get, call, post, org, session } from './api.js';
import { link, navigate } from './app.js';
import { tabs, field, textInput, pager, pageHeader, dialog, parseJson } from './ui.js';
import { WORKFLOW_STATUSES, shortId } from './overview.js';

const AGENT_STATUSES = WORKFLOW_STATUSES;
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const FILTERS = ['kind', 'queue', 'parentId'];
const PAGE_SIZE = 20;
const REFRESH_MS = 5000;
const LIVE_LINES = 500;

function filtersOf(query) {
  const filters = {};
  for (const name of FILTERS) {
    const value = query.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

export async function agentsPage(ctx) {
  const query = ctx.query;
  const status = query.get('status') || '';
  const filters = filtersOf(query);
  const cursor = query.get('cursor') || '';
  const offset = Math.max(0, parseInt(query.get('offset') || '0', 10) || 0);
  const limit = Math.min(1000, Math.max(1, parseInt(query.get('limit') || '', 10) || PAGE_SIZE));
  const sized = limit === PAGE_SIZE ? {} : { limit };
  const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
  const go = (changes, state) => {
    const next = { ...filters, status, ...sized, cursor: changes.cursor || '', offset: changes.offset || '', page: changes.page > 1 ? changes.page : '' };
    navigate(link('/agents', next), { state });
  };

  const tabHost = h('div');
  const listHost = h('div', { class: 'card card-flush' }, h('div', { class: 'loading', text: 'Loading…' }));
  replace(ctx.main, pageHeader('Agents'), tabHost, filterBar(filters, status), listHost);

  const statusTabs = (counts) => tabs([
    { label: 'All', key: 'ALL', href: link('/agents', { ...filters, ...sized }), active: !status, count: counts ? counts.total : null },
    ...AGENT_STATUSES.map((s) => ({
      label: s.charAt(0) + s.slice(1).toLowerCase(), key: s, href: link('/agents', { ...filters, ...sized, status: s }),
      active: status === s, count: counts ? (counts.counts || {})[s] || 0 : null,
    })),
  ]);
  replace(tabHost, statusTabs(null));
  get(org('/agent-executions/counts'), filters)
    .then((counts) => ctx.isCurrent() && replace(tabHost, statusTabs(counts)))
    .catch(() => {});

  let body;
  try {
    body = await get(org('/agent-executions'), { ...filters, status, cursor, offset: offset || undefined, limit });
  } catch (error) {
    if (error.status !== 401) replace(listHost, errorBox(error));
    return;
  }
  if (!ctx.isCurrent()) return;
  const rows = body.agents || [];
  replace(listHost,
    table([
      { label: 'ID', cell: (a) => h('a', { href: link('/agents/' + encodeURIComponent(a.id)), class: 'mono', title: a.id, text: shortId(a.id) }) },
      { label: 'Kind', cell: (a) => h('span', { class: 'kind', text: a.kind }) },
      { label: 'Status', cell: (a) => badge(a.status) },
      { label: 'Queue', cell: (a) => a.queue },
      { label: 'Checkpoint', cell: (a) => a.currentCheckpointSeq < 0 ? h('span', { class: 'muted', text: 'none' }) : String(a.currentCheckpointSeq) },
      { label: 'Created', cell: (a) => time(a.createdAt) },
      { label: 'Updated', cell: (a) => time(a.completedAt || a.updatedAt) },
      { label: 'Error', class: 'error-col', cell: (a) => a.error ? h('span', { class: 'error-text', title: preview(a.error, 200), text: preview(a.error, 60) }) : '' },
    ], rows, { empty: 'No agent matches these filters.', rowAttrs: (a) => ({ dataset: { id: a.id, status: a.status } }) }),
    pager({ page, cursor, offset, limit, onLimit: (n) => navigate(link('/agents', { ...filters, status, limit: n === PAGE_SIZE ? '' : n })), nextCursor: body.nextCursor, go, shown: rows.length, total: body.total, totalEstimated: body.totalEstimated }));
}

function filterBar(filters, status) {
  const form = h('form', { class: 'filters', id: 'filters' },
    field('Kind', textInput('kind', filters.kind, { placeholder: 'any kind' })),
    field('Queue', textInput('queue', filters.queue, { placeholder: 'any queue' })),
    field('Parent agent', textInput('parentId', filters.parentId, { placeholder: 'a parent agent id', class: 'mono' })),
    h('div', { class: 'filter-actions' },
      h('button', { class: 'btn btn-primary', type: 'submit', text: 'Apply', id: 'apply-filters' }),
      h('a', { class: 'btn', href: link('/agents', status ? { status } : undefined), text: 'Clear' })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = status ? { status } : {};
    for (const name of FILTERS) {
      const value = String(data.get(name) || '').trim();
      if (value) next[name] = value;
    }
    navigate(link('/agents', next));
  });
  return form;
}

const TABS = [
  ['summary', 'Input & output'], ['entries', 'Entries'], ['checkpoints', 'Checkpoints'], ['tasks', 'Tasks'],
  ['signals', 'Signals'], ['live', 'Live'],
];

export async function agentPage(ctx) {
  const id = ctx.id;
  const path = '/agent-executions/' + encodeURIComponent(id);
  const tab = TABS.some(([key]) => key === ctx.query.get('tab')) ? ctx.query.get('tab') : 'summary';
  let detail = await get(org(path));
  if (!ctx.isCurrent()) return;

  const headerHost = h('div');
  const summaryHost = h('div');
  const tabsHost = h('div');
  const content = h('div', { class: 'tab-content', id: 'tab-' + tab });
  const refreshNow = h('button', { class: 'btn', type: 'button', text: 'Refresh', id: 'refresh' });
  const signal = h('button', { class: 'btn', type: 'button', text: 'Signal…', id: 'signal' });
  const cancel = h('button', { class: 'btn btn-danger', type: 'button', text: 'Cancel…', id: 'cancel' });

  const drawHeader = () => {
    const done = TERMINAL.has(detail.status);
    signal.disabled = done;
    cancel.disabled = done;
    replace(headerHost, pageHeader(
      [h('span', { text: detail.kind }), ' ', h('span', { id: 'agent-status' }, badge(detail.status))],
      [h('a', { href: link('/agents'), text: 'Agents' }), ' / ', h('span', { class: 'mono', id: 'agent-id', text: detail.id })],
      refreshNow, signal, cancel));
    replace(summaryHost, summary(detail));
    replace(tabsHost, tabs(TABS.map(([key, label]) => ({
      key, label, href: link('/agents/' + encodeURIComponent(id), key === 'summary' ? undefined : { tab: key }),
      active: key === tab, count: key === 'checkpoints' ? Math.max(0, detail.currentCheckpointSeq) : undefined,
    })), 'Agent sections'));
  };
  drawHeader();
  replace(ctx.main, headerHost, summaryHost, tabsHost, content);

  const section = SECTIONS[tab](detail, { path, ctx, content, reload: () => tick(true) });

  let busy = false;
  async function tick(forced) {
    if (busy || !ctx.isCurrent()) return;
    if (!forced && (document.querySelector('dialog[open]') || document.hidden)) return;
    busy = true;
    try {
      const next = await get(org(path));
      if (!ctx.isCurrent()) return;
      const changed = JSON.stringify(next) !== JSON.stringify(detail);
      detail = next;
      if (changed) drawHeader();
      if (section && section.refresh) await section.refresh(detail, changed);
    } catch (error) {
      if (error.status !== 401 && forced) toast(error.message, 'error');
    } finally {
      busy = false;
    }
  }
  refreshNow.addEventListener('click', () => tick(true));
  const timer = setInterval(() => tick(false), REFRESH_MS);
  ctx.onLeave(() => clearInterval(timer));
  signal.addEventListener('click', () => signalDialog(path, () => tick(true)));
  cancel.addEventListener('click', () => cancelDialog(path, detail, () => tick(true)));
}

function summary(a) {
  const runFor = a.startedAt ? (new Date(a.completedAt || Date.now()) - new Date(a.startedAt)) / 1000 : null;
  return card(null, h('div', { class: 'summary-grid' },
    fields([
      ['Status', badge(a.status)],
      ['Agent ID', h('span', { class: 'mono', text: a.id })],
      ['Kind', a.kind],
      ['Queue', a.queue ? h('a', { href: link('/agents', { queue: a.queue }), text: a.queue }) : null],
      ['Mode', a.persistenceMode],
    ]),
    fields([
      ['Created', time(a.createdAt)],
      ['Started', time(a.startedAt)],
      ['Completed', time(a.completedAt)],
      ['Updated', time(a.updatedAt)],
      ['Duration', runFor === null ? null : duration(runFor)],
    ]),
    fields([
      ['Parent', a.parentExecutionId ? h('a', { href: link('/agents/' + encodeURIComponent(a.parentExecutionId)), class: 'mono', text: shortId(a.parentExecutionId) }) : null],
      ['Children', h('a', { href: link('/agents', { parentId: a.id }), text: 'List →' })],
      ['Worker', a.workerId ? h('span', { class: 'mono', text: a.workerId }) : null],
      ['Checkpoint', a.currentCheckpointSeq < 0 ? 'none' : String(a.currentCheckpointSeq)],
      ['Worker pool', a.workerPoolId],
    ])));
}

const SECTIONS = {
  summary(detail, { content }) {
    const draw = (a) => replace(content,
      h('div', { class: 'columns' },
        card('Input', h('div', { id: 'agent-input' }, jsonBlock(a.input))),
        card('Output', h('div', { id: 'agent-output' }, jsonBlock(a.output)))),
      a.error ? card('Error', h('pre', { class: 'json error-block', id: 'agent-error', text: a.error })) : null,
      a.metadata && Object.keys(a.metadata).length ? card('Metadata', jsonBlock(a.metadata)) : null);
    draw(detail);
    return { refresh: (a, changed) => changed && draw(a) };
  },
  entries: listed('/entries', 'entries', (entries) => table([
    { label: '#', cell: (e) => String(e.position) },
    { label: 'Type', cell: (e) => h('span', { class: 'kind', text: e.entryType }) },
    { label: 'Role', cell: (e) => e.role || '' },
    { label: 'Content', cell: (e) => expandable(e.content) },
    { label: 'Tokens', cell: (e) => e.tokenUsage ? `${e.tokenUsage.inputTokens} in · ${e.tokenUsage.outputTokens} out` : '' },
    { label: 'Turn', cell: (e) => e.turnId ? h('span', { class: 'mono', text: preview(e.turnId, 12) }) : '' },
    { label: 'Appended', cell: (e) => time(e.createdAt) },
  ], entries, { empty: 'This agent has no entries.', rowAttrs: (e) => ({ dataset: { entry: e.id } }) }), { limit: 1000 }),
  checkpoints: listed('/checkpoints', 'checkpoints', (checkpoints) => table([
    { label: 'Sequence', cell: (c) => String(c.sequence) },
    { label: 'State', cell: (c) => expandable(c.state) },
    { label: 'Leaf entry', cell: (c) => c.leafEntryId ? h('span', { class: 'mono', text: preview(c.leafEntryId, 14) }) : '' },
    { label: 'Tokens', cell: (c) => c.tokenUsage ? `${c.tokenUsage.inputTokens} in · ${c.tokenUsage.outputTokens} out` : '' },
    { label: 'Taken', cell: (c) => time(c.createdAt) },
  ], checkpoints.slice().reverse(), { empty: 'This agent has no checkpoint yet.', rowAttrs: (c) => ({ dataset: { sequence: String(c.sequence) } }) })),
  tasks: listed('/tasks', 'tasks', (tasks) => table([
    { label: 'Task', cell: (t) => h('a', { href: link('/tasks/' + encodeURIComponent(t.id)), class: 'mono', title: t.id, text: shortId(t.id) }) },
    { label: 'Kind', cell: (t) => h('span', { class: 'kind', text: t.kind }) },
    { label: 'Status', cell: (t) => badge(t.status) },
    { label: 'Attempts', cell: (t) => String(t.executionCount) },
    { label: 'Input', cell: (t) => expandable(t.input) },
    { label: 'Output / error', cell: (t) => t.error ? h('span', { class: 'error-text', text: preview(t.error, 100) }) : expandable(t.output) },
    { label: 'Scheduled', cell: (t) => time(t.createdAt) },
    { label: 'Finished', cell: (t) => time(t.completedAt) },
  ], tasks, { empty: 'This agent has scheduled no task.', rowAttrs: (t) => ({ dataset: { task: t.id, status: t.status } }) })),
  signals: listed('/signals', 'signals', (signals) => table([
    { label: 'Name', cell: (s) => h('span', { class: 'mono', text: s.name }) },
    { label: 'Value', cell: (s) => expandable(s.value) },
    { label: 'State', cell: (s) => badge(s.consumed ? 'CONSUMED' : 'QUEUED') },
    { label: 'From child', cell: (s) => s.senderExecutionId ? h('a', { href: link('/agents/' + encodeURIComponent(s.senderExecutionId)), class: 'mono', text: shortId(s.senderExecutionId) }) : '' },
    { label: 'Arrived', cell: (s) => time(s.createdAt) },
    { label: 'Consumed', cell: (s) => time(s.consumedAt) },
  ], signals, { empty: 'No signal was sent to this agent.', rowAttrs: (s) => ({ dataset: { signal: s.id } }) })),
  live: liveSection,
};

/** A JSON value as a one-line preview that opens to the pretty-printed value. */
function expandable(value) {
  if (value === undefined || value === null) return h('span', { class: 'muted', text: '—' });
  const body = h('div', { class: 'event-data' });
  const details = h('details', { class: 'event cell-json' }, h('summary', { class: 'event-summary' }, h('code', { text: preview(value, 90) })), body);
  details.addEventListener('toggle', () => {
    if (details.open && !body.firstChild) body.appendChild(h('pre', { class: 'json', text: pretty(value) }));
  });
  return details;
}

/** A section listing one route's items, redrawn when the refresh finds them changed. */
function listed(suffix, field, draw, query) {
  return (detail, { path, ctx, content }) => {
    let signature = null;
    const fetchItems = async () => {
      const body = await get(org(path + suffix), query);
      if (!ctx.isCurrent()) return;
      const items = body[field] || [];
      const next = JSON.stringify(items);
      if (next !== signature) {
        signature = next;
        replace(content, card(null, h('div', { id: 'agent-' + field }, draw(items))));
      }
    };
    replace(content, h('div', { class: 'loading', text: 'Loading…' }));
    fetchItems().catch((error) => error.status !== 401 && replace(content, errorBox(error)));
    return { refresh: () => fetchItems().catch(() => {}) };
  };
}

/**
 * The live stream (GET …/stream, Server-Sent Events) read with fetch, which can carry the bearer
 * token that EventSource cannot; tokens arriving one after another are joined into one line.
 */
function liveSection(detail, { path, ctx, content, reload }) {
  const state = h('span', { class: 'muted', id: 'live-state', text: 'Connecting…' });
  const text = h('pre', { class: 'json live-text', id: 'live-text' });
  const events = h('ol', { class: 'timeline', id: 'live-events' });
  replace(content,
    card(null, h('div', { class: 'toolbar' }, h('div', { class: 'toolbar-left' }, h('strong', { text: 'Live data' })), state),
      h('p', { class: 'muted', text: 'What the worker streams now (tokens, progress, tool calls) and every change of status. Nothing is stored: only what arrives while this page is open is shown.' }),
      h('h3', { class: 'card-subtitle', text: 'Tokens' }), text,
      h('h3', { class: 'card-subtitle', text: 'Events' }), events));
  const abort = new AbortController();
  ctx.onLeave(() => abort.abort());
  const shown = (name, data) => {
    if (name === 'token') {
      let token = data.payload;
      try {
        const parsed = JSON.parse(data.payload);
        token = typeof parsed === 'string' ? parsed : (parsed.token ?? parsed.text ?? parsed.content ?? data.payload);
      } catch (ignored) {
        // a payload that is not JSON is shown as it came
      }
      text.textContent += token;
      return;
    }
    // a change of status redraws the header at once, not at the next refresh
    if (name === 'status' && data.status !== detail.status) reload();
    const summaryText = name === 'status' ? data.status : preview(data.payload, 140);
    events.appendChild(h('li', { class: 'timeline-item', dataset: { event: name } },
      h('div', { class: 'event-summary' },
        h('span', { class: ['event-type', 'event-' + (name === 'error' ? 'failed' : name === 'status' ? 'running' : 'neutral')], text: name }),
        h('span', { class: 'event-time' }, time(new Date(data.timestampMs || Date.now()).toISOString())),
        name === 'status' ? badge(data.status) : h('span', { class: 'event-preview', text: summaryText }))));
    while (events.childNodes.length > LIVE_LINES) events.firstChild.remove();
  };
  readStream(org(path + '/stream'), abort.signal, shown, () => { state.textContent = 'Connected'; })
    .then(() => { if (ctx.isCurrent()) state.textContent = 'The agent has finished; the stream ended.'; })
    .catch((error) => { if (ctx.isCurrent() && error.name !== 'AbortError') state.textContent = 'Stream closed: ' + error.message; });
  return {};
}

async function readStream(path, signal, onEvent, onOpen) {
  const headers = { Accept: 'text/event-stream' };
  const token = session()?.token;
  if (token) headers.Authorization = 'Bearer ' + token;
  const response = await fetch(path, { headers, signal, cache: 'no-store' });
  if (!response.ok) {
    // the API's error message, read the same way as every other call's
    await call('GET', path);
    throw new Error('HTTP ' + response.status);
  }
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let name = null;
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (data.length) {
          try {
            onEvent(name || 'message', JSON.parse(data.join('\n')));
          } catch (ignored) {
            // an event that is not JSON is not one of ours
          }
        }
        name = null;
        data = [];
      } else if (line.startsWith('event:')) {
        name = line.slice(6).trim();
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      }
    }
  }
}

async function signalDialog(path, reload) {
  const name = h('input', { id: 'signal-name', type: 'text', autocomplete: 'off', placeholder: 'e.g. approve', required: true });
  const value = h('textarea', { id: 'signal-value', class: 'mono', rows: '6', placeholder: '{"approved": true}', spellcheck: 'false' });
  const done = await dialog({
    id: 'signal-dialog',
    title: 'Send a signal to this agent',
    body: h('div', null, field('Signal name', name, true), field('Value (JSON, optional)', value, true)),
    confirmLabel: 'Send signal',
    onConfirm: async () => {
      if (!name.value.trim()) throw new Error('signalName: required');
      const signalValue = parseJson(value.value, 'signalValue');
      const answer = await post(org(path + '/signal'), { signalName: name.value.trim(), ...(signalValue === undefined ? {} : { signalValue }) });
      toast(answer && answer.agentResumed ? 'Signal sent; the agent was waiting for it and resumes.' : 'Signal sent.', 'success');
      return true;
    },
  });
  if (done) reload();
}

async function cancelDialog(path, detail, reload) {
  const reason = h('input', { id: 'cancel-reason', type: 'text', autocomplete: 'off', placeholder: 'optional' });
  const done = await dialog({
    id: 'cancel-dialog',
    title: 'Cancel this agent?',
    body: h('div', null,
      h('p', { class: 'dialog-count' }, 'Agent ', h('span', { class: 'mono', text: detail.id }), ' (', detail.kind, ') will be cancelled; its pending tasks too.'),
      field('Reason', reason, true)),
    confirmLabel: 'Cancel agent',
    danger: true,
    onConfirm: async () => {
      const answer = await post(org(path + '/cancel'), reason.value.trim() ? { reason: reason.value.trim() } : {});
      toast(answer && answer.cancelled ? 'Agent cancelled.' : 'The agent had already finished.', 'success');
      return true;
    },
  });
  if (done) reload();
}
