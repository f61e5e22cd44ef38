// Starting a workflow: kind, queue, JSON input and an idempotency key.
import { h, replace, card, toast, errorBox } from './dom.js';
import { call, org } from './api.js';
import { link, navigate } from './app.js';
import { field, pageHeader, parseJson } from './ui.js';

export function startPage(ctx) {
  const kind = h('input', { id: 'start-kind', name: 'kind', type: 'text', required: true, autocomplete: 'off', placeholder: 'order-workflow' });
  const queue = h('input', { id: 'start-queue', name: 'queue', type: 'text', autocomplete: 'off', placeholder: 'default' });
  const input = h('textarea', { id: 'start-input', name: 'input', class: 'mono', rows: '10', spellcheck: 'false', placeholder: '{\n  "orderId": 42\n}' });
  const key = h('input', { id: 'start-key', name: 'idempotencyKey', type: 'text', autocomplete: 'off', placeholder: 'optional: a second start with this key returns the same run' });
  const status = h('div');
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', text: 'Start workflow', id: 'start-submit' });
  const form = h('form', { class: 'form form-wide', id: 'start-form' },
    field('Kind', kind, true),
    field('Queue', queue, true),
    field('Input (JSON)', input, true),
    h('p', { class: 'form-hint', text: 'Any JSON value; leave empty for no input.' }),
    field('Idempotency key', key, true),
    status,
    h('div', { class: 'form-actions' }, submit, h('a', { class: 'btn', href: link('/workflows'), text: 'Back to workflows' })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(status);
    submit.disabled = true;
    try {
      if (!kind.value.trim()) throw new Error('kind: required');
      const body = { kind: kind.value.trim() };
      const value = parseJson(input.value, 'input');
      if (value !== undefined) body.input = value;
      if (queue.value.trim()) body.queue = queue.value.trim();
      if (key.value.trim()) body.idempotencyKey = key.value.trim();
      const answer = await call('POST', org('/workflow-executions'), { body });
      const id = answer.workflowExecutionId || answer.id;
      toast(answer.idempotencyKeyUsed && !answer.idempotencyKeyNew ? 'A run with this idempotency key already exists: opened it.' : 'Workflow started.', 'success');
      navigate(link('/workflows/' + encodeURIComponent(id)));
    } catch (error) {
      if (error.status !== 401) replace(status, errorBox(error));
      submit.disabled = false;
    }
  });
  const panel = card(null, form);
  panel.classList.add('card-narrow');
  replace(ctx.main, pageHeader('Start workflow', 'A new run of a workflow kind, handed to the workers polling its queue'), panel);
  queueMicrotask(() => kind.focus());
}
