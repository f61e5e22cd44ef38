// Building the page from data: every value becomes a text node or an attribute set through the
// DOM, never markup, so a payload such as <img src=x onerror=...> is shown as the text it is.

/**
 * Creates an element. `attrs` may hold `class`, `text`, `on<event>` handlers, `dataset`,
 * boolean properties (`checked`, `disabled`, `selected`, `open`) and plain attributes.
 * Children are nodes, strings (as text), numbers, or arrays of them; null/false are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
      else if (key === 'text') el.textContent = String(value);
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (['checked', 'disabled', 'selected', 'open', 'value', 'indeterminate', 'required'].includes(key)) el[key] = value;
      else el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings, numbers, nested arrays) to `el`. */
export function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
  return el;
}

/** Removes every child of `el`, then appends `children`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const STATUS_CLASSES = {
  PENDING: 'pending', RUNNING: 'running', WAITING: 'waiting', SUSPENDED: 'waiting',
  COMPLETED: 'completed', FAILED: 'failed', CANCELLED: 'cancelled', RESOLVED: 'completed',
  REJECTED: 'failed', FIRED: 'completed', TIMED_OUT: 'failed', TIMEOUT: 'failed',
  ONLINE: 'completed', OFFLINE: 'cancelled', ERROR: 'failed', WARN: 'waiting', INFO: 'running',
};

/** A coloured badge for a status word. */
export function badge(status) {
  const text = status === null || status === undefined ? '—' : String(status);
  return h('span', { class: ['badge', 'badge-' + (STATUS_CLASSES[text.toUpperCase()] || 'neutral')], text });
}

/** A JSON value pretty-printed as text in a <pre>. */
export function jsonBlock(value, empty = 'none') {
  if (value === undefined || value === null) return h('p', { class: 'muted', text: empty });
  return h('pre', { class: 'json' }, pretty(value));
}

/** Pretty JSON text of a value (strings that hold JSON are shown as that JSON). */
export function pretty(value) {
  if (typeof value === 'string') {
    try {
      const parsed = JSON.parse(value);
      if (parsed !== null && typeof parsed === 'object') return JSON.stringify(parsed, null, 2);
    } catch (ignored) {
      // not JSON: shown as the string it is
    }
    return JSON.stringify(value);
  }
  return JSON.stringify(value, null, 2);
}

/** A short one-line preview of a JSON value. */
export function preview(value, max = 80) {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** A time as local date and time text, with the RFC 3339 value as its tooltip. */
export function time(value) {
  if (!value) return h('span', { class: 'muted', text: '—' });
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return h('span', { text: value });
  return h('time', { datetime: value, title: value, text: formatTime(date) });
}

export function formatTime(date) {
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} `
    + `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** "3m ago" style age of a time. */
export function ago(value) {
  if (!value) return '—';
  const seconds = Math.max(0, Math.round((Date.now() - new Date(value).getTime()) / 1000));
  return duration(seconds) + ' ago';
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${Math.round(seconds % 60)}s`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h`;
}

/** A table from column definitions {label, cell(row) -> node|string, class}. */
export function table(columns, rows, { empty = 'Nothing here.', rowClass, rowAttrs } = {}) {
  const head = h('thead', null, h('tr', null, columns.map((c) => h('th', { class: c.class }, c.label))));
  const body = h('tbody');
  if (!rows.length) {
    body.appendChild(h('tr', null, h('td', { class: 'empty', colspan: String(columns.length), text: empty })));
  }
  for (const row of rows) {
    body.appendChild(h('tr', Object.assign({ class: rowClass ? rowClass(row) : null }, rowAttrs ? rowAttrs(row) : {}),
      columns.map((c) => h('td', { class: c.class }, c.cell(row)))));
  }
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid' }, head, body));
}

/** A titled card. */
export function card(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h2', { class: 'card-title' }, title) : null, children);
}

/** A definition list of [label, value] pairs. */
export function fields(pairs) {
  return h('dl', { class: 'fields' },
    pairs.filter(Boolean).map(([label, value]) => [h('dt', { text: label }), h('dd', null, value ?? h('span', { class: 'muted', text: '—' }))]));
}

/** A message shown at the top of the page for a moment. */
export function toast(message, kind = 'info') {
  let host = document.getElementById('toasts');
  if (!host) {
    host = h('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.appendChild(host);
  }
  const item = h('div', { class: ['toast', 'toast-' + kind], text: message });
  host.appendChild(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}

/** An error box with the API's message. */
export function errorBox(error) {
  return h('div', { class: 'alert alert-error', role: 'alert', text: error && error.message ? error.message : String(error) });
}
