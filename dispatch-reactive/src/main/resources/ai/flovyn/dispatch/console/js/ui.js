// Pieces several pages share: the confirmation dialog, status tabs, the filter bar and the pager.
import { h, replace, errorBox } from './dom.js';

/**
 * A modal dialog. `body` is a node (its inputs are read by `onConfirm`). `onConfirm` may return
 * a promise; a rejection is shown in the dialog and keeps it open; resolving `false` keeps it
 * open too. Resolves true when confirmed, false when dismissed.
 */
export function dialog({ title, body, confirmLabel = 'Confirm', danger = false, onConfirm = async () => true, id }) {
  return new Promise((resolve) => {
    const status = h('div', { class: 'dialog-status' });
    const confirm = h('button', { class: ['btn', danger ? 'btn-danger' : 'btn-primary'], type: 'submit', text: confirmLabel, id: id ? id + '-confirm' : null });
    const cancel = h('button', { class: 'btn', type: 'button', text: 'Close', value: 'cancel' });
    const form = h('form', { class: 'dialog-form', method: 'dialog' },
      h('h2', { class: 'dialog-title', text: title }),
      h('div', { class: 'dialog-body' }, body),
      status,
      h('div', { class: 'dialog-actions' }, cancel, confirm));
    const el = h('dialog', { class: 'dialog', id }, form);
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      el.close();
      el.remove();
      resolve(value);
    };
    cancel.addEventListener('click', () => finish(false));
    el.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      replace(status);
      confirm.disabled = true;
      try {
        const result = await onConfirm();
        if (result === false) {
          confirm.disabled = false;
          return;
        }
        finish(true);
      } catch (error) {
        replace(status, errorBox(error));
        confirm.disabled = false;
      }
    });
    document.body.appendChild(el);
    el.showModal();
    const first = body && body.querySelector ? body.querySelector('input, textarea, select') : null;
    (first || confirm).focus();
  });
}

/** Tabs as links: [{label, href, count, active, key}]. */
export function tabs(items, label = 'Status') {
  return h('nav', { class: 'tabs', 'aria-label': label },
    items.map((item) => h('a', {
      href: item.href, class: item.active ? 'tab active' : 'tab', 'aria-current': item.active ? 'page' : null,
      dataset: { tab: item.key || item.label },
    }, item.label, item.count === undefined ? null : h('span', { class: 'tab-count', text: item.count === null ? '…' : String(item.count) }))));
}

/** A labelled input of a filter bar. */
export function field(label, input, wide = false) {
  return h('label', { class: wide ? 'field field-wide' : 'field' }, h('span', { class: 'field-label', text: label }), input);
}

export function textInput(name, value, attrs = {}) {
  return h('input', Object.assign({ name, id: 'f-' + name, type: 'text', value: value || '', autocomplete: 'off', spellcheck: 'false' }, attrs));
}

export function select(name, options, value, attrs = {}) {
  return h('select', Object.assign({ name, id: 'f-' + name }, attrs),
    options.map(([optionValue, label]) => h('option', { value: optionValue, selected: optionValue === (value || ''), text: label })));
}

export const CREATED_WINDOWS = [
  ['', 'Any time'], ['-1h', 'Last hour'], ['-24h', 'Last 24 hours'], ['-7d', 'Last 7 days'], ['-30d', 'Last 30 days'],
];

/**
 * A pager. Lists page by keyset cursor; the cursors of earlier pages travel in the history
 * entry's state, so Previous works after a reload (a link opened fresh on a later page goes back
 * to the first). A list in another order (an FQL ORDER BY) has no cursor and pages by offset.
 */
export function pager({ page, nextCursor, cursor, offset = 0, limit, go, shown, total, totalEstimated, onLimit }) {
  const stack = (history.state && Array.isArray(history.state.cursors)) ? history.state.cursors : [];
  const byOffset = !nextCursor && !cursor && (offset > 0 || (total != null && shown < total));
  const hasNext = nextCursor ? true : byOffset && total != null && offset + shown < total;
  const previous = h('button', { class: 'btn', type: 'button', id: 'page-prev', disabled: page <= 1 && offset <= 0, text: '← Previous' });
  const next = h('button', { class: 'btn', type: 'button', id: 'page-next', disabled: !hasNext, text: 'Next →' });
  previous.addEventListener('click', () => {
    if (byOffset) {
      go({ offset: Math.max(0, offset - limit), page: page - 1 });
    } else if (stack.length) {
      go({ cursor: stack[stack.length - 1] || '', page: page - 1 }, { cursors: stack.slice(0, -1) });
    } else {
      go({ cursor: '', page: 1 }, { cursors: [] });
    }
  });
  next.addEventListener('click', () => {
    if (byOffset) go({ offset: offset + limit, page: page + 1 });
    else go({ cursor: nextCursor, page: page + 1 }, { cursors: [...stack, cursor || ''] });
  });
  const totalText = total === undefined || total === null ? '' : ` of ${totalEstimated ? 'about ' : ''}${total.toLocaleString()}`;
  const sizes = [...new Set([20, 50, 100, 200, limit])].sort((a, b) => a - b);
  const perPage = onLimit ? h('select', { id: 'page-size', 'aria-label': 'Rows per page' },
    sizes.map((n) => h('option', { value: String(n), selected: n === limit, text: `${n} per page` }))) : null;
  if (perPage) perPage.addEventListener('change', () => onLimit(parseInt(perPage.value, 10)));
  return h('div', { class: 'pager' },
    h('span', { class: 'muted', id: 'page-info', text: `Page ${page}${shown !== undefined ? ` · ${shown} shown` : ''}${totalText}` }),
    h('div', { class: 'pager-buttons' }, perPage, previous, next));
}

/** Parses the text of a JSON input; empty text is `undefined`. Throws with the field's name. */
export function parseJson(text, name) {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch (error) {
    throw new Error(`${name}: not valid JSON (${error.message})`);
  }
}

/** A page title row with optional actions on the right. */
export function pageHeader(title, subtitle, ...actions) {
  return h('div', { class: 'page-header' },
    h('div', null, h('h1', null, title), subtitle ? h('div', { class: 'page-subtitle' }, subtitle) : null),
    h('div', { class: 'page-actions' }, actions));
}

/** Shows `loading` in `el` until `promise` settles, then what `render` makes of the result. */
export async function load(el, promise, render) {
  replace(el, h('div', { class: 'loading', text: 'Loading…' }));
  try {
    const value = await promise;
    replace(el, render(value));
  } catch (error) {
    if (error.status !== 401) replace(el, errorBox(error));
  }
}
