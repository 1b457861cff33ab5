import { describe, expect, it } from 'vitest';

import { ApiError } from './api/client';
import {
  type Candidate,
  type Posting,
  anyPosting,
  canWithdraw,
  isAwaitingRefusal,
  managesAssistance,
  meanScore,
  parseLanguages,
  periodDays,
  postingQuery,
  readsAssistance,
  refusalOf,
  scoreParts,
  stageReached,
  stepsFrom,
} from './assistance';

function posting(over: Partial<Posting> = {}): Posting {
  return {
    id: 'p1',
    kind: 'need',
    party: 'FR',
    topic: 'digital_forensics',
    languages: ['en'],
    from: '2027-03-01',
    to: '2027-03-31',
    description: 'training',
    status: 'open',
    created: '2027-01-01T00:00:00Z',
    updated: '2027-01-01T00:00:00Z',
    updated_by: 'user:a',
    node: '',
    ...over,
  };
}

describe('who sees the screen', () => {
  it('offers reading to the roles whose policy allows assistance.read, posting to those with assistance.manage', () => {
    for (const r of ['officer', 'approver', 'duty_officer', 'auditor', 'statistician', 'administrator']) {
      expect(readsAssistance([r]), r).toBe(true);
    }
    expect(readsAssistance(['responder'])).toBe(false);
    expect(readsAssistance([])).toBe(false);
    expect(managesAssistance(['officer'])).toBe(true);
    expect(managesAssistance(['approver', 'auditor'])).toBe(true);
    expect(managesAssistance(['duty_officer', 'auditor', 'administrator'])).toBe(false);
  });
});

describe('the postings list', () => {
  it('asks the node only for what the filters narrow', () => {
    expect(postingQuery(anyPosting)).toBe('');
    expect(postingQuery({ kind: 'need', status: 'any', topic: 'any' })).toBe('?kind=need');
    expect(postingQuery({ kind: 'offer', status: 'withdrawn', topic: 'asset_recovery' })).toBe(
      '?kind=offer&status=withdrawn&topic=asset_recovery',
    );
    expect(postingQuery({ kind: 'any', status: 'open', topic: '' })).toBe('?status=open');
  });

  it('withdraws only an open posting recorded here, of its own party unless a secretariat', () => {
    expect(canWithdraw(posting(), 'FR', false)).toBe(true);
    expect(canWithdraw(posting({ status: 'matched' }), 'FR', false)).toBe(false);
    expect(canWithdraw(posting({ status: 'withdrawn' }), 'FR', false)).toBe(false);
    expect(canWithdraw(posting({ party: 'HU' }), 'FR', false)).toBe(false);
    expect(canWithdraw(posting({ party: 'HU' }), 'UN', true)).toBe(true);
    expect(canWithdraw(posting({ node: 'hu.poc', party: 'HU' }), 'UN', true)).toBe(false);
    expect(canWithdraw(posting({ node: 'un.secretariat' }), 'FR', false)).toBe(false);
  });
});

describe('the posting form', () => {
  it('reads languages separated by commas or spaces, lower-cased, each once', () => {
    expect(parseLanguages('en, fr')).toEqual(['en', 'fr']);
    expect(parseLanguages(' EN;fr  es,en ')).toEqual(['en', 'fr', 'es']);
    expect(parseLanguages('')).toEqual([]);
    expect(parseLanguages(' , ')).toEqual([]);
    expect(parseLanguages('eng')).toEqual(['eng']); // the node refuses it, the screen says why
  });

  it('counts a period in days, both ends included, across months and leap years', () => {
    expect(periodDays('2027-03-01', '2027-03-31')).toBe(31);
    expect(periodDays('2027-03-01', '2027-03-01')).toBe(1);
    expect(periodDays('2028-02-28', '2028-03-01')).toBe(3);
    expect(periodDays('2027-12-31', '2028-01-01')).toBe(2);
    expect(periodDays('2027-03-31', '2027-03-01')).toBe(0);
    expect(periodDays('2027-3-1', '2027-03-31')).toBe(0);
  });
});

describe('engagements', () => {
  it('offers the steps the lifecycle allows', () => {
    expect(stepsFrom('agreed')).toEqual(['deliver', 'cancel']);
    expect(stepsFrom('delivered')).toEqual(['evaluate', 'cancel']);
    expect(stepsFrom('evaluated')).toEqual([]);
    expect(stepsFrom('cancelled')).toEqual([]);
    expect(stageReached('agreed')).toBe(0);
    expect(stageReached('evaluated')).toBe(2);
    expect(stageReached('cancelled')).toBe(-1);
  });

  it('recognises the refusal of a step while the engagement waits', () => {
    const waiting = new ApiError(
      400,
      'invalid_argument',
      "assistance_wrong_state: engagement e1 waits for the secretariat's node un.sec to take its last step",
      'awaiting_secretariat',
    );
    expect(isAwaitingRefusal(waiting)).toBe(true);
    expect(refusalOf(waiting)?.reason).toBe('assistance_wrong_state');
    expect(
      isAwaitingRefusal(
        new ApiError(400, 'invalid_argument', 'assistance_wrong_state: engagement e1 is evaluated', 'assistance_wrong_state'),
      ),
    ).toBe(false);
    expect(isAwaitingRefusal(new ApiError(400, 'invalid_argument', waiting.message))).toBe(false);
    expect(isAwaitingRefusal(new Error('waits for the secretariat'))).toBe(false);
  });
});

describe('the node’s refusals', () => {
  it('are read as the typed error the API returns', () => {
    expect(refusalOf(new ApiError(400, 'invalid_argument', 'assistance_input: to is before from', 'assistance_input'))).toEqual({
      status: 400,
      code: 'invalid_argument',
      reason: 'assistance_input',
      message: 'assistance_input: to is before from',
    });
    expect(refusalOf(new ApiError(403, 'permission_denied', 'not allowed'))?.reason).toBe('');
    expect(refusalOf(new ApiError(400, 'invalid_parameter', 'other: x'))?.reason).toBe('');
    expect(refusalOf(new ApiError(400, 'invalid_argument', 'assistance_input: x'))?.reason).toBe('');
    expect(refusalOf(new Error('network'))).toBeUndefined();
  });
});

describe('the summary and the matches', () => {
  it('gives a mean score only where there are evaluations', () => {
    expect(meanScore(9, 2)).toBe(4.5);
    expect(meanScore(0, 0)).toBeUndefined();
    expect(meanScore(undefined, undefined)).toBeUndefined();
  });

  it('splits a candidate’s score into topic, language and period', () => {
    const c = (score: number, shared: string[]): Candidate => ({
      offer: posting({ kind: 'offer', id: 'o', party: 'HU' }),
      score,
      shared_languages: shared,
      overlap_days: 15,
      reasons: [],
    });
    expect(scoreParts(c(89, ['en']))).toEqual({ topic: 50, language: 30, period: 9 });
    expect(scoreParts(c(70, []))).toEqual({ topic: 50, language: 0, period: 20 });
    expect(scoreParts(c(50, []))).toEqual({ topic: 50, language: 0, period: 0 });
  });
});
