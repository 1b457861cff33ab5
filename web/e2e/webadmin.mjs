// The administrator's and the auditor's screens, end to end on fr.central of the demo:
// an administrator adds a person in the UI and sees the one-time password and the QR code of the
// TOTP enrolment once; that person signs in with them (the code computed from the secret shown);
// a new password and a new second factor end the person's session, disabling ends the account;
// a token is created (its secret shown once) and revoked, another person's token is revoked by
// its id; the duty roster is edited and the directory shown. An auditor lists the access
// records and proves a read against the node's signed log in the browser (and a tampered leaf
// fails). Non-administrators get no admin link and the node refuses them the admin API.
import * as OTPAuth from 'otpauth';

// A call from inside the page, with the session's cookie and CSRF token: what a tampered page
// could send. Answers the HTTP status and the JSON body, if any.
async function fromPage(page, method, path, body) {
  return page.evaluate(
    async ([method, path, body]) => {
      const me = await (await fetch('/api/v1/session')).json();
      const r = await fetch(path, {
        method,
        headers: {
          'X-CSRF-Token': me.csrf_token ?? '',
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      let json = null;
      try {
        json = await r.json();
      } catch {
        // no JSON body
      }
      return { status: r.status, json };
    },
    [method, path, body],
  );
}

export async function run(t) {
  const { browser, nodes, call, enrol, newPage, screen, signIn, check } = t;
  const a = nodes['fr.central'];
  const admin = await enrol(a, 'webadmin.admin', ['administrator'], 'it');
  const auditor = await enrol(a, 'webadmin.auditor', ['auditor'], 'dpo');
  const officer = await enrol(a, 'webadmin.officer', ['officer'], 'cybercrime');
  const bearer = (token) => ({ headers: { Authorization: `Bearer ${token}` } });

  // The administrator signs in and lands on the administration screen.
  const M = await newPage(browser, 'webadmin-admin');
  await signIn(M.page, a, admin);
  await M.page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
  check(
    (await M.page.getByRole('link', { name: 'Administration' }).count()) === 1,
    'webadmin: the administrator has the administration link',
  );
  await M.page.getByTestId('user-webadmin.admin').waitFor();
  check(
    (await M.page.getByTestId('user-webadmin.officer').textContent()).includes('Officer'),
    'webadmin: the users list shows the people of the node with their roles',
  );
  await screen(M.page, 'webadmin-01-admin');

  // Adding a person: the answer is shown once, with the QR code as an image.
  const addForm = M.page.locator('form', { has: M.page.getByRole('heading', { name: 'Add a user' }) });
  await addForm.getByLabel('Login', { exact: true }).fill('webadmin.new');
  await addForm.getByLabel('Display name').fill('Nouvelle Recrue');
  await addForm.getByLabel('Unit').fill('cybercrime');
  await addForm.getByRole('button', { name: 'Add the user' }).click();
  await addForm.getByRole('alert').filter({ hasText: 'at least one role' }).waitFor();
  check(
    (await M.page.getByTestId('user-webadmin.new').count()) === 0,
    'webadmin: a user without a role is not added',
  );
  await addForm.getByRole('checkbox', { name: 'Officer', exact: true }).check();
  await addForm.getByRole('button', { name: 'Add the user' }).click();
  const card = M.page.getByTestId('enrolment');
  await card.waitFor();
  const qr = card.getByTestId('enrolment-qr');
  const src = (await qr.getAttribute('src')) ?? '';
  check(src.startsWith('data:image/svg+xml;base64,'), 'webadmin: the QR code is an <img> with a data:image/svg+xml URL');
  const svg = Buffer.from(src.split(',')[1] ?? '', 'base64').toString('utf8');
  check(/<svg[\s>]/.test(svg) && svg.length > 500, `webadmin: the image is the node's SVG (${svg.length} bytes)`);
  check(
    await qr.evaluate((img) => img.complete && img.naturalWidth > 0),
    'webadmin: the browser draws the QR code (under the CSP)',
  );
  check(((await qr.getAttribute('alt')) ?? '').includes('webadmin.new'), 'webadmin: the QR code has an alt text');
  check(
    (await card.textContent()).includes('separate channel'),
    'webadmin: the enrolment says it is shown once, to hand over on a separate channel',
  );
  const password = (await card.getByTestId('enrolment-password').textContent()).trim();
  const secret = (await card.getByTestId('enrolment-secret').textContent()).trim();
  const uri = (await card.getByTestId('enrolment-uri').textContent()).trim();
  check(password.length >= 12, 'webadmin: the one-time password is shown');
  const totp = OTPAuth.URI.parse(uri);
  check(totp.secret.base32 === secret, 'webadmin: the secret shown is the one of the otpauth link');
  await M.page.getByTestId('user-webadmin.new').waitFor();
  await screen(M.page, 'webadmin-02-enrolment');
  await card.getByRole('button', { name: 'Handed over: close' }).click();
  check((await M.page.getByTestId('enrolment').count()) === 0, 'webadmin: once closed, the enrolment is gone from the page');

  // The new person signs in with what the screen showed; no admin link, and the node refuses them.
  const N = await newPage(browser, 'webadmin-new');
  await signIn(N.page, a, { login: 'webadmin.new', password, totp });
  await N.page.getByTestId('who').filter({ hasText: 'Nouvelle Recrue' }).waitFor();
  check(
    (await N.page.getByRole('link', { name: 'Administration' }).count()) === 0,
    'webadmin: a non-administrator has no administration link',
  );
  const listed = await fromPage(N.page, 'GET', '/api/v1/users');
  const added = await fromPage(N.page, 'POST', '/api/v1/users', {
    login: 'webadmin.sneaky',
    display_name: 'x',
    unit: 'x',
    roles: ['administrator'],
  });
  check(
    listed.status === 403 && added.status === 403,
    `webadmin: the node refuses the admin API to an officer (${listed.status}, ${added.status})`,
  );
  await N.page.goto(`https://127.0.0.1:${a.port}/#/admin`);
  await N.page.getByTestId('who').waitFor();
  check(
    (await N.page.getByRole('heading', { name: 'Administration' }).count()) === 0,
    'webadmin: #/admin shows no administration to an officer',
  );

  // A new one-time password and a new second factor: each shown once, each ends the sessions.
  await M.page.getByRole('button', { name: 'New one-time password for webadmin.new' }).click();
  await card.waitFor();
  const password2 = (await card.getByTestId('enrolment-password').textContent()).trim();
  check(password2.length >= 12 && password2 !== password, 'webadmin: a new one-time password is shown');
  check((await card.getByTestId('enrolment-qr').count()) === 0, 'webadmin: a new password brings no QR code');
  await card.getByRole('button', { name: 'Handed over: close' }).click();
  await M.page.getByRole('button', { name: 'New second factor for webadmin.new' }).click();
  await card.getByTestId('enrolment-qr').waitFor();
  const uri2 = (await card.getByTestId('enrolment-uri').textContent()).trim();
  const totp2 = OTPAuth.URI.parse(uri2);
  check(totp2.secret.base32 !== totp.secret.base32, 'webadmin: a new second factor shows a new QR code and secret');
  await screen(M.page, 'webadmin-03-reset-2fa');
  await card.getByRole('button', { name: 'Handed over: close' }).click();
  const ended = await N.page.evaluate(() => fetch('/api/v1/session').then((r) => r.status));
  check(ended === 401, `webadmin: the resets ended the person's session (${ended})`);
  await signIn(N.page, a, { login: 'webadmin.new', password: password2, totp: totp2 });
  await N.page.getByTestId('who').filter({ hasText: 'Nouvelle Recrue' }).waitFor();
  check(true, 'webadmin: the person signs in with the new password and the new second factor');

  // Disabling asks first; then the person's session ends.
  await M.page.getByRole('button', { name: 'Disable webadmin.new' }).click();
  const confirm = M.page.getByRole('group', { name: /^Disable webadmin\.new\?/ });
  await confirm.waitFor();
  check(
    !(await M.page.getByTestId('user-webadmin.new').textContent()).includes('Disabled'),
    'webadmin: nothing is disabled before the confirmation',
  );
  await confirm.getByRole('button', { name: 'Yes, disable' }).click();
  await M.page.getByTestId('user-webadmin.new').filter({ hasText: 'Disabled' }).waitFor();
  const gone = await N.page.evaluate(() => fetch('/api/v1/session').then((r) => r.status));
  check(gone === 401, `webadmin: a disabled person's session is refused (${gone})`);
  // Enabled again: the person signs in once more with the same password and second factor.
  await M.page.getByRole('button', { name: 'Enable webadmin.new' }).click();
  await M.page.getByTestId('user-webadmin.new').filter({ hasText: 'Active' }).waitFor();
  // The code of the next step: the node takes each code once and one step of drift.
  const nextCode = totp2.generate({ timestamp: Date.now() + 30_000 });
  await signIn(N.page, a, { login: 'webadmin.new', password: password2, totp: totp2 }, nextCode);
  await N.page.getByTestId('who').filter({ hasText: 'Nouvelle Recrue' }).waitFor();
  check(true, 'webadmin: an enabled person signs in again');

  // Tokens: the administrator's own, created (the secret shown once) and revoked in the UI.
  const tokenForm = M.page.locator('form', { has: M.page.getByRole('heading', { name: 'Create a token' }) });
  await tokenForm.getByLabel('Name', { exact: true }).fill('webadmin-ci');
  await tokenForm.getByRole('checkbox', { name: 'Administrator', exact: true }).check();
  await tokenForm.getByLabel('Lifetime').fill('7d');
  await tokenForm.getByRole('button', { name: 'Create the token' }).click();
  const secretToken = (await M.page.getByTestId('new-token-secret').textContent()).trim();
  check(/^cpt_[0-9a-f]{64}$/.test(secretToken), 'webadmin: the new token is shown once');
  await M.page.getByTestId('token-webadmin-ci').waitFor();
  const works = await call(a, 'GET', '/api/v1/users', bearer(secretToken));
  check(works.status === 200, `webadmin: the new token works (${works.status})`);
  await screen(M.page, 'webadmin-04-token');
  await M.page.getByRole('button', { name: 'Revoke the token webadmin-ci' }).click();
  await M.page.getByTestId('token-webadmin-ci').filter({ hasText: 'Revoked at' }).waitFor();
  const revoked = await call(a, 'GET', '/api/v1/users', bearer(secretToken));
  check(revoked.status === 401, `webadmin: the revoked token is refused (${revoked.status})`);

  // Someone else's token, revoked by its id (the list shows only one's own tokens).
  const O = await newPage(browser, 'webadmin-officer');
  await signIn(O.page, a, officer);
  await O.page.getByTestId('cases').waitFor();
  const theirs = await fromPage(O.page, 'POST', '/api/v1/tokens', { name: 'script', roles: ['officer'] });
  check(theirs.status === 201, `webadmin: the officer has a token of their own (${theirs.status})`);
  const before = await call(a, 'GET', '/api/v1/cases', bearer(theirs.json?.token ?? ''));
  // Every user's tokens: the officer's is listed with its owner, never the secret.
  await M.page.getByRole('checkbox', { name: "Every user's tokens" }).check();
  const listedRow = M.page.getByTestId('token-script').filter({ hasText: officer.login });
  await listedRow.waitFor();
  check(
    !(await M.page.getByTestId('tokens').textContent()).includes(theirs.json?.token ?? 'cpt_'),
    "webadmin: every user's tokens are listed with their owner, without the secret",
  );
  await M.page.getByRole('checkbox', { name: "Every user's tokens" }).uncheck();
  const revokeAny = M.page.locator('form', { has: M.page.getByRole('heading', { name: 'Revoke any token' }) });
  await revokeAny.getByLabel('Token id').fill(theirs.json?.id ?? '');
  await revokeAny.getByRole('button', { name: 'Revoke' }).click();
  await revokeAny.getByRole('status').filter({ hasText: 'revoked' }).waitFor();
  const after = await call(a, 'GET', '/api/v1/cases', bearer(theirs.json?.token ?? ''));
  check(
    before.status === 200 && after.status === 401,
    `webadmin: the administrator revokes another person's token by its id (${before.status} → ${after.status})`,
  );

  // The duty roster: a shift added now is on duty once saved.
  await M.page.getByRole('button', { name: 'Add a shift' }).click();
  const shifts = M.page.getByTestId('roster').locator('tbody tr');
  const n = await shifts.count();
  await M.page.getByLabel(`Login of shift ${n}`).fill('webadmin.officer');
  await M.page.getByLabel(`Role of shift ${n}`).selectOption('backup');
  await M.page.getByRole('button', { name: 'Save the roster' }).click();
  await M.page.getByText('The roster is saved.').waitFor();
  const onDuty = await M.page.getByTestId('on-duty').textContent();
  check(/backup [^.]*webadmin\.officer/.test(onDuty), `webadmin: the saved shift is on duty now (${onDuty})`);
  const stored = JSON.parse((await call(a, 'GET', '/api/v1/duty/roster', bearer(a.token))).text);
  check(
    stored.shifts.some((s) => s.login === 'webadmin.officer' && s.role === 'backup'),
    'webadmin: the node holds the roster as edited',
  );
  await M.page.getByRole('heading', { name: 'Duty roster' }).scrollIntoViewIfNeeded();
  await screen(M.page, 'webadmin-05-roster');

  // Someone else replaces the roster meanwhile (the node's token, from the revision it read):
  // the edit on the screen, made from the older revision, is refused and changes nothing.
  const other = await call(a, 'PUT', '/api/v1/duty/roster', {
    body: { shifts: stored.shifts, revision: stored.revision },
    ...bearer(a.token),
  });
  check(other.status === 200, `webadmin: another editor replaces the roster (${other.status})`);
  await M.page.getByLabel(`Role of shift ${n}`).selectOption('primary');
  await M.page.getByRole('button', { name: 'Save the roster' }).click();
  await M.page.getByText('Someone else changed the roster').waitFor();
  const kept = JSON.parse((await call(a, 'GET', '/api/v1/duty/roster', bearer(a.token))).text);
  check(
    kept.revision === stored.revision + 1 &&
      kept.shifts.some((s) => s.login === 'webadmin.officer' && s.role === 'backup'),
    `webadmin: an edit of an older revision of the roster is refused (revision ${kept.revision})`,
  );
  await M.page.getByRole('button', { name: 'Read the roster again' }).click();
  await M.page.getByLabel(`Role of shift ${n}`).waitFor();
  // Read again, the shifts come in the node's order: find the officer's by its login.
  let row = 0;
  for (let i = 1; i <= (await shifts.count()); i++) {
    if ((await M.page.getByLabel(`Login of shift ${i}`).inputValue()) === 'webadmin.officer') row = i;
  }
  check(row > 0, 'webadmin: the roster read again shows the officer\'s shift');
  await M.page.getByLabel(`Role of shift ${row}`).selectOption('primary');
  await M.page.getByRole('button', { name: 'Save the roster' }).click();
  await M.page.getByText('The roster is saved.').waitFor();
  const redone = JSON.parse((await call(a, 'GET', '/api/v1/duty/roster', bearer(a.token))).text);
  check(
    redone.shifts.some((s) => s.login === 'webadmin.officer' && s.role === 'primary'),
    'webadmin: read again, the edit is saved',
  );

  // The directory as the node holds it.
  const own = M.page.getByTestId('directory-fr.central');
  const peer = M.page.getByTestId('directory-hu.poc');
  check(
    (await own.textContent()).includes('(this node)') && (await peer.count()) === 1,
    'webadmin: the directory shows this node and its peers',
  );
  const node = JSON.parse((await call(a, 'GET', '/api/v1/node', bearer(a.token))).text);
  const huKey = node.peers.find((p) => p.id === 'hu.poc')?.signing_key ?? '';
  check(huKey.length > 0 && (await peer.textContent()).includes(huKey), "webadmin: a peer's signing key is shown");
  await M.page.getByTestId('language').selectOption('ar');
  await M.page.locator('html[dir="rtl"]').waitFor();
  await screen(M.page, 'webadmin-06-admin-ar');
  await M.page.getByTestId('language').selectOption('en');

  // The officer reads a case: the node records the read before showing it.
  await O.page.getByTestId('cases').locator('tbody tr a').first().click();
  await O.page.getByTestId('timeline').waitFor();

  // An evidence package for the retention register: made by the node's own token on a case of it.
  const cases = JSON.parse((await call(a, 'GET', '/api/v1/cases', bearer(a.token))).text).cases ?? [];
  const made = await call(a, 'POST', `/api/v1/cases/${encodeURIComponent(cases[0]?.id ?? '')}/evidence`, {
    body: {},
    ...bearer(a.token),
  });
  const retained = made.status === 201 ? JSON.parse(made.text).package : '';
  check(retained !== '', `webadmin: a package is made for the retention register (${made.status})`);

  // The auditor: the access records, a read proved in the browser; no admin link, no admin API.
  const D = await newPage(browser, 'webadmin-auditor');
  await signIn(D.page, a, auditor);
  await D.page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
  check(
    (await D.page.getByRole('link', { name: 'Administration' }).count()) === 0,
    'webadmin: the auditor has no administration link',
  );
  const auditorUsers = await fromPage(D.page, 'GET', '/api/v1/users');
  check(auditorUsers.status === 403, `webadmin: the node refuses the admin API to the auditor (${auditorUsers.status})`);
  await D.page.getByTestId('access-records').waitFor();
  await D.page.getByLabel('Reader').fill('user:webadmin.officer');
  await D.page.getByRole('button', { name: 'Filter' }).click();
  const records = D.page.getByTestId('access-record');
  // The unfiltered list is shown until the filtered one arrives: wait for the others to go.
  await records.filter({ hasNotText: 'user:webadmin.officer' }).first().waitFor({ state: 'detached' });
  await records.first().waitFor();
  const texts = await records.allTextContents();
  check(
    texts.length >= 1 && texts.every((r) => r.includes('user:webadmin.officer') && r.includes('Case content read')),
    `webadmin: the auditor sees the officer's reads, and only theirs (${texts.length})`,
  );
  await screen(D.page, 'webadmin-07-access-records');
  await records.first().getByRole('button', { name: 'Verify' }).click();
  const result = records.first().getByTestId('audit-proof-result');
  await result.filter({ hasText: /Verified|Not verified/ }).waitFor();
  const proofText = await result.textContent();
  check(
    /^Verified in this browser: entry \d+ of the audit log of fr\.central/.test(proofText),
    `webadmin: the read is proved against the node's signed log (${proofText})`,
  );
  await screen(D.page, 'webadmin-08-access-verified');

  // Any entry, from its index and leaf: the read's leaf verifies, a tampered one does not.
  const index = (await records.first().locator('td').nth(5).textContent()).replace(/\D/g, '');
  const caseId = (await records.first().locator('td').nth(3).textContent()).trim();
  const leaf = JSON.stringify({ actor: 'user:webadmin.officer', case: caseId, event: 'case.read' });
  const verifyForm = D.page.locator('form', { has: D.page.getByLabel('Leaf') });
  await verifyForm.getByLabel('Audit-log entry').fill(index);
  await verifyForm.getByLabel('Leaf').fill(leaf.replace('webadmin.officer', 'webadmin.auditor'));
  await verifyForm.getByRole('button', { name: 'Verify' }).click();
  const entry = D.page.getByTestId('verify-entry-result');
  await entry.filter({ hasText: /Verified|Not verified/ }).waitFor();
  check(
    (await entry.textContent()).startsWith('Not verified'),
    `webadmin: a tampered leaf is not verified (${await entry.textContent()})`,
  );
  await verifyForm.getByLabel('Leaf').fill(leaf);
  await verifyForm.getByRole('button', { name: 'Verify' }).click();
  await entry.filter({ hasText: /^Verified/ }).waitFor();
  check(true, 'webadmin: the leaf as the log holds it is verified from its index');
  await screen(D.page, 'webadmin-09-verify-entry');
  check(
    !(await D.page.locator('main').textContent()).includes('summary_of_facts'),
    'webadmin: the audit screen shows no case content',
  );

  // The retention register: the new package is kept, with the day it will be shredded; it is
  // not among the shredded ones.
  const register = D.page.getByTestId('retention');
  const keptRow = register.locator('tr', { hasText: retained });
  await keptRow.waitFor();
  const keptText = await keptRow.textContent();
  check(
    keptText.includes(cases[0]?.id ?? '-') && keptText.includes('draft') && keptText.includes('—'),
    `webadmin: the register shows the package kept, its case, its state and no hold (${keptText})`,
  );
  const inRegister = JSON.parse(
    (await call(a, 'GET', '/api/v1/retention?view=kept', bearer(a.token))).text,
  ).packages?.find((p) => p.package === retained);
  check(
    inRegister && Date.parse(inRegister.retention_end) > Date.parse(inRegister.created),
    `webadmin: the node computes the package's retention end after its creation (${inRegister?.retention_end})`,
  );
  await screen(D.page, 'webadmin-10-retention');
  await D.page.getByRole('radio', { name: 'shredded' }).check();
  await keptRow.waitFor({ state: 'detached' });
  check(
    (await D.page.locator('#retention-title').locator('..').textContent()).includes('No package.') ||
      (await register.locator('tr', { hasText: retained }).count()) === 0,
    'webadmin: the kept package is not listed among the shredded',
  );

  for (const p of [M, N, O, D]) await p.context.close();
}
