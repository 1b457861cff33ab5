// End-to-end scenario of the responder's orders screen and the statistics screen (run by
// run.mjs on the three-node demo federation).
//
// A (fr.central) sends two European Preservation Orders (epoc_pr), drafted by an officer and
// approved by an approver through the API, straight to provider C (hu.provider). C's
// preservation hook is made to fail for the time of the scenario, so both orders wait in the
// responders' queue: C's responder confirms the first in the orders screen and states the
// impossibility of the second with a reason; A's officer sees both answers on the cases. B
// (hu.poc) refuses five extradition requests of A on the ground of nationality, which opens five
// obligations to extradite or prosecute. A's statistician reads the statistics screen, whose
// figures (requests, obligations, EU Art 28(2)) are checked against the node's JSON, publishes
// the period's report after the confirmation and verifies the publication in the browser, and
// sees an altered copy of it refused.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { apiSession } from './federation.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const examples = resolve(here, '..', '..', 'instruments', 'examples');

// A duration as the statistics screen writes it in English: the largest unit that keeps it
// readable (docs/web.md), through Intl.
function duration(ms) {
  const [unit, size] =
    ms >= 2 * 86_400_000
      ? ['day', 86_400_000]
      : ms >= 3_600_000
        ? ['hour', 3_600_000]
        : ms >= 60_000
          ? ['minute', 60_000]
          : ['second', 1000];
  return new Intl.NumberFormat('en', { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(
    ms / size,
  );
}

// A's officer drafts an extradition request to B, A's approver approves it; B's duty officer
// acknowledges it and refuses it on the ground of nationality. Returns A's case id.
async function refusedExtradition(call, b, officer, approver, duty, party, n) {
  const request = JSON.parse(readFileSync(join(examples, 'extradition.json'), 'utf8'));
  request.requesting_party = 'FR';
  request.requested_party = party;
  request.date = new Date().toISOString().slice(0, 10);
  request.fields.summary_of_facts = `Ransomware on a hospital; the person sought is a national of the requested State (${n}).`;
  const drafted = await officer('POST', '/api/v1/cases', { request, peer_node: b.id, priority: 'normal' });
  if (drafted.status !== 201) throw new Error(`draft extradition: ${drafted.status} ${drafted.text}`);
  const aId = JSON.parse(drafted.text).id;
  const approved = await approver('POST', `/api/v1/cases/${encodeURIComponent(aId)}/approve`);
  if (approved.status !== 200) throw new Error(`approve extradition: ${approved.status} ${approved.text}`);
  const bCase = await until('the extradition request at B', async () => {
    const r = await duty('GET', '/api/v1/cases?direction=in&limit=500');
    return JSON.parse(r.text).cases?.find((x) => x.origin_id === aId);
  });
  for (const body of [
    { transition: 'acknowledge' },
    { transition: 'refuse', grounds: ['nationality'], reasons: 'The person sought is a national of the requested State.' },
  ]) {
    const r = await duty('POST', `/api/v1/cases/${encodeURIComponent(bCase.id)}/transition`, body);
    if (r.status !== 200) throw new Error(`${body.transition} at B: ${r.status} ${r.text}`);
  }
  return aId;
}

async function until(what, probe, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

// A's officer drafts an order (an epoc_pr unless told) to C, A's approver approves it: it leaves A. Returns A's case id
// and C's case id (C's case names A's as its origin).
async function sendOrder(call, a, c, officer, approver, facts, { example = 'epoc-pr.json', emergency } = {}) {
  const request = JSON.parse(readFileSync(join(examples, example), 'utf8'));
  if (emergency) request.emergency = emergency;
  request.requested_party = 'HU';
  request.fields.service_provider = 'Provider C, hosting provider established in State B';
  request.fields.summary_of_facts = facts;
  const drafted = await officer('POST', '/api/v1/cases', {
    request,
    peer_node: 'hu.provider',
    priority: emergency ? 'emergency' : 'normal',
  });
  if (drafted.status !== 201) throw new Error(`draft: ${drafted.status} ${drafted.text}`);
  const aId = JSON.parse(drafted.text).id;
  const approved = await approver('POST', `/api/v1/cases/${encodeURIComponent(aId)}/approve`);
  if (approved.status !== 200) throw new Error(`approve: ${approved.status} ${approved.text}`);
  const auth = { headers: { Authorization: `Bearer ${c.token}` } };
  const cCase = await until('the order at C', async () => {
    const r = await call(c, 'GET', '/api/v1/cases?direction=in&limit=500', auth);
    return JSON.parse(r.text).cases.find((x) => x.origin_id === aId);
  });
  return { aId, cId: cCase.id, cNumber: cCase.number };
}

export async function run({ browser, nodes, call, enrol, newPage, screen, signIn, check, demoDir }) {
  const a = nodes['fr.central'];
  const c = nodes['hu.provider'];
  check(a && c, 'webresp: the demo has fr.central and hu.provider');
  if (!check(Boolean(demoDir), "webresp: the demo folder is known (to take C's hook out of service)")) {
    return;
  }

  const officer = await enrol(a, 'webresp.officer', ['officer'], 'cybercrime');
  const approver = await enrol(a, 'webresp.approver', ['approver'], 'cybercrime');
  const viewer = await enrol(a, 'webresp.viewer', ['officer'], 'cybercrime');
  const statistician = await enrol(a, 'webresp.stats', ['statistician'], 'statistics');
  const responder = await enrol(c, 'webresp.responder', ['responder'], 'le-requests');

  // C's hook is out of service: orders wait in the responders' queue (docs/operations.md).
  const hook = join(demoDir, 'hu.provider', 'preserve.sh');
  const working = readFileSync(hook, 'utf8');
  writeFileSync(hook, '#!/bin/sh\necho "vault offline" >&2\nexit 3\n');
  const asOfficer = await apiSession(call, a, officer);
  const asApprover = await apiSession(call, a, approver);
  let first;
  let second;
  let queuedIds = [];
  // An emergency production order (EPOC): no preservation period, so no hook; it waits for C.
  const production = await sendOrder(call, a, c, asOfficer, asApprover, 'A kidnapping announced from kidnap4321.', {
    example: 'epoc.json',
    emergency: { risk: 'life', imminent: true, facts: 'A child was taken; the kidnapper writes from kidnap4321.' },
  });
  try {
    const facts = 'Ransomware on a hospital: the intruder used the account kidnap4321';
    first = await sendOrder(call, a, c, asOfficer, asApprover, `${facts} (first order).`);
    second = await sendOrder(call, a, c, asOfficer, asApprover, `${facts} (second order).`);
    const auth = { headers: { Authorization: `Bearer ${c.token}` } };
    const queued = await until('both orders in the responders\' queue', async () => {
      const r = await call(c, 'GET', '/api/v1/preservation/queue?state=queued_for_responder', auth);
      const orders = JSON.parse(r.text).orders.filter(
        (o) => o.sender === 'fr.central' && o.request_type === 'epoc_pr',
      );
      return orders.length >= 2 ? orders : null;
    });
    check(queued.every((o) => o.error_code === 'exit_status'), 'webresp: the failed hook leaves the orders to the responder');
    queuedIds = queued.map((o) => o.message_id);
  } finally {
    writeFileSync(hook, working);
  }
  // Five more, preserved by C's hook as it works again, so that the statistics have a row with
  // figures above the suppression threshold (5).
  const auto = [];
  for (let i = 0; i < 5; i++) {
    auto.push(await sendOrder(call, a, c, asOfficer, asApprover, `Ransomware on a hospital (order ${i + 3}).`));
  }
  for (const order of auto) {
    await until('the hook\'s confirmation at A', async () => {
      const r = await call(a, 'GET', `/api/v1/cases/${encodeURIComponent(order.aId)}/summary`, {
        headers: { Authorization: `Bearer ${a.token}` },
      });
      return JSON.parse(r.text).state === 'responded';
    });
  }

  // C's responder: the open orders, the first one's fields and deadlines, its confirmation.
  const R = await newPage(browser, 'webresp-responder');
  await signIn(R.page, c, responder);
  await R.page.getByRole('link', { name: 'Orders' }).click();
  const list = R.page.getByTestId('orders');
  await list.waitFor();
  for (const order of [first, second]) {
    check(
      (await list.getByRole('link', { name: order.cNumber, exact: true }).count()) === 1,
      `webresp: order ${order.cNumber} is listed`,
    );
  }
  await list.getByRole('link', { name: first.cNumber, exact: true }).click();
  const panel = R.page.getByTestId('order');
  await panel.getByTestId('order-asked').waitFor();
  check(
    (await panel.getByTestId('order-data').textContent()).includes('subscriber'),
    'webresp: the order shows the data asked for',
  );
  check(
    (await panel.getByTestId('order-accounts').textContent()).includes('kidnap4321'),
    'webresp: the order shows the accounts',
  );
  await panel.getByTestId('order-deadlines').waitFor();
  check(
    (await panel.getByTestId('order-deadlines').textContent()).includes('preservation period'),
    'webresp: the order shows its preservation period',
  );
  check(
    (await panel.getByTestId('order-deadlines').textContent()).includes(
      'Preservation under a European Preservation Order',
    ),
    'webresp: the order names its deadline in words, not by its id',
  );
  check(
    (await panel.getByTestId('order-hook').textContent()).includes('waits for a responder'),
    'webresp: the order shows that the hook could not finish it',
  );
  await screen(R.page, 'webresp-01-order');
  await panel.getByLabel(/^Note to the requesting authority/).fill('Preserved under reference PRZ-7 until further notice.');
  await panel.getByRole('button', { name: 'Confirm preservation' }).click();
  await panel.getByTestId('order-state').filter({ hasText: /^Responded$/ }).waitFor();
  check(
    (await panel.getByTestId('order-answer').textContent()).includes('PRZ-7'),
    'webresp: the confirmation and its note are on the order',
  );
  await list.getByRole('link', { name: first.cNumber, exact: true }).waitFor({ state: 'detached' });
  check(
    (await list.getByRole('link', { name: first.cNumber, exact: true }).count()) === 0,
    'webresp: the confirmed order leaves the open orders',
  );
  await screen(R.page, 'webresp-02-confirmed');

  // The second: impossibility needs a reason; with one, it is stated.
  await list.getByRole('link', { name: second.cNumber, exact: true }).click();
  await panel.getByTestId('order-asked').waitFor();
  await panel.getByRole('button', { name: 'State impossibility' }).click();
  await panel.getByRole('alert').filter({ hasText: 'Give the reason' }).waitFor();
  check(
    (await panel.getByTestId('order-state').textContent()) === 'Delivered',
    'webresp: without a reason nothing is sent',
  );
  const reason = 'The account kidnap4321 was deleted on 2 March 2026: no data of it is stored.';
  await panel.getByLabel(/^Why the order cannot be executed/).fill(reason);
  await panel.getByRole('button', { name: 'State impossibility' }).click();
  await panel.getByTestId('order-state').filter({ hasText: /^Refused$/ }).waitFor();
  check(
    (await panel.getByTestId('order-answer').textContent()).includes(reason),
    'webresp: the impossibility and its reason are on the order',
  );
  await screen(R.page, 'webresp-03-impossibility');

  // Answered as case steps, both orders still wait in the hook's queue: the responder closes the
  // second from its order (a note is required) and the first from the queue's own list.
  const handle = panel.getByTestId('handle-queued');
  await handle.getByRole('button', { name: 'Close as handled' }).click();
  await handle.getByRole('alert').filter({ hasText: 'Say what was done' }).waitFor();
  await handle.getByLabel(/^What was done/).fill('Impossibility stated in the case; nothing to preserve.');
  await handle.getByLabel(/^Your reference/).fill('IMP-2');
  await handle.getByRole('button', { name: 'Close as handled' }).click();
  await panel.getByTestId('order-hook').filter({ hasText: 'closed by hand' }).waitFor();
  check(
    (await panel.getByTestId('order-hook').textContent()).includes('Impossibility stated in the case'),
    'webresp: the order shows who closed it in the queue and how',
  );
  check((await panel.getByTestId('handle-queued').count()) === 0, 'webresp: a closed order offers no second closing');
  const stillWaiting = [];
  for (const id of queuedIds) {
    if ((await R.page.getByRole('article', { name: id, exact: true }).count()) === 1) stillWaiting.push(id);
  }
  check(stillWaiting.length === 1, 'webresp: one of the two orders still waits in the queue list');
  const firstEntry = R.page.getByRole('article', { name: stillWaiting[0], exact: true });
  await firstEntry.getByLabel(/^What was done/).fill('Preservation confirmed in the case under PRZ-7.');
  await firstEntry.getByRole('button', { name: 'Close as handled' }).click();
  await firstEntry.waitFor({ state: 'detached' });
  await screen(R.page, 'webresp-03a-queue-closed');
  const closed = JSON.parse(
    (await call(c, 'GET', '/api/v1/preservation/queue?state=handled', { headers: { Authorization: `Bearer ${c.token}` } }))
      .text,
  ).orders.filter((o) => queuedIds.includes(o.message_id));
  check(
    closed.length === 2 && closed.every((o) => o.handled_by === 'user:webresp.responder'),
    'webresp: both orders are handled in the node, by the responder',
  );
  check(
    closed.some((o) => o.reference === 'IMP-2' && o.handled_note.startsWith('Impossibility')),
    'webresp: the note and the reference are kept',
  );

  // The emergency production order: marked, and answered by disclosing the data.
  const urgent = list.locator('tr.emergency').filter({ hasText: production.cNumber });
  check((await urgent.count()) === 1, 'webresp: the emergency order is marked in the list');
  await urgent.getByRole('link', { name: production.cNumber, exact: true }).click();
  await panel.getByTestId('order-asked').waitFor();
  check(
    (await panel.getByRole('heading', { level: 2 }).textContent()).includes('Emergency'),
    'webresp: the emergency order is marked as such',
  );
  check(
    (await panel.getByRole('button', { name: 'Confirm preservation' }).count()) === 0,
    'webresp: a production order offers disclosure, not preservation',
  );
  await panel.getByLabel(/^Note to the requesting authority/).fill('Subscriber record sent by the secure channel, ref. DSC-11.');
  await panel.getByRole('button', { name: 'Disclose the data' }).click();
  await panel.getByTestId('order-state').filter({ hasText: /^Responded$/ }).waitFor();
  check(
    (await panel.getByTestId('order-answer').textContent()).includes('DSC-11'),
    'webresp: the disclosure and its note are on the order',
  );
  await screen(R.page, 'webresp-03b-disclosed');

  // A's officer sees both answers on the cases.
  const V = await newPage(browser, 'webresp-viewer');
  await signIn(V.page, a, viewer);
  await V.page.getByTestId('cases').waitFor();
  for (const [order, state, shown, text] of [
    [first, 'responded', 'Responded', 'PRZ-7'],
    [second, 'refused', 'Refused', reason],
  ]) {
    await until(`${state} at A`, async () => {
      const r = await call(a, 'GET', `/api/v1/cases/${encodeURIComponent(order.aId)}/summary`, {
        headers: { Authorization: `Bearer ${a.token}` },
      });
      return JSON.parse(r.text).state === state;
    });
    await V.page.goto(`https://127.0.0.1:${a.port}/#/cases/${encodeURIComponent(order.aId)}`);
    await V.page.getByTestId('case-state').filter({ hasText: new RegExp(`^${shown}$`) }).waitFor();
    check(
      (await V.page.getByTestId('timeline').textContent()).includes(text),
      `webresp: A's officer sees the provider's answer (${state}) on the case`,
    );
  }
  await screen(V.page, 'webresp-04-officer-sees-refusal');

  // B refuses five extradition requests of A on the ground of nationality: five obligations to
  // extradite or prosecute, owed to A, enough to pass the suppression threshold (5).
  const b = nodes['hu.poc'];
  check(Boolean(b), 'webresp: the demo has hu.poc');
  const duty = await apiSession(call, b, await enrol(b, 'webresp.duty', ['duty_officer', 'officer'], 'duty-desk'));
  const bParty = JSON.parse((await asOfficer('GET', '/api/v1/node')).text).peers?.find((p) => p.id === b.id)?.party;
  const extraditions = [];
  for (let i = 0; i < 5; i++) {
    extraditions.push(await refusedExtradition(call, b, asOfficer, asApprover, duty, bParty, i + 1));
  }
  for (const id of extraditions) {
    await until("the obligation opened at A", async () => {
      const r = await asOfficer('GET', `/api/v1/cases/${encodeURIComponent(id)}`);
      return JSON.parse(r.text).obligation?.state === 'opened';
    });
  }

  // A's statistician: the charts, checked against the node's JSON.
  const S = await newPage(browser, 'webresp-statistician');
  await signIn(S.page, a, statistician);
  await S.page.getByTestId('stats-requests').waitFor();
  const from = await S.page.getByLabel('From', { exact: true }).inputValue();
  const to = await S.page.getByLabel('To (excluded)').inputValue();
  const fetched = await S.page.evaluate(
    async ([f, t]) => {
      const q = `from=${f}T00:00:00Z&to=${t}T00:00:00Z`;
      const report = await (await fetch(`/api/v1/statistics?${q}`)).json();
      const eu = await (await fetch(`/api/v1/statistics/eu-art28?${q}`)).json();
      const hearings = await (await fetch(`/api/v1/statistics/hearings?${q}`)).json();
      return { report, eu, hearings };
    },
    [from, to],
  );
  const format = new Intl.NumberFormat('en');
  const figure = (v) => (v === null ? '·hidden or none' : format.format(v));
  // Every cell of a chart's table is the JSON's figure, row by row.
  async function sameFigures(testId, rows, keys, what, show = figure) {
    const shown = S.page.getByTestId(testId).locator('table tbody tr');
    let same = (await shown.count()) === rows.length;
    for (const [i, r] of rows.entries()) {
      for (const key of keys) {
        const cell = await shown.nth(i).locator(`td[data-series="${key}"]`).textContent();
        if (cell !== show(r[key])) {
          same = false;
          console.log(`  ${testId} row ${i} ${key}: shown ${cell}, JSON ${r[key]}`);
        }
      }
    }
    check(same, `webresp: ${what} (${rows.length} rows)`);
  }
  const report = fetched.report;
  const requests = S.page.getByTestId('stats-requests');
  await requests.locator('svg[role="img"]').waitFor();
  let shownRequests = 0;
  for (const r of report.requests) if (r.requests !== null) shownRequests++;
  check(report.requests.length >= 1 && shownRequests >= 1, `webresp: the report has requests above the threshold (${shownRequests})`);
  await sameFigures('stats-requests', report.requests, ['requests', 'responded', 'refused', 'open'], 'the requests shown are the JSON report\'s figures');
  const epocPr = report.requests.findIndex((r) => r.request_type === 'epoc_pr');
  const median = report.requests[epocPr]?.answer_median_ms;
  const medianCell = await S.page
    .getByTestId('stats-times')
    .locator('table tbody tr')
    .nth(epocPr)
    .locator('td[data-series="answer_median_ms"]')
    .textContent();
  check(
    typeof median === 'number' && medianCell === duration(median),
    `webresp: the epoc_pr answer median is the JSON's (${median} ms shown as ${medianCell})`,
  );
  check(
    (await S.page.getByTestId('stats-summary').textContent()).includes(`below ${report.threshold}`),
    'webresp: the suppression threshold is the report\'s',
  );
  await sameFigures('stats-dimensions', report.dimensions, ['requests'], 'the offences and data categories table holds the JSON\'s figures');
  for (const id of ['stats-times', 'stats-deadlines', 'stats-refusals']) {
    check((await S.page.getByTestId(id).count()) === 1, `webresp: chart ${id} is shown`);
  }

  // The obligations: the five refusals on nationality, owed to A by B's party.
  const owed = report.obligations.find((o) => o.direction === 'out' && o.requested_party === bParty);
  check(
    owed?.obligations === 5 && owed?.opened === 5,
    `webresp: the report counts five opened obligations owed to A (${JSON.stringify(owed)})`,
  );
  const obligationKeys = ['obligations', 'opened', 'submitted', 'decided', 'reported', 'overdue'];
  await S.page.getByTestId('stats-obligations').locator('svg[role="img"]').waitFor();
  await sameFigures('stats-obligations', report.obligations, obligationKeys, 'the obligations table holds the JSON\'s figures');
  await sameFigures('stats-decisions', report.obligations, ['prosecute', 'not_prosecute'], 'the decisions table holds the JSON\'s figures');
  const owedRow = S.page.getByTestId('stats-obligations').locator('table tbody tr').filter({ hasText: `Owed to this party FR→${bParty}` });
  check(
    (await owedRow.locator('td[data-series="obligations"]').textContent()) === '5',
    'webresp: the obligations row owed to A shows 5',
  );

  // EU Art 28(2): A's EPOC-PRs and its EPOC to provider C.
  const eu = fetched.eu;
  const euOrders = S.page.getByTestId('stats-eu-orders');
  await euOrders.locator('svg[role="img"]').waitFor();
  await sameFigures('stats-eu-orders', eu.orders, ['issued', 'fulfilled', 'not_fulfilled', 'withdrawn', 'open'], 'the EU orders table holds the JSON\'s figures');
  const allPr = eu.orders.find((o) => o.order === 'epoc_pr' && o.data_category === 'all' && o.situation === 'normal');
  check(
    typeof allPr?.issued === 'number' && allPr.issued >= 5,
    `webresp: the EU report counts the EPOC-PRs issued (${allPr?.issued})`,
  );
  check(
    (await euOrders.locator('table tbody tr').filter({ hasText: 'EPOC-PR · all data · hu.provider (Normal)' }).locator('td[data-series="issued"]').textContent()) ===
      format.format(allPr?.issued ?? -1),
    'webresp: the EU section shows the EPOC-PRs issued to hu.provider',
  );
  check(
    (await S.page.getByTestId('stats-eu-emergency').textContent()) === figure(eu.emergency_epocs),
    `webresp: the emergency EPOCs (point b) are the JSON's (${eu.emergency_epocs})`,
  );
  check(
    (await S.page.getByTestId('stats-eu-not-recorded').locator('tbody tr').count()) === eu.not_recorded.length &&
      eu.not_recorded.length >= 1,
    'webresp: the points the node does not record are listed',
  );
  await screen(S.page, 'webresp-05-statistics');

  // Hearings by video conference, the same period: the JSON's figures, or the part's empty state.
  const hearings = fetched.hearings;
  const hearingsPart = S.page.getByTestId('stats-hearings');
  await hearingsPart.getByRole('heading', { level: 2, name: 'Hearings by video conference' }).waitFor();
  check(
    hearings.format === 'concord-statistics-hearings/1' && Array.isArray(hearings.hearings),
    `webresp: the node answers the hearings report (${hearings.format})`,
  );
  if (hearings.hearings.length === 0) {
    const empty = hearingsPart.getByTestId('stats-hearings-empty');
    await empty.waitFor();
    check(
      (await empty.textContent()) === 'No hearing by video conference was requested in this period.' &&
        (await hearingsPart.locator('figure').count()) === 0,
      'webresp: the hearings part says the period has no hearing by video conference, as the JSON has none',
    );
  } else {
    await hearingsPart.getByTestId('stats-hearings-states').locator('svg[role="img"]').waitFor();
    const hearingKeys = ['requests', 'none', 'proposed', 'scheduled', 'held', 'recorded'];
    await sameFigures('stats-hearings-states', hearings.hearings, hearingKeys, 'the hearings table holds the JSON\'s figures');
    await sameFigures(
      'stats-hearings-times',
      hearings.hearings,
      ['to_held_median_ms', 'to_held_p90_ms'],
      'the times to the hearing are the JSON\'s',
      (v) => (v === null ? '·hidden or none' : duration(v)),
    );
    await sameFigures('stats-hearings-proposals', hearings.hearings, ['proposals_median'], 'the proposals to agree a time are the JSON\'s');
  }
  await hearingsPart.scrollIntoViewIfNeeded();
  await screen(S.page, 'webresp-05d-statistics-hearings');

  // Publishing: a confirmation first; the publication opens and verifies in the browser.
  const publish = S.page.getByTestId('stats-publish');
  await publish.getByRole('button', { name: 'Publish the report of this period…' }).click();
  const confirmText = await publish.locator('.confirm').textContent();
  check(confirmText.includes('cannot be withdrawn'), 'webresp: publishing asks for a confirmation first');
  await screen(S.page, 'webresp-05b-publish-confirm');
  await publish.getByRole('button', { name: 'Publish', exact: true }).click();
  await publish.getByTestId('stats-publish-result').filter({ hasText: /^Published as / }).waitFor();
  const publications = await S.page.evaluate(async () => (await fetch('/api/v1/statistics/publications')).json());
  const newest = publications.publications[0];
  check(
    (await publish.getByTestId('stats-publish-result').textContent()) === `Published as ${newest.id}.`,
    `webresp: the statistician published the period's report in the UI (${newest.id})`,
  );
  const listed = S.page.getByTestId('stats-publications').locator('tbody tr');
  await listed.first().waitFor();
  check(
    (await listed.first().textContent()).includes(format.format(newest.ledger_index)),
    `webresp: the publication is listed with its audit log entry (${newest.ledger_index})`,
  );
  const opened = S.page.getByTestId('stats-publication');
  await opened.getByRole('button', { name: 'Verify' }).click();
  const verified = opened.getByTestId('stats-verify-result');
  await verified.filter({ hasText: /^(Verified|Not verified)/ }).waitFor();
  const verifiedText = await verified.textContent();
  check(
    verifiedText.startsWith(`Verified: this is the report fr.central (FR) published. Its SHA-256 is in entry ${format.format(newest.ledger_index)} `) &&
      (await verified.getAttribute('class')) === 'ok',
    `webresp: the publication verifies in the browser (${verifiedText})`,
  );
  await screen(S.page, 'webresp-05c-publication-verified');

  // The same document with one figure changed on the way: refused.
  await S.page.route('**/api/v1/statistics/publications/*', async (route) => {
    const response = await route.fetch();
    const doc = await response.json();
    doc.report.obligations[0].opened = (doc.report.obligations[0].opened ?? 0) + 1;
    await route.fulfill({ response, json: doc });
  });
  await S.page.reload();
  await listed.first().getByRole('button', { name: /^Open the publication of / }).click();
  await opened.getByRole('button', { name: 'Verify' }).click();
  await verified.filter({ hasText: /^(Verified|Not verified)/ }).waitFor();
  const refusedText = await verified.textContent();
  check(
    refusedText.startsWith('Not verified: the report is not the one that was published') &&
      (await verified.getAttribute('class')) === 'failed',
    `webresp: an altered publication is refused in the browser (${refusedText})`,
  );
  await S.page.unroute('**/api/v1/statistics/publications/*');

  await S.page.getByTestId('language').selectOption('ar');
  await S.page.locator('html[dir="rtl"]').waitFor();
  await S.page.getByRole('heading', { level: 1, name: 'الإحصاءات' }).waitFor();
  await S.page.getByRole('heading', { level: 2, name: 'لائحة الاتحاد الأوروبي بشأن الأدلة الإلكترونية، المادة 28(2)' }).waitFor();
  await S.page.getByRole('heading', { level: 2, name: 'جلسات الاستماع عن طريق التداول بالفيديو' }).waitFor();
  check(
    (await verified.textContent()).startsWith('لم يتم التحقق: التقرير ليس هو التقرير الذي نُشر'),
    'webresp: the verification result follows the switch to Arabic',
  );
  await screen(S.page, 'webresp-06-statistics-ar');
  await S.page.getByTestId('language').selectOption('en');
}
