// The operator API (docs/http-api.md) as the console calls it: the bearer token and the
// organization live in sessionStorage, so they last as long as the browser tab.

const KEY = 'dispatch.console.session';

/** The signed-in session: {token, org, authentication, role} or null. */
export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch (ignored) {
    return null;
  }
}

export function saveSession(value) {
  sessionStorage.setItem(KEY, JSON.stringify(value));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

/** An API failure: the answer's `error` message, and its HTTP status. */
export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

let onUnauthorized = () => {};

/** What to do when the API answers 401 (back to sign-in). */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/** Calls the API; resolves with the JSON body, rejects with an ApiError. */
export async function call(method, path, { query, body, token } = {}) {
  const url = new URL(path, location.origin);
  if (query) {
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === '') continue;
      if (Array.isArray(value)) value.forEach((v) => url.searchParams.append(name, v));
      else url.searchParams.set(name, String(value));
    }
  }
  const headers = { Accept: 'application/json' };
  const bearer = token !== undefined ? token : session()?.token;
  if (bearer) headers.Authorization = 'Bearer ' + bearer;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch (error) {
    throw new ApiError(0, 'The server could not be reached: ' + error.message);
  }
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch (ignored) {
      json = null;
    }
  }
  if (!response.ok) {
    const message = json && typeof json.error === 'string' ? json.error : `HTTP ${response.status}`;
    const error = new ApiError(response.status, message, json);
    if (response.status === 401 && token === undefined) onUnauthorized(error);
    throw error;
  }
  return json;
}

/** The path of a tenant-scoped route of the signed-in organization. */
export function org(path = '') {
  return '/api/orgs/' + encodeURIComponent(session()?.org || '') + path;
}

export const get = (path, query) => call('GET', path, { query });
export const post = (path, body, query) => call('POST', path, { body: body === undefined ? {} : body, query });
