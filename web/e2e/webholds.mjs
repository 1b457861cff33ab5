// Legal holds in the web UI, on the demo federation (run by run.mjs): on the demo's case at A
// (fr.central), an officer of its unit is refused a hold without a reason or with one over 500
// bytes of UTF-8 (the node holds none), places one with a reason from the keyboard and sees it
// listed in force as the node lists it (`GET /api/v1/cases/{id}/holds`), the focus on the status
// saying it is placed (the next Tab on the lift button); a second officer whose page still shows
// no hold places another and sees the node's typed refusal (409 `already_exists`), focused, and
// then the hold in force; an approver of the unit (case.read without case.edit) sees the holds with no place or
// lift action, and the node refuses a hold forced from the page (403); the officer lifts the hold
// from the keyboard through a confirmation that says packages past their retention are shredded
// at once (a first cancel leaves it in force), sees it listed as lifted, by whom and when, the
// focus on the status saying it is lifted (the next Tab in the reason); the second officer's
// page, still showing it in force, is refused the lift (404, no hold in force), the refusal
// focused; the section in Arabic. Every screen is checked by axe-core.
import { pageSession, until } from './federation.mjs';

// Whether the focus is (or comes within two seconds) on the element whose text is `text`.
function focused(page, text) {
  return page
    .waitForFunction((t) => document.activeElement?.textContent === t, text, { timeout: 2000 })
    .then(() => true, () => false);
}

// Whether the focus is (or comes within two seconds) on the element whose data-testid is `id`.
function focusedOn(page, id) {
  return page
    .waitForFunction((i) => document.activeElement?.getAttribute('data-testid') === i, id, { timeout: 2000 })
    .then(() => true, () => false);
}

// The element that has the focus, for the messages.
function active(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    if (!e) return 'none';
    const testid = e.getAttribute('data-testid');
    return `<${e.tagName.toLowerCase()}${e.id ? ` id="${e.id}"` : ''}${testid ? ` data-testid="${testid}"` : ''}>`;
  });
}

const reasonText = 'webholds: trial 12/2027 pending, keep every package';

export async function run({ browser, nodes, call, enrol, newPage, screen, signIn, check }) {
  const a = nodes['fr.central'];
  const auth = { headers: { Authorization: `Bearer ${a.token}` } };

  // The demo's case: A's oldest outgoing case (later scenarios add newer ones).
  const listed = await call(a, 'GET', '/api/v1/cases?direction=out', auth);
  const cases = JSON.parse(listed.text).cases ?? [];
  const demoCase = cases[cases.length - 1];
  if (!check(listed.status === 200 && demoCase?.id, `holds: A lists the demo's case (${listed.status})`)) return;
  const holdsPath = `/api/v1/cases/${encodeURIComponent(demoCase.id)}/holds`;
  const nodeHolds = async () => {
    const r = await call(a, 'GET', holdsPath, auth);
    if (r.status !== 200) throw new Error(`holds: GET holds: ${r.status} ${r.text}`);
    return JSON.parse(r.text).holds ?? [];
  };
  const before = await nodeHolds();
  check(!before.some((h) => h.in_force), `holds: no hold is in force on the demo's case yet (${before.length} listed)`);

  const officer = await enrol(a, 'webholds.officer', ['officer'], demoCase.unit || 'cybercrime');
  const second = await enrol(a, 'webholds.second', ['officer'], demoCase.unit || 'cybercrime');
  const approver = await enrol(a, 'webholds.approver', ['approver'], demoCase.unit || 'cybercrime');

  const open = async (name, person) => {
    const opened = await newPage(browser, name);
    await signIn(opened.page, a, person);
    await opened.page.getByTestId('cases').waitFor();
    await opened.page.evaluate((id) => (window.location.hash = `#/cases/${encodeURIComponent(id)}`), demoCase.id);
    const section = opened.page.getByTestId('holds');
    await section.waitFor();
    return { ...opened, section };
  };
  const rows = (section) => section.getByTestId('hold-row');

  // The officer: the holds as the node lists them, and the form to place one.
  const O = await open('webholds-officer', officer);
  const form = O.section.getByTestId('holds-place');
  await form.waitFor();
  check((await rows(O.section).count()) === before.length, `holds: the list has the node's ${before.length} hold(s)`);
  check(
    (await O.section.getByRole('button', { name: 'Lift the hold…' }).count()) === 0,
    'holds: no lift is offered while no hold is in force',
  );

  // A second officer's page, opened now, still shows no hold when the first one places it.
  const S = await open('webholds-second', second);
  await S.section.getByTestId('holds-place').waitFor();

  // No reason, then one of 600 bytes (200 characters): refused in the page, nothing sent.
  const reason = O.section.getByLabel('Reason for the hold (required)');
  const place = O.section.getByRole('button', { name: 'Place the hold' });
  await place.click();
  const problem = O.section.getByTestId('holds-reason-problem');
  await problem.filter({ hasText: 'Give the reason for the hold.' }).waitFor();
  await reason.fill('€'.repeat(200));
  const bytes = await O.section.getByTestId('holds-reason-bytes').textContent();
  check(bytes === '600 bytes of at most 500', `holds: the reason is counted in bytes of UTF-8 (${bytes})`);
  await place.click();
  await problem.filter({ hasText: 'at most 500 bytes' }).waitFor();
  check((await nodeHolds()).length === before.length, 'holds: a reason missing or too long is not sent (the node holds no new hold)');
  await screen(O.page, 'webholds-01-reason-too-long');

  // Placed with a reason, from the keyboard: listed in force, as the node lists it.
  await reason.fill(reasonText);
  await O.page.keyboard.press('Tab');
  check(await focused(O.page, 'Place the hold'), `holds: Tab from the reason reaches the button (${await active(O.page)})`);
  await O.page.keyboard.press('Enter');
  const current = rows(O.section).filter({ hasText: reasonText });
  await current.and(O.page.locator('[data-in-force="true"]')).waitFor();
  const afterPlace = await nodeHolds();
  const placed = afterPlace[afterPlace.length - 1];
  check(
    afterPlace.length === before.length + 1 &&
      placed.in_force === true &&
      placed.reason === reasonText &&
      placed.placed_by === 'user:webholds.officer',
    `holds: the node holds the hold in force with its reason, placed by the officer (${JSON.stringify(placed)})`,
  );
  const placedRow = O.section.locator(`[data-hold="${placed.hold}"]`);
  const rowText = await placedRow.textContent();
  check(
    rowText.includes('user:webholds.officer') &&
      (await placedRow.getByTestId('hold-state').textContent()) === 'In force' &&
      (await placedRow.locator('time').getAttribute('datetime')) === placed.placed,
    `holds: the row shows who placed it, when and that it is in force (${rowText})`,
  );
  check((await O.section.getByTestId('holds-place').count()) === 0, 'holds: no second hold is offered while one is in force');
  // The button pressed is gone: the focus is on the status that says the hold is placed, not lost.
  const done = O.section.getByTestId('holds-done');
  check(
    (await focusedOn(O.page, 'holds-done')) &&
      (await done.getAttribute('role')) === 'status' &&
      (await done.getAttribute('data-said')) === 'placed' &&
      (await done.textContent()).startsWith('The legal hold is placed and in force'),
    `holds: placed, the focus is on the status saying so (${await active(O.page)}: ${await done.textContent()})`,
  );
  await O.page.keyboard.press('Tab');
  check(await focused(O.page, 'Lift the hold…'), `holds: from the status, Tab reaches the lift button (${await active(O.page)})`);
  // The case's packages are read again: each one kept shows the hold that stops its clock.
  const packages = O.page.getByTestId('evidence-package');
  let kept = 0;
  const shown = await until('the packages showing the hold', async () => {
    kept = await packages.evaluateAll((all) => all.filter((p) => p.dataset.state !== 'shredded').length);
    return (await O.page.getByTestId('package-hold').count()) === kept;
  }, 10_000).then(() => true, () => false);
  check(shown, `holds: each of the case's ${kept} kept package(s) shows the hold in force`);
  await screen(O.page, 'webholds-02-placed');

  // The second officer's page was behind: placing is refused by the node as it types it.
  await S.section.getByLabel('Reason for the hold (required)').fill('webholds: a second hold');
  await S.section.getByRole('button', { name: 'Place the hold' }).click();
  const conflict = S.section.getByTestId('holds-error');
  await conflict.waitFor();
  check(
    (await conflict.getAttribute('data-code')) === 'already_exists' &&
      (await conflict.getAttribute('data-reason')) === 'in_force' &&
      (await conflict.textContent()).includes('The node refused this (409 already_exists).') &&
      (await conflict.getByTestId('holds-error-message').getAttribute('lang')) === 'en' &&
      (await conflict.getByTestId('holds-error-message').textContent()).includes('under a legal hold already'),
    `holds: a second hold is refused with the node's typed error (${await conflict.textContent()})`,
  );
  await S.section.locator(`[data-hold="${placed.hold}"][data-in-force="true"]`).waitFor();
  check((await S.section.getByTestId('holds-place').count()) === 0, 'holds: the refused page reads the holds again and shows the one in force');
  check(
    await focusedOn(S.page, 'holds-error'),
    `holds: the refusal has the focus, kept once the form gave way to the lift (${await active(S.page)})`,
  );
  check((await nodeHolds()).length === before.length + 1, 'holds: the node holds one hold in force, not two');
  await screen(S.page, 'webholds-03-conflict');

  // The approver reads the holds, with neither action: case.read without case.edit.
  const P = await open('webholds-approver', approver);
  await P.section.locator(`[data-hold="${placed.hold}"][data-in-force="true"]`).waitFor();
  check(
    (await P.section.getByRole('button', { name: 'Lift the hold…' }).count()) === 0 &&
      (await P.section.getByTestId('holds-place').count()) === 0 &&
      (await P.section.getByRole('textbox').count()) === 0 &&
      (await P.section.getByTestId('holds-read-only').count()) === 1,
    'holds: an approver sees the hold in force but no lift and no form, and who may act',
  );
  const forced = await pageSession(P.page)('DELETE', `/api/v1/cases/${encodeURIComponent(demoCase.id)}/hold`);
  check(forced.status === 403, `holds: the node refuses the approver a lift forced from the page (${forced.status})`);
  await screen(P.page, 'webholds-04-approver');

  // The officer lifts it: a confirmation first, which says what lifting does; cancelling keeps it.
  const lift = O.section.getByRole('button', { name: 'Lift the hold…' });
  await lift.click();
  const confirm = O.section.getByTestId('holds-lift-confirm');
  await confirm.waitFor();
  const question = await confirm.textContent();
  check(
    question.includes('every package already past its retention is shredded at once'),
    `holds: the confirmation says that packages past their retention are shredded at once (${question})`,
  );
  check(await focused(O.page, 'Cancel'), 'holds: the confirmation takes the focus to its safe answer');
  await screen(O.page, 'webholds-05-lift-confirm');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await lift.waitFor();
  check(
    (await focused(O.page, 'Lift the hold…')) &&
      (await nodeHolds()).some((h) => h.hold === placed.hold && h.in_force),
    'holds: cancelled, the hold stays in force and the focus returns to the lift button',
  );
  // Lifted from the keyboard: Enter on the lift button, Shift+Tab from Cancel to the yes, Enter.
  await O.page.keyboard.press('Enter');
  await confirm.waitFor();
  check(await focused(O.page, 'Cancel'), `holds: the confirmation opened from the keyboard focuses Cancel (${await active(O.page)})`);
  await O.page.keyboard.press('Shift+Tab');
  check(await focused(O.page, 'Yes, lift the hold'), `holds: Shift+Tab reaches the yes (${await active(O.page)})`);
  await O.page.keyboard.press('Enter');
  const liftedRow = O.section.locator(`[data-hold="${placed.hold}"][data-in-force="false"]`);
  await liftedRow.waitFor();
  const afterLift = (await nodeHolds()).find((h) => h.hold === placed.hold);
  check(
    afterLift?.in_force === false && afterLift.lifted_by === 'user:webholds.officer' && Boolean(afterLift.lifted),
    `holds: the node holds the hold lifted by the officer (${JSON.stringify(afterLift)})`,
  );
  const liftedText = await liftedRow.getByTestId('hold-state').textContent();
  const liftedAt = await O.page.evaluate(
    (iso) => new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)),
    afterLift?.lifted ?? '',
  );
  check(
    liftedText === `Lifted ${liftedAt} by user:webholds.officer`,
    `holds: the row says when and by whom it was lifted (${liftedText})`,
  );
  await O.section.getByTestId('holds-place').waitFor();
  check(
    (await O.section.getByRole('button', { name: 'Lift the hold…' }).count()) === 0,
    'holds: once lifted, a new hold may be placed and none lifted',
  );
  // The confirmation and the lift button are gone: the focus is on the status that says so.
  check(
    (await focusedOn(O.page, 'holds-done')) &&
      (await done.getAttribute('data-said')) === 'lifted' &&
      (await done.textContent()).startsWith('The legal hold is lifted'),
    `holds: lifted, the focus is on the status saying so (${await active(O.page)}: ${await done.textContent()})`,
  );
  await O.page.keyboard.press('Tab');
  check(
    (await O.page.evaluate(() => document.activeElement?.id)) === 'holds-reason',
    `holds: from the status, Tab reaches the reason of a new hold (${await active(O.page)})`,
  );
  await screen(O.page, 'webholds-06-lifted');

  // The second officer's page still shows it in force: lifting is refused, as the node types it.
  await S.section.getByRole('button', { name: 'Lift the hold…' }).click();
  await S.section.getByRole('button', { name: 'Yes, lift the hold' }).click();
  const gone = S.section.getByTestId('holds-error').and(S.page.locator('[data-code="not_found"]'));
  await gone.waitFor();
  check(
    (await gone.getAttribute('data-reason')) === 'none_in_force' &&
      (await gone.textContent()).includes('The node refused this (404 not_found). No legal hold is in force on this case'),
    `holds: a lift with no hold in force is refused with the node's typed error (${await gone.textContent()})`,
  );
  await S.section.locator(`[data-hold="${placed.hold}"][data-in-force="false"]`).waitFor();
  check(
    await focusedOn(S.page, 'holds-error'),
    `holds: the refusal has the focus, kept once the confirmation gave way to the form (${await active(S.page)})`,
  );

  // The approver, reading again: the hold lifted, and still no action.
  await P.page.reload();
  await P.section.locator(`[data-hold="${placed.hold}"][data-in-force="false"]`).waitFor();
  check(
    (await P.section.getByTestId('holds-place').count()) === 0 &&
      (await P.section.getByRole('button', { name: 'Place the hold' }).count()) === 0,
    'holds: with no hold in force, the approver is offered no form to place one',
  );

  // The section in Arabic.
  await O.page.getByTestId('language').selectOption('ar');
  await O.page.locator('html[dir="rtl"][lang="ar"]').waitFor();
  check(
    (await O.page.getByRole('heading', { level: 3, name: 'التعليقات القانونية' }).count()) === 1 &&
      (await O.section.getByRole('button', { name: 'فرض التعليق' }).count()) === 1,
    'holds: the section is translated into Arabic',
  );
  await screen(O.page, 'webholds-07-ar');
  await O.page.getByTestId('language').selectOption('en');

  for (const opened of [O, S, P]) await opened.context.close();
}
