import { describe, expect, it } from 'vitest';

import { ApiError } from '../api/client';
import {
  type LegalHold,
  afterHold,
  holdInForce,
  holdRefusalOf,
  kMaxReasonBytes,
  mayHold,
  reasonProblem,
  utf8Bytes,
} from './Holds';

describe('legal holds', () => {
  it('offers placing and lifting to the roles holding case.edit only', () => {
    expect(mayHold({ roles: ['officer'] })).toBe(true);
    expect(mayHold({ roles: ['duty_officer'] })).toBe(true);
    expect(mayHold({ roles: ['approver', 'officer'] })).toBe(true);
    for (const role of ['approver', 'responder', 'auditor', 'statistician', 'administrator']) {
      expect(mayHold({ roles: [role] })).toBe(false);
    }
    expect(mayHold({ roles: [] })).toBe(false);
  });

  it('finds the hold in force, if any', () => {
    const lifted: LegalHold = { hold: 'a', in_force: false, lifted: '2027-01-02T00:00:00Z', lifted_by: 'user:x' };
    const current: LegalHold = { hold: 'b', in_force: true };
    expect(holdInForce([lifted, current])?.hold).toBe('b');
    expect(holdInForce([lifted])).toBeUndefined();
    expect(holdInForce([])).toBeUndefined();
  });

  it('counts a reason in bytes of UTF-8 as the node does, 1 to 500 of them', () => {
    expect(utf8Bytes('trial')).toBe(5);
    expect(utf8Bytes('é')).toBe(2);
    expect(utf8Bytes('€')).toBe(3);
    expect(utf8Bytes('😀')).toBe(4);
    expect(reasonProblem('')).toBe('required');
    expect(reasonProblem('  \n ')).toBe('required');
    expect(reasonProblem('trial 12/2027 pending')).toBe('');
    expect(reasonProblem('a'.repeat(kMaxReasonBytes))).toBe('');
    expect(reasonProblem('a'.repeat(kMaxReasonBytes + 1))).toBe('too_long');
    // 167 euro signs are 501 bytes though 167 characters: the bytes count.
    expect(reasonProblem('€'.repeat(166))).toBe('');
    expect(reasonProblem('€'.repeat(167))).toBe('too_long');
    // Spaces around the reason are not sent, so they do not count.
    expect(reasonProblem(' ' + 'a'.repeat(kMaxReasonBytes) + ' ')).toBe('');
  });

  it('reads the node’s refusals as the API types them', () => {
    const inForce = holdRefusalOf(new ApiError(409, 'already_exists', 'case X is under a legal hold already'));
    expect(inForce).toEqual({
      status: 409,
      code: 'already_exists',
      reason: 'in_force',
      message: 'case X is under a legal hold already',
    });
    const noneInForce = new ApiError(404, 'not_found', 'case X has no legal hold in force', 'no_hold_in_force');
    expect(holdRefusalOf(noneInForce)?.reason).toBe('none_in_force');
    // Read from the node's typed reason, not from its English message.
    expect(holdRefusalOf(new ApiError(404, 'not_found', 'case X has no legal hold in force'))?.reason).toBe('');
    expect(holdRefusalOf(new ApiError(404, 'not_found', 'no such case'))?.reason).toBe('');
    expect(
      holdRefusalOf(new ApiError(400, 'invalid_argument', 'a legal hold needs a reason of 1 to 500 bytes of UTF-8'))
        ?.reason,
    ).toBe('reason');
    expect(holdRefusalOf(new ApiError(403, 'permission_denied', 'denied'))?.reason).toBe('denied');
    expect(holdRefusalOf(new ApiError(500, 'internal', 'boom'))?.reason).toBe('');
    expect(holdRefusalOf(new Error('network down'))).toBeUndefined();
  });

  it('after a call, focuses the status that says what was done, or the refusal, never nothing', () => {
    // Done: the status says so and takes the focus; the list and the packages are read again.
    expect(afterHold('placed')).toEqual({ said: 'placed', focus: 'status', reread: true });
    expect(afterHold('lifted')).toEqual({ said: 'lifted', focus: 'status', reread: true });
    // Refused because the page was behind: the alert takes the focus and the list is read again.
    const inForce = new ApiError(409, 'already_exists', 'case X is under a legal hold already');
    expect(afterHold('placed', { err: inForce })).toEqual({ said: '', focus: 'alert', reread: true });
    const noneInForce = new ApiError(404, 'not_found', 'case X has no legal hold in force', 'no_hold_in_force');
    expect(afterHold('lifted', { err: noneInForce })).toEqual({ said: '', focus: 'alert', reread: true });
    // Other refusals and failures: the alert, with nothing read again.
    for (const err of [
      new ApiError(403, 'permission_denied', 'denied'),
      new ApiError(400, 'invalid_argument', 'a legal hold needs a reason of 1 to 500 bytes of UTF-8'),
      new ApiError(500, 'internal', 'boom'),
      new Error('network down'),
      undefined,
    ]) {
      expect(afterHold('placed', { err })).toEqual({ said: '', focus: 'alert', reread: false });
    }
    // The session ended: the sign-in screen takes the page.
    expect(afterHold('lifted', { err: new ApiError(401, 'unauthenticated', 'no session') })).toEqual({
      said: '',
      focus: 'none',
      reread: false,
    });
  });
});
