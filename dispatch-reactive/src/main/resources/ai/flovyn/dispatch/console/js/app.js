// The console's shell: the router (pages live at /console/orgs/{org}/…, filters in the query),
// the header, and sign-in / sign-out.
import { h, replace, errorBox } from './dom.js';
import { call, session, saveSession, clearSession, whenUnauthorized } from './api.js';
import { overviewPage } from './overview.js';
import { workflowsPage } from './workflows.js';
import { workflowPage } from './workflow.js';
import { tasksPage, taskPage } from './tasks.js';
import { agentsPage, agentPage } from './agents.js';
import { queuesPage, workersPage } from './fleet.js';
import { startPage } from './start.js';
import { signInPage } from './signin.js';

const BASE = '/console';

const NAV = [
  ['Overview', ''],
  ['Workflows', '/workflows'],
  ['Tasks', '/tasks'],
  ['Agents', '/agents'],
  ['Queues', '/queues'],
  ['Workers', '/workers'],
  ['Start workflow', '/start'],
];

let leaving = [];

/** The console URL of a page of the current organization. */
export function link(path = '', query) {
  const org = session()?.org || '';
  let url = `${BASE}/orgs/${encodeURIComponent(org)}${path}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '' && value !== false) params.set(name, String(value));
    }
    const text = params.toString();
    if (text) url += '?' + text;
  }
  return url;
}

/** Goes to a console URL without reloading; `replaceState` keeps the history entry. */
export function navigate(url, { replaceState = false, state = null } = {}) {
  if (replaceState) history.replaceState(state, '', url);
  else history.pushState(state, '', url);
  render();
}

/** A link to a console page that navigates in place. */
export function routeLink(url, ...children) {
  return h('a', { href: url }, children);
}

function parse() {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'orgs' && parts.length >= 2) {
    return { org: parts[1], parts: parts.slice(2) };
  }
  return { org: null, parts };
}

function page(parts) {
  const [section, id] = parts;
  if (!section) return { nav: '', view: overviewPage, title: 'Overview' };
  if (section === 'workflows' && !id) return { nav: '/workflows', view: workflowsPage, title: 'Workflows' };
  if (section === 'workflows') return { nav: '/workflows', view: workflowPage, id, title: 'Workflow' };
  if (section === 'tasks' && !id) return { nav: '/tasks', view: tasksPage, title: 'Tasks' };
  if (section === 'tasks') return { nav: '/tasks', view: taskPage, id, title: 'Task' };
  if (section === 'agents' && !id) return { nav: '/agents', view: agentsPage, title: 'Agents' };
  if (section === 'agents') return { nav: '/agents', view: agentPage, id, title: 'Agent' };
  if (section === 'queues') return { nav: '/queues', view: queuesPage, title: 'Queues' };
  if (section === 'workers') return { nav: '/workers', view: workersPage, title: 'Workers' };
  if (section === 'start') return { nav: '/start', view: startPage, title: 'Start workflow' };
  return null;
}

function leave() {
  for (const fn of leaving) {
    try {
      fn();
    } catch (ignored) {
      // a page's cleanup failing must not stop the next page
    }
  }
  leaving = [];
}

let generation = 0;

/** Renders the page the URL names. */
export async function render() {
  leave();
  const mine = ++generation;
  const root = document.getElementById('app');
  const route = parse();
  if (route.parts[0] === 'signin' && !route.org) {
    replace(root, signInPage({ onSignedIn: signedIn }));
    document.title = 'Sign in · Dispatch';
    return;
  }
  let current = session();
  if (!current && route.org) {
    // a shared link to an organization opens directly when the server needs no token
    try {
      const whoami = await call('GET', '/api/whoami', { token: null });
      if (whoami.authentication === 'off') {
        current = { org: route.org, authentication: 'off' };
        saveSession(current);
      }
    } catch (ignored) {
      // sign-in below shows what is wrong
    }
    if (mine !== generation) return;
  }
  if (!current) {
    sessionStorage.setItem('dispatch.console.return', location.pathname + location.search);
    navigate(`${BASE}/signin`, { replaceState: true });
    return;
  }
  if (!route.org) {
    navigate(link('/' + route.parts.join('/')), { replaceState: true });
    return;
  }
  if (route.org !== current.org) {
    if (current.authentication === 'off') {
      current = { ...current, org: route.org, orgId: null };
      saveSession(current);
    } else if (route.org !== current.orgId && route.org !== current.orgSlug) {
      // a token acts in its own organization only
      navigate(link('/' + route.parts.join('/')) + location.search, { replaceState: true });
      return;
    }
  }
  const target = page(route.parts);
  const main = h('main', { class: 'main', id: 'main' });
  replace(root, header(current, target ? target.nav : null), main);
  if (!target) {
    replace(main, h('h1', { text: 'Not found' }), h('p', null, 'No console page at this address. ', routeLink(link(), 'Go to the overview')));
    return;
  }
  document.title = `${target.title} · Dispatch`;
  const ctx = {
    id: target.id,
    query: new URLSearchParams(location.search),
    main,
    onLeave: (fn) => leaving.push(fn),
    isCurrent: () => mine === generation,
  };
  try {
    await target.view(ctx);
  } catch (error) {
    if (mine === generation && error.status !== 401) main.appendChild(errorBox(error));
  }
}

function header(current, active) {
  const orgLabel = current.orgSlug && current.orgId && current.orgSlug !== current.orgId
    ? `${current.orgSlug}` : current.org;
  return h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: link() }, h('span', { class: 'brand-mark', 'aria-hidden': 'true', text: 'D' }), 'Dispatch'),
    h('nav', { class: 'nav', 'aria-label': 'Main' },
      NAV.map(([label, path]) => h('a', { href: link(path), class: active === path ? 'active' : null, 'aria-current': active === path ? 'page' : null, text: label }))),
    h('div', { class: 'who' },
      h('span', { class: 'org-pill', title: current.orgId ? `tenant id ${current.orgId}` : 'organization', id: 'org-name' },
        h('span', { class: 'muted-light', text: 'org ' }), orgLabel),
      current.role ? h('span', { class: 'role', text: current.role }) : null,
      h('button', { class: 'btn btn-ghost', type: 'button', id: 'sign-out', onclick: signOut, text: 'Sign out' })));
}

function signedIn(value) {
  saveSession(value);
  const back = sessionStorage.getItem('dispatch.console.return');
  sessionStorage.removeItem('dispatch.console.return');
  if (back && back.startsWith(BASE + '/orgs/')) {
    const rest = back.slice(BASE.length + '/orgs/'.length);
    const slash = rest.indexOf('/');
    const tail = slash < 0 ? '' : rest.slice(slash);
    if (value.authentication === 'off') {
      navigate(back);
      return;
    }
    navigate(`${BASE}/orgs/${encodeURIComponent(value.org)}${tail}`);
    return;
  }
  navigate(link());
}

function signOut() {
  leave();
  clearSession();
  navigate(`${BASE}/signin`);
}

whenUnauthorized(() => {
  const current = session();
  if (current) clearSession();
  if (!location.pathname.startsWith(BASE + '/signin')) {
    sessionStorage.setItem('dispatch.console.return', location.pathname + location.search);
    navigate(`${BASE}/signin`, { replaceState: true });
  }
});

document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = event.target.closest('a[href]');
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

window.addEventListener('popstate', render);
render();
