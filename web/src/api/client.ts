// The UI's only way to the node: /api/v1 on the page's own origin, with the session cookie
// (HttpOnly, set by POST /api/v1/session) and, on every state-changing call, the session's
// CSRF token. Types come from schema.d.ts, generated from docs/api/openapi.json
// (`npm run api-types`; the drift test fails the build when the two differ).
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Me = Schemas['Me'];
export type Case = Schemas['Case'];
export type CaseView = Schemas['CaseView'];
export type DutyAlert = Schemas['DutyAlert'];
export type MessageDetail = Schemas['MessageDetail'];
export type RequestForm = Schemas['RequestForm'];
export type Finding = Schemas['Finding'];
export type TimelineEvent = NonNullable<CaseView['timeline']>[number];
export type User = Schemas['User'];
export type NewUser = Schemas['NewUser'];
export type Enrolment = Schemas['Enrolment'];
export type Token = Schemas['Token'];
export type Roster = Schemas['Roster'];
export type Shift = Roster['shifts'][number];
export type NodeEntry = Schemas['NodeEntry'];
export type AccessRecord = Schemas['AccessRecord'];
export type Alert = Schemas['Alert'];
export type Deadline = Schemas['Deadline'];
export type PreservationOrder = Schemas['PreservationOrder'];
export type StatisticsReport = Schemas['StatisticsReport'];
export type AssetTotals = Schemas['AssetTotals'];
export type EuArt28Report = Schemas['EuArt28Report'];
export type HearingStatisticsReport = Schemas['HearingStatisticsReport'];
export type Hearing = Schemas['Hearing'];
export type HearingSlot = Schemas['HearingSlot'];
export type AssistancePosting = Schemas['AssistancePosting'];
export type AssistanceEngagement = Schemas['AssistanceEngagement'];
/** The body of POST /api/v1/assistance/needs (and /offers, the same shape). */
export type NewPosting = NonNullable<
  paths['/api/v1/assistance/needs']['post']['requestBody']
>['content']['application/json'];
/** The body of POST /api/v1/assistance/engagements/{id}/steps. */
export type EngagementStep = NonNullable<
  paths['/api/v1/assistance/engagements/{id}/steps']['post']['requestBody']
>['content']['application/json'];

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
/** The JSON body of the 200 or 201 answer of `method` on `path`, as the document states it. */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: infer A }
    ? Json<A>
    : R extends { 201: infer A }
      ? Json<A>
      : never
  : never;

type Accepted<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 202: infer A };
}
  ? Json<A>
  : never;
/** The 202 answer of POST /api/v1/statistics/publications/{id}/submit: the notice and the node it goes to. */
export type SubmitAnswer = Accepted<'/api/v1/statistics/publications/{id}/submit', 'post'>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The refusal named for a client that acts on it (the error body's `reason`); '' when the node gave none. */
    readonly reason: string = '',
  ) {
    super(message);
  }
}

let csrfToken = '';
let lastAnswered = Date.now();

/** When the node last answered a call of this page (each call renews the session's idle time). */
/** The text to show for a failed call; a 401 ends the session instead (and shows nothing). */
export function failureOf(err: unknown, sessionEnded: () => void): string {
  if (err instanceof ApiError && err.status === 401) {
    sessionEnded();
    return '';
  }
  return err instanceof Error ? err.message : String(err);
}

export function lastActivity(): number {
  return lastAnswered;
}

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token ?? '';
}

export async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.ok) lastAnswered = Date.now();
  if (!response.ok) {
    let code = 'http_' + response.status;
    let message = response.statusText;
    let reason = '';
    try {
      const error = (await response.json()) as Schemas['Error'];
      code = error.error?.code ?? code;
      message = error.error?.message ?? message;
      reason = error.error?.reason ?? '';
    } catch {
      // not a JSON error body: keep the status
    }
    throw new ApiError(response.status, code, message, reason);
  }
  return response;
}

export async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body);
  return (await response.json()) as T;
}

export const api = {
  signIn: (login: string, password: string, code: string) =>
    json<Answer<'/api/v1/session', 'post'>>('POST', '/api/v1/session', { login, password, code }),
  me: () => json<Answer<'/api/v1/session', 'get'>>('GET', '/api/v1/session'),
  signOut: () => send('DELETE', '/api/v1/session'),
  node: () => json<Answer<'/api/v1/node', 'get'>>('GET', '/api/v1/node'),
  cases: (direction: string, state: string) => {
    const q = new URLSearchParams();
    if (direction) q.set('direction', direction);
    if (state) q.set('state', state);
    return json<Answer<'/api/v1/cases', 'get'>>('GET', '/api/v1/cases?' + q.toString());
  },
  case: (id: string, lang: string) =>
    json<CaseView>('GET', `/api/v1/cases/${encodeURIComponent(id)}?lang=${lang}`),
  message: (id: string, box: 'inbox' | 'outbox') =>
    json<MessageDetail>('GET', `/api/v1/messages/${encodeURIComponent(id)}?box=${box}`),
  forms: (lang: string) => json<RequestForm[]>('GET', `/api/v1/legal/forms?lang=${lang}`),
  check: (request: object, lang: string) =>
    json<Answer<'/api/v1/legal/check', 'post'>>('POST', `/api/v1/legal/check?lang=${lang}`, request),
  render: (request: object, lang: string) =>
    json<Answer<'/api/v1/legal/render', 'post'>>('POST', `/api/v1/legal/render?lang=${lang}`, request),
  draft: (request: object, peer_node: string, priority: 'normal' | 'emergency') =>
    json<Case>('POST', '/api/v1/cases', { request, peer_node, priority }),
  caseCarriedBy: (message: string) =>
    json<Answer<'/api/v1/cases', 'get'>>('GET', `/api/v1/cases?message=${encodeURIComponent(message)}`),
  step: (id: string, transition: string, reasons?: string, grounds?: string[], details?: object) =>
    json<Case>('POST', `/api/v1/cases/${encodeURIComponent(id)}/transition`, {
      transition,
      ...(reasons ? { reasons } : {}),
      ...(grounds && grounds.length ? { grounds } : {}),
      ...(details ? { details } : {}),
    }),
  approve: (id: string) => json<Case>('POST', `/api/v1/cases/${encodeURIComponent(id)}/approve`),
  returnDraft: (id: string, reasons: string) =>
    json<Case>('POST', `/api/v1/cases/${encodeURIComponent(id)}/return`, { reasons }),
  revise: (id: string, request: object) =>
    json<Case>('PUT', `/api/v1/cases/${encodeURIComponent(id)}/request`, { request }),
  deadlines: (caseId: string) =>
    json<Answer<'/api/v1/deadlines', 'get'>>('GET', `/api/v1/deadlines?case=${encodeURIComponent(caseId)}`),
  dutyAlerts: () => json<Answer<'/api/v1/duty/alerts', 'get'>>('GET', '/api/v1/duty/alerts'),
  acknowledge: (id: string) =>
    json<DutyAlert>('POST', `/api/v1/duty/alerts/${encodeURIComponent(id)}/acknowledge`),
  // The administrator's and the auditor's calls (people, tokens, roster, access records, proofs).
  users: () => json<User[]>('GET', '/api/v1/users'),
  addUser: (user: NewUser) => json<Enrolment>('POST', '/api/v1/users', user),
  disableUser: (login: string) =>
    json<object>('POST', `/api/v1/users/${encodeURIComponent(login)}/disable`),
  resetPassword: (login: string) =>
    json<Enrolment>('POST', `/api/v1/users/${encodeURIComponent(login)}/reset-password`),
  resetTotp: (login: string) =>
    json<Enrolment>('POST', `/api/v1/users/${encodeURIComponent(login)}/reset-2fa`),
  enableUser: (login: string) =>
    json<object>('POST', `/api/v1/users/${encodeURIComponent(login)}/enable`),
  tokens: (owner: 'self' | 'all' = 'self') =>
    json<Token[]>('GET', owner === 'all' ? '/api/v1/tokens?owner=all' : '/api/v1/tokens'),
  createToken: (name: string, roles: string[], lifetime: string) =>
    json<Token>('POST', '/api/v1/tokens', { name, roles, ...(lifetime ? { lifetime } : {}) }),
  revokeToken: (id: string) => send('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`),
  roster: () => json<Roster>('GET', '/api/v1/duty/roster'),
  saveRoster: (shifts: Shift[], revision?: number) =>
    json<Roster>('PUT', '/api/v1/duty/roster', revision === undefined ? { shifts } : { shifts, revision }),
  accessRecords: (filter: { case?: string; actor?: string; before?: number }) => {
    const q = new URLSearchParams();
    if (filter.case) q.set('case', filter.case);
    if (filter.actor) q.set('actor', filter.actor);
    if (filter.before !== undefined) q.set('before', String(filter.before));
    return json<Answer<'/api/v1/access-records', 'get'>>('GET', '/api/v1/access-records?' + q.toString());
  },
  ledgerProof: async (index: number) =>
    (await send('GET', `/api/v1/ledger/proof?index=${index}`)).text(),
  alerts: () => json<Answer<'/api/v1/alerts', 'get'>>('GET', '/api/v1/alerts'),
  preservationQueue: (state: 'queued_for_responder' | 'recorded' | 'confirmed' | 'handled' | 'all') =>
    json<Answer<'/api/v1/preservation/queue', 'get'>>('GET', `/api/v1/preservation/queue?state=${state}`),
  retention: (view: 'kept' | 'shredded') =>
    json<Answer<'/api/v1/retention', 'get'>>('GET', `/api/v1/retention?view=${view}`),
  preservationHandled: (id: string, note: string, reference: string) =>
    json<PreservationOrder>('POST', `/api/v1/preservation/queue/${encodeURIComponent(id)}/handled`, {
      note,
      ...(reference ? { reference } : {}),
    }),
  statistics: (from: string, to: string) =>
    json<StatisticsReport>(
      'GET',
      `/api/v1/statistics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    ),
  assetTotals: (party: string, other: string) =>
    json<AssetTotals>(
      'GET',
      `/api/v1/statistics/assets?party=${encodeURIComponent(party)}&other=${encodeURIComponent(other)}`,
    ),
  euArt28: (from: string, to: string) =>
    json<EuArt28Report>(
      'GET',
      `/api/v1/statistics/eu-art28?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    ),
  hearingStatistics: (from: string, to: string) =>
    json<HearingStatisticsReport>(
      'GET',
      `/api/v1/statistics/hearings?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    ),
  publications: () =>
    json<Answer<'/api/v1/statistics/publications', 'get'>>('GET', '/api/v1/statistics/publications'),
  // A publication document is read as plain JSON: publication.ts checks its shape itself.
  publish: (from: string, to: string) =>
    json<unknown>(
      'POST',
      `/api/v1/statistics/publications?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    ),
  publication: (id: string) =>
    json<unknown>('GET', `/api/v1/statistics/publications/${encodeURIComponent(id)}`),
  // Collection by a secretariat (docs/statistics.md): sending a publication to the secretariat's
  // node, and on that node the reports collected and the totals published. An aggregate
  // publication is read as plain JSON: aggregate.ts checks its shape itself.
  submitPublication: (id: string) =>
    json<SubmitAnswer>(
      'POST',
      `/api/v1/statistics/publications/${encodeURIComponent(id)}/submit`,
    ),
  collected: () => json<Answer<'/api/v1/statistics/collected', 'get'>>('GET', '/api/v1/statistics/collected'),
  publishAggregate: (from: string, to: string) =>
    json<unknown>(
      'POST',
      `/api/v1/statistics/aggregates?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    ),
  aggregates: () => json<Answer<'/api/v1/statistics/aggregates', 'get'>>('GET', '/api/v1/statistics/aggregates'),
  aggregate: (id: string) => json<unknown>('GET', `/api/v1/statistics/aggregates/${encodeURIComponent(id)}`),
  // Technical assistance (docs/assistance.md): needs, offers, matches and engagements.
  assistanceTopics: () =>
    json<Answer<'/api/v1/assistance/topics', 'get'>>('GET', '/api/v1/assistance/topics'),
  assistancePostings: (query: string) =>
    json<Answer<'/api/v1/assistance/postings', 'get'>>('GET', '/api/v1/assistance/postings' + query),
  assistanceSummary: () =>
    json<Answer<'/api/v1/assistance/summary', 'get'>>('GET', '/api/v1/assistance/summary'),
  postAssistance: (kind: 'need' | 'offer', posting: NewPosting) =>
    json<AssistancePosting>('POST', `/api/v1/assistance/${kind === 'need' ? 'needs' : 'offers'}`, posting),
  withdrawAssistance: (id: string) =>
    json<AssistancePosting>('POST', `/api/v1/assistance/postings/${encodeURIComponent(id)}/withdraw`),
  assistanceMatches: (need: string) =>
    json<Answer<'/api/v1/assistance/needs/{id}/matches', 'get'>>(
      'GET',
      `/api/v1/assistance/needs/${encodeURIComponent(need)}/matches`,
    ),
  engagements: () =>
    json<Answer<'/api/v1/assistance/engagements', 'get'>>('GET', '/api/v1/assistance/engagements'),
  engage: (need: string, offer: string) =>
    json<AssistanceEngagement>('POST', '/api/v1/assistance/engagements', { need, offer }),
  stepEngagement: (id: string, step: EngagementStep) =>
    json<AssistanceEngagement>(
      'POST',
      `/api/v1/assistance/engagements/${encodeURIComponent(id)}/steps`,
      step,
    ),
};
