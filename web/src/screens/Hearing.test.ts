import { describe, expect, it } from 'vitest';

import { sha256Hex } from '../evidence';
import { zoneOffset, zonedTime } from './Hearing';

describe('hearing times', () => {
  it('writes a wall-clock time with the offset its zone has at that instant', () => {
    expect(zonedTime('2027-07-07T09:30', 'Europe/Paris')).toBe('2027-07-07T09:30:00+02:00');
    expect(zonedTime('2027-01-07T09:30', 'Europe/Paris')).toBe('2027-01-07T09:30:00+01:00');
    expect(zonedTime('2027-04-07T18:05', 'Asia/Kolkata')).toBe('2027-04-07T18:05:00+05:30');
    expect(zonedTime('2027-11-30T08:00:15', 'America/New_York')).toBe('2027-11-30T08:00:15-05:00');
    expect(zonedTime('2027-07-07T09:30', 'UTC')).toBe('2027-07-07T09:30:00+00:00');
  });

  it('moves a time that a clock change skips forward, and refuses what is no date-time', () => {
    // 2027-03-28 02:30 does not exist in Paris: clocks go from 02:00 to 03:00.
    expect(zonedTime('2027-03-28T02:30', 'Europe/Paris')).toBe('2027-03-28T03:30:00+02:00');
    expect(zonedTime('', 'Europe/Paris')).toBeNull();
    expect(zonedTime('2027-07-07', 'Europe/Paris')).toBeNull();
  });

  it('reads the offset of a zone at an instant', () => {
    expect(zoneOffset(Date.UTC(2027, 6, 7, 7, 30), 'Europe/Paris')).toBe(120);
    expect(zoneOffset(Date.UTC(2027, 6, 7, 7, 30), 'America/Los_Angeles')).toBe(-420);
  });

  it('hashes a chosen file as the evidence screen does', async () => {
    expect(await sha256Hex(new Blob(['abc']))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
