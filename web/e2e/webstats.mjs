// Statistics collected by a secretariat in the web UI (run by run.mjs beside the demo).
//
// The demo's nodes send their reports to no secretariat: on A (fr.central) the statistician
// publishes, and the screen offers no submission and says why. Then this test builds a
// federation of its own with the command line (federation.mjs): un.secretariat (party UN,
// `statistics.secretariat = true`) and two States' nodes attached to it, fr.state (FR, threshold
// 1) and hu.state (HU, the default threshold 5, so its small counts are suppressed).
// fr.state's officer sends two preservation requests to hu.state (through the API); each
// State's statistician publishes the period's report and submits it in the UI; the
// secretariat's statistician sees both collected, publishes the total over that period, opens it,
// sees the summed figures (FR's outgoing counts, HU's incoming ones suppressed) as a chart and a
// table, and verifies the total and each input in the browser; a copy whose total was changed on
// the way (`page.route`) is refused. Every screen is checked by axe-core.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { apiSession, healthy, makeFederation, pageSession, startNode, stopNode, until as waitFor } from './federation.mjs';

const examples = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'instruments', 'examples');
const kRequests = 2;

function until(what, probe, timeoutMs = 60_000) {
  return waitFor(what, probe, timeoutMs).catch((e) => {
    throw new Error(`webstats: ${e.message}`);
  });
}

const delivery = '\n[delivery]\ninitial_backoff = "250ms"\nmax_backoff = "2s"\n';

/** The secretariat's node and two States' nodes attached to it (see the top of the file). */
export function makeStatsFederation({ concord, basePort, work }) {
  return makeFederation({
    concord,
    basePort,
    work,
    name: 'statistics-federation',
    offset: 60,
    parties: [
      ['UN', 'Treaty secretariat', 'en'],
      ['FR', 'France', 'fr', 'en'],
      ['HU', 'Hungary', 'hu', 'en'],
    ],
    nodes: [
      { id: 'un.secretariat', party: 'UN', extra: '\n[statistics]\nsecretariat = true\n' + delivery },
      {
        id: 'fr.state',
        party: 'FR',
        extra: '\n[statistics]\nsecretariat_node = "un.secretariat"\nthreshold = 1\n' + delivery,
      },
      { id: 'hu.state', party: 'HU', extra: '\n[statistics]\nsecretariat_node = "un.secretariat"\n' + delivery },
    ],
  });
}

/** fr.state's officer drafts and its approver sends `n` preservation requests to hu.state. */
export async function sendRequests({ call, enrol }, fr, hu, n) {
  const officer = await apiSession(call, fr, await enrol(fr, 'webstats.officer', ['officer'], 'cybercrime'));
  const approver = await apiSession(call, fr, await enrol(fr, 'webstats.approver', ['approver'], 'cybercrime'));
  const sent = [];
  for (let i = 0; i < n; i++) {
    const request = JSON.parse(readFileSync(join(examples, 'expedited-preservation.json'), 'utf8'));
    request.date = new Date().toISOString().slice(0, 10);
    const drafted = await officer('POST', '/api/v1/cases', { request, peer_node: hu.id, priority: 'normal' });
    if (drafted.status !== 201) throw new Error(`webstats: draft: ${drafted.status} ${drafted.text}`);
    const id = JSON.parse(drafted.text).id;
    const approved = await approver('POST', `/api/v1/cases/${encodeURIComponent(id)}/approve`);
    if (approved.status !== 200) throw new Error(`webstats: approve: ${approved.status} ${approved.text}`);
    sent.push(id);
  }
  const auth = { headers: { Authorization: `Bearer ${hu.token}` } };
  await until('the requests at hu.state', async () => {
    const r = await call(hu, 'GET', '/api/v1/cases?direction=in&limit=500', auth);
    const cases = JSON.parse(r.text).cases ?? [];
    return sent.every((id) => cases.some((c) => c.origin_id === id));
  });
  return sent;
}

const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

// Sets the statistics screen's period to the days given and shows it.
async function showPeriod(page, from, to) {
  await page.getByLabel('From', { exact: true }).fill(from);
  await page.getByLabel('To (excluded)').fill(to);
  await page.getByRole('button', { name: 'Show', exact: true }).click();
}

// Publishes the period shown through the confirmation; returns the new publication's id.
async function publishInUi(page) {
  const publish = page.getByTestId('stats-publish');
  await publish.getByRole('button', { name: 'Publish the report of this period…' }).click();
  await publish.getByRole('button', { name: 'Publish', exact: true }).click();
  const result = publish.getByTestId('stats-publish-result').filter({ hasText: /^Published as / });
  await result.waitFor();
  return /^Published as (.+)\.$/.exec(await result.textContent())[1];
}

// ---- the demo: a State's node attached to no secretariat -----------------------------------

async function onDemo({ browser, nodes, enrol, newPage, screen, signIn, check }) {
  const a = nodes['fr.central'];
  const statistician = await enrol(a, 'webstats.demo', ['statistician'], 'statistics');
  const D = await newPage(browser, 'webstats-demo');
  await signIn(D.page, a, statistician);
  await D.page.getByTestId('stats-requests').waitFor();
  const id = await publishInUi(D.page);
  // It names no secretariat's node (`secretariat_node` is ""): no submission is offered, and the
  // screen says why.
  const note = D.page.getByTestId('statsc-no-secretariat');
  await note.waitFor();
  check(
    (await note.textContent()).includes('statistics.secretariat_node') && (await D.page.getByTestId(`submit-${id}`).count()) === 0,
    'webstats: a State’s node that names no secretariat offers no submission and says so',
  );
  check((await D.page.getByTestId('statsc').count()) === 0, 'webstats: a State’s node shows no collection of its own');
  await screen(D.page, 'webstats-01-no-secretariat');
  await D.context.close();
}

// ---- the federation of a secretariat and two States ----------------------------------------

async function onStates(ctx, fed, from, to) {
  const { browser, call, enrol, newPage, screen, signIn, check } = ctx;
  const fr = fed['fr.state'].node;
  const hu = fed['hu.state'].node;
  await sendRequests(ctx, fr, hu, kRequests);

  // fr.state's statistician publishes the period's report and submits it in the UI.
  const statistician = await enrol(fr, 'webstats.fr', ['statistician'], 'statistics');
  const F = await newPage(browser, 'webstats-fr');
  await signIn(F.page, fr, statistician);
  await F.page.getByTestId('stats-requests').waitFor();
  await showPeriod(F.page, from, to);
  await F.page.getByTestId('stats-requests').locator('tbody tr').first().waitFor();
  const frId = await publishInUi(F.page);
  await F.page.getByTestId(`submit-${frId}`).click();
  const sent = F.page.getByTestId(`submitted-${frId}`);
  await sent.waitFor();
  check(
    (await sent.getAttribute('data-to')) === 'un.secretariat' && (await sent.textContent()).startsWith('Sent to the secretariat’s node un.secretariat'),
    `webstats: fr.state’s report is sent to the secretariat’s node (${await sent.textContent()})`,
  );
  await screen(F.page, 'webstats-02-state-submitted');
  await F.context.close();

  // hu.state's report of the same period, published and submitted through the API.
  const auth = { headers: { Authorization: `Bearer ${hu.token}` } };
  const published = await call(hu, 'POST', `/api/v1/statistics/publications?from=${from}T00:00:00Z&to=${to}T00:00:00Z`, auth);
  check(published.status === 201, `webstats: hu.state publishes the same period (${published.status})`);
  const huId = JSON.parse(published.text).id;
  const submitted = await call(hu, 'POST', `/api/v1/statistics/publications/${huId}/submit`, auth);
  check(submitted.status === 202, `webstats: hu.state submits its report (${submitted.status})`);
  return { frId, huId };
}

async function onSecretariat(ctx, fed, { frId, huId }) {
  const { browser, call, enrol, newPage, screen, signIn, check } = ctx;
  const s = fed['un.secretariat'].node;
  const statistician = await enrol(s, 'webstats.secretariat', ['statistician'], 'secretariat');
  const S = await newPage(browser, 'webstats-secretariat');
  await signIn(S.page, s, statistician);
  const api = pageSession(S.page);
  await until('both reports collected', async () => {
    const r = JSON.parse((await api('GET', '/api/v1/statistics/collected')).text);
    return r.reports?.length === 2;
  });
  await S.page.reload();
  const collected = S.page.getByTestId('statsc-collected');
  await collected.waitFor();
  const frRow = collected.getByTestId('collected-fr.state');
  const huRow = collected.getByTestId('collected-hu.state');
  check(
    (await frRow.getAttribute('data-publication')) === frId && (await huRow.getAttribute('data-publication')) === huId,
    'webstats: the secretariat lists each State’s report by node and publication',
  );
  check(
    (await frRow.textContent()).includes('FR') &&
      (await huRow.textContent()).includes('HU') &&
      (await frRow.textContent()).includes('Verified by this node on arrival'),
    'webstats: each collected report names its party and its verification on arrival',
  );
  check((await S.page.locator('[data-testid^="submit-"]').count()) === 0, 'webstats: a secretariat’s node offers no submission');
  await screen(S.page, 'webstats-03-collected');

  // The total of the period, through the confirmation.
  const publish = S.page.getByTestId('statsc-publish');
  await publish.getByRole('button', { name: 'Publish the total of this period…' }).click();
  check((await publish.locator('.confirm').textContent()).includes('cannot be withdrawn'), 'webstats: publishing a total asks for a confirmation first');
  await screen(S.page, 'webstats-04-publish-confirm');
  await publish.getByRole('button', { name: 'Publish the total', exact: true }).click();
  const done = publish.getByTestId('statsc-publish-result');
  await done.waitFor();
  const aggregateId = /^Total published as (.+)\.$/.exec(await done.textContent())?.[1];
  const listed = JSON.parse((await api('GET', '/api/v1/statistics/aggregates')).text).aggregates;
  check(listed.length === 1 && listed[0].id === aggregateId && listed[0].inputs === 2, `webstats: the node holds the total of two reports (${aggregateId})`);
  await S.page.getByTestId(`aggregate-${aggregateId}`).waitFor();

  // The total opened: its inputs, the figures, and its check in the browser.
  const total = S.page.getByTestId('statsc-total');
  await total.getByTestId('statsc-inputs').waitFor();
  const served = JSON.parse((await api('GET', `/api/v1/statistics/aggregates/${aggregateId}`)).text);
  check(
    (await total.getByTestId('statsc-total-sha').textContent()) === JSON.parse(served.leaf).aggregate_sha256,
    'webstats: the total shows the SHA-256 its audit log leaf names',
  );
  const url = await total.getByTestId('statsc-total-url').textContent();
  check(url === `https://127.0.0.1:${s.fedPort}/fed/v1/statistics/aggregates/${aggregateId}`, `webstats: the total names its open address (${url})`);
  for (const [node, id] of [['fr.state', frId], ['hu.state', huId]]) {
    const row = total.getByTestId(`input-${node}`);
    check((await row.textContent()).includes(id) && (await row.textContent()).includes('concord stats verify'), `webstats: the input of ${node} names its publication and how to check it`);
  }
  const totals = served.aggregate.totals;
  const outRow = totals.requests.find((r) => r.direction === 'out');
  const inRow = totals.requests.find((r) => r.direction === 'in');
  check(outRow?.requests === kRequests && !outRow.hidden_in && inRow?.requests === 0 && inRow.hidden_in?.requests === 1,
    `webstats: the node summed FR’s ${kRequests} outgoing requests and HU’s hidden incoming count (${JSON.stringify(totals.requests)})`);
  const chart = total.getByTestId('statsc-total-requests');
  const cells = await chart.locator('table tbody tr').evaluateAll((rows) =>
    rows.map((r) => {
      const c = r.querySelector('td[data-series="requests"]');
      return { label: r.querySelector('th').textContent, text: c.textContent, hidden: c.dataset.hiddenIn ?? '' };
    }),
  );
  check(
    cells.length === totals.requests.length &&
      cells.some((c) => c.label.startsWith('Outgoing') && c.text === String(kRequests) && c.hidden === '') &&
      cells.some((c) => c.label.startsWith('Incoming') && c.text === '· suppressed in 1 report' && c.hidden === '1'),
    `webstats: the table shows FR’s outgoing total and HU’s incoming count as suppressed in one report (${JSON.stringify(cells)})`,
  );
  check((await chart.locator('svg rect').count()) >= 1, 'webstats: the totals are drawn as a chart');
  await total.getByRole('button', { name: 'Verify the total' }).click();
  const result = total.getByTestId('statsc-verify-result');
  await result.filter({ hasText: /^(Verified|Not verified)/ }).waitFor();
  const resultText = await result.textContent();
  check(
    resultText.startsWith('Verified in this browser: the 2 reports it sums verify, the totals are their sums') && resultText.includes('un.secretariat (UN)'),
    `webstats: the total and its inputs verify in the browser (${resultText})`,
  );
  for (const node of ['fr.state', 'hu.state']) {
    const row = total.getByTestId(`input-${node}`);
    check((await row.getAttribute('data-state')) === 'ok' && (await row.textContent()).includes(`of the audit log of ${node}`), `webstats: the report of ${node} verifies on its own`);
  }
  await screen(S.page, 'webstats-05-total-verified');

  // The open address serves the same total to anyone, without a session.
  const open = await call({ ...s, port: s.fedPort }, 'GET', `/fed/v1/statistics/aggregates/${aggregateId}`).catch((e) => ({
    status: 0,
    text: String(e),
  }));
  check(
    open.status === 200 && JSON.stringify(JSON.parse(open.text).aggregate) === JSON.stringify(served.aggregate),
    `webstats: the federation listener serves the same total without a token (${open.status} ${open.status === 200 ? '' : open.text})`,
  );

  // Copies altered on the way are refused, each for its reason.
  for (const [what, alter, expected] of [
    ['a total', (d) => { d.aggregate.totals.requests.find((r) => r.direction === 'out').requests += 1; }, 'the totals are not the sums of the reports it carries'],
    ['an input’s figure', (d) => { const i = d.aggregate.inputs.findIndex((p) => p.node === 'fr.state'); d.aggregate.inputs[i].report.requests[0].requests += 1; }, 'does not verify: the report is not the one that was published'],
  ]) {
    await S.page.route(`**/api/v1/statistics/aggregates/${aggregateId}`, async (route) => {
      const response = await route.fetch();
      const d = await response.json();
      alter(d);
      await route.fulfill({ response, body: JSON.stringify(d) });
    });
    await S.page.reload();
    await S.page.getByTestId(`aggregate-${aggregateId}`).getByRole('button', { name: 'Open' }).click();
    await S.page.getByTestId('statsc-total').getByRole('button', { name: 'Verify the total' }).click();
    const refused = S.page.getByTestId('statsc-verify-result');
    await refused.filter({ hasText: /^(Verified|Not verified)/ }).waitFor();
    const text = await refused.textContent();
    check(text.startsWith('Not verified:') && text.includes(expected), `webstats: a copy with ${what} changed is refused (${text})`);
    await S.page.unroute(`**/api/v1/statistics/aggregates/${aggregateId}`);
  }
  await screen(S.page, 'webstats-06-altered-refused');

  // The screen in Arabic.
  await S.page.reload();
  await S.page.getByTestId(`aggregate-${aggregateId}`).getByRole('button', { name: 'Open' }).click();
  await S.page.getByTestId('statsc-total').getByTestId('statsc-inputs').waitFor();
  await S.page.getByTestId('language').selectOption('ar');
  await S.page.locator('html[dir="rtl"][lang="ar"]').waitFor();
  await S.page.getByRole('heading', { name: 'الجمع من قِبل الأمانة' }).waitFor();
  await screen(S.page, 'webstats-07-arabic');
  await S.page.getByTestId('language').selectOption('en');
  await S.context.close();
}

export async function run(ctx) {
  const { nodes, check, call, concord, concordd, basePort, work } = ctx;
  if (!check(nodes['fr.central'], 'webstats: the demo has fr.central')) return;
  await onDemo(ctx);
  if (!check(Boolean(concord && concordd && basePort && work), 'webstats: the binaries and a folder for a federation are known')) return;
  const fed = makeStatsFederation({ concord, basePort, work });
  const running = {};
  try {
    for (const id of Object.keys(fed)) running[id] = startNode(concordd, fed[id].dir);
    for (const id of Object.keys(fed)) await healthy(call, fed[id].node, running[id]);
    const now = Date.now();
    const from = isoDay(now - 86_400_000);
    const to = isoDay(now + 2 * 86_400_000);
    const published = await onStates(ctx, fed, from, to);
    await onSecretariat(ctx, fed, published);
  } finally {
    for (const proc of Object.values(running)) await stopNode(proc);
  }
}
