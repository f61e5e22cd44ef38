// Queues (what waits where, busiest first) and workers (who is online).
import { h, replace, badge, table, time, ago, duration, errorBox } from './dom.js';
import { get, org } from './api.js';
import { link } from './app.js';
import { pageHeader } from './ui.js';

const n = (counts, status) => ((counts || {})[status] || 0);

function countCell(value, href) {
  if (!value) return h('span', { class: 'muted', text: '0' });
  return href ? h('a', { href, text: value.toLocaleString() }) : value.toLocaleString();
}

export async function queuesPage(ctx) {
  const host = h('div', { class: 'card card-flush' }, h('div', { class: 'loading', text: 'Loading…' }));
  replace(ctx.main, pageHeader('Queues', 'Queues with unfinished work, busiest first'), host);
  try {
    const body = await get(org('/queues'));
    if (!ctx.isCurrent()) return;
    const wf = (q, s) => countCell(n(q.workflows, s), link('/workflows', { queue: q.queue, status: s }));
    const tk = (q, s) => countCell(n(q.tasks, s), link('/tasks', { queue: q.queue, status: s }));
    replace(host, table([
      { label: 'Queue', cell: (q) => h('a', { href: link('/workflows', { queue: q.queue }), class: 'strong', text: q.queue }) },
      { label: 'Workflows pending', class: 'num', cell: (q) => wf(q, 'PENDING') },
      { label: 'running', class: 'num', cell: (q) => wf(q, 'RUNNING') },
      { label: 'waiting', class: 'num', cell: (q) => wf(q, 'WAITING') },
      { label: 'Tasks pending', class: 'num sep', cell: (q) => tk(q, 'PENDING') },
      { label: 'running', class: 'num', cell: (q) => tk(q, 'RUNNING') },
      { label: 'Oldest pending', cell: (q) => q.oldestPendingAgeSeconds == null ? h('span', { class: 'muted', text: '—' }) : h('span', { class: q.oldestPendingAgeSeconds > 300 ? 'warn-text' : null, title: q.oldestPendingWorkflowAt || q.oldestPendingTaskAt || '', text: duration(q.oldestPendingAgeSeconds) }) },
    ], body.queues || [], { empty: 'No queue has unfinished work.', rowAttrs: (q) => ({ dataset: { queue: q.queue } }) }));
  } catch (error) {
    if (error.status !== 401) replace(host, errorBox(error));
  }
}

export async function workersPage(ctx) {
  const host = h('div', { class: 'card card-flush' }, h('div', { class: 'loading', text: 'Loading…' }));
  replace(ctx.main, pageHeader('Workers', 'Online means a heartbeat within the last 60 seconds'), host);
  try {
    const body = await get(org('/workers'));
    if (!ctx.isCurrent()) return;
    const workers = [...(body.workers || [])].sort((a, b) => Number(b.online) - Number(a.online));
    const kinds = (list) => (list && list.length)
      ? h('div', { class: 'chips' }, list.slice(0, 8).map((k) => h('span', { class: 'chip', text: k })), list.length > 8 ? h('span', { class: 'muted', text: `+${list.length - 8}` }) : null)
      : h('span', { class: 'muted', text: '—' });
    replace(host, table([
      { label: 'Status', cell: (w) => badge(w.online ? 'ONLINE' : 'OFFLINE') },
      { label: 'Worker', cell: (w) => h('div', null, h('div', { class: 'strong', text: w.name || '—' }), h('div', { class: 'mono muted small', text: w.id })) },
      { label: 'Type', cell: (w) => w.type || '—' },
      { label: 'Version', cell: (w) => w.version || '—' },
      { label: 'Host / pid', cell: (w) => `${w.hostName || '—'}${w.processId ? ' / ' + w.processId : ''}` },
      { label: 'Workflow kinds', cell: (w) => kinds(w.workflowKinds) },
      { label: 'Task kinds', cell: (w) => kinds(w.taskKinds) },
      { label: 'Registered', cell: (w) => time(w.registeredAt) },
      { label: 'Last heartbeat', cell: (w) => h('span', { title: w.lastHeartbeatAt || '', text: ago(w.lastHeartbeatAt) }) },
    ], workers, { empty: 'No worker has registered.' }));
  } catch (error) {
    if (error.status !== 401) replace(host, errorBox(error));
  }
}
