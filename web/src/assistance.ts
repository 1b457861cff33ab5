// Technical assistance (docs/assistance.md) as the screen needs it, pure so it can be tested
// without a browser: who may read and post, the query of the postings list, the languages typed
// in the form, a posting's period in days, which postings may be withdrawn, which steps an
// engagement offers, when a State's engagement waits for the secretariat, and the node's
// refusals read as the typed errors the API returns.
import { ApiError, type Schemas } from './api/client';

export type Posting = Schemas['AssistancePosting'];
export type Candidate = Schemas['AssistanceCandidate'];
export type Engagement = Schemas['AssistanceEngagement'];
export type EngagementState = Engagement['state'];
export type Step = 'deliver' | 'evaluate' | 'cancel';

/** Roles whose default policy allows `assistance.read` (docs/permissions.md). */
const readers = ['officer', 'approver', 'duty_officer', 'auditor', 'statistician', 'administrator'];
/** Roles whose default policy allows `assistance.manage`. */
const managers = ['officer', 'approver'];

/** Whether the screen is offered to someone with `roles` (the node decides each call again). */
export function readsAssistance(roles: readonly string[]): boolean {
  return roles.some((r) => readers.includes(r));
}

/** Whether posting, withdrawing, engaging and stepping are offered to `roles`. */
export function managesAssistance(roles: readonly string[]): boolean {
  return roles.some((r) => managers.includes(r));
}

export interface PostingFilter {
  kind: 'need' | 'offer' | 'any';
  status: 'open' | 'matched' | 'withdrawn' | 'any';
  /** A topic of GET /api/v1/assistance/topics, or `any`. */
  topic: string;
}

export const anyPosting: PostingFilter = { kind: 'any', status: 'any', topic: 'any' };

/** The query of GET /api/v1/assistance/postings for `filter` (`any` is the node's default). */
export function postingQuery(filter: PostingFilter): string {
  const q = new URLSearchParams();
  if (filter.kind !== 'any') q.set('kind', filter.kind);
  if (filter.status !== 'any') q.set('status', filter.status);
  if (filter.topic && filter.topic !== 'any') q.set('topic', filter.topic);
  const text = q.toString();
  return text ? '?' + text : '';
}

/**
 * The language codes typed in the form: separated by commas, spaces or semicolons, trimmed and
 * lower-cased, each once in the order first given. Nothing else is checked here: the node
 * refuses a code that is not ISO 639-1 (`assistance_input`), and the screen shows its answer.
 */
export function parseLanguages(text: string): string[] {
  const seen: string[] = [];
  for (const part of text.split(/[\s,;、，]+/)) {
    const code = part.trim().toLowerCase();
    if (code && !seen.includes(code)) seen.push(code);
  }
  return seen;
}

/** Days from `from` to `to` (YYYY-MM-DD), both counted; 0 for dates that do not parse or a reversed period. */
export function periodDays(from: string, to: string): number {
  const day = (d: string) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
    return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000 : NaN;
  };
  const days = day(to) - day(from) + 1;
  return Number.isFinite(days) && days > 0 ? days : 0;
}

/**
 * Whether this node would withdraw `p` for its caller: an open posting recorded here (not one
 * another node sent: that node withdraws it), of the node's own party unless the node is a
 * secretariat's, which withdraws any it recorded.
 */
export function canWithdraw(p: Posting, party: string, secretariat: boolean): boolean {
  return p.status === 'open' && p.node === '' && (secretariat || p.party === party);
}

/** The steps the lifecycle allows from `state`: agreed → delivered → evaluated, or cancelled. */
export function stepsFrom(state: EngagementState): Step[] {
  switch (state) {
    case 'agreed':
      return ['deliver', 'cancel'];
    case 'delivered':
      return ['evaluate', 'cancel'];
    default:
      return [];
  }
}

/** The stages of an engagement in order, and how far `state` has come (-1 if cancelled). */
export const stages: EngagementState[] = ['agreed', 'delivered', 'evaluated'];
export function stageReached(state: EngagementState): number {
  return stages.indexOf(state);
}

/** The API's refusal of a step while the engagement waits for the secretariat's node (reason `awaiting_secretariat`). */
export function isAwaitingRefusal(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'invalid_argument' && err.reason === 'awaiting_secretariat';
}

/** A refusal as the API typed it: HTTP status, error code, its reason in the UI's terms (`assistance_input`, or `assistance_wrong_state` for any step the state does not allow) and the node's text. */
export interface Refusal {
  status: number;
  code: string;
  reason: string;
  message: string;
}

const reasons = ['assistance_input', 'assistance_wrong_state'];

/** The typed error of a failed call, or undefined for a failure that is not the node's answer. */
export function refusalOf(err: unknown): Refusal | undefined {
  if (!(err instanceof ApiError)) return undefined;
  const reason =
    err.reason === 'awaiting_secretariat' ? 'assistance_wrong_state' : reasons.includes(err.reason) ? err.reason : '';
  return { status: err.status, code: err.code, reason, message: err.message };
}

/** The mean score of a topic's evaluations, or undefined without any. */
export function meanScore(scoreTotal: number | undefined, evaluations: number | undefined): number | undefined {
  return evaluations && evaluations > 0 ? (scoreTotal ?? 0) / evaluations : undefined;
}

/** A candidate's score explained: the 50 of the topic, the 30 of a shared language and the rest for the period (docs/assistance.md "Matching"). */
export function scoreParts(c: Candidate): { topic: number; language: number; period: number } {
  const language = c.shared_languages.length > 0 ? 30 : 0;
  return { topic: 50, language, period: Math.max(0, c.score - 50 - language) };
}
