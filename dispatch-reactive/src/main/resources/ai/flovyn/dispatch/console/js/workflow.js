// One workflow: its summary, payloads, history (paged, rendered page by page), tasks with
// attempts and logs, timers, promises (resolve / reject), state and children; Cancel and
// Signal; refreshed every few seconds unless paused.
import { h, replace, append, badge, table, card, fields, time, preview, pretty, jsonBlock, toast, errorBox, duration } from './dom.js';
import { get, post, org } from './api.js';
import { link, navigate } from './app.js';
import { tabs, field, dialog, pageHeader, parseJson } from './ui.js';
import { shortId } from './overview.js';
import { taskAttempts, taskLogs } from './tasks.js';

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const REFRESH_MS = 5000;
const EVENT_PAGE = 200;
const PAUSE_KEY = 'dispatch.console.autorefresh.paused';

export const EVENT_TYPES = [
  'WORKFLOW_STARTED', 'WORKFLOW_SUSPENDED', 'WORKFLOW_COMPLETED', 'WORKFLOW_EXECUTION_FAILED', 'WORKFLOW_CANCELLED',
  'TASK_SCHEDULED', 'TASK_COMPLETED', 'TASK_FAILED', 'TIMER_STARTED', 'TIMER_FIRED', 'TIMER_CANCELLED',
  'PROMISE_CREATED', 'PROMISE_RESOLVED', 'PROMISE_REJECTED', 'PROMISE_TIMEOUT', 'SIGNAL_RECEIVED',
  'CHILD_WORKFLOW_INITIATED', 'CHILD_WORKFLOW_COMPLETED', 'CHILD_WORKFLOW_FAILED', 'STATE_SET', 'STATE_CLEARED',
  'OPERATION_COMPLETED',
];

const TABS = [
  ['summary', 'Input & output'], ['history', 'History'], ['tasks', 'Tasks'], ['timers', 'Timers'],
  ['promises', 'Promises'], ['state', 'State'], ['children', 'Children'],
];

export async function workflowPage(ctx) {
  const id = ctx.id;
  const path = '/workflow-executions/' + encodeURIComponent(id);
  const tab = TABS.some(([key]) => key === ctx.query.get('tab')) ? ctx.query.get('tab') : 'summary';
  let detail = await get(org(path));
  if (!ctx.isCurrent()) return;

  const headerHost = h('div');
  const summaryHost = h('div');
  const tabsHost = h('div');
  const content = h('div', { class: 'tab-content', id: 'tab-' + tab });
  const refreshToggle = h('button', { class: 'btn', type: 'button', id: 'auto-refresh' });
  const refreshNow = h('button', { class: 'btn', type: 'button', text: 'Refresh', id: 'refresh' });
  const signal = h('button', { class: 'btn', type: 'button', text: 'Signal…', id: 'signal' });
  const cancel = h('button', { class: 'btn btn-danger', type: 'button', text: 'Cancel…', id: 'cancel' });

  const drawHeader = () => {
    const done = TERMINAL.has(detail.status);
    signal.disabled = done;
    cancel.disabled = done;
    replace(headerHost, pageHeader(
      [h('span', { text: detail.kind }), ' ', badge(detail.status)],
      [h('a', { href: link('/workflows'), text: 'Workflows' }), ' / ', h('span', { class: 'mono', id: 'workflow-id', text: detail.id })],
      refreshToggle, refreshNow, signal, cancel));
    replace(summaryHost, summary(detail));
    replace(tabsHost, tabs(TABS.map(([key, label]) => ({
      key, label, href: link('/workflows/' + encodeURIComponent(id), key === 'summary' ? undefined : { tab: key }),
      active: key === tab, count: tabCount(key, detail),
    })), 'Workflow sections'));
  };
  drawHeader();
  replace(ctx.main, headerHost, summaryHost, tabsHost, content);

  const section = SECTIONS[tab](detail, { id, path, ctx, content, reload: () => tick(true) });

  let paused = sessionStorage.getItem(PAUSE_KEY) === 'true';
  const drawToggle = () => {
    refreshToggle.textContent = paused ? '▶ Resume auto-refresh' : '❚❚ Pause auto-refresh';
    refreshToggle.setAttribute('aria-pressed', String(!paused));
  };
  drawToggle();
  refreshToggle.addEventListener('click', () => {
    paused = !paused;
    sessionStorage.setItem(PAUSE_KEY, String(paused));
    drawToggle();
  });

  let busy = false;
  async function tick(forced) {
    if (busy || !ctx.isCurrent()) return;
    if (!forced && (paused || document.querySelector('dialog[open]') || document.hidden)) return;
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

function tabCount(key, detail) {
  switch (key) {
    case 'history': return detail.currentSequence ?? undefined;
    case 'tasks': return detail.taskCounts ? Object.values(detail.taskCounts).reduce((a, b) => a + b, 0) : undefined;
    case 'timers': return (detail.timers || []).length;
    case 'promises': return (detail.promises || []).length;
    case 'state': return Object.keys(detail.state || {}).length;
    case 'children': return detail.childCount ?? (detail.children || []).length;
    default: return undefined;
  }
}

function summary(d) {
  const parent = d.parent
    ? h('span', null, h('a', { href: link('/workflows/' + encodeURIComponent(d.parent.id)), class: 'mono', text: shortId(d.parent.id) }), ' ', h('span', { class: 'muted', text: d.parent.kind }), ' ', badge(d.parent.status))
    : (d.parentWorkflowExecutionId ? h('a', { href: link('/workflows/' + encodeURIComponent(d.parentWorkflowExecutionId)), class: 'mono', text: d.parentWorkflowExecutionId }) : null);
  const runFor = d.startedAt ? (new Date(d.completedAt || Date.now()) - new Date(d.startedAt)) / 1000 : null;
  return card(null, h('div', { class: 'summary-grid' },
    fields([
      ['Status', badge(d.status)],
      ['Workflow ID', h('span', { class: 'mono', text: d.id })],
      ['Kind', d.kind],
      ['Queue', d.queue ? h('a', { href: link('/workflows', { queue: d.queue }), text: d.queue }) : null],
      ['Version', d.version],
    ]),
    fields([
      ['Created', time(d.createdAt)],
      ['Started', time(d.startedAt)],
      ['Completed', time(d.completedAt)],
      ['Updated', time(d.updatedAt)],
      ['Duration', runFor === null ? null : duration(runFor)],
    ]),
    fields([
      ['Parent', parent],
      ['Children', String(d.childCount ?? (d.children || []).length)],
      ['Worker', d.workerId ? h('span', { class: 'mono', text: d.workerId }) : null],
      ['History', `${d.currentSequence ?? '—'} event${d.currentSequence === 1 ? '' : 's'} · ${formatBytes(d.historyBytes)}`],
      ['Cancel requested', d.cancelRequested ? 'yes' : 'no'],
    ])));
}

function formatBytes(bytes) {
  if (bytes === undefined || bytes === null) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

const SECTIONS = {
  summary(detail, { content }) {
    const draw = (d) => replace(content,
      h('div', { class: 'columns' },
        card('Input', h('div', { id: 'workflow-input' }, jsonBlock(d.input))),
        card('Output', h('div', { id: 'workflow-output' }, jsonBlock(d.output)))),
      d.error ? card('Error', h('pre', { class: 'json error-block', id: 'workflow-error', text: typeof d.error === 'string' ? d.error : pretty(d.error) })) : null,
      d.metadata && Object.keys(d.metadata).length ? card('Metadata', jsonBlock(d.metadata)) : null);
    draw(detail);
    return { refresh: (d, changed) => changed && draw(d) };
  },
  history: historySection,
  tasks: tasksSection,
  timers(detail, { content }) {
    const draw = (d) => replace(content, card(null, table([
      { label: 'Timer', cell: (t) => h('span', { class: 'mono', text: t.timerId }) },
      { label: 'Status', cell: (t) => badge(t.status) },
      { label: 'Fires at', cell: (t) => time(t.fireAt) },
      { label: 'Fired at', cell: (t) => time(t.firedAt) },
    ], d.timers || [], { empty: 'This workflow has no timers.' })));
    draw(detail);
    return { refresh: (d, changed) => changed && draw(d) };
  },
  promises: promisesSection,
  state(detail, { content }) {
    const draw = (d) => replace(content, card(null, table([
      { label: 'Key', cell: ([key]) => h('span', { class: 'mono', text: key }) },
      { label: 'Value', cell: ([, value]) => h('pre', { class: 'json json-inline', text: pretty(value) }) },
    ], Object.entries(d.state || {}), { empty: 'This workflow has no state.' })));
    draw(detail);
    return { refresh: (d, changed) => changed && draw(d) };
  },
  children(detail, { content }) {
    const draw = (d) => {
      const children = d.children || [];
      replace(content, card(null,
        table([
          { label: 'Child', cell: (c) => h('a', { href: link('/workflows/' + encodeURIComponent(c.childWorkflowExecutionId || c.id)), class: 'mono', text: c.childWorkflowExecutionId || c.id }) },
          { label: 'Kind', cell: (c) => c.kind },
          { label: 'Status', cell: (c) => badge(c.status) },
          { label: 'Created', cell: (c) => time(c.createdAt) },
          { label: 'Completed', cell: (c) => time(c.completedAt) },
        ], children, { empty: 'This workflow has no children.' }),
        (d.childCount || 0) > children.length
          ? h('p', { class: 'muted pad' }, `${children.length} of ${d.childCount} shown. `, h('a', { href: link('/workflows', { query: `parentId = "${d.id}"` }), text: 'List them all →' }))
          : null));
    };
    draw(detail);
    return { refresh: (d, changed) => changed && draw(d) };
  },
};

function eventClass(type) {
  const t = String(type || '');
  if (/FAILED|REJECTED|TIMEOUT|TIMED_OUT/.test(t)) return 'failed';
  if (/CANCELLED/.test(t)) return 'cancelled';
  if (/COMPLETED|RESOLVED|FIRED/.test(t)) return 'completed';
  if (/SIGNAL|SUSPENDED|STATE/.test(t)) return 'waiting';
  if (/STARTED|SCHEDULED|CREATED|INITIATED/.test(t)) return 'running';
  return 'neutral';
}

/**
 * The history: one page of events at a time (Load more, or Load all which fetches page after
 * page and yields to the browser between them), each row's data formatted only when opened.
 */
function historySection(detail, { path, ctx, content }) {
  const query = ctx.query;
  const type = query.get('type') || '';
  const failedOnly = query.get('failedOnly') === 'true';
  const typeSelect = h('select', { id: 'event-type', name: 'type' },
    h('option', { value: '', text: 'All event types' }),
    EVENT_TYPES.map((t) => h('option', { value: t, selected: t === type, text: t })));
  const failedBox = h('input', { type: 'checkbox', id: 'failed-only', checked: failedOnly });
  const update = () => navigate(link('/workflows/' + encodeURIComponent(detail.id), {
    tab: 'history', type: typeSelect.value, failedOnly: failedBox.checked ? 'true' : '',
  }), { replaceState: true });
  typeSelect.addEventListener('change', update);
  failedBox.addEventListener('change', update);

  const list = h('ol', { class: 'timeline', id: 'history' });
  const status = h('span', { class: 'muted', id: 'history-count' });
  const more = h('button', { class: 'btn', type: 'button', id: 'load-more', text: 'Load more' });
  const loadAll = h('button', { class: 'btn', type: 'button', id: 'load-all', text: 'Load all' });
  const footer = h('div', { class: 'timeline-footer' }, more, loadAll);
  const problem = h('div');
  replace(content, card(null,
    h('div', { class: 'toolbar' },
      h('div', { class: 'toolbar-left' },
        h('label', { class: 'inline-field' }, h('span', { text: 'Type' }), typeSelect),
        h('label', { class: 'check-field' }, failedBox, h('span', { text: 'Failed only' }))),
      status),
    problem, list, footer));

  let nextSequence = 0;
  let lastSequence = 0;
  let shown = 0;
  let firstTime = null;
  let atEnd = false;
  let loading = false;

  const params = (since) => ({ sinceSequence: since || undefined, limit: EVENT_PAGE, type: type || undefined, failedOnly: failedOnly ? 'true' : undefined });

  const appendEvents = (events) => {
    const fragment = document.createDocumentFragment();
    for (const event of events) {
      if (firstTime === null && event.timestamp) firstTime = new Date(event.timestamp).getTime();
      fragment.appendChild(eventRow(event, firstTime));
      lastSequence = Math.max(lastSequence, event.sequence);
    }
    list.appendChild(fragment);
    shown += events.length;
    status.textContent = `${shown.toLocaleString()} event${shown === 1 ? '' : 's'} shown${atEnd ? '' : ' · more to load'}`;
  };

  const page = async (since) => {
    const body = await get(org(path + '/events'), params(since));
    if (!ctx.isCurrent()) return false;
    const events = body.events || [];
    const next = body.nextSequence;
    atEnd = next === null || next === undefined || events.length === 0;
    appendEvents(events);
    nextSequence = atEnd ? lastSequence : next;
    if (atEnd && since === undefined && events.length === 0) {
      list.appendChild(h('li', { class: 'timeline-empty', text: type || failedOnly ? 'No event matches these filters.' : 'No events.' }));
    }
    more.disabled = atEnd;
    loadAll.disabled = atEnd;
    footer.classList.toggle('hidden', atEnd);
    return !atEnd;
  };

  const guarded = async (work) => {
    if (loading) return;
    loading = true;
    more.disabled = true;
    loadAll.disabled = true;
    replace(problem);
    try {
      await work();
    } catch (error) {
      if (error.status !== 401) replace(problem, errorBox(error));
      more.disabled = atEnd;
      loadAll.disabled = atEnd;
    } finally {
      loading = false;
    }
  };

  more.addEventListener('click', () => guarded(() => page(nextSequence)));
  loadAll.addEventListener('click', () => guarded(async () => {
    loadAll.textContent = 'Loading…';
    while (ctx.isCurrent() && await page(nextSequence)) {
      // let the browser paint and handle input between pages
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    }
    loadAll.textContent = 'Load all';
  }));

  guarded(() => page(undefined));

  return {
    async refresh() {
      // new events are appended once everything before them is shown
      if (!atEnd || loading) return;
      await guarded(async () => {
        const body = await get(org(path + '/events'), params(lastSequence));
        if (!ctx.isCurrent()) return;
        const events = (body.events || []).filter((e) => e.sequence > lastSequence);
        if (events.length) {
          list.querySelector('.timeline-empty')?.remove();
          appendEvents(events);
        }
        atEnd = body.nextSequence === null || body.nextSequence === undefined;
        if (!atEnd) nextSequence = body.nextSequence;
        more.disabled = atEnd;
        loadAll.disabled = atEnd;
        footer.classList.toggle('hidden', atEnd);
      });
    },
  };
}

function eventRow(event, firstTime) {
  const offset = firstTime !== null && event.timestamp ? (new Date(event.timestamp).getTime() - firstTime) / 1000 : null;
  const data = h('div', { class: 'event-data' });
  const details = h('details', { class: 'event' },
    h('summary', { class: 'event-summary' },
      h('span', { class: 'event-seq', text: String(event.sequence) }),
      h('span', { class: ['event-type', 'event-' + eventClass(event.eventType)], text: event.eventType }),
      h('span', { class: 'event-time' }, time(event.timestamp)),
      h('span', { class: 'event-offset', text: offset === null ? '' : '+' + formatOffset(offset) }),
      h('span', { class: 'event-preview', text: preview(event.data, 120) })),
    data);
  details.addEventListener('toggle', () => {
    if (details.open && !data.firstChild) data.appendChild(h('pre', { class: 'json', text: pretty(event.data ?? null) }));
  });
  return h('li', { class: 'timeline-item', dataset: { sequence: String(event.sequence), type: event.eventType } }, details);
}

function formatOffset(seconds) {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  return duration(seconds);
}

function tasksSection(detail, { path, ctx, content }) {
  const open = new Set();
  let signature = null;
  const draw = (tasks) => {
    const items = tasks.map((task) => {
      const body = h('div', { class: 'task-body' });
      const item = h('details', { class: 'task-item', open: open.has(task.id), dataset: { id: task.id } },
        h('summary', { class: 'task-summary' },
          badge(task.status),
          h('span', { class: 'kind', text: task.kind }),
          h('a', { href: link('/tasks/' + encodeURIComponent(task.id)), class: 'mono', text: shortId(task.id) }),
          h('span', { class: 'muted', text: `attempt ${task.executionCount ?? 0}${task.maxRetries != null ? ' of ' + (task.maxRetries + 1) : ''}` }),
          h('span', { class: 'muted', text: task.queue ? 'queue ' + task.queue : '' }),
          task.error ? h('span', { class: 'error-text', text: preview(task.error, 80) }) : null),
        body);
      const fill = () => {
        if (body.firstChild) return;
        const logs = h('div');
        append(body,
          h('h3', { text: 'Attempts' }), taskAttempts(task.attempts || []),
          h('h3', { text: 'Logs' }), logs);
        taskLogs(logs, task.id, ctx);
      };
      item.addEventListener('toggle', () => {
        if (item.open) {
          open.add(task.id);
          fill();
        } else {
          open.delete(task.id);
        }
      });
      if (item.open) fill();
      return item;
    });
    replace(content, card(null, items.length ? h('div', { class: 'task-list' }, items) : h('p', { class: 'muted pad', text: 'This workflow has scheduled no tasks.' })));
  };
  const fetchTasks = async () => {
    const body = await get(org(path + '/tasks'));
    if (!ctx.isCurrent()) return;
    const tasks = body.tasks || [];
    const next = JSON.stringify(tasks);
    if (next !== signature) {
      signature = next;
      draw(tasks);
    }
  };
  replace(content, h('div', { class: 'loading', text: 'Loading…' }));
  fetchTasks().catch((error) => error.status !== 401 && replace(content, errorBox(error)));
  return { refresh: () => fetchTasks().catch(() => {}) };
}

function promisesSection(detail, { content, reload }) {
  const draw = (d) => replace(content, card(null, table([
    { label: 'Promise', cell: (p) => h('div', null, h('div', { text: p.name || p.id }), p.name && p.name !== p.id ? h('div', { class: 'mono muted small', text: p.id }) : null) },
    { label: 'Status', cell: (p) => badge(p.status) },
    { label: 'Value / error', cell: (p) => p.error != null ? h('span', { class: 'error-text', text: preview(p.error, 120) }) : (p.value !== undefined && p.value !== null ? h('code', { text: preview(p.value, 120) }) : '') },
    { label: 'Created', cell: (p) => time(p.createdAt) },
    { label: 'Timeout', cell: (p) => time(p.timeoutAt) },
    { label: 'Settled', cell: (p) => time(p.settledAt) },
    { label: '', class: 'actions', cell: (p) => p.status === 'PENDING' ? h('div', { class: 'row-actions' },
      h('button', { class: 'btn btn-small btn-primary', type: 'button', text: 'Resolve…', dataset: { promise: p.id, action: 'resolve' }, onclick: () => settle(p, 'resolve', reload) }),
      h('button', { class: 'btn btn-small btn-danger-outline', type: 'button', text: 'Reject…', dataset: { promise: p.id, action: 'reject' }, onclick: () => settle(p, 'reject', reload) })) : '' },
  ], d.promises || [], { empty: 'This workflow has no promises.', rowAttrs: (p) => ({ dataset: { promise: p.id, status: p.status } }) })));
  draw(detail);
  return { refresh: (d, changed) => changed && draw(d) };
}

async function settle(promise, action, reload) {
  const resolve = action === 'resolve';
  const input = resolve
    ? h('textarea', { id: 'promise-value', class: 'mono', rows: '6', placeholder: '{"approved": true}', spellcheck: 'false' })
    : h('input', { id: 'promise-error', type: 'text', placeholder: 'why it is rejected', autocomplete: 'off' });
  const done = await dialog({
    id: 'promise-dialog',
    title: `${resolve ? 'Resolve' : 'Reject'} promise ${promise.name || promise.id}`,
    body: h('div', null, field(resolve ? 'Value (JSON; empty for null)' : 'Error', input, true)),
    confirmLabel: resolve ? 'Resolve' : 'Reject',
    danger: !resolve,
    onConfirm: async () => {
      // the id is '<workflow id>:<name>'; the colon is kept as the path segment's own character
      const url = org('/promises/' + encodeURIComponent(promise.id).replace(/%3A/gi, ':') + '/' + action);
      const answer = resolve
        ? await post(url, { value: parseJson(input.value, 'value') ?? null })
        : await post(url, { error: input.value.trim() || 'rejected' });
      toast(answer && answer.alreadyResolved ? 'The promise was already settled.' : `Promise ${resolve ? 'resolved' : 'rejected'}.`, 'success');
      return true;
    },
  });
  if (done) reload();
}

async function signalDialog(path, reload) {
  const name = h('input', { id: 'signal-name', type: 'text', autocomplete: 'off', placeholder: 'e.g. approve', required: true });
  const value = h('textarea', { id: 'signal-value', class: 'mono', rows: '6', placeholder: '{"by": "ops"}', spellcheck: 'false' });
  const done = await dialog({
    id: 'signal-dialog',
    title: 'Send a signal',
    body: h('div', null, field('Signal name', name, true), field('Value (JSON, optional)', value, true)),
    confirmLabel: 'Send signal',
    onConfirm: async () => {
      if (!name.value.trim()) throw new Error('signalName: required');
      const signalValue = parseJson(value.value, 'signalValue');
      const answer = await post(org(path + '/signal'), { signalName: name.value.trim(), ...(signalValue === undefined ? {} : { signalValue }) });
      toast(`Signal sent (event ${answer && answer.signalEventSequence != null ? answer.signalEventSequence : '?'}).`, 'success');
      return true;
    },
  });
  if (done) reload();
}

async function cancelDialog(path, detail, reload) {
  const reason = h('input', { id: 'cancel-reason', type: 'text', autocomplete: 'off', placeholder: 'optional' });
  const cascade = h('input', { id: 'cancel-children', type: 'checkbox', checked: true });
  const children = detail.childCount || 0;
  const done = await dialog({
    id: 'cancel-dialog',
    title: 'Cancel this workflow?',
    body: h('div', null,
      h('p', { class: 'dialog-count' }, 'Workflow ', h('span', { class: 'mono', text: detail.id }), ' (', detail.kind, ') will be cancelled.'),
      field('Reason', reason, true),
      h('label', { class: 'check-field' }, cascade, h('span', { text: `Also cancel its children${children ? ` (${children})` : ''}` }))),
    confirmLabel: 'Cancel workflow',
    danger: true,
    onConfirm: async () => {
      const answer = await post(org(path + '/cancel'), { ...(reason.value.trim() ? { reason: reason.value.trim() } : {}), cascadeToChildren: cascade.checked });
      toast(answer && answer.status === 'ALREADY_TERMINAL' ? 'The workflow had already finished.' : `Workflow cancelled${answer && answer.cancelledChildren ? ` with ${answer.cancelledChildren} children` : ''}.`, 'success');
      return true;
    },
  });
  if (done) reload();
}
