// Task executions: the list (status tabs, filters in the URL, keyset paging) and one task with
// its attempts, logs and state.
import { h, replace, badge, table, card, fields, time, preview, pretty, jsonBlock, errorBox } from './dom.js';
import { get, org } from './api.js';
import { link, navigate } from './app.js';
import { tabs, field, textInput, select, pager, pageHeader, load, CREATED_WINDOWS } from './ui.js';
import { shortId } from './overview.js';

export const TASK_STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
const FILTERS = ['kind', 'queue', 'workflowId', 'createdAfter', 'createdBefore', 'query'];
const PAGE_SIZE = 50;

export async function tasksPage(ctx) {
  const query = ctx.query;
  const status = query.get('status') || '';
  const filters = {};
  for (const name of FILTERS) if (query.get(name)) filters[name] = query.get(name);
  const cursor = query.get('cursor') || '';
  const offset = Math.max(0, parseInt(query.get('offset') || '0', 10) || 0);
  const limit = Math.min(1000, Math.max(1, parseInt(query.get('limit') || '', 10) || PAGE_SIZE));
  const sized = limit === PAGE_SIZE ? {} : { limit };
  const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
  const go = (changes, state) => navigate(link('/tasks', { ...filters, status, ...sized, cursor: changes.cursor || '', offset: changes.offset || '', page: changes.page > 1 ? changes.page : '' }), { state });

  const tabHost = h('div');
  const listHost = h('div', { class: 'card card-flush' }, h('div', { class: 'loading', text: 'Loading…' }));
  replace(ctx.main, pageHeader('Tasks'), tabHost, filterBar(filters, status), listHost);
  const statusTabs = (counts) => tabs([
    { label: 'All', key: 'ALL', href: link('/tasks', { ...filters, ...sized }), active: !status, count: counts ? counts.total : null },
    ...TASK_STATUSES.map((s) => ({
      label: s.charAt(0) + s.slice(1).toLowerCase(), key: s, href: link('/tasks', { ...filters, ...sized, status: s }),
      active: status === s, count: counts ? (counts.counts || {})[s] || 0 : null,
    })),
  ]);
  replace(tabHost, statusTabs(null));
  get(org('/task-executions/counts'), filters).then((c) => ctx.isCurrent() && replace(tabHost, statusTabs(c))).catch(() => {});

  let body;
  try {
    body = await get(org('/task-executions'), { ...filters, status, cursor, offset: offset || undefined, limit });
  } catch (error) {
    if (error.status !== 401) replace(listHost, errorBox(error));
    return;
  }
  if (!ctx.isCurrent()) return;
  const rows = body.tasks || [];
  replace(listHost,
    table([
      { label: 'ID', cell: (t) => h('a', { href: link('/tasks/' + encodeURIComponent(t.id)), class: 'mono', title: t.id, text: shortId(t.id) }) },
      { label: 'Kind', cell: (t) => h('span', { class: 'kind', text: t.kind }) },
      { label: 'Status', cell: (t) => badge(t.status) },
      { label: 'Queue', cell: (t) => t.queue },
      { label: 'Workflow', cell: (t) => t.workflowExecutionId ? h('a', { href: link('/workflows/' + encodeURIComponent(t.workflowExecutionId)), class: 'mono', text: shortId(t.workflowExecutionId) }) : h('span', { class: 'muted', text: 'standalone' }) },
      { label: 'Attempts', class: 'num', cell: (t) => `${t.executionCount ?? 0}${t.maxRetries != null ? ' / ' + (t.maxRetries + 1) : ''}` },
      { label: 'Created', cell: (t) => time(t.createdAt) },
      { label: 'Error', class: 'error-col', cell: (t) => t.error ? h('span', { class: 'error-text', text: preview(t.error, 60) }) : '' },
    ], rows, { empty: 'No task matches these filters.', rowAttrs: (t) => ({ dataset: { id: t.id, status: t.status } }) }),
    pager({ page, cursor, offset, limit, onLimit: (n) => navigate(link('/tasks', { ...filters, status, limit: n === PAGE_SIZE ? '' : n })), nextCursor: body.nextCursor, go, shown: rows.length, total: body.total, totalEstimated: body.totalEstimated }));
}

function filterBar(filters, status) {
  const form = h('form', { class: 'filters', id: 'filters' },
    field('Kind', textInput('kind', filters.kind, { placeholder: 'any kind' })),
    field('Queue', textInput('queue', filters.queue, { placeholder: 'any queue' })),
    field('Workflow ID', textInput('workflowId', filters.workflowId, { placeholder: 'workflow id', class: 'mono' })),
    field('Created', select('createdAfter', CREATED_WINDOWS.concat(
      filters.createdAfter && !CREATED_WINDOWS.some(([v]) => v === filters.createdAfter) ? [[filters.createdAfter, 'after ' + filters.createdAfter]] : []), filters.createdAfter)),
    field('Created before', textInput('createdBefore', filters.createdBefore, { placeholder: 'RFC 3339 or -1h' })),
    field('Query (FQL)', textInput('query', filters.query, { placeholder: 'attempt > 1 AND status = "FAILED"', class: 'mono' }), true),
    h('div', { class: 'filter-actions' },
      h('button', { class: 'btn btn-primary', type: 'submit', text: 'Apply' }),
      h('a', { class: 'btn', href: link('/tasks', status ? { status } : undefined), text: 'Clear' })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = status ? { status } : {};
    const limit = new URLSearchParams(location.search).get('limit');
    if (limit) next.limit = limit;
    for (const name of FILTERS) {
      const value = String(data.get(name) || '').trim();
      if (value) next[name] = value;
    }
    navigate(link('/tasks', next));
  });
  return form;
}

export async function taskPage(ctx) {
  const path = '/task-executions/' + encodeURIComponent(ctx.id);
  const task = await get(org(path));
  if (!ctx.isCurrent()) return;
  const logs = h('div', { id: 'task-logs' });
  const state = h('div');
  const attempts = task.attempts
    ? taskAttempts(task.attempts)
    : h('div');
  replace(ctx.main,
    pageHeader([h('span', { text: task.kind }), ' ', badge(task.status)],
      [h('a', { href: link('/tasks'), text: 'Tasks' }), ' / ', h('span', { class: 'mono', text: task.id })]),
    card(null, h('div', { class: 'summary-grid' },
      fields([
        ['Status', badge(task.status)],
        ['Task ID', h('span', { class: 'mono', text: task.id })],
        ['Kind', task.kind],
        ['Queue', task.queue],
        ['Workflow', task.workflowExecutionId ? h('a', { href: link('/workflows/' + encodeURIComponent(task.workflowExecutionId)), class: 'mono', text: task.workflowExecutionId }) : 'standalone'],
      ]),
      fields([
        ['Created', time(task.createdAt)],
        ['Started', time(task.startedAt)],
        ['Completed', time(task.completedAt)],
        ['Updated', time(task.updatedAt)],
      ]),
      fields([
        ['Attempts', `${task.executionCount ?? 0}${task.maxRetries != null ? ' of ' + (task.maxRetries + 1) : ''}`],
        ['Worker', task.workerId ? h('span', { class: 'mono', text: task.workerId }) : null],
        ['Progress', task.progress != null ? `${Math.round(task.progress * 100)}%` : null],
        ['Progress details', task.progressDetails ? preview(task.progressDetails, 80) : null],
      ]))),
    h('div', { class: 'columns' },
      card('Input', jsonBlock(task.input)),
      card('Output', jsonBlock(task.output))),
    task.error ? card('Error', h('pre', { class: 'json error-block', text: typeof task.error === 'string' ? task.error : pretty(task.error) })) : null,
    card('Attempts', attempts),
    card('Logs', logs),
    card('State', state));
  if (!task.attempts) {
    load(attempts, get(org(path + '/attempts')), (body) => taskAttempts(body.attempts || []));
  }
  taskLogs(logs, task.id, ctx);
  load(state, get(org(path + '/state')), (body) => table([
    { label: 'Key', cell: ([key]) => h('span', { class: 'mono', text: key }) },
    { label: 'Value', cell: ([, value]) => h('pre', { class: 'json json-inline', text: pretty(value) }) },
  ], Object.entries(body.state || {}), { empty: 'This task has no state.' }));
}

/** The attempts of a task as a table. */
export function taskAttempts(attempts) {
  return table([
    { label: '#', class: 'num', cell: (a) => String(a.attempt) },
    { label: 'Status', cell: (a) => badge(a.status) },
    { label: 'Started', cell: (a) => time(a.startedAt) },
    { label: 'Finished', cell: (a) => time(a.finishedAt) },
    { label: 'Duration', class: 'num', cell: (a) => a.durationMs == null ? '—' : `${a.durationMs.toLocaleString()} ms` },
    { label: 'Worker', cell: (a) => a.workerId ? h('span', { class: 'mono', text: shortId(a.workerId) }) : '—' },
    { label: 'Error', cell: (a) => a.error ? h('span', { class: 'error-text', text: preview(a.error, 120) }) : '' },
  ], attempts, { empty: 'No attempt yet.' });
}

/** The logs of a task, a page at a time, into `host`. */
export function taskLogs(host, taskId, ctx) {
  const path = '/task-executions/' + encodeURIComponent(taskId) + '/logs';
  const rows = h('tbody');
  const more = h('button', { class: 'btn btn-small', type: 'button', text: 'Load more logs' });
  const problem = h('div');
  let after;
  let count = 0;
  const page = async () => {
    more.disabled = true;
    try {
      const body = await get(org(path), { after, limit: 100 });
      if (ctx && !ctx.isCurrent()) return;
      for (const line of body.logs || []) {
        count++;
        rows.appendChild(h('tr', null,
          h('td', { class: 'nowrap' }, time(line.timestamp)),
          h('td', null, badge(line.level)),
          h('td', { class: 'log-message', text: line.message })));
      }
      after = body.nextAfter;
      if (!count) rows.appendChild(h('tr', null, h('td', { class: 'empty', colspan: '3', text: 'No logs.' })));
      more.classList.toggle('hidden', after === null || after === undefined);
      more.disabled = false;
    } catch (error) {
      if (error.status !== 401) replace(problem, errorBox(error));
    }
  };
  more.addEventListener('click', page);
  replace(host, problem, h('div', { class: 'table-wrap' }, h('table', { class: 'grid logs' },
    h('thead', null, h('tr', null, h('th', { text: 'Time' }), h('th', { text: 'Level' }), h('th', { text: 'Message' }))), rows)), more);
  page();
}
