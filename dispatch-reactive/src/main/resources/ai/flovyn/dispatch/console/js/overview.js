// The overview: workflow counts by status, recent failures, workers online, busiest queues.
import { h, replace, badge, table, card, time, ago, duration, preview } from './dom.js';
import { get, org } from './api.js';
import { link } from './app.js';
import { load, pageHeader } from './ui.js';

export const WORKFLOW_STATUSES = ['PENDING', 'RUNNING', 'WAITING', 'COMPLETED', 'FAILED', 'CANCELLED'];

export async function overviewPage(ctx) {
  const counts = h('div', { class: 'stats', id: 'status-counts' });
  const failures = h('div');
  const workers = h('div');
  const queues = h('div');
  replace(ctx.main,
    pageHeader('Overview'),
    counts,
    h('div', { class: 'columns' },
      card(['Recent failures ', h('a', { class: 'card-link', href: link('/workflows', { status: 'FAILED' }), text: 'All failed →' })], failures),
      h('div', { class: 'stack' },
        card(['Workers online ', h('a', { class: 'card-link', href: link('/workers'), text: 'All workers →' })], workers),
        card(['Busiest queues ', h('a', { class: 'card-link', href: link('/queues'), text: 'All queues →' })], queues))));
  await Promise.all([
    load(counts, get(org('/workflow-executions/counts')), statTiles),
    load(failures, get(org('/workflow-executions'), { status: 'FAILED', limit: 10 }), (body) => table([
      { label: 'Workflow', cell: (w) => h('a', { href: link('/workflows/' + encodeURIComponent(w.id)), class: 'mono', text: shortId(w.id) }) },
      { label: 'Kind', cell: (w) => w.kind },
      { label: 'Error', cell: (w) => h('span', { class: 'error-text', text: preview(w.error, 90) }) },
      { label: 'Failed', cell: (w) => time(w.completedAt || w.updatedAt) },
    ], body.workflows || [], { empty: 'No failed workflows.' })),
    load(workers, get(org('/workers')), (body) => {
      const online = (body.workers || []).filter((w) => w.online);
      return [
        h('p', { class: 'big-number' }, h('span', { text: String(online.length) }), h('span', { class: 'muted', text: ` of ${(body.workers || []).length} registered` })),
        table([
          { label: 'Worker', cell: (w) => w.name || w.id },
          { label: 'Host', cell: (w) => w.hostName || '—' },
          { label: 'Heartbeat', cell: (w) => ago(w.lastHeartbeatAt) },
        ], online.slice(0, 5), { empty: 'No worker has sent a heartbeat in the last minute.' }),
      ];
    }),
    load(queues, get(org('/queues')), (body) => table([
      { label: 'Queue', cell: (q) => h('a', { href: link('/workflows', { queue: q.queue }), text: q.queue }) },
      { label: 'Pending', class: 'num', cell: (q) => String(((q.workflows || {}).PENDING || 0) + ((q.tasks || {}).PENDING || 0)) },
      { label: 'Running', class: 'num', cell: (q) => String(((q.workflows || {}).RUNNING || 0) + ((q.tasks || {}).RUNNING || 0)) },
      { label: 'Oldest pending', cell: (q) => q.oldestPendingAgeSeconds == null ? '—' : duration(q.oldestPendingAgeSeconds) },
    ], (body.queues || []).slice(0, 5), { empty: 'No queues yet.' })),
  ]);
}

function statTiles(body) {
  const values = body.counts || {};
  return [
    h('a', { class: 'stat stat-total', href: link('/workflows') },
      h('span', { class: 'stat-label', text: 'All workflows' }),
      h('span', { class: 'stat-value', text: (body.total ?? 0).toLocaleString() + (body.estimated ? '+' : '') })),
    WORKFLOW_STATUSES.map((status) => h('a', { class: 'stat stat-' + status.toLowerCase(), href: link('/workflows', { status }), dataset: { status } },
      h('span', { class: 'stat-label' }, badge(status)),
      h('span', { class: 'stat-value', text: (values[status] || 0).toLocaleString() }))),
  ];
}

export function shortId(id) {
  return id && id.length > 13 ? id.slice(0, 8) + '…' : id || '—';
}
