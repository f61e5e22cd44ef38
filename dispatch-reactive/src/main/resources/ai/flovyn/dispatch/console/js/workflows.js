// The workflow list: status tabs with counts, filters in the URL, keyset paging, selection and
// cancelling (the selected ones one by one, or all matching through a dry-run-checked bulk call).
import { h, replace, badge, table, time, preview, toast, errorBox } from './dom.js';
import { get, post, org, ApiError } from './api.js';
import { link, navigate } from './app.js';
import { tabs, field, textInput, select, pager, pageHeader, dialog, CREATED_WINDOWS } from './ui.js';
import { WORKFLOW_STATUSES, shortId } from './overview.js';

const FILTERS = ['kind', 'queue', 'idPrefix', 'createdAfter', 'createdBefore', 'query'];
const PAGE_SIZE = 20;

/** The filters of the URL, as the API's query parameters (status excluded). */
function filtersOf(query) {
  const filters = {};
  for (const name of FILTERS) {
    const value = query.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

export async function workflowsPage(ctx) {
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
    navigate(link('/workflows', next), { state });
  };

  const tabHost = h('div');
  const listHost = h('div', { class: 'card card-flush' }, h('div', { class: 'loading', text: 'Loading…' }));
  replace(ctx.main,
    pageHeader('Workflows', null, h('a', { class: 'btn btn-primary', href: link('/start'), text: 'Start workflow' })),
    tabHost,
    filterBar(filters, status),
    listHost);

  const statusTabs = (counts) => tabs([
    { label: 'All', key: 'ALL', href: link('/workflows', { ...filters, ...sized }), active: !status, count: counts ? counts.total : null },
    ...WORKFLOW_STATUSES.map((s) => ({
      label: s.charAt(0) + s.slice(1).toLowerCase(), key: s, href: link('/workflows', { ...filters, ...sized, status: s }),
      active: status === s, count: counts ? (counts.counts || {})[s] || 0 : null,
    })),
  ]);
  replace(tabHost, statusTabs(null));
  get(org('/workflow-executions/counts'), filters)
    .then((counts) => ctx.isCurrent() && replace(tabHost, statusTabs(counts)))
    .catch(() => {});

  let body;
  try {
    body = await get(org('/workflow-executions'), { ...filters, status, cursor, offset: offset || undefined, limit });
  } catch (error) {
    if (error.status !== 401) replace(listHost, errorBox(error));
    return;
  }
  if (!ctx.isCurrent()) return;
  const rows = body.workflows || [];
  const selected = new Set();
  const cancelSelected = h('button', { class: 'btn btn-danger-outline', type: 'button', id: 'cancel-selected', disabled: true, text: 'Cancel selected' });
  const cancelAll = h('button', { class: 'btn btn-danger-outline', type: 'button', id: 'cancel-all', text: 'Cancel all matching…' });
  const all = h('input', { type: 'checkbox', 'aria-label': 'Select all on this page', id: 'select-all' });
  const boxes = [];
  const refreshSelection = () => {
    cancelSelected.disabled = selected.size === 0;
    cancelSelected.textContent = selected.size ? `Cancel selected (${selected.size})` : 'Cancel selected';
    all.checked = selected.size > 0 && selected.size === rows.length;
    all.indeterminate = selected.size > 0 && selected.size < rows.length;
  };
  all.addEventListener('change', () => {
    for (const [box, id] of boxes) {
      box.checked = all.checked;
      if (all.checked) selected.add(id);
      else selected.delete(id);
    }
    refreshSelection();
  });
  const check = (w) => {
    const box = h('input', { type: 'checkbox', 'aria-label': 'Select ' + w.id, class: 'row-select', dataset: { id: w.id } });
    box.addEventListener('change', () => {
      if (box.checked) selected.add(w.id);
      else selected.delete(w.id);
      refreshSelection();
    });
    boxes.push([box, w.id]);
    return box;
  };
  const grid = table([
    { label: all, class: 'check', cell: check },
    { label: 'ID', cell: (w) => h('a', { href: link('/workflows/' + encodeURIComponent(w.id)), class: 'mono', title: w.id, text: shortId(w.id) }) },
    { label: 'Kind', cell: (w) => h('span', { class: 'kind', text: w.kind }) },
    { label: 'Status', cell: (w) => badge(w.status) },
    { label: 'Queue', cell: (w) => w.queue },
    { label: 'Created', cell: (w) => time(w.createdAt) },
    { label: 'Updated', cell: (w) => time(w.completedAt || w.updatedAt) },
    { label: 'Error', class: 'error-col', cell: (w) => w.error ? h('span', { class: 'error-text', title: preview(w.error, 200), text: preview(w.error, 60) }) : '' },
  ], rows, { empty: 'No workflow matches these filters.', rowAttrs: (w) => ({ dataset: { id: w.id, status: w.status } }) });

  cancelSelected.addEventListener('click', () => confirmCancelSelected([...selected], () => navigate(location.pathname + location.search, { replaceState: true, state: history.state })));
  cancelAll.addEventListener('click', () => confirmCancelAll({ ...filters, ...(status ? { status } : {}) }, () => navigate(location.pathname + location.search, { replaceState: true, state: history.state })));

  replace(listHost,
    h('div', { class: 'toolbar' }, h('div', { class: 'toolbar-left' }, cancelSelected, cancelAll)),
    grid,
    pager({ page, cursor, offset, limit, onLimit: (n) => navigate(link('/workflows', { ...filters, status, limit: n === PAGE_SIZE ? '' : n })), nextCursor: body.nextCursor, go, shown: rows.length, total: body.total, totalEstimated: body.totalEstimated }));
}

function filterBar(filters, status) {
  const form = h('form', { class: 'filters', id: 'filters' },
    field('Kind', textInput('kind', filters.kind, { placeholder: 'any kind' })),
    field('Queue', textInput('queue', filters.queue, { placeholder: 'any queue' })),
    field('ID prefix', textInput('idPrefix', filters.idPrefix, { placeholder: 'e.g. 3f2a', class: 'mono' })),
    field('Created', select('createdAfter', CREATED_WINDOWS.concat(
      filters.createdAfter && !CREATED_WINDOWS.some(([v]) => v === filters.createdAfter) ? [[filters.createdAfter, 'after ' + filters.createdAfter]] : []), filters.createdAfter)),
    field('Created before', textInput('createdBefore', filters.createdBefore, { placeholder: 'RFC 3339 or -1h' })),
    field('Query (FQL)', textInput('query', filters.query, { placeholder: 'kind = "order" AND createdAt > -1h', class: 'mono' }), true),
    h('div', { class: 'filter-actions' },
      h('button', { class: 'btn btn-primary', type: 'submit', text: 'Apply', id: 'apply-filters' }),
      h('a', { class: 'btn', href: link('/workflows', status ? { status } : undefined), text: 'Clear' })));
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
    navigate(link('/workflows', next));
  });
  return form;
}

function reasonInput() {
  return h('input', { type: 'text', name: 'reason', id: 'cancel-reason', placeholder: 'optional', autocomplete: 'off' });
}

async function confirmCancelSelected(ids, done) {
  const reason = reasonInput();
  const result = h('div');
  const confirmed = await dialog({
    id: 'cancel-dialog',
    title: `Cancel ${ids.length} selected workflow${ids.length === 1 ? '' : 's'}?`,
    body: h('div', null,
      h('p', { class: 'dialog-count', text: `${ids.length} workflow${ids.length === 1 ? '' : 's'} will be cancelled. Finished ones are left as they are.` }),
      field('Reason', reason, true), result),
    confirmLabel: `Cancel ${ids.length}`,
    danger: true,
    onConfirm: async () => {
      let cancelled = 0;
      let finished = 0;
      const failures = [];
      for (const id of ids) {
        try {
          const answer = await post(org('/workflow-executions/' + encodeURIComponent(id) + '/cancel'), reason.value.trim() ? { reason: reason.value.trim() } : {});
          if (answer && answer.status === 'ALREADY_TERMINAL') finished++;
          else cancelled++;
        } catch (error) {
          if (error.status === 401) throw error;
          failures.push(`${shortId(id)}: ${error.message}`);
        }
      }
      toast(`Cancelled ${cancelled}${finished ? `, ${finished} already finished` : ''}${failures.length ? `, ${failures.length} failed` : ''}.`, failures.length ? 'error' : 'success');
      if (failures.length) throw new Error(failures.join('; '));
      return true;
    },
  });
  if (confirmed) done();
}

async function confirmCancelAll(filter, done) {
  let matched;
  try {
    matched = (await post(org('/workflow-executions/bulk-cancel'), { ...filter, dryRun: true })).matched;
  } catch (error) {
    if (error.status !== 401) toast(error.message, 'error');
    return;
  }
  if (!matched) {
    toast('No workflow matches these filters.', 'info');
    return;
  }
  const reason = reasonInput();
  const count = h('p', { class: 'dialog-count', id: 'cancel-all-count' });
  const setCount = (n) => {
    matched = n;
    count.textContent = `${n.toLocaleString()} workflow${n === 1 ? '' : 's'} match${n === 1 ? 'es' : ''} the current filters and will be cancelled.`;
  };
  setCount(matched);
  const described = describe(filter);
  const confirmed = await dialog({
    id: 'cancel-all-dialog',
    title: 'Cancel all matching workflows?',
    body: h('div', null, count,
      described ? h('p', { class: 'muted', text: 'Filters: ' + described }) : h('p', { class: 'warning', text: 'No filter is set: this is every cancellable workflow of the organization.' }),
      field('Reason', reason, true)),
    confirmLabel: 'Cancel all matching',
    danger: true,
    onConfirm: async () => {
      try {
        const answer = await post(org('/workflow-executions/bulk-cancel'), { ...filter, expectedCount: matched, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) });
        toast(`Cancelled ${answer.cancelled ?? 0} of ${answer.matched ?? matched} matching workflows.`, 'success');
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.status === 409 && error.body && typeof error.body.matched === 'number') {
          setCount(error.body.matched);
          throw new Error(`The number of matching workflows changed to ${error.body.matched}; confirm again to cancel them.`);
        }
        throw error;
      }
    },
  });
  if (confirmed) done();
}

function describe(filter) {
  return Object.entries(filter).map(([name, value]) => `${name} = ${value}`).join(', ');
}
