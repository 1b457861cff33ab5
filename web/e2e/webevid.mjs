// Evidence packages in the web UI, on the demo federation: A's officer opens the demo's case,
// creates a package, uploads two files made here (one upload is cut by the network and resumed
// until the node's SHA-256 is the file's), seals, sees the signed manifest verified in the
// browser (and a tampered copy refused), downloads a file whose bytes must hash as the
// original, and reads the chain of custody up to hu.poc's verified receipt.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

// Where the node stands with the upload of `name` into package `id`, asked until two answers a
// moment apart agree: the node may still be taking in what was on the wire when it was cut.
async function settledUpload(page, id, name) {
  const ask = () =>
    page.evaluate(
      ([pkg, file]) =>
        fetch(`/api/v1/evidence/${encodeURIComponent(pkg)}/uploads/${encodeURIComponent(file)}`).then((r) => r.json()),
      [id, name],
    );
  let kept = await ask();
  for (let i = 0; i < 50; i++) {
    await page.waitForTimeout(300);
    const again = await ask();
    if (again.received === kept.received) break;
    kept = again;
  }
  return kept;
}

export async function run({ browser, nodes, call, enrol, newPage, screen, signIn, check }) {
  const a = nodes['fr.central'];
  const officer = await enrol(a, 'webevid.officer', ['officer'], 'cybercrime');

  // The demo's case: A's oldest outgoing case (later scenarios add newer ones).
  const listed = await call(a, 'GET', '/api/v1/cases?direction=out', {
    headers: { Authorization: `Bearer ${a.token}` },
  });
  const cases = JSON.parse(listed.text).cases ?? [];
  const demoCase = cases[cases.length - 1];
  if (!check(listed.status === 200 && demoCase?.id, `evidence: A lists the demo's case (${listed.status})`)) return;

  const { page } = await newPage(browser, 'webevid');
  await signIn(page, a, officer);
  await page.getByTestId('cases').waitFor();
  await page.evaluate((id) => (window.location.hash = `#/cases/${encodeURIComponent(id)}`), demoCase.id);
  const section = page.getByTestId('evidence');
  await section.waitFor();
  await section.getByRole('button', { name: 'Create package' }).click();
  const pkg = section.getByTestId('evidence-package').first();
  await pkg.waitFor();
  check((await pkg.getAttribute('data-state')) === 'draft', 'evidence: the new package is a draft');
  const packageId = await pkg.getAttribute('data-package');
  // The package shows how long the node keeps it: the node's own period, in days, and its end.
  const fresh = await page.evaluate(
    (id) => fetch(`/api/v1/evidence/${encodeURIComponent(id)}`).then((r) => r.json()),
    packageId,
  );
  const days = (fresh.retention_ms ?? 0) / (24 * 3600 * 1000);
  check(
    days >= 1 && Date.parse(fresh.retention_end) === Date.parse(fresh.created) + fresh.retention_ms,
    `evidence: the node gives the new package a period and its end (${fresh.retention_ms} ms, ${fresh.retention_end})`,
  );
  const retentionText = await pkg.getByTestId('package-retention').textContent();
  check(
    retentionText.includes(`${days.toLocaleString('en')} day`) &&
      retentionText.includes(fresh.retention_rule ? `rule: ${fresh.retention_rule}` : 'default period'),
    `evidence: the package shows its period and where it comes from (${retentionText})`,
  );
  check(
    (await pkg.getByTestId('package-hold').count()) === 0,
    'evidence: no legal hold is shown where none is in force',
  );
  await screen(page, 'webevid-01-draft');

  // Two files, sent one after the other. The network is slowed so that the large one is
  // stopped mid-way; the small one's upload is then cut by the network.
  const big = randomBytes(5 * 1024 * 1024 + 4321);
  const small = randomBytes(300 * 1024);
  const bigName = 'capture-webevid.bin';
  const smallName = 'notes-webevid.txt';
  let cut = 0;
  // A predicate, not a glob: the upload's URL carries ?size=&offset=.
  const smallRoute = (url) => url.pathname.endsWith(`/files/${smallName}`);
  await page.route(smallRoute, (route) => {
    if (route.request().method() === 'PUT' && cut === 0) {
      cut++;
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const throttle = (uploadThroughput) =>
    cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput,
    });
  await throttle(256 * 1024);
  await pkg.getByLabel('Add files').setInputFiles([
    { name: bigName, mimeType: 'application/octet-stream', buffer: big },
    { name: smallName, mimeType: 'text/plain', buffer: small },
  ]);
  const bigRow = pkg.getByTestId(`upload-${bigName}`);
  const smallRow = pkg.getByTestId(`upload-${smallName}`);
  const bigBar = pkg.getByTestId(`upload-progress-${bigName}`);
  const smallBar = pkg.getByTestId(`upload-progress-${smallName}`);
  await page.waitForFunction(
    (name) => Number(document.querySelector(`[data-testid="upload-progress-${name}"]`)?.getAttribute('value')) >= 45,
    bigName,
    { timeout: 60_000 },
  );
  await screen(page, 'webevid-02-uploading');
  await bigRow.getByRole('button', { name: 'Stop' }).click();
  await pkg.locator(`[data-testid="upload-${bigName}"][data-state="interrupted"]`).waitFor();
  const stoppedAt = Number(await bigBar.getAttribute('value'));
  check(stoppedAt >= 45 && stoppedAt < 100, `evidence: the large upload was stopped mid-way (${stoppedAt} %)`);
  await pkg.locator(`[data-testid="upload-${smallName}"][data-state="interrupted"]`).waitFor({ timeout: 30_000 });
  check(cut === 1, 'evidence: the small upload was cut by the network');
  check(
    (await bigRow.getByRole('button', { name: 'Resume' }).count()) === 1 &&
      (await smallRow.getByRole('button', { name: 'Resume' }).count()) === 1,
    'evidence: both cut uploads offer Resume',
  );
  const before = await page.evaluate(
    (id) => fetch(`/api/v1/evidence/${encodeURIComponent(id)}`).then((r) => r.json()),
    packageId,
  );
  check((before.files ?? []).length === 0, 'evidence: the node recorded nothing of the cut uploads');
  await screen(page, 'webevid-03-interrupted');

  // The node kept the whole chunks (1 MiB each) of the stopped upload: it says so, and the
  // resume sends only the rest.
  const kept = await settledUpload(page, packageId, bigName);
  check(
    kept.size === big.length && kept.received >= 1024 * 1024 && kept.received % (1024 * 1024) === 0,
    `evidence: the node kept whole chunks of the stopped upload (${kept.received} of ${kept.size} bytes)`,
  );
  const resumedFrom = [];
  page.on('request', (request) => {
    if (request.method() === 'PUT' && request.url().includes(`/files/${bigName}?`)) {
      resumedFrom.push(Number(new URL(request.url()).searchParams.get('offset')));
    }
  });

  await throttle(-1);
  await page.unroute(smallRoute);
  await smallRow.getByRole('button', { name: 'Resume' }).click();
  await pkg.locator(`[data-testid="upload-${smallName}"][data-state="done"]`).waitFor({ timeout: 60_000 });
  await bigRow.getByRole('button', { name: 'Resume' }).click();
  await pkg.locator(`[data-testid="upload-${bigName}"][data-state="done"]`).waitFor({ timeout: 60_000 });
  check(
    (await bigBar.getAttribute('value')) === '100' && (await smallBar.getAttribute('value')) === '100',
    'evidence: after the resume both progress bars reach 100 %',
  );
  check(
    resumedFrom.length >= 1 && resumedFrom[0] === kept.received && kept.received > 0,
    `evidence: the resumed upload went on from the byte the node kept, not from 0 (${resumedFrom.join(', ')})`,
  );
  const after = await page.evaluate(
    (id) => fetch(`/api/v1/evidence/${encodeURIComponent(id)}`).then((r) => r.json()),
    packageId,
  );
  const held = (after.files ?? []).find((f) => f.name === bigName);
  check(
    held?.sha256 === sha256(big) && held?.size === big.length,
    `evidence: after the resume the node's SHA-256 of the large file is the original's (${held?.sha256})`,
  );
  check(
    (after.files ?? []).find((f) => f.name === smallName)?.sha256 === sha256(small),
    "evidence: the node's SHA-256 of the small file is the original's",
  );
  check(
    (await bigRow.textContent()).includes(sha256(big)) && (await smallRow.textContent()).includes(sha256(small)),
    'evidence: the UI shows each SHA-256 the node stored, matching the file',
  );
  await pkg.getByTestId('package-files').waitFor();
  await screen(page, 'webevid-04-uploaded');

  // The page reloaded in the middle of an upload: the same file chosen again goes on from the
  // chunks the node kept (their SHA-256 is the one of this file's first bytes), not from byte 0.
  const third = randomBytes(3 * 1024 * 1024 + 99);
  const thirdName = 'mailbox-webevid.bin';
  const thirdFrom = [];
  page.on('request', (request) => {
    if (request.method() === 'PUT' && request.url().includes(`/files/${thirdName}?`)) {
      thirdFrom.push(Number(new URL(request.url()).searchParams.get('offset')));
    }
  });
  await throttle(256 * 1024);
  await pkg.getByLabel('Add files').setInputFiles([
    { name: thirdName, mimeType: 'application/octet-stream', buffer: third },
  ]);
  await page.waitForFunction(
    (name) => Number(document.querySelector(`[data-testid="upload-progress-${name}"]`)?.getAttribute('value')) >= 55,
    thirdName,
    { timeout: 60_000 },
  );
  await page.reload();
  await throttle(-1);
  await pkg.waitFor();
  const before3 = await settledUpload(page, packageId, thirdName);
  check(
    before3.received >= 1024 * 1024 && before3.received_sha256 === sha256(third.subarray(0, before3.received)),
    `evidence: after the reload the node holds the start of the file (${before3.received} bytes, SHA-256 of that start)`,
  );
  // The package shows the upload the node has under way, with what to do.
  await page.reload();
  const underWay = pkg.getByTestId(`under-way-${thirdName}`);
  await underWay.waitFor();
  check(
    (await underWay.textContent()).includes('choose this file again'),
    `evidence: after the reload the package shows the upload under way (${await underWay.textContent()})`,
  );
  await pkg.getByLabel('Add files').setInputFiles([
    { name: thirdName, mimeType: 'application/octet-stream', buffer: third },
  ]);
  await pkg.locator(`[data-testid="upload-${thirdName}"][data-state="done"]`).waitFor({ timeout: 60_000 });
  check((await underWay.count()) === 0, 'evidence: once the file is sent, nothing shows under way');
  check(
    thirdFrom.length >= 2 && thirdFrom[0] === 0 && thirdFrom[thirdFrom.length - 1] === before3.received,
    `evidence: the file chosen again after the reload went on from the byte the node kept (${thirdFrom.join(', ')})`,
  );
  const withThird = await page.evaluate(
    (id) => fetch(`/api/v1/evidence/${encodeURIComponent(id)}`).then((r) => r.json()),
    packageId,
  );
  check(
    (withThird.files ?? []).find((f) => f.name === thirdName)?.sha256 === sha256(third),
    "evidence: the node's SHA-256 of the file uploaded across the reload is the original's",
  );

  // Sealed: the signed manifest is read and verified in the browser.
  await pkg.getByRole('button', { name: 'Seal' }).click();
  const result = pkg.getByTestId('manifest-result');
  await result.waitFor({ timeout: 30_000 });
  const resultText = await result.textContent();
  check(
    /^Verified in this browser: signed by node fr\.central and by webevid\.officer/.test(resultText),
    `evidence: the manifest is verified in the browser: ${resultText}`,
  );
  const manifestFiles = await pkg.getByTestId('manifest-files').textContent();
  check(
    manifestFiles.includes(sha256(big)) && manifestFiles.includes(sha256(small)),
    'evidence: the manifest lists both files with their SHA-256',
  );
  await screen(page, 'webevid-05-manifest');

  // Downloaded with progress; the browser checks the SHA-256 against the manifest, and so does
  // this test on the bytes saved.
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    pkg.getByRole('button', { name: `Download ${bigName}` }).click(),
  ]);
  const saved = readFileSync(await download.path());
  check(
    saved.length === big.length && sha256(saved) === sha256(big),
    `evidence: the downloaded file's SHA-256 is the original's (${saved.length} bytes)`,
  );
  check(download.suggestedFilename() === bigName, `evidence: saved under its name (${download.suggestedFilename()})`);
  const downloaded = pkg.getByTestId(`download-result-${bigName}`);
  await downloaded.waitFor();
  check(
    (await downloaded.textContent()).includes('matches the signed manifest'),
    'evidence: the browser found the download\'s SHA-256 in the signed manifest',
  );
  check(
    (await pkg.getByTestId(`download-progress-${bigName}`).getAttribute('value')) === '100',
    'evidence: the download\'s progress bar reaches 100 %',
  );

  // The package travels to hu.poc by itself; its signed receipt closes the chain of custody.
  await page.locator(`[data-package="${packageId}"][data-state="delivered"]`).waitFor({ timeout: 90_000 });
  const receipt = pkg.getByTestId('custody').getByText(/^Received by hu\.poc: its signed receipt verifies/);
  await receipt.waitFor({ timeout: 30_000 });
  const custody = await pkg.getByTestId('custody').textContent();
  check(
    custody.includes('Package created for hu.poc') &&
      custody.includes(`File ${bigName} added`) &&
      custody.includes(`File ${smallName} added`) &&
      custody.includes('Sealed: manifest signed by the officer and by node fr.central'),
    'evidence: the chain of custody lists creation, both files, the seal and the receipt',
  );
  await screen(page, 'webevid-06-custody');

  // The same in Arabic, laid out right to left.
  await page.getByTestId('language').selectOption('ar');
  await page.locator('html[dir="rtl"][lang="ar"]').waitFor();
  check(
    (await page.getByRole('heading', { level: 2, name: 'الأدلة' }).count()) === 1,
    'evidence: the section is translated into Arabic',
  );
  await screen(page, 'webevid-07-ar');
  await page.getByTestId('language').selectOption('en');

  // At hu.poc: the package as received, its manifest verified there too, the receipt's audit
  // entry proven against hu.poc's signed checkpoint, and a file downloaded and checked.
  const b = nodes['hu.poc'];
  const reader = await enrol(b, 'webevid.duty', ['duty_officer'], 'duty-desk');
  const asNode = { headers: { Authorization: `Bearer ${b.token}` } };
  let bCase;
  for (const c of JSON.parse((await call(b, 'GET', '/api/v1/cases', asNode)).text).cases ?? []) {
    const r = await call(b, 'GET', `/api/v1/cases/${encodeURIComponent(c.id)}/evidence`, asNode);
    if (r.status === 200 && (JSON.parse(r.text).packages ?? []).some((p) => p.package === packageId)) bCase = c;
  }
  if (check(bCase, 'evidence: hu.poc holds the package in its copy of the case')) {
    const B = await newPage(browser, 'webevid-b');
    await signIn(B.page, b, reader);
    await B.page.getByTestId('cases').waitFor();
    await B.page.evaluate((id) => (window.location.hash = `#/cases/${encodeURIComponent(id)}`), bCase.id);
    const bPkg = B.page.locator(`[data-package="${packageId}"]`);
    await bPkg.waitFor();
    check((await bPkg.getAttribute('data-state')) === 'received', 'evidence: at hu.poc the package is received');
    const bResult = bPkg.getByTestId('manifest-result');
    await bResult.waitFor({ timeout: 30_000 });
    check(
      (await bResult.textContent()).startsWith('Verified in this browser: signed by node fr.central'),
      "evidence: hu.poc's reader verifies the sender's manifest in the browser",
    );
    const proven = bPkg.getByTestId('custody').getByText("The receipt's entry is proven in the audit log of hu.poc");
    await proven.waitFor({ timeout: 30_000 }).catch(() => {});
    check(
      (await proven.count()) === 1,
      "evidence: the receipt's audit entry is proven in the browser against hu.poc's checkpoint",
    );
    const [bDownload] = await Promise.all([
      B.page.waitForEvent('download', { timeout: 60_000 }),
      bPkg.getByRole('button', { name: `Download ${smallName}` }).click(),
    ]);
    check(
      sha256(readFileSync(await bDownload.path())) === sha256(small),
      "evidence: the file downloaded at hu.poc has the original's SHA-256",
    );
    await bPkg.getByTestId(`download-result-${smallName}`).waitFor();
    await screen(B.page, 'webevid-08-received');
    await B.context.close();
  }

  // A manifest altered on the way is refused by the browser's check.
  await page.route('**/api/v1/evidence/*/manifest', async (route) => {
    const response = await route.fetch();
    const text = (await response.text()).replace(`"size":${small.length}`, `"size":${small.length + 1}`);
    await route.fulfill({ response, body: text });
  });
  await page.reload();
  const refused = page.getByTestId('evidence').getByTestId('manifest-result');
  await refused.waitFor({ timeout: 30_000 });
  const refusedText = await refused.textContent();
  check(refusedText === 'Not verified: bad_node_signature', `evidence: an altered manifest is refused (${refusedText})`);
  await page.unroute('**/api/v1/evidence/*/manifest');
  await page.context().close();
}
