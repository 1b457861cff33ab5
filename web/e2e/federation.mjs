// Helpers shared by the end-to-end tests that build a small federation of their own beside the
// demo (webassist.mjs, webstats.mjs): nodes made with the `concord` command line as an operator
// would, started and stopped as `concordd` processes, and calls made through a page's session.
import { spawn, execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

/** Calls through the session of a page signed in in the UI: `(method, path, body) => {status, text}`. */
export function pageSession(page) {
  return (method, path, body) =>
    page.evaluate(
      async ([m, p, b]) => {
        const me = await (await fetch('/api/v1/session')).json();
        const r = await fetch(p, {
          method: m,
          headers: { 'X-CSRF-Token': me.csrf_token, ...(b === undefined ? {} : { 'Content-Type': 'application/json' }) },
          body: b === undefined ? undefined : JSON.stringify(b),
        });
        return { status: r.status, text: await r.text() };
      },
      [method, path, body],
    );
}

/** Signs in through the API (no browser): calls with the session cookie and its CSRF token. */
export async function apiSession(call, node, person) {
  const r = await call(node, 'POST', '/api/v1/session', {
    body: { login: person.login, password: person.password, code: person.totp.generate() },
  });
  if (r.status !== 200 && r.status !== 201) throw new Error(`sign-in ${person.login}: ${r.status} ${r.text}`);
  const cookie = String([].concat(r.headers['set-cookie'] ?? [])[0] ?? '').split(';')[0];
  const csrf = JSON.parse(r.text).csrf_token;
  return (method, path, body) => call(node, method, path, { body, headers: { Cookie: cookie, 'X-CSRF-Token': csrf } });
}

/** Polls `probe` until it gives a truthy value, which it returns. */
export async function until(what, probe, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `concordd` on `nodeDir`'s config; its standard error kept for a failure's message. */
export function startNode(concordd, nodeDir) {
  const child = spawn(concordd, ['--config', join(nodeDir, 'config.toml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (c) => (log += c));
  process.on('exit', () => child.kill('SIGTERM'));
  return { child, log: () => log };
}

export async function stopNode(proc) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  await exited;
}

/** Waits until the node's local API answers (401 to an anonymous session read). */
export async function healthy(call, node, proc) {
  await until(
    `${node.id} answering`,
    async () => {
      try {
        return (await call(node, 'GET', '/api/v1/session')).status === 401;
      } catch {
        return false;
      }
    },
    60_000,
  ).catch((e) => {
    throw new Error(`${e.message}\n${proc.log()}`);
  });
}

/**
 * A federation made with the command line under a directory key of its own, in `work/name`:
 * `parties` is [[code, name, ...languages]], `nodes` is [{ id, party, extra }] where `extra` is
 * appended to the node's config.toml. Node i listens for the federation on basePort + offset + i
 * and for its local API 100 ports above. Returns { id: { dir, node: { id, port, token, pin } } }.
 */
export function makeFederation({ concord, basePort, work, name, offset, parties, nodes }) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, CONCORD_PASSPHRASE: `${name} passphrase` };
  const cli = (...args) => execFileSync(concord, args, { env, encoding: 'utf8' });
  const key = cli('directory', 'keygen', '--out', join(dir, 'directory.key'));
  const directoryKey = /([A-Za-z0-9+/]{43}=)/.exec(key)?.[1];
  if (!directoryKey) throw new Error(`${name}: no directory key in: ${key}`);
  const body = join(dir, 'directory-body.json');
  cli('directory', 'new', '--out', body);
  for (const [code, partyName, ...langs] of parties) {
    cli('directory', 'add-party', '--file', body, '--code', code, '--name', partyName, ...langs.flatMap((l) => ['--language', l]));
  }
  const made = {};
  for (const [i, { id, party, extra }] of nodes.entries()) {
    const listen = basePort + offset + i;
    const nodeDir = join(dir, id);
    const init = cli(
      'init',
      '--dir', nodeDir,
      '--name', id,
      '--party', party,
      '--role', 'central_authority',
      '--listen', `127.0.0.1:${listen}`,
      '--directory', join(dir, 'directory.json'),
      '--directory-key', directoryKey,
      '--write-passphrase-file',
    );
    const pin = /TLS pin:\s+([0-9a-f]{64})/.exec(init)?.[1];
    const token = /API token:\s+(\S+)/.exec(init)?.[1];
    if (!pin || !token) throw new Error(`${name}: concord init said: ${init}`);
    cli('directory', 'add-node', '--file', body, '--node-info', join(nodeDir, 'node-info.json'));
    appendFileSync(
      join(nodeDir, 'config.toml'),
      '\n[people]\nargon2_memory_kib = 19456\nargon2_passes = 2\n' + `\n[web]\nroot = ${JSON.stringify(webDist)}\n` + extra,
    );
    made[id] = { dir: nodeDir, node: { id, port: listen + 100, fedPort: listen, token, pin } };
  }
  cli('directory', 'sign', '--file', body, '--key', join(dir, 'directory.key'), '--out', join(dir, 'directory.json'));
  return made;
}
