// End-to-end test of the web UI: the three-node demo federation (real concordd processes on
// loopback, each serving web/dist), driven in Debian's Chromium by playwright-core.
//
//   node e2e/run.mjs --concord PATH --concordd PATH [--base-port N] [--out DIR]
//
// A's officer signs in, finds the demo's case and verifies the receiver's proof in the browser,
// then composes an emergency request in the form built from the legal data (a finding shown and
// fixed inline); A's approver approves it; B's duty officer, watching the duty desk, sees it
// arrive live and acknowledges it; the screens are switched to Arabic (right to left) and Chinese; a locked
// account and an ended session are shown as such. Every screen is checked by axe-core and must
// raise no Content-Security-Policy violation. Screenshots go to --out.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as OTPAuth from 'otpauth';
import { chromium } from 'playwright-core';

import { run as runWebadmin } from './webadmin.mjs';
import { run as runWebassist } from './webassist.mjs';
import { run as runWebresp } from './webresp.mjs';
import { run as runWebstats } from './webstats.mjs';
import { run as runWebevid } from './webevid.mjs';
import { run as runWebholds } from './webholds.mjs';
import { run as runWebhear } from './webhear.mjs';
import { run as runWeblang } from './weblang.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const webDir = resolve(here, '..');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) {
    if (fallback === undefined) throw new Error(`missing ${name}`);
    return fallback;
  }
  return process.argv[i + 1];
}

const concord = option('--concord');
const concordd = option('--concordd');
const basePort = Number(option('--base-port', '7400'));
const outDir = resolve(option('--out', join(tmpdir(), 'concord-web-screens')));
rmSync(outDir, { recursive: true, force: true }); // screens of an earlier run would mislead
mkdirSync(outDir, { recursive: true });

let failures = 0;
function check(condition, what) {
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${what}`);
  if (!condition) failures++;
  return condition;
}

// ---- the federation -----------------------------------------------------------------------

function startDemo(dir) {
  const child = spawn(
    concord,
    [
      'demo',
      '--dir',
      dir,
      '--base-port',
      String(basePort),
      '--concordd',
      concordd,
      '--web',
      join(webDir, 'dist'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // The nodes must not outlive this script, however it ends.
  process.on('exit', () => child.kill('SIGTERM'));
  let output = '';
  const ready = new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo not ready:\n${output}`)), 240_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (/^\s+files: /m.test(output)) {
        clearTimeout(timer);
        resolveReady(output);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code}:\n${output}`));
    });
  });
  return { child, ready };
}

function parseNodes(output) {
  const nodes = {};
  const line = /^\s+(\S+)\s+https:\/\/127\.0\.0\.1:(\d+)\/api\/v1\s+token (\S+)\s+\(TLS pin ([0-9a-f]{64})\)/gm;
  for (const m of output.matchAll(line)) {
    nodes[m[1]] = { id: m[1], port: Number(m[2]), token: m[3], pin: m[4] };
  }
  return nodes;
}

// A call to a node's local API over TLS, its certificate checked against the node's pin (the
// demo's certificates are self-signed, so the pin is what is trusted).
function call(node, method, path, { body, headers = {} } = {}) {
  return new Promise((resolveCall, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const request = https.request(
      {
        host: '127.0.0.1',
        port: node.port,
        method,
        path,
        rejectUnauthorized: false,
        agent: false, // a new handshake per call, so every call sees the certificate
        headers: {
          ...(data ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
      },
      (response) => {
        const seen = String(response.socket.getPeerCertificate()?.fingerprint256 ?? '');
        if (seen.replaceAll(':', '').toLowerCase() !== node.pin) {
          response.resume();
          reject(new Error(`${node.id}: TLS certificate does not match its pin`));
          return;
        }
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (c) => (text += c));
        response.on('end', () =>
          resolveCall({ status: response.statusCode, headers: response.headers, text }),
        );
      },
    );
    request.on('error', reject);
    if (data) request.write(data);
    request.end();
  });
}

async function enrol(node, login, roles, unit) {
  const r = await call(node, 'POST', '/api/v1/users', {
    body: { login, display_name: login, unit, roles },
    headers: { Authorization: `Bearer ${node.token}` },
  });
  if (r.status !== 201) throw new Error(`enrol ${login} at ${node.id}: ${r.status} ${r.text}`);
  const enrolment = JSON.parse(r.text);
  return { login, password: enrolment.password, totp: OTPAuth.URI.parse(enrolment.otpauth_uri) };
}

// ---- the browser --------------------------------------------------------------------------

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function newPage(browser, name) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const page = await context.newPage();
  page.cspViolations = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) page.cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => check(false, `${name}: no script error (${e.message})`));
  return { context, page };
}

async function screen(page, name) {
  await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
  // axe-core is evaluated through the DevTools protocol: the page's policy allows no inline or
  // injected script, and that is what the CSP check below holds it to.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }),
  );
  const found = result.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  check(found.length === 0, `${name}: axe-core finds no violation${found.length ? '\n  ' + found.join('\n  ') : ''}`);
  check(page.cspViolations.length === 0, `${name}: no CSP violation ${page.cspViolations.join(' ')}`);
}

async function signIn(page, node, person, code = person.totp.generate()) {
  await page.goto(`https://127.0.0.1:${node.port}/`);
  await page.getByLabel(/^Login/).fill(person.login);
  await page.getByLabel(/^Password/).fill(person.password);
  await page.getByLabel(/authenticator/).fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// ---- the scenario -------------------------------------------------------------------------

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'concord-web-e2e-'));
  const demo = startDemo(join(work, 'demo'));
  let browser;
  try {
    const nodes = parseNodes(await demo.ready);
    const a = nodes['fr.central'];
    const b = nodes['hu.poc'];
    check(a && b, 'the demo federation runs (fr.central, hu.poc)');

    const page = await call(a, 'GET', '/');
    const csp = String(page.headers['content-security-policy'] ?? '');
    check(page.status === 200 && csp.includes("script-src 'self'"), 'concordd serves the UI with its CSP');

    const officer = await enrol(a, 'web.officer', ['officer'], 'cybercrime');
    const approver = await enrol(a, 'web.approver', ['approver'], 'cybercrime');
    const duty = await enrol(b, 'web.duty', ['duty_officer', 'officer'], 'duty-desk');
    const locked = await enrol(a, 'web.locked', ['officer'], 'cybercrime');

    browser = await chromium.launch({
      executablePath: process.env.CONCORD_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });

    // A's officer: the case list, the demo's case, its proof verified in the browser.
    const A = await newPage(browser, 'officer');
    await A.page.goto(`https://127.0.0.1:${a.port}/`);
    await A.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screen(A.page, '01-sign-in');
    await signIn(A.page, a, officer);
    await A.page.getByTestId('cases').waitFor();
    const rows = await A.page.getByTestId('cases').locator('tbody tr').count();
    check(rows >= 1, `A's officer sees the demo's case in the list (${rows})`);
    await screen(A.page, '02-cases');
    await A.page.getByTestId('cases').locator('tbody tr a').first().click();
    await A.page.getByTestId('timeline').waitFor();
    check(
      (await A.page.getByTestId('approval').textContent()).includes('signed'),
      'the case shows its signed approval',
    );
    await A.page.getByRole('button', { name: 'Verify' }).first().click();
    const proof = A.page.getByTestId('proof-result').first();
    await proof.filter({ hasText: /Verified|Not verified/ }).waitFor();
    const proofText = await proof.textContent();
    check(/^Verified in this browser: entry \d+ of the audit log of hu\.poc/.test(proofText), `proof verified: ${proofText}`);
    await screen(A.page, '03-case-verified');

    // The same screens in Arabic (right to left) and Chinese.
    await A.page.getByTestId('language').selectOption('ar');
    await A.page.locator('html[dir="rtl"][lang="ar"]').waitFor();
    check(
      (await A.page.getByRole('heading', { level: 2, name: 'التسلسل الزمني' }).count()) === 1,
      'Arabic: the page is right to left and translated',
    );
    await screen(A.page, '04-case-ar');
    await A.page.getByRole('link', { name: 'القضايا' }).first().click();
    await A.page.getByTestId('cases').waitFor();
    await screen(A.page, '05-cases-ar');
    await A.page.getByTestId('language').selectOption('zh');
    await A.page.locator('html[dir="ltr"][lang="zh"]').waitFor();
    check((await A.page.getByRole('heading', { level: 1 }).textContent()) === '案件', 'Chinese: translated');
    await screen(A.page, '06-cases-zh');
    await A.page.getByTestId('language').selectOption('en');

    // B's duty officer: the emergency request arrives live and is acknowledged in one action.
    const B = await newPage(browser, 'duty');
    await signIn(B.page, b, duty);
    await B.page.getByTestId('cases').waitFor();
    await B.page.getByRole('link', { name: 'Duty desk' }).click();
    await B.page.getByTestId('duty-live').filter({ hasText: 'Live' }).waitFor();
    await screen(B.page, '10-duty-desk');

    // A's officer composes the emergency request in the form built from the data; a finding
    // shows under its field as the officer types, and no draft can be made until it is fixed.
    await A.page.getByRole('link', { name: 'New request' }).click();
    await A.page.getByTestId('compose-type').selectOption('expedited_preservation');
    await A.page.getByTestId('compose-peer').selectOption('hu.poc');
    await A.page.getByLabel('Priority').selectOption('emergency');
    const noError = A.page.getByTestId('compose-summary').filter({ hasText: 'no error' });
    await noError.waitFor();
    const facts = A.page.locator('#field-summary_of_facts');
    const factsText = await facts.inputValue();
    check(factsText.length > 0, 'the form starts from the example request of the type');
    await facts.fill('');
    const missing = A.page.getByTestId('field-summary_of_facts').getByTestId('finding-field_missing');
    await missing.waitFor();
    const draftButton = A.page.getByRole('button', { name: 'Save as draft for approval' });
    check(await draftButton.isDisabled(), 'no draft can be made while the check finds an error');
    await screen(A.page, '07-compose-finding');
    await facts.fill(factsText);
    await noError.waitFor();
    check((await missing.count()) === 0, 'the finding goes once the field is filled again');
    await A.page.getByTestId('preview-language').selectOption('ru');
    const minePreview = A.page.getByTestId('preview-en');
    const theirs = A.page.getByTestId('preview-ru');
    await theirs.filter({ hasText: /\S/ }).waitFor();
    await minePreview.filter({ hasText: /\S/ }).waitFor();
    check(
      (await theirs.textContent()) !== (await minePreview.textContent()),
      "the request is previewed in the receiver's language beside the officer's",
    );
    await draftButton.click();
    await A.page.getByTestId('case-state').filter({ hasText: /^Draft$/ }).waitFor();
    const draftUrl = A.page.url();
    check(/#\/cases\/.+/.test(draftUrl), 'the draft is a case of its own');
    await screen(A.page, '08-draft');
    // An unapproved request cannot leave from the UI: the drafter has no approve action, and the
    // node refuses the call even when the page is made to send it.
    check(
      (await A.page.getByRole('button', { name: 'Approve and send' }).count()) === 0,
      'the drafter is offered no approval of their own draft',
    );
    const forced = await A.page.evaluate(async (url) => {
      const id = decodeURIComponent(url.split('#/cases/')[1]);
      const me = await (await fetch('/api/v1/session')).json();
      const r = await fetch(`/api/v1/cases/${encodeURIComponent(id)}/approve`, {
        method: 'POST',
        headers: { 'X-CSRF-Token': me.csrf_token },
      });
      return r.status;
    }, draftUrl);
    check(forced === 403, `the node refuses the drafter's forced approval (${forced})`);

    // A's approver (another person: the node refuses self-approval) approves it from the UI.
    const P = await newPage(browser, 'approver');
    await signIn(P.page, a, approver);
    await P.page.getByRole('link', { name: 'Approvals' }).click();
    await P.page.getByRole('heading', { name: 'Approvals' }).waitFor();
    const queued = P.page.getByTestId('cases').locator('tbody tr');
    await queued.first().waitFor();
    check((await queued.count()) === 1, `the approver's queue holds the one draft (${await queued.count()})`);
    await queued.locator('a').first().click();
    check(P.page.url() === draftUrl, 'the queue leads to the draft');
    // The approver reads the request as the node renders it, before approving it.
    const asRead = P.page.getByTestId('as-read').getByTestId('preview-en');
    await asRead.filter({ hasText: /\S/ }).waitFor();
    check(
      (await asRead.textContent()).includes(factsText.slice(0, 40)),
      'the approver sees the request as it will be read',
    );
    // First it goes back to the drafter with the reasons; a return without them is refused.
    await P.page.getByRole('button', { name: 'Return to the drafter' }).click();
    await P.page.getByRole('alert').filter({ hasText: 'reason' }).waitFor();
    const why = 'Say which account the preservation covers.';
    await P.page.getByLabel('Reasons for returning the draft').fill(why);
    await P.page.getByRole('button', { name: 'Return to the drafter' }).click();
    await P.page.getByTestId('case-state').filter({ hasText: 'Returned to the drafter' }).waitFor();
    check(
      (await P.page.getByRole('button', { name: 'Approve and send' }).count()) === 0,
      'a returned draft cannot be approved',
    );
    await screen(P.page, '08b-returned');
    // The drafter sees why, revises it in the form (checked again as typed) and saves it.
    await A.page.reload();
    await A.page.getByTestId('returned-reasons').filter({ hasText: why }).waitFor();
    check(
      (await A.page.getByTestId('case-state').textContent()) === 'Returned to the drafter',
      'the drafter sees the draft returned, with the reasons',
    );
    await A.page.getByRole('link', { name: 'Revise the request' }).click();
    await A.page.getByRole('heading', { name: /^Revise request / }).waitFor();
    const revisedFacts = A.page.locator('#field-summary_of_facts');
    await A.page.waitForFunction(() => document.querySelector('#field-summary_of_facts')?.value?.length > 0);
    await revisedFacts.fill(factsText + ' The account is the one named above.');
    await noError.waitFor();
    await screen(A.page, '08c-revise');
    await A.page.getByRole('button', { name: 'Save the revision' }).click();
    await A.page.getByTestId('case-state').filter({ hasText: /^Draft$/ }).waitFor();
    check(A.page.url() === draftUrl, 'the revision is the same case');
    const revisedTimeline = await A.page.getByTestId('timeline').textContent();
    check(
      revisedTimeline.includes('Returned to the drafter') && revisedTimeline.includes('Revised'),
      'the timeline records the return and the revision',
    );
    await P.page.reload();
    await P.page.getByRole('button', { name: 'Approve and send' }).click();
    await P.page.getByTestId('case-state').filter({ hasNotText: /Draft|Returned/ }).waitFor();
    check(
      (await P.page.getByTestId('approval').textContent()).includes('signed'),
      "the approver's signed approval is on the case",
    );
    await screen(P.page, '09-approved');

    await B.page.getByTestId('duty-alarm').waitFor({ timeout: 30_000 });
    check(
      (await B.page.getByTestId('duty-alarm').textContent()).includes('fr.central'),
      'the duty desk raises the alarm live, naming the sender',
    );
    const alertCase = B.page.getByTestId('alert-case').first();
    await alertCase.waitFor();
    check(/^Case HU-/.test(await alertCase.textContent()), 'the alert names the case the message opened');
    const alertApproval = B.page.getByTestId('alert-approval').first();
    await alertApproval.waitFor();
    const approvalText = await alertApproval.textContent();
    check(
      approvalText.startsWith('Approval: verified') && approvalText.includes('web.approver'),
      `the alert shows the request's approver as verified (${approvalText})`,
    );
    const escalation = B.page.getByTestId('escalation').first();
    await escalation.waitFor();
    check(
      (await escalation.textContent()).startsWith('Escalates to the backups at'),
      'the alert says when it escalates to the backups',
    );
    const alertText = B.page.getByTestId('alert-text').filter({ hasText: 'Expedited preservation of stored data' }).first();
    await alertText.waitFor();
    check(
      (await alertText.textContent()) === 'Emergency request from fr.central: Expedited preservation of stored data' &&
        (await alertText.getAttribute('lang')) === 'en',
      "the alert is the UI's sentence, naming the sender and the request type as the legal data names it",
    );
    await screen(B.page, '11-duty-alarm');
    await B.page.getByRole('button', { name: 'Acknowledge' }).first().click();
    const mine = B.page.getByTestId('acknowledged').filter({ hasText: 'user:web.duty' });
    await mine.waitFor();
    check((await mine.count()) === 1, 'the acknowledgement names the duty officer');
    await screen(B.page, '12-duty-acknowledged');

    // She works the case in the UI: the steps the lifecycle allows her side, as the node lists
    // them; each one taken is refused or recorded by the node, and the list follows the state.
    await B.page.getByRole('link', { name: 'Cases', exact: true }).click();
    await B.page.getByTestId('cases').locator('tbody tr a').first().click();
    const steps = B.page.getByTestId('steps');
    await steps.getByRole('button', { name: 'Acknowledge receipt' }).click();
    await B.page.getByTestId('case-state').filter({ hasText: /^Receipt acknowledged$/ }).waitFor();
    check(
      (await steps.getByRole('button', { name: 'Acknowledge receipt' }).count()) === 0,
      'once acknowledged, acknowledging is no longer offered',
    );
    await steps.getByRole('button', { name: 'Accept', exact: true }).click();
    await B.page.getByTestId('case-state').filter({ hasText: /^Accepted$/ }).waitFor();
    check(
      (await B.page.getByTestId('timeline').textContent()).includes('Accept: Receipt acknowledged → Accepted'),
      "the timeline records B's acceptance taken in the UI",
    );
    await screen(B.page, '12b-case-accepted');

    // A refusal names grounds that the case's legal basis allows, shown with their articles;
    // without one the step is not sent. A second request (drafted and approved through the API
    // by A's people, as the UI would) is refused by B's duty officer in the UI.
    const second = await A.page.evaluate(async (url) => {
      const id = decodeURIComponent(url.split('#/cases/')[1]);
      const me = await (await fetch('/api/v1/session')).json();
      const view = await (await fetch(`/api/v1/cases/${encodeURIComponent(id)}`)).json();
      const r = await fetch('/api/v1/cases', {
        method: 'POST',
        headers: { 'X-CSRF-Token': me.csrf_token, 'Content-Type': 'application/json' },
        body: JSON.stringify({ request: view.request, peer_node: 'hu.poc' }),
      });
      return (await r.json()).id;
    }, draftUrl);
    const sentSecond = await P.page.evaluate(async (id) => {
      const me = await (await fetch('/api/v1/session')).json();
      const r = await fetch(`/api/v1/cases/${encodeURIComponent(id)}/approve`, {
        method: 'POST',
        headers: { 'X-CSRF-Token': me.csrf_token },
      });
      return r.status;
    }, second);
    check(sentSecond === 200, `a second request is approved and sent (${sentSecond})`);
    await B.page.getByRole('link', { name: 'Cases', exact: true }).click();
    const newest = B.page.getByTestId('cases').locator('tbody tr').first();
    await newest.filter({ hasText: 'Delivered' }).waitFor({ timeout: 30_000 });
    await newest.locator('a').first().click();
    await steps.getByRole('button', { name: 'Acknowledge receipt' }).click();
    await B.page.getByTestId('case-state').filter({ hasText: /^Receipt acknowledged$/ }).waitFor();
    const grounds = B.page.getByTestId('grounds');
    await grounds.waitFor();
    const choices = grounds.getByRole('checkbox');
    check((await choices.count()) > 0, `the grounds of the basis are offered (${await choices.count()})`);
    await steps.getByRole('button', { name: /^Refuse/ }).click();
    await B.page.getByRole('alert').filter({ hasText: 'at least one ground' }).waitFor();
    check(
      (await B.page.getByTestId('case-state').textContent()) === 'Receipt acknowledged',
      'a refusal without grounds is not taken',
    );
    await choices.first().check();
    const groundLabel = (await grounds.locator('label').first().textContent()).split(' (')[0].trim();
    await steps.getByLabel('Reason', { exact: true }).fill('The data is held under a domestic secrecy order.');
    await screen(B.page, '12c-refusal-grounds');
    await steps.getByRole('button', { name: /^Refuse/ }).click();
    await B.page.getByTestId('case-state').filter({ hasText: /^Refused$/ }).waitFor();
    check(
      (await B.page.getByTestId('timeline').textContent()).includes(groundLabel),
      `the timeline names the ground of the refusal (${groundLabel})`,
    );
    await screen(B.page, '12d-refused');

    // A locked account stays locked, whatever is typed next; the message does not say which
    // part was wrong.
    const L = await newPage(browser, 'locked');
    for (let i = 0; i < 5; i++) {
      await signIn(L.page, a, { ...locked, password: `wrong password ${i}` });
      await L.page.getByTestId('login-error').waitFor();
    }
    await signIn(L.page, a, locked);
    await L.page.getByTestId('login-error').waitFor();
    check(
      (await L.page.getByTestId('login-error').textContent()).includes('locked'),
      'a locked account is refused with the right password too',
    );
    check((await L.page.getByTestId('cases').count()) === 0, 'the locked account sees no case');
    await screen(L.page, '13-locked');

    // An ended session: the cookie is gone, the next call is refused, the sign-in returns.
    await A.context.clearCookies();
    await A.page.getByRole('link', { name: 'Cases', exact: true }).click();
    await A.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    check(
      (await A.page.getByRole('status').first().textContent()).includes('session has ended'),
      'an ended session brings back the sign-in with a notice',
    );
    await screen(A.page, '14-session-ended');

    // Signing out ends the session at the node.
    await B.page.getByRole('button', { name: 'Sign out' }).click();
    await B.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const after = await B.page.evaluate(() => fetch('/api/v1/session').then((r) => r.status));
    check(after === 401, `after signing out the node refuses the old session (${after})`);
    await runWebadmin({ browser, nodes, call, enrol, newPage, screen, signIn, check });
    await runWebresp({ browser, nodes, call, enrol, newPage, screen, signIn, check, demoDir: join(work, 'demo') });
    await runWebevid({ browser, nodes, call, enrol, newPage, screen, signIn, check });
    await runWebholds({ browser, nodes, call, enrol, newPage, screen, signIn, check });
    await runWebhear({ browser, nodes, call, enrol, newPage, screen, signIn, check });
    await runWeblang({ browser, nodes, call, enrol, newPage, screen, signIn, check });
    await runWebassist({ browser, nodes, call, enrol, newPage, screen, signIn, check, concord, concordd, basePort, work });
    await runWebstats({ browser, nodes, call, enrol, newPage, screen, signIn, check, concord, concordd, basePort, work });
  } finally {
    if (browser) await browser.close();
    if (demo.child.exitCode === null && demo.child.signalCode === null) {
      const exited = new Promise((r) => demo.child.once('exit', r));
      demo.child.kill('SIGTERM');
      await exited;
    }
    if (failures === 0) rmSync(work, { recursive: true, force: true });
    else console.log(`nodes' files kept in ${work}`);
  }
  console.log(`screenshots in ${outDir}`);
  if (failures > 0) {
    console.log(`${failures} check(s) failed`);
    process.exit(1);
  }
  console.log('every check passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
