// Technical assistance in the web UI (run by run.mjs on the demo federation).
//
// The demo's nodes are States' nodes with no secretariat (no `assistance.secretariat` and no
// `assistance.secretariat_node` in their config), so each keeps its own postings: on A
// (fr.central) A's officer posts a need and an offer of one topic, is refused a period that
// ends before it begins (the typed error the API returns), filters the list, finds no offer
// for the need (A's own offer is not a candidate: a State does not assist itself), sees the
// summary, and withdraws the offer; B's (hu.poc) offer of the same topic is not seen at A; an
// auditor reads the screen without the form. Matching across States and engagements need a
// secretariat's node, which the demo lacks: this test starts one of its own beside the
// federation (`concord init`, a directory of its own, `[assistance] secretariat = true`), where
// an officer posts needs and offers for several States, sees the offers ranked for a need with
// their reasons, engages the best, records its delivery and evaluation (the revision counted by
// the secretariat), is refused a cancellation without a reason and cancels with one, and
// withdraws an offer opened again by that cancellation. Every screen is checked by axe-core.
import { healthy, makeFederation as makeFederationOf, pageSession, startNode, stopNode, until as waitFor } from './federation.mjs';

const topic = 'digital_forensics';

function until(what, probe, timeoutMs = 30_000) {
  return waitFor(what, probe, timeoutMs).catch((e) => {
    throw new Error(`webassist: ${e.message}`);
  });
}

async function openScreen(page) {
  await page.getByRole('link', { name: 'Technical assistance' }).click();
  await page.getByTestId('assistance-scope').waitFor();
}

// Fills the posting form and sends it; `party` only on a secretariat's node.
async function post(page, { kind, languages, from, to, description, party }) {
  const form = page.getByTestId('assistance-post');
  await form.getByLabel('Kind').selectOption(kind);
  await form.getByLabel('Topic').selectOption(topic);
  await form.getByLabel('Languages').fill(languages);
  await form.getByLabel('From').fill(from);
  await form.getByLabel('Until').fill(to);
  if (party !== undefined) await form.getByLabel('For the State').fill(party);
  await form.getByLabel('Description').fill(description);
  await form.getByRole('button', { name: kind === 'need' ? 'Post the need' : 'Post the offer' }).click();
}

// The posting of `description` as the node lists it, once it is there.
async function postingOf(api, description) {
  return until(`the posting "${description}"`, async () => {
    const r = await api('GET', '/api/v1/assistance/postings');
    return JSON.parse(r.text).postings?.find((p) => p.description === description);
  });
}

async function rowStatus(page, id, status) {
  const row = page.getByTestId(`posting-${id}`);
  await row.and(page.locator(`[data-status="${status}"]`)).waitFor();
  return row;
}

// ---- the demo: States' nodes without a secretariat -------------------------------------------

async function onStateNodes({ browser, nodes, enrol, newPage, screen, signIn, check }) {
  const a = nodes['fr.central'];
  const b = nodes['hu.poc'];
  const officer = await enrol(a, 'webassist.officer', ['officer'], 'cooperation');
  const auditor = await enrol(a, 'webassist.auditor', ['auditor'], 'dpo');
  const bOfficer = await enrol(b, 'webassist.hu', ['officer'], 'cooperation');

  // B posts an offer of the topic through its own screen; A must not see it.
  const B = await newPage(browser, 'webassist-b');
  await signIn(B.page, b, bOfficer);
  await openScreen(B.page);
  await post(B.page, {
    kind: 'offer',
    languages: 'hu, en',
    from: '2027-03-01',
    to: '2027-04-30',
    description: 'webassist: forensic lab training offered by HU',
  });
  await B.page.getByTestId('assistance-posted').waitFor();
  const bOffer = await postingOf(pageSession(B.page), 'webassist: forensic lab training offered by HU');
  await rowStatus(B.page, bOffer.id, 'open');

  const A = await newPage(browser, 'webassist-a');
  await signIn(A.page, a, officer);
  await openScreen(A.page);
  const api = pageSession(A.page);
  check(
    (await A.page.getByTestId('assistance-scope').textContent()).includes('(FR)'),
    'webassist: A’s screen says it shows what FR posted',
  );
  await screen(A.page, 'webassist-01-empty');

  // A period that ends before it begins: the node's typed error, shown as such.
  await post(A.page, {
    kind: 'need',
    languages: 'en, fr',
    from: '2027-03-31',
    to: '2027-03-01',
    description: 'webassist: refused need',
  });
  const refusal = A.page.getByTestId('assistance-post-error');
  await refusal.waitFor();
  check(
    (await refusal.getAttribute('data-code')) === 'invalid_argument' &&
      (await refusal.getAttribute('data-reason')) === 'assistance_input',
    `webassist: a reversed period is refused as invalid_argument / assistance_input (${await refusal.getAttribute('data-code')} ${await refusal.getAttribute('data-reason')})`,
  );
  check(
    (await refusal.textContent()).includes('400 invalid_argument') &&
      (await A.page.getByTestId('assistance-post-error-message').getAttribute('lang')) === 'en',
    'webassist: the refusal names its status and code, and the node’s English reason is marked as English',
  );
  await screen(A.page, 'webassist-02-refused');

  // The need and an offer of the same topic.
  await post(A.page, {
    kind: 'need',
    languages: 'en, fr',
    from: '2027-03-01',
    to: '2027-03-31',
    description: 'webassist: FR needs mobile forensics training',
  });
  await A.page.getByTestId('assistance-posted').filter({ hasText: 'The need was posted.' }).waitFor();
  const need = await postingOf(api, 'webassist: FR needs mobile forensics training');
  await rowStatus(A.page, need.id, 'open');
  await post(A.page, {
    kind: 'offer',
    languages: 'fr',
    from: '2027-05-01',
    to: '2027-05-15',
    description: 'webassist: FR offers a drafting workshop',
  });
  await A.page.getByTestId('assistance-posted').filter({ hasText: 'The offer was posted.' }).waitFor();
  const offer = await postingOf(api, 'webassist: FR offers a drafting workshop');
  await rowStatus(A.page, offer.id, 'open');
  check(need.party === 'FR' && offer.party === 'FR' && need.node === '', 'webassist: both are FR’s, recorded on A');
  check((await A.page.getByTestId(`posting-${bOffer.id}`).count()) === 0, 'webassist: B’s offer is not seen at A (no secretariat)');
  const seenAtA = await api('GET', `/api/v1/assistance/postings/${bOffer.id}`);
  check(seenAtA.status === 404, `webassist: A’s node answers 404 for B’s posting (${seenAtA.status})`);

  // The summary counts them.
  const row = A.page.getByTestId(`summary-${topic}`);
  await row.getByTestId('open-needs').filter({ hasText: /^1$/ }).waitFor();
  check((await row.getByTestId('open-offers').textContent()) === '1', 'webassist: the summary has one open need and one open offer');

  // Filters: offers only, then withdrawn only (none yet), then every posting.
  const filters = A.page.getByTestId('assistance-filters');
  await filters.getByLabel('Kind').selectOption('offer');
  await until('the offers-only list', async () => {
    const kinds = await A.page.locator('[data-testid^="posting-"][data-kind]').evaluateAll((rows) => rows.map((r) => r.dataset.kind));
    return kinds.length > 0 && kinds.every((k) => k === 'offer');
  });
  check((await A.page.getByTestId(`posting-${need.id}`).count()) === 0, 'webassist: the kind filter hides the need');
  await filters.getByLabel('Status').selectOption('withdrawn');
  await A.page.getByTestId('assistance-postings-none').waitFor();
  await screen(A.page, 'webassist-03-filtered');
  await filters.getByLabel('Kind').selectOption('any');
  await filters.getByLabel('Status').selectOption('any');
  await filters.getByLabel('Topic').selectOption(topic);
  await A.page.getByTestId(`posting-${need.id}`).waitFor();

  // No candidate for the need: A's own offer is not one.
  await A.page.getByTestId(`posting-${need.id}`).getByRole('button', { name: 'Find offers' }).click();
  await A.page.getByTestId('assistance-matches-none').waitFor();
  const matches = JSON.parse((await api('GET', `/api/v1/assistance/needs/${need.id}/matches`)).text);
  check((matches.candidates ?? []).length === 0, 'webassist: the node ranks no offer for the need either');
  await screen(A.page, 'webassist-04-no-match');
  await A.page.getByTestId('assistance-matches').getByRole('button', { name: 'Close' }).click();

  // Withdrawing the offer: asked first, then final.
  const offerRow = A.page.getByTestId(`posting-${offer.id}`);
  check(
    (await A.page.getByTestId(`posting-${need.id}`).getByRole('button', { name: 'Withdraw', exact: true }).count()) === 1,
    'webassist: an open posting of one’s own can be withdrawn',
  );
  await offerRow.getByRole('button', { name: 'Withdraw', exact: true }).click();
  await offerRow.getByRole('button', { name: 'Withdraw for good' }).waitFor();
  await screen(A.page, 'webassist-05-withdraw-confirm');
  await offerRow.getByRole('button', { name: 'Withdraw for good' }).click();
  await rowStatus(A.page, offer.id, 'withdrawn');
  check((await offerRow.getByRole('button', { name: 'Withdraw', exact: true }).count()) === 0, 'webassist: a withdrawn posting offers no withdrawal');
  const withdrawn = JSON.parse((await api('GET', `/api/v1/assistance/postings/${offer.id}`)).text);
  check(withdrawn.status === 'withdrawn', `webassist: the node holds the offer withdrawn (${withdrawn.status})`);
  await row.getByTestId('open-offers').filter({ hasText: /^0$/ }).waitFor();
  check((await A.page.getByTestId('assistance-engagements-none').count()) === 1, 'webassist: A has no engagement');
  await screen(A.page, 'webassist-06-withdrawn');

  // An auditor reads the screen, without the form or any button that changes something.
  const D = await newPage(browser, 'webassist-auditor');
  await signIn(D.page, a, auditor);
  await openScreen(D.page);
  await D.page.getByTestId(`posting-${need.id}`).waitFor();
  check((await D.page.getByTestId('assistance-post').count()) === 0, 'webassist: the auditor gets no posting form');
  check(
    (await D.page.getByTestId(`posting-${need.id}`).getByRole('button', { name: 'Withdraw', exact: true }).count()) === 0,
    'webassist: the auditor gets no withdrawal',
  );
  await screen(D.page, 'webassist-07-auditor');

  // The screen in Arabic.
  await A.page.getByTestId('language').selectOption('ar');
  await A.page.getByRole('heading', { name: 'المساعدة التقنية', level: 1 }).waitFor();
  check((await A.page.locator('html').getAttribute('dir')) === 'rtl', 'webassist: the Arabic screen is laid out right to left');
  await screen(A.page, 'webassist-08-arabic');
  await A.page.getByTestId('language').selectOption('en');
  for (const p of [A, B, D]) await p.context.close();
}

// ---- a secretariat's node and a State's node attached to it, of the test's own --------------

// A federation of two: un.secretariat (party UN, `assistance.secretariat = true`) and fr.state
// (party FR, `assistance.secretariat_node = "un.secretariat"`), made with the command line as an
// operator would, under a directory key of their own. fr.state retries deliveries quickly, so a
// step held back while the secretariat is down goes through soon after it is back.
function makeFederation({ concord, basePort, work }) {
  return makeFederationOf({
    concord,
    basePort,
    work,
    name: 'assistance-federation',
    offset: 50,
    parties: [
      ['UN', 'Treaty secretariat', 'en'],
      ['FR', 'France', 'fr', 'en'],
    ],
    nodes: [
      { id: 'un.secretariat', party: 'UN', extra: '\n[assistance]\nsecretariat = true\n' },
      {
        id: 'fr.state',
        party: 'FR',
        extra: '\n[assistance]\nsecretariat_node = "un.secretariat"\n\n[delivery]\ninitial_backoff = "250ms"\nmax_backoff = "2s"\n',
      },
    ],
  });
}

async function onSecretariat(ctx, s) {
  const { browser, enrol, newPage, screen, signIn, check } = ctx;
  const officer = await enrol(s, 'webassist.secretariat', ['officer'], 'secretariat');
  const S = await newPage(browser, 'webassist-secretariat');
  await signIn(S.page, s, officer);
  await openScreen(S.page);
  const api = pageSession(S.page);
  check(
    (await S.page.getByTestId('assistance-scope').textContent()).includes('secretariat'),
    'webassist: the secretariat’s screen says it sees every State',
  );
  check(
    (await S.page.getByRole('heading', { name: /The secretariat’s overview/ }).count()) === 1,
    'webassist: the summary is the secretariat’s overview',
  );

  // Needs and offers recorded for three States.
  const postings = [
    { kind: 'need', party: 'HU', languages: 'hu, en', from: '2027-05-01', to: '2027-05-31', description: 'webassist: HU needs forensic training' },
    { kind: 'offer', party: 'FR', languages: 'en, fr', from: '2027-05-10', to: '2027-06-30', description: 'webassist: FR offers forensic training' },
    { kind: 'offer', party: 'DE', languages: 'de', from: '2027-08-01', to: '2027-08-31', description: 'webassist: DE offers a forensic lab visit' },
    { kind: 'need', party: 'EE', languages: 'de', from: '2027-08-01', to: '2027-08-31', description: 'webassist: EE needs a lab visit' },
  ];
  const ids = {};
  for (const p of postings) {
    await post(S.page, p);
    const recorded = await postingOf(api, p.description);
    await rowStatus(S.page, recorded.id, 'open');
    check(recorded.party === p.party, `webassist: the secretariat records a ${p.kind} for ${p.party}`);
    ids[p.description] = recorded.id;
  }
  const huNeed = ids['webassist: HU needs forensic training'];
  const frOffer = ids['webassist: FR offers forensic training'];
  const deOffer = ids['webassist: DE offers a forensic lab visit'];
  const eeNeed = ids['webassist: EE needs a lab visit'];
  await screen(S.page, 'webassist-10-secretariat-postings');

  // The offers ranked for HU's need, as the node ranks them, with their reasons.
  await S.page.getByTestId(`posting-${huNeed}`).getByRole('button', { name: 'Find offers' }).click();
  const panel = S.page.getByTestId('assistance-matches');
  await panel.getByTestId(`candidate-${frOffer}`).waitFor();
  const ranked = JSON.parse((await api('GET', `/api/v1/assistance/needs/${huNeed}/matches`)).text).candidates;
  const shown = await panel.locator('[data-testid^="candidate-"][data-score]').evaluateAll((els) =>
    els.map((e) => ({ id: e.dataset.testid.slice('candidate-'.length), score: Number(e.dataset.score) })),
  );
  check(
    JSON.stringify(shown) === JSON.stringify(ranked.map((c) => ({ id: c.offer.id, score: c.score }))),
    `webassist: the screen ranks the offers as the node does (${JSON.stringify(shown)})`,
  );
  // FR: topic 50 + shared language 30 + 20 × 22/31 days (rounded down) = 94; DE: 50.
  check(shown[0]?.id === frOffer && shown[0]?.score === 94 && shown[1]?.id === deOffer && shown[1]?.score === 50, 'webassist: FR’s offer first (94), DE’s next (50)');
  const reasons = await panel.getByTestId(`candidate-${frOffer}`).getByTestId('candidate-reasons').textContent();
  check(
    reasons.includes('Shared languages') && reasons.includes('covers 22 days of the need’s 31 days'),
    `webassist: the reasons name the shared languages and the days covered (${reasons})`,
  );
  check(
    (await panel.getByTestId(`candidate-${deOffer}`).getByTestId('candidate-reasons').textContent()).includes('do not overlap'),
    'webassist: DE’s offer is said not to overlap',
  );
  await screen(S.page, 'webassist-11-matches');

  // Engaging FR's offer: both postings matched, the engagement agreed at revision 1.
  await panel.getByTestId(`candidate-${frOffer}`).getByRole('button', { name: 'Engage this offer' }).click();
  await panel.getByTestId('assistance-engaged').waitFor();
  await rowStatus(S.page, huNeed, 'matched');
  await rowStatus(S.page, frOffer, 'matched');
  const engagement = await until('the engagement', async () => {
    const list = JSON.parse((await api('GET', '/api/v1/assistance/engagements')).text).engagements ?? [];
    return list.find((e) => e.need === huNeed);
  });
  check(
    engagement.offer === frOffer && engagement.beneficiary === 'HU' && engagement.provider === 'FR' && engagement.state === 'agreed',
    'webassist: the engagement is agreed, HU the beneficiary and FR the provider',
  );
  const card = S.page.getByTestId(`engagement-${engagement.id}`);
  await card.and(S.page.locator('[data-state="agreed"]')).waitFor();
  check((await card.getByTestId('engagement-revision').textContent()) === '1', 'webassist: the agreed engagement is at revision 1');
  check((await card.getByRole('button', { name: 'Record the evaluation' }).count()) === 0, 'webassist: no evaluation before delivery');
  check(
    (await panel.getByTestId(`candidate-${deOffer}`).getByRole('button', { name: 'Engage this offer' }).count()) === 0,
    'webassist: a matched need offers no further engagement',
  );
  await screen(S.page, 'webassist-12-engaged');
  await panel.getByRole('button', { name: 'Close' }).click();

  // Delivered, then evaluated: each step counted by the secretariat.
  await card.getByRole('button', { name: 'Record delivery' }).click();
  await card.and(S.page.locator('[data-state="delivered"][data-revision="2"]')).waitFor();
  await screen(S.page, 'webassist-13-delivered');
  await card.getByLabel('Score (1 to 5)').selectOption('4');
  await card.getByLabel('Comment').fill('webassist: useful, well prepared');
  await card.getByRole('button', { name: 'Record the evaluation' }).click();
  await card.and(S.page.locator('[data-state="evaluated"][data-revision="3"]')).waitFor();
  check(
    (await card.getByTestId('engagement-evaluation').textContent()).includes('4 of 5'),
    'webassist: the evaluation shows its score',
  );
  check((await card.getByRole('button').count()) === 0, 'webassist: an evaluated engagement offers no step');
  const evaluated = JSON.parse((await api('GET', `/api/v1/assistance/engagements/${engagement.id}`)).text);
  check(
    evaluated.state === 'evaluated' && evaluated.revision === 3 && evaluated.evaluation?.score === 4,
    `webassist: the node holds it evaluated, score 4, revision 3 (${evaluated.state} ${evaluated.revision})`,
  );
  await screen(S.page, 'webassist-14-evaluated');

  // EE's need engages DE's offer; cancelling without a reason is refused, with one it is done.
  await S.page.getByTestId(`posting-${eeNeed}`).getByRole('button', { name: 'Find offers' }).click();
  await panel.getByTestId(`candidate-${deOffer}`).getByRole('button', { name: 'Engage this offer' }).click();
  await panel.getByTestId('assistance-engaged').waitFor();
  await panel.getByRole('button', { name: 'Close' }).click();
  const second = await until('the second engagement', async () => {
    const list = JSON.parse((await api('GET', '/api/v1/assistance/engagements')).text).engagements ?? [];
    return list.find((e) => e.need === eeNeed);
  });
  const card2 = S.page.getByTestId(`engagement-${second.id}`);
  await card2.getByRole('button', { name: 'Cancel the engagement' }).click();
  const stepError = card2.getByTestId('engagement-error');
  await stepError.waitFor();
  check(
    (await stepError.getAttribute('data-reason')) === 'assistance_input',
    `webassist: a cancellation without a reason is refused (${await stepError.getAttribute('data-code')} ${await stepError.getAttribute('data-reason')})`,
  );
  await screen(S.page, 'webassist-15-cancel-refused');
  await card2.getByLabel('Reason for cancelling').fill('webassist: the dates no longer suit EE');
  await card2.getByRole('button', { name: 'Cancel the engagement' }).click();
  await card2.and(S.page.locator('[data-state="cancelled"]')).waitFor();
  check(
    (await card2.getByTestId('engagement-cancel-reason').textContent()) === 'webassist: the dates no longer suit EE',
    'webassist: the cancelled engagement shows its reason',
  );
  await rowStatus(S.page, eeNeed, 'open');
  const deRow = await rowStatus(S.page, deOffer, 'open');

  // DE's offer, open again, is withdrawn.
  await deRow.getByRole('button', { name: 'Withdraw', exact: true }).click();
  await deRow.getByRole('button', { name: 'Withdraw for good' }).click();
  await rowStatus(S.page, deOffer, 'withdrawn');

  // The overview: two engagements of the topic, one evaluated (mean 4.0), one cancelled.
  const summary = S.page.getByTestId(`summary-${topic}`);
  await summary.getByTestId('engagement-count').filter({ hasText: /^2$/ }).waitFor();
  check((await summary.getByTestId('mean-score').textContent()) === '4.0', 'webassist: the overview gives the mean score 4.0');
  const totals = JSON.parse((await api('GET', '/api/v1/assistance/summary')).text);
  const fromNode = totals.topics.find((r) => r.topic === topic);
  check(
    fromNode.engagements === 2 && fromNode.evaluations === 1 && fromNode.score_total === 4 && fromNode.open_needs === 1 &&
      totals.engagements_by_state.evaluated === 1 && totals.engagements_by_state.cancelled === 1,
    `webassist: the node’s summary agrees (${JSON.stringify(fromNode)})`,
  );
  await screen(S.page, 'webassist-16-overview');
  await S.page.getByTestId('language').selectOption('ar');
  await S.page.getByRole('heading', { name: 'المساعدة التقنية', level: 1 }).waitFor();
  await screen(S.page, 'webassist-17-overview-arabic');
  await S.page.getByTestId('language').selectOption('en');
  await S.page.getByRole('heading', { name: 'Technical assistance', level: 1 }).waitFor();
  return S;
}

// fr.state's officer offers help; the offer reaches the secretariat, whose officer engages it for
// HU's need; the engagement reaches fr.state. With the secretariat's node stopped, fr.state's
// officer records the delivery: the engagement awaits the secretariat, a page opened afresh
// shows it from the node's word, and the node refuses a next step. The secretariat back, its revision 2
// arrives and the wait ends; the evaluation waits for revision 3 the same way.
async function onAttachedState(ctx, S, fed, secretariatProc, restart) {
  const { browser, call, enrol, newPage, screen, signIn, check } = ctx;
  const f = fed['fr.state'].node;
  const s = fed['un.secretariat'].node;
  const officer = await enrol(f, 'webassist.state', ['officer'], 'cooperation');
  const F = await newPage(browser, 'webassist-state');
  await signIn(F.page, f, officer);
  await openScreen(F.page);
  const apiF = pageSession(F.page);
  const apiS = pageSession(S.page);
  const description = 'webassist: fr.state offers incident response training';
  await post(F.page, { kind: 'offer', languages: 'en', from: '2027-09-01', to: '2027-09-30', description });
  const offer = await postingOf(apiF, description);
  const atSecretariat = await until('fr.state’s offer at the secretariat', async () => {
    const r = await apiS('GET', `/api/v1/assistance/postings/${offer.id}`);
    return r.status === 200 && JSON.parse(r.text);
  });
  check(
    atSecretariat.party === 'FR' && atSecretariat.node === 'fr.state',
    `webassist: the secretariat holds fr.state’s offer for FR, sent by fr.state (${atSecretariat.party} ${atSecretariat.node})`,
  );

  // The secretariat records HU's need and engages fr.state's offer.
  await S.page.reload();
  await S.page.getByTestId(`posting-${offer.id}`).waitFor();
  check(
    (await S.page.getByTestId(`posting-${offer.id}`).textContent()).includes('fr.state') &&
      (await S.page.getByTestId(`posting-${offer.id}`).getByRole('button', { name: 'Withdraw', exact: true }).count()) === 0,
    'webassist: the secretariat’s list names fr.state as the sender and offers no withdrawal of its posting',
  );
  const needText = 'webassist: HU needs incident response training';
  await post(S.page, { kind: 'need', party: 'HU', languages: 'en, hu', from: '2027-09-01', to: '2027-09-30', description: needText });
  const need = await postingOf(apiS, needText);
  await S.page.getByTestId(`posting-${need.id}`).getByRole('button', { name: 'Find offers' }).click();
  const panel = S.page.getByTestId('assistance-matches');
  await panel.getByTestId(`candidate-${offer.id}`).getByRole('button', { name: 'Engage this offer' }).click();
  await panel.getByTestId('assistance-engaged').waitFor();
  await panel.getByRole('button', { name: 'Close' }).click();

  // The engagement reaches fr.state at revision 1, with HU's need sent by the secretariat.
  const engagement = await until('the engagement at fr.state', async () => {
    const list = JSON.parse((await apiF('GET', '/api/v1/assistance/engagements')).text).engagements ?? [];
    return list.find((e) => e.offer === offer.id);
  });
  check(engagement.revision === 1 && engagement.state === 'agreed', `webassist: fr.state holds the engagement agreed at revision 1 (${engagement.state} ${engagement.revision})`);
  await F.page.reload();
  const card = F.page.getByTestId(`engagement-${engagement.id}`);
  await card.and(F.page.locator('[data-state="agreed"][data-revision="1"][data-awaiting="false"]')).waitFor();
  await F.page.getByTestId(`posting-${need.id}`).waitFor();
  check(
    (await F.page.getByTestId(`posting-${need.id}`).textContent()).includes('un.secretariat'),
    'webassist: fr.state sees HU’s need of the engagement, sent by the secretariat',
  );
  await rowStatus(F.page, offer.id, 'matched');
  await screen(F.page, 'webassist-20-state-engaged');

  // The secretariat's node stops; fr.state records the delivery, which waits for it.
  await stopNode(secretariatProc);
  await card.getByRole('button', { name: 'Record delivery' }).click();
  await card.and(F.page.locator('[data-state="delivered"][data-awaiting="true"]')).waitFor();
  check((await card.getByTestId('engagement-awaiting').count()) === 1, 'webassist: the delivered engagement is shown awaiting the secretariat');
  check((await card.getByRole('button').count()) === 0, 'webassist: an engagement awaiting the secretariat offers no step');
  check((await card.getByTestId('engagement-revision').textContent()) === '1', 'webassist: it keeps the revision it was sent (1)');
  await screen(F.page, 'webassist-21-awaiting');

  // Opened afresh, the page has the node's word (`awaiting`): the wait is shown with no step,
  // and a step forced through the API is refused by the node.
  await F.page.reload();
  await card.and(F.page.locator('[data-state="delivered"][data-awaiting="true"]')).waitFor();
  check((await card.getByTestId('engagement-awaiting').count()) === 1, 'webassist: a page opened afresh shows the wait, from the node’s word');
  check((await card.getByRole('button').count()) === 0, 'webassist: and offers no step');
  const forced = await apiF('POST', `/api/v1/assistance/engagements/${engagement.id}/steps`, { step: 'cancel', comment: 'webassist: should wait' });
  check(
    forced.status >= 400 && forced.text.includes('waits for the secretariat'),
    `webassist: the node refuses a step while the engagement waits (${forced.status} ${forced.text})`,
  );
  await screen(F.page, 'webassist-22-awaiting-refused');

  // The secretariat back: its revision 2 reaches fr.state and the wait is over.
  const back = restart();
  await healthy(call, s, back);
  await until('revision 2 at fr.state', async () => {
    const r = JSON.parse((await apiF('GET', `/api/v1/assistance/engagements/${engagement.id}`)).text);
    return r.revision === 2 && r.state === 'delivered';
  }, 60_000);
  await F.page.reload();
  await card.and(F.page.locator('[data-state="delivered"][data-revision="2"][data-awaiting="false"]')).waitFor();
  check((await card.getByRole('button', { name: 'Record the evaluation' }).count()) === 1, 'webassist: with the secretariat’s answer the evaluation is offered');
  await card.getByLabel('Score (1 to 5)').selectOption('5');
  await card.getByRole('button', { name: 'Record the evaluation' }).click();
  await card.and(F.page.locator('[data-state="evaluated"]')).waitFor();
  await until('revision 3 at fr.state', async () => {
    const r = JSON.parse((await apiF('GET', `/api/v1/assistance/engagements/${engagement.id}`)).text);
    return r.revision === 3 && r.state === 'evaluated';
  }, 60_000);
  const atS = JSON.parse((await apiS('GET', `/api/v1/assistance/engagements/${engagement.id}`)).text);
  check(atS.state === 'evaluated' && atS.revision === 3 && atS.evaluation?.score === 5, `webassist: the secretariat holds it evaluated, score 5, revision 3 (${atS.state} ${atS.revision})`);
  await F.page.reload();
  await card.and(F.page.locator('[data-state="evaluated"][data-revision="3"][data-awaiting="false"]')).waitFor();
  await screen(F.page, 'webassist-23-state-evaluated');
  await F.context.close();
  return back;
}

export async function run(ctx) {
  const { nodes, check, call, concord, concordd, basePort, work } = ctx;
  if (!check(nodes['fr.central'] && nodes['hu.poc'], 'webassist: the demo has fr.central and hu.poc')) return;
  await onStateNodes(ctx);
  if (!check(Boolean(concord && concordd && basePort && work), 'webassist: the binaries and a folder for a secretariat’s node are known')) return;
  const fed = makeFederation({ concord, basePort, work });
  const running = {};
  const start = (id) => (running[id] = startNode(concordd, fed[id].dir));
  try {
    for (const id of ['un.secretariat', 'fr.state']) start(id);
    for (const id of ['un.secretariat', 'fr.state']) await healthy(call, fed[id].node, running[id]);
    const S = await onSecretariat(ctx, fed['un.secretariat'].node);
    await onAttachedState(ctx, S, fed, running['un.secretariat'], () => start('un.secretariat'));
    await S.context.close();
  } finally {
    for (const proc of Object.values(running)) await stopNode(proc);
  }
}
