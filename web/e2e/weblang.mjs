// The main flow of the web UI in Arabic (right to left) and in Chinese (run by run.mjs on the
// demo federation): for each language, three people enrolled afresh switch their sign-in screen
// to it and do everything else by the texts of that language. A's officer (fr.central) composes
// an emergency expedited_preservation request to hu.poc, sees a finding under its field, fixes
// it and saves the draft; A's approver approves and sends it; B's duty officer (hu.poc), watching
// the duty desk, sees the alarm live naming the sender, the alert told in the language with the
// request type's name, and acknowledges it.
//
// The expected texts are the UI's own: the catalogues of src/i18n.ts, compiled here by the
// TypeScript compiler and imported (so a changed translation changes what is looked for, and a
// text left in English is not found).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));

async function loadI18n() {
  const source = readFileSync(resolve(here, '../src/i18n.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  // A module loaded from a data: URL cannot resolve a package by its bare name: name the file.
  const code = outputText.replace(
    /from ['"]intl-messageformat['"]/,
    `from ${JSON.stringify(import.meta.resolve('intl-messageformat'))}`,
  );
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// A label whose accessible name is the text, or begins with it before a space (a control inside
// its label adds its value; a required field adds that it is).
const startsWith = (s) => new RegExp(`^${escape(s)}(\\s|$)`);

// The script each language is written in: a server text (a finding, a field's label) shown in
// that language contains it.
const scripts = { ar: /[\u0600-\u06FF]/, zh: /[\u4E00-\u9FFF]/ };
const directions = { ar: 'rtl', zh: 'ltr' };

export async function run({ browser, nodes, enrol, newPage, screen, check }) {
  const a = nodes['fr.central'];
  const b = nodes['hu.poc'];
  if (!check(a && b, 'weblang: the demo has fr.central and hu.poc')) return;
  const { catalogues, translate } = await loadI18n();
  for (const lang of ['ar', 'zh']) {
    await flow({ browser, a, b, enrol, newPage, screen, check, lang, t: (k, v) => translate(lang, k, v), catalogues });
  }
}

async function flow({ browser, a, b, enrol, newPage, screen, check, lang, t, catalogues }) {
  const tag = `weblang ${lang}`;
  // Every text looked up must be translated: a key missing from the catalogue, or one equal
  // to its English text, would make a check pass on an English page.
  const text = (key, values) => {
    const s = t(key, values);
    if (s === key || catalogues[lang][key] === catalogues.en[key]) throw new Error(`${tag}: ${key} is not translated`);
    return s;
  };
  // The text of `key` as a pattern: each placeholder the value given (a pattern), else anything.
  const pattern = (key, values = {}) => {
    text(key);
    const parts = catalogues[lang][key].split(/\{(\w+)\}/);
    return new RegExp(parts.map((p, i) => (i % 2 ? (values[p] ?? '.+') : escape(p))).join(''));
  };
  const officer = await enrol(a, `weblang.officer.${lang}`, ['officer'], 'cybercrime');
  const approver = await enrol(a, `weblang.approver.${lang}`, ['approver'], 'cybercrime');
  const duty = await enrol(b, `weblang.duty.${lang}`, ['duty_officer', 'officer'], 'duty-desk');

  // Opens the sign-in screen, switches it to the language, and signs in by the translated labels.
  async function signInIn(name, node, person) {
    const { page } = await newPage(browser, `${tag} ${name}`);
    await page.goto(`https://127.0.0.1:${node.port}/`);
    await page.getByLabel(startsWith(catalogues.en['nav.language'])).selectOption(lang);
    await page.locator(`html[dir="${directions[lang]}"][lang="${lang}"]`).waitFor();
    await page.getByRole('heading', { name: text('login.title') }).waitFor();
    await page.getByLabel(startsWith(text('login.login'))).fill(person.login);
    await page.getByLabel(startsWith(text('login.password'))).fill(person.password);
    await page.getByLabel(startsWith(text('login.code'))).fill(person.totp.generate());
    await page.getByRole('button', { name: text('login.submit') }).click();
    await page.getByRole('heading', { level: 1, name: text('cases.title') }).waitFor();
    check(
      (await page.locator(`html[dir="${directions[lang]}"][lang="${lang}"]`).count()) === 1,
      `${tag}: ${name} works in ${lang} (${directions[lang]}) once signed in`,
    );
    return page;
  }

  // B's duty officer watches the duty desk.
  const B = await signInIn('duty officer', b, duty);
  await B.getByRole('link', { name: text('nav.duty') }).click();
  await B.getByRole('heading', { level: 1, name: text('duty.title') }).waitFor();
  await B.getByRole('status').filter({ hasText: text('duty.live') }).waitFor();
  await screen(B, `weblang-${lang}-1-duty-desk`);

  // A's officer composes the request; a finding shows under its field, in the language.
  const A = await signInIn('officer', a, officer);
  await A.getByRole('link', { name: text('nav.compose') }).click();
  await A.getByRole('heading', { level: 1, name: text('compose.title') }).waitFor();
  const typeSelect = A.getByLabel(startsWith(text('cases.type')));
  await typeSelect.selectOption('expedited_preservation');
  // The request type's name in the language, as the legal data gives it (the duty desk names it).
  const typeName = ((await typeSelect.locator('option:checked').textContent()) ?? '').trim();
  await A.getByLabel(startsWith(text('compose.to'))).selectOption('hu.poc');
  await A.getByLabel(startsWith(text('cases.priority'))).selectOption({ label: text('cases.emergency') });
  const summary = A.getByRole('status').filter({ hasText: text('compose.valid') });
  await summary.waitFor();
  const field = A.getByTestId('field-summary_of_facts');
  const label = (await field.locator('label').first().textContent()) ?? '';
  check(scripts[lang].test(label), `${tag}: the form's field is labelled in the language (${label})`);
  const facts = field.getByLabel(startsWith(label.replace(/\s*\*.*$/s, '').trim()));
  const factsText = await facts.inputValue();
  check(factsText.length > 0, `${tag}: the form starts from the example request of the type`);
  await facts.fill('');
  const finding = field.getByTestId('finding-field_missing');
  await finding.waitFor();
  const findingText = (await finding.textContent()) ?? '';
  check(scripts[lang].test(findingText), `${tag}: the finding is shown under its field in the language (${findingText})`);
  check(
    (await A.getByRole('status').filter({ hasText: text('compose.invalid') }).count()) === 1,
    `${tag}: the check's summary says, in the language, that it finds errors`,
  );
  const draftButton = A.getByRole('button', { name: text('compose.draft') });
  check(await draftButton.isDisabled(), `${tag}: no draft can be made while the check finds an error`);
  await screen(A, `weblang-${lang}-2-compose-finding`);
  await facts.fill(factsText);
  await summary.waitFor();
  check((await finding.count()) === 0, `${tag}: the finding goes once the field is filled again`);
  check(await draftButton.isEnabled(), `${tag}: the draft can be saved once the check finds no error`);
  await draftButton.click();
  const state = A.getByTestId('case-state');
  await state.filter({ hasText: new RegExp(`^${escape(text('state.draft'))}$`) }).waitFor();
  const draftUrl = A.url();
  check(/#\/cases\/.+/.test(draftUrl), `${tag}: the draft is saved, its state named in the language`);
  await screen(A, `weblang-${lang}-3-draft`);

  // A's approver, another person, finds it in the queue and approves it.
  const P = await signInIn('approver', a, approver);
  await P.getByRole('link', { name: text('nav.approvals') }).click();
  await P.getByRole('heading', { level: 1, name: text('nav.approvals') }).waitFor();
  const hash = draftUrl.slice(draftUrl.indexOf('#'));
  const queued = P.getByTestId('cases').locator(`a[href="${hash}"]`);
  await queued.first().waitFor();
  check((await queued.count()) >= 1, `${tag}: the draft is in the approver's queue`);
  await screen(P, `weblang-${lang}-4-approvals`);
  await queued.first().click();
  await P.getByRole('button', { name: text('case.approve') }).click();
  const sentStates = ['approved', 'sent', 'delivered', 'acknowledged'].map((s) => text(`state.${s}`));
  await P.getByTestId('case-state')
    .filter({ hasText: new RegExp(`^(${sentStates.map(escape).join('|')})$`) })
    .waitFor();
  const approvedRow = P.getByTestId('timeline')
    .locator('tbody tr')
    .filter({ hasText: approver.login })
    .filter({ hasText: `${text('step.approve')}: ${text('state.draft')} →` });
  check(
    (await approvedRow.count()) === 1,
    `${tag}: the timeline records, in the language, the approval by ${approver.login}`,
  );
  await screen(P, `weblang-${lang}-5-approved`);

  // B's duty desk raises the alarm live, in the language, naming the sender; she acknowledges.
  const alarm = B.getByRole('alert').filter({ hasText: pattern('duty.alarm', { sender: '\\S*fr\\.central\\S*' }) });
  await alarm.waitFor({ timeout: 30_000 });
  check((await alarm.count()) === 1, `${tag}: the duty desk raises the alarm live, naming the sender`);
  const newest = B.getByTestId('duty-alerts').locator('li').first();
  await newest.getByTestId('alert-case').waitFor();
  check(
    (await newest.textContent()).startsWith(`${text('duty.kind.duty.emergency')} — `) &&
      pattern('duty.case').test(await newest.getByTestId('alert-case').textContent()),
    `${tag}: the newest alert is the emergency request, its case named in the language`,
  );
  // The alert's sentence is the UI's own in the language, naming the sender and the request
  // type, not the node's English text ("emergency request from fr.central").
  const sentence = text('alert.emergency.requestOf', { sender: 'fr.central', requestType: typeName });
  const said = newest.getByTestId('alert-text');
  await said.filter({ hasText: sentence }).waitFor();
  const saidText = (await said.textContent()) ?? '';
  check(
    saidText === sentence &&
      (await said.getAttribute('lang')) === lang &&
      scripts[lang].test(typeName) &&
      scripts[lang].test(saidText.replace(typeName, '')) &&
      !/emergency/i.test(saidText),
    `${tag}: the alert is told in the language, with the request type's name (${saidText})`,
  );
  await screen(B, `weblang-${lang}-6-duty-alarm`);
  await newest.getByRole('button', { name: text('duty.acknowledge') }).click();
  const acknowledged = newest
    .getByTestId('acknowledged')
    .filter({ hasText: pattern('duty.acknowledged', { who: escape(`user:${duty.login}`) }) });
  await acknowledged.waitFor();
  check(
    (await acknowledged.count()) === 1 && (await alarm.count()) === 0,
    `${tag}: acknowledged in one action, by ${duty.login}, and the alarm goes`,
  );
  await screen(B, `weblang-${lang}-7-duty-acknowledged`);
  for (const page of [A, P, B]) await page.context().close();
}
