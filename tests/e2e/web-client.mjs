// web-client.mjs - a browser-like HTTPS client for dashboard tests: keeps
// cookies per client, never follows redirects by itself (tests check
// them), submits forms with their CSRF token, and reads values out of pages.
import { makeClient } from '../stack/https.mjs';

export class WebClient {
  constructor(stack) {
    this.request = makeClient({ port: stack.httpsPort, caFile: stack.tls.cert });
    this.cookies = new Map();
  }

  remember(res) {
    for (const c of [res.headers['set-cookie'] ?? []].flat()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/Max-Age=0/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async send(method, path, { form, headers = {} } = {}) {
    const h = { accept: 'text/html', ...headers };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body;
    if (form) {
      body = new URLSearchParams(form).toString();
      h['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await this.request(method, path, { headers: h, body });
    this.remember(res);
    return res;
  }

  get(path) { return this.send('GET', path); }

  // POSTs a form to path with the CSRF token taken from the page at from.
  async post(path, fields, { from = path, csrf } = {}) {
    const token = csrf ?? csrfOf((await this.get(from)).text);
    return this.send('POST', path, { form: { csrf: token, ...fields } });
  }

  async signIn(email, password) {
    const r = await this.post('/login', { email, password }, { from: '/login' });
    return r;
  }
}

export function csrfOf(html) {
  return /name="csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';
}

export function textOf(html, id) {
  const m = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html);
  return m ? m[1].trim() : null;
}

export function flashOf(html) {
  return /class="flash (?:ok|bad)"[^>]*>([^<]*)</.exec(html)?.[1] ?? null;
}
