// Sign-in: a bearer token checked with GET /api/whoami, or, with authentication off, the
// organization (tenant id or slug) to open.
import { h, replace, errorBox } from './dom.js';
import { call } from './api.js';

export function signInPage({ onSignedIn }) {
  const body = h('div', { class: 'signin-body' }, h('p', { class: 'muted', text: 'Checking the server…' }));
  const panel = h('div', { class: 'signin' },
    h('div', { class: 'signin-card' },
      h('div', { class: 'signin-brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true', text: 'D' }), h('span', { text: 'Dispatch console' })),
      body));
  probe(body, onSignedIn);
  return panel;
}

async function probe(body, onSignedIn) {
  try {
    const whoami = await call('GET', '/api/whoami', { token: null });
    if (whoami.authentication === 'off') {
      replace(body, orgForm(onSignedIn));
    } else {
      replace(body, tokenForm(onSignedIn));
    }
  } catch (error) {
    if (error.status === 401) replace(body, tokenForm(onSignedIn));
    else replace(body, errorBox(error), tokenForm(onSignedIn));
  }
}

function tokenForm(onSignedIn) {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', placeholder: 'fdt_…', required: true });
  const status = h('div', { class: 'form-status' });
  const form = h('form', { class: 'form', id: 'signin-form' },
    h('h1', { text: 'Sign in' }),
    h('p', { class: 'muted', text: 'Paste an API token. It is kept for this browser tab only.' }),
    h('label', { for: 'token', text: 'Token' }), input, status,
    h('button', { class: 'btn btn-primary', type: 'submit', text: 'Sign in' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    replace(status);
    if (!token) return;
    try {
      const whoami = await call('GET', '/api/whoami', { token });
      onSignedIn({
        token, authentication: whoami.authentication, role: whoami.role,
        orgId: whoami.orgId, orgSlug: whoami.orgSlug, org: whoami.orgSlug || whoami.orgId,
      });
    } catch (error) {
      replace(status, errorBox(error.status === 401 ? new Error('The token was not accepted.') : error));
    }
  });
  queueMicrotask(() => input.focus());
  return form;
}

function orgForm(onSignedIn) {
  const input = h('input', { id: 'org', name: 'org', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'tenant id or slug', required: true });
  const status = h('div', { class: 'form-status' });
  const form = h('form', { class: 'form', id: 'org-form' },
    h('h1', { text: 'Open an organization' }),
    h('p', { class: 'muted', text: 'Authentication is off on this server: choose the organization (tenant id or slug) to look at.' }),
    h('label', { for: 'org', text: 'Organization' }), input, status,
    h('button', { class: 'btn btn-primary', type: 'submit', text: 'Open' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const org = input.value.trim();
    replace(status);
    if (!org) return;
    try {
      const found = await call('GET', '/api/orgs/' + encodeURIComponent(org), { token: null });
      onSignedIn({ authentication: 'off', org, orgId: found && found.id ? found.id : null });
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  queueMicrotask(() => input.focus());
  return form;
}
