// A hearing by video conference in the web UI (run by run.mjs on the demo federation).
//
// A (fr.central) sends a video_hearing request to B (hu.poc): drafted by A's officer from the
// shipped example of the type, approved by A's approver, acknowledged and accepted by B's duty
// officer, all through the API. Then in the UI: A's officer proposes two times; B's officer,
// whose browser runs in Tokyo, sees them in her time zone and in Paris's, and accepts the
// second with a meeting address; A's officer records the hearing with minutes made here, whose
// SHA-256 the browser computes (the node's record must be the one Node computes); a changed
// copy of the minutes does not match the record, the original does.
import { createHash } from 'node:crypto';

import { apiSession, pageSession } from './federation.mjs';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

// Calls go through the session of a page signed in in the UI (pageSession, federation.mjs): a
// code of the authenticator is taken once, and the same person cannot sign in twice in one period.

async function until(what, probe, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`webhear: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

// The case screen of `id`, reloaded until `ready` holds on the page (a step of the peer arrives
// by message, so the screen does not know of it before a reload).
async function openCase(page, id, ready, timeoutMs = 60_000) {
  await page.evaluate((caseId) => (window.location.hash = `#/cases/${encodeURIComponent(caseId)}`), id);
  const end = Date.now() + timeoutMs;
  for (;;) {
    await page.getByTestId('hearing').waitFor();
    if (await ready()) return;
    if (Date.now() > end) throw new Error(`webhear: the case screen of ${id} never became ready`);
    await page.waitForTimeout(500);
    await page.reload();
  }
}

export async function run({ browser, nodes, call, enrol, newPage, screen, signIn, check }) {
  const a = nodes['fr.central'];
  const b = nodes['hu.poc'];
  if (!check(a && b, 'webhear: the demo has fr.central and hu.poc')) return;
  const officer = await enrol(a, 'webhear.officer', ['officer'], 'cybercrime');
  const approver = await enrol(a, 'webhear.approver', ['approver'], 'cybercrime');
  const duty = await enrol(b, 'webhear.duty', ['duty_officer', 'officer'], 'duty-desk');
  const A = await newPage(browser, 'webhear-a');
  await signIn(A.page, a, officer);
  await A.page.getByTestId('cases').waitFor();
  const B = await newPage(browser, 'webhear-b');
  const cdp = await B.page.context().newCDPSession(B.page);
  await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'Asia/Tokyo' });
  await signIn(B.page, b, duty);
  await B.page.getByTestId('cases').waitFor();
  const asOfficer = pageSession(A.page);
  const asApprover = await apiSession(call, a, approver);
  const asDuty = pageSession(B.page);

  // The request: the shipped example of the type, between the two nodes' parties.
  const node = JSON.parse((await asOfficer('GET', '/api/v1/node')).text);
  const theirParty = (node.peers ?? []).find((p) => p.id === 'hu.poc')?.party;
  const forms = JSON.parse((await asOfficer('GET', '/api/v1/legal/forms?lang=en')).text);
  const example = forms.find((f) => f.id === 'video_hearing')?.example;
  if (!check(Boolean(example && node.entry?.party && theirParty), 'webhear: the video_hearing form has an example')) return;
  const request = structuredClone(example);
  request.requesting_party = node.entry.party;
  request.requested_party = theirParty;
  request.date = new Date().toISOString().slice(0, 10);
  request.fields.hearing_time = '2027-07-07T09:30:00+02:00';
  const drafted = await asOfficer('POST', '/api/v1/cases', { request, peer_node: 'hu.poc', priority: 'normal' });
  if (!check(drafted.status === 201, `webhear: A's officer drafts the hearing request (${drafted.status} ${drafted.status === 201 ? '' : drafted.text})`)) return;
  const aId = JSON.parse(drafted.text).id;
  const approved = await asApprover('POST', `/api/v1/cases/${encodeURIComponent(aId)}/approve`);
  if (!check(approved.status === 200, `webhear: A's approver approves and sends it (${approved.status} ${approved.status === 200 ? '' : approved.text})`)) return;
  const bCase = await until('the hearing request at B', async () => {
    const r = await asDuty('GET', '/api/v1/cases?direction=in&limit=500');
    return JSON.parse(r.text).cases?.find((x) => x.origin_id === aId);
  });
  const bId = bCase.id;
  for (const transition of ['acknowledge', 'accept']) {
    const r = await asDuty('POST', `/api/v1/cases/${encodeURIComponent(bId)}/transition`, { transition });
    check(r.status === 200, `webhear: B's duty officer takes ${transition} (${r.status} ${r.status === 200 ? '' : r.text})`);
  }
  await until("B's acceptance at A", async () => {
    const r = await asOfficer('GET', `/api/v1/cases/${encodeURIComponent(aId)}`);
    return JSON.parse(r.text).case?.state === 'accepted';
  });

  // A's officer proposes two times in Paris's zone.
  await openCase(A.page, aId, async () => (await A.page.getByTestId('hearing-propose').count()) === 1);
  const hearingA = A.page.getByTestId('hearing');
  check(
    (await hearingA.getByTestId('hearing-none').count()) === 1,
    'webhear: before any proposal the hearing says no time was proposed',
  );
  check(
    (await A.page.getByTestId('steps').getByRole('button', { name: /hearing/i }).count()) === 0,
    'webhear: the hearing steps are not plain buttons of the steps card',
  );
  const propose = A.page.getByTestId('hearing-propose');
  await propose.getByRole('button', { name: 'Add a time' }).click();
  const slots = [
    { local: '2027-07-07T09:30', start: '2027-07-07T09:30:00+02:00', minutes: '90' },
    { local: '2027-07-08T14:00', start: '2027-07-08T14:00:00+02:00', minutes: '60' },
  ];
  for (const [i, s] of slots.entries()) {
    const row = propose.getByTestId(`slot-${i + 1}`);
    await row.getByLabel('Date and time').fill(s.local);
    await row.getByLabel('Time zone').selectOption('Europe/Paris');
    await row.getByLabel(/^Length in minutes/).fill(s.minutes);
  }
  await screen(A.page, 'webhear-01-propose');
  await propose.getByRole('button', { name: 'Propose these times' }).click();
  await A.page.locator('[data-testid="hearing"][data-state="proposed"]').waitFor();
  const shownA = await A.page.getByTestId('hearing-slots').locator('[data-start]').evaluateAll((els) =>
    els.map((e) => e.getAttribute('data-start')),
  );
  check(
    JSON.stringify(shownA) === JSON.stringify(slots.map((s) => s.start)),
    `webhear: the node holds both times with Paris's summer offset (${shownA.join(', ')})`,
  );
  check(
    (await A.page.getByRole('button', { name: /^Accept time/ }).count()) === 0,
    "webhear: the proposer is offered no acceptance of its own proposal",
  );
  await screen(A.page, 'webhear-02-proposed');

  // B's officer, in Tokyo, sees both times in her zone and in Paris's, and accepts the second.
  await openCase(B.page, bId, async () => (await B.page.getByTestId('hearing-slots').count()) === 1);
  const listed = B.page.getByTestId('hearing-slots').locator('li');
  check((await listed.count()) === 2, `webhear: B sees the two proposed times (${await listed.count()})`);
  const first = await listed.first().textContent();
  check(
    /July 7, 2027 at 4:30\sPM, your time \(Asia\/Tokyo\)/.test(first) &&
      /July 7, 2027 at 9:30\sAM in Europe\/Paris/.test(first),
    `webhear: B sees the first time in Tokyo (4:30 PM) and in Paris (9:30 AM): ${first}`,
  );
  check(
    (await B.page.getByTestId('hearing-proposal').textContent()).includes(`requesting party (${node.entry.party})`),
    'webhear: B sees that the requesting party proposed',
  );
  const meeting = 'https://video.justice.example.fr/room/webhear-7';
  await B.page.getByLabel('Meeting address (optional)').fill(meeting);
  await screen(B.page, 'webhear-03-accept');
  await B.page.getByRole('button', { name: 'Accept time 2' }).click();
  await B.page.locator('[data-testid="hearing"][data-state="scheduled"]').waitFor();
  const agreedB = B.page.getByTestId('hearing-agreed').locator('[data-start]');
  check(
    (await agreedB.getAttribute('data-start')) === slots[1].start,
    `webhear: B's node records the second time as agreed (${await agreedB.getAttribute('data-start')})`,
  );
  check(
    (await B.page.getByTestId('hearing-address').getByRole('link').getAttribute('href')) === meeting,
    'webhear: the meeting address is shown as a link',
  );
  await screen(B.page, 'webhear-04-scheduled');

  // A's officer records the hearing: minutes made here, hashed in the browser, never uploaded.
  await openCase(A.page, aId, async () => (await A.page.getByTestId('hearing-record').count()) === 1);
  check(
    (await A.page.getByTestId('hearing-agreed').locator('[data-start]').getAttribute('data-start')) === slots[1].start,
    "webhear: A sees B's acceptance of the second time",
  );
  const minutes = Buffer.from(
    `Minutes of the hearing of B. Witness, case ${aId}, held by video conference.\n` +
      'The witness was informed of the right to refuse to answer.\n'.repeat(40000),
  );
  const altered = Buffer.from(minutes);
  altered[altered.length - 2] ^= 1;
  const record = A.page.getByTestId('hearing-record');
  const heldAt = new Date(Date.now() - 3_600_000).toISOString().slice(0, 16);
  await record.getByLabel('Held at (date and time)').fill(heldAt);
  await record.getByLabel('Time zone of that time').selectOption('UTC');
  const p1 = record.getByTestId('participant-1');
  await p1.getByLabel('Name').fill('Judge M. Leclerc');
  await p1.getByLabel('Role').selectOption('judge');
  await record.getByRole('button', { name: 'Add a participant' }).click();
  const p2 = record.getByTestId('participant-2');
  await p2.getByLabel('Name').fill('B. Witness');
  await p2.getByLabel('Party').selectOption('requested');
  let uploads = 0;
  A.page.on('request', (r) => {
    if (r.method() !== 'GET' && (r.postData() ?? '').length > 100_000) uploads++;
  });
  await record.getByLabel('Minutes (file)').setInputFiles({ name: 'minutes.txt', mimeType: 'text/plain', buffer: minutes });
  const hashShown = record.getByTestId('minutes-hash');
  await record.locator('[data-testid="minutes-hash"]:not([data-hash=""])').waitFor();
  check(
    (await hashShown.getAttribute('data-hash')) === sha256(minutes),
    `webhear: the browser's SHA-256 of the minutes (${minutes.length} bytes) is the one Node computes`,
  );
  await screen(A.page, 'webhear-05-record');
  await record.getByRole('button', { name: 'Record the hearing' }).click();
  await A.page.locator('[data-testid="hearing"][data-state="held"]').waitFor();
  check(
    (await A.page.getByTestId('hearing-minutes-sha256').textContent()) === sha256(minutes),
    "webhear: the recorded SHA-256 of the minutes is the test's",
  );
  check(uploads === 0, 'webhear: the minutes were not sent to the node');
  const heldView = JSON.parse((await asOfficer('GET', `/api/v1/cases/${encodeURIComponent(aId)}`)).text).hearing;
  check(
    heldView?.minutes_sha256 === sha256(minutes) && heldView?.recording_sha256 === '' && heldView?.participants?.length === 2,
    `webhear: A's node holds the record: minutes hash, no recording, two participants`,
  );
  check(
    (await A.page.getByTestId('hearing-participants').textContent()).includes('Judge M. Leclerc'),
    'webhear: the record lists the participants',
  );

  // A file is checked against the record: a changed copy does not match, the original does.
  await A.page.getByLabel(/^File to check/).setInputFiles({ name: 'minutes-copy.txt', mimeType: 'text/plain', buffer: altered });
  const verdict = A.page.getByTestId('hearing-check');
  await A.page.locator('[data-testid="hearing-check"][data-verdict="none"]').waitFor();
  check(
    (await verdict.textContent()).includes('does NOT match') && (await verdict.textContent()).includes(sha256(altered)),
    `webhear: a changed copy of the minutes does not match the record: ${await verdict.textContent()}`,
  );
  await screen(A.page, 'webhear-06-check-mismatch');
  await A.page.getByLabel(/^File to check/).setInputFiles({ name: 'minutes.txt', mimeType: 'text/plain', buffer: minutes });
  await A.page.locator('[data-testid="hearing-check"][data-verdict="minutes"]').waitFor();
  check(
    (await verdict.textContent()).includes('is the recorded minutes'),
    'webhear: the original minutes match the record',
  );

  check(
    (await A.page.getByTestId('hearing-recorded').textContent()).includes(`requesting party (${node.entry.party})`),
    'webhear: the record names the party that recorded it',
  );
  // The same card in Arabic, right to left.
  await A.page.getByTestId('language').selectOption('ar');
  await A.page.locator('html[dir="rtl"][lang="ar"]').waitFor();
  await A.page.getByRole('heading', { level: 2, name: 'الاستماع عبر الفيديو' }).waitFor();
  await screen(A.page, 'webhear-08-held-ar');
  await A.page.getByTestId('language').selectOption('en');

  // B's node keeps the same record.
  await openCase(B.page, bId, async () => (await B.page.getByTestId('hearing-minutes-sha256').count()) === 1);
  check(
    (await B.page.getByTestId('hearing-minutes-sha256').textContent()) === sha256(minutes),
    "webhear: B's node holds the same SHA-256 of the minutes",
  );
  await screen(B.page, 'webhear-07-held-b');
  await A.context.close();
  await B.context.close();
}
