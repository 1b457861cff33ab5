// The browser's check of a secretariat's published total: the sums as the node makes them (keys,
// order, suppressed figures counted in hidden_in, times left out), and a document a node served
// (aggregate.fixture.json) that verifies with that node's directory and is refused, each for its
// own reason, once altered: a total, an input's figure, the aggregate's time, the leaf, a member
// the node does not write, an input twice, the secretariat's node revoked or of another key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  AggregateError,
  type AggregateFailure,
  figuresOf,
  keyOf,
  orderedFigures,
  parseAggregatePublication,
  periodsOf,
  statsRefusalOf,
  sumTable,
  totalsOf,
  verifyAggregatePublication,
} from './aggregate';
import { ApiError } from './api/client';
import type { PublicationDocument } from './publication';
import type { DirectoryNode } from './publication';

const fixture = JSON.parse(readFileSync(join(__dirname, 'aggregate.fixture.json'), 'utf8')) as {
  directory: DirectoryNode[];
  document: Record<string, unknown>;
};
// The fixture's document as loose JSON, to alter freely.
const copy = () => structuredClone(fixture.document) as any;

async function refusal(document: unknown, directory = fixture.directory): Promise<AggregateError> {
  try {
    await verifyAggregatePublication(document, directory);
  } catch (err) {
    expect(err).toBeInstanceOf(AggregateError);
    return err as AggregateError;
  }
  throw new Error('verified');
}

async function refusedFor(code: AggregateFailure, document: unknown, directory = fixture.directory) {
  expect((await refusal(document, directory)).code).toBe(code);
}

describe('sumTable', () => {
  const reports = [
    {
      requests: [
        { requesting_party: 'FR', direction: 'out', requests: 3, open: null, answer_median_ms: 500 },
        { requesting_party: 'DE', direction: 'out', requests: 7, open: 1, answer_median_ms: 10 },
      ],
    },
    {
      requests: [
        { direction: 'out', requesting_party: 'FR', requests: 2, open: null, answer_median_ms: null },
        { direction: 'in', requesting_party: 'FR', requests: null, open: 0 },
      ],
    },
  ];

  it('sums the counts of rows with the same text members, whatever their member order', () => {
    const rows = sumTable(reports, 'requests');
    expect(rows).toHaveLength(3);
    const fr = rows.find((r) => r.direction === 'out' && r.requesting_party === 'FR')!;
    expect(fr.requests).toBe(5);
    expect(fr.open).toBe(0);
    expect(fr.hidden_in).toEqual({ open: 2 });
    expect(rows.find((r) => r.requesting_party === 'DE')).toEqual({
      direction: 'out',
      requesting_party: 'DE',
      requests: 7,
      open: 1,
    });
  });

  it('leaves the times out: percentiles do not add up', () => {
    for (const row of sumTable(reports, 'requests')) expect(Object.keys(row).some((k) => k.endsWith('_ms'))).toBe(false);
  });

  it('orders the rows by their key written as JSON, byte by byte (the node’s std::map)', () => {
    const keys = sumTable(reports, 'requests').map((r) => JSON.stringify(keyOf(r)));
    expect(keys).toEqual([...keys].sort());
    expect(keys[0]).toBe('{"direction":"in","requesting_party":"FR"}');
    // UTF-8 byte order, not UTF-16: U+FF5E sorts before U+1F600 in UTF-16 but after it in bytes.
    const odd = sumTable([{ t: [{ k: '\u{1F600}', n: 1 }, { k: '\uFF5E', n: 1 }] }], 't').map((r) => r.k);
    expect(odd).toEqual(['\uFF5E', '\u{1F600}']);
  });

  it('names the figures of a table, and nothing for a table no report has', () => {
    expect(figuresOf(sumTable(reports, 'requests'))).toEqual(['open', 'requests']);
    expect(sumTable(reports, 'refusals')).toEqual([]);
  });
});

describe('totalsOf', () => {
  const doc = (node: string, from: string): PublicationDocument =>
    ({ node, report: { from, to: '2027-02-01T00:00:00.000Z', requests: [] } }) as unknown as PublicationDocument;

  it('refuses no input, a node twice and periods that differ', () => {
    expect(() => totalsOf([])).toThrow(AggregateError);
    expect(() => totalsOf([doc('a', '2027-01-01T00:00:00.000Z'), doc('a', '2027-01-01T00:00:00.000Z')])).toThrow(
      'two reports of node a',
    );
    expect(() => totalsOf([doc('a', '2027-01-01T00:00:00.000Z'), doc('b', '2027-01-02T00:00:00.000Z')])).toThrow(
      'another period',
    );
    expect(totalsOf([doc('a', '2027-01-01T00:00:00.000Z'), doc('b', '2027-01-01T00:00:00.000Z')]).from).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });
});

describe('periodsOf', () => {
  it('lists each period of the collected reports once, newest first', () => {
    const a = { from: '2027-01-01T00:00:00.000Z', to: '2027-02-01T00:00:00.000Z' };
    const b = { from: '2027-02-01T00:00:00.000Z', to: '2027-03-01T00:00:00.000Z' };
    expect(periodsOf([a, b, a, { ...b }])).toEqual([b, a]);
  });
});

describe('a total a secretariat’s node served (aggregate.fixture.json)', () => {
  it('verifies with the node’s directory, every input with it', async () => {
    const v = await verifyAggregatePublication(copy(), fixture.directory);
    expect(v.document.node).toBe('un.secretariat');
    expect(v.inputs.map((i) => i.document.node).sort()).toEqual(['fr.state', 'hu.state']);
    expect(v.aggregateSha256).toBe(JSON.parse(v.document.leaf).aggregate_sha256);
    expect(v.size).toBeGreaterThan(v.index);
  });

  it('holds HU’s suppressed counts as hidden in one input', () => {
    const document = parseAggregatePublication(copy());
    const incoming = document.aggregate.totals.requests.find((r) => r.direction === 'in')!;
    expect(incoming.requests).toBe(0);
    expect(incoming.hidden_in?.requests).toBe(1);
    const outgoing = document.aggregate.totals.requests.find((r) => r.direction === 'out')!;
    expect(outgoing.requests).toBe(2);
    expect(outgoing.hidden_in).toBeUndefined();
  });

  it('is refused with a total changed', async () => {
    const d = copy();
    d.aggregate.totals.requests[1].requests += 1;
    await refusedFor('totals_differ', d);
  });

  it('is refused with an input’s figure changed, naming the input and its check', async () => {
    const d = copy();
    const i = d.aggregate.inputs.findIndex((p: { node: string }) => p.node === 'fr.state');
    d.aggregate.inputs[i].report.requests[0].requests += 1;
    const err = await refusal(d);
    expect(err.code).toBe('input');
    expect(err.input).toBe(i);
    expect(err.inputFailure).toBe('report_altered');
  });

  it('is refused with the aggregate’s time changed (its SHA-256 is not the leaf’s)', async () => {
    const d = copy();
    d.aggregate.generated = '2020-01-01T00:00:00.000Z';
    await refusedFor('aggregate_altered', d);
  });

  it('is refused with another id or time than its leaf names', async () => {
    const d = copy();
    d.id = '01a24ed4-0000-7000-8000-000000000000';
    await refusedFor('wrong_leaf', d);
    const e = copy();
    e.published = '2020-01-01T00:00:00.000Z';
    await refusedFor('wrong_leaf', e);
  });

  it('is refused holding a member the node does not write', async () => {
    const d = copy();
    d.note = 'unchecked';
    await refusedFor('malformed', d);
    const e = copy();
    e.aggregate.comment = 'unchecked';
    await refusedFor('malformed', e);
  });

  it('is refused with an input twice', async () => {
    const d = copy();
    d.aggregate.inputs.push(structuredClone(d.aggregate.inputs[0]));
    await refusedFor('inputs', d);
  });

  it('is refused when the secretariat’s node is revoked, of another party, or signs with another key', async () => {
    const others = (change: Partial<DirectoryNode>) =>
      fixture.directory.map((n) => (n.id === 'un.secretariat' ? { ...n, ...change } : n));
    await refusedFor('unknown_node', copy(), others({ revoked: true }));
    await refusedFor('unknown_node', copy(), others({ party: 'FR' }));
    const fr = fixture.directory.find((n) => n.id === 'fr.state')!;
    await refusedFor('unproven', copy(), others({ signing_key: fr.signing_key }));
  });

  it('is refused when an input’s node is not in the directory', async () => {
    const err = await refusal(
      copy(),
      fixture.directory.filter((n) => n.id !== 'hu.state'),
    );
    expect(err.code).toBe('input');
    expect(err.inputFailure).toBe('unknown_node');
  });
});

describe('orderedFigures', () => {
  it('gives a table’s figures in the report’s order, unknown ones last by name', () => {
    expect(orderedFigures([{ open: 1, zeta: 1, requests: 2, responded: 0, alpha: 3, hidden_in: { open: 1 } }])).toEqual([
      'requests',
      'responded',
      'open',
      'alpha',
      'zeta',
    ]);
  });
});

describe('statsRefusalOf', () => {
  it('reads the node’s typed refusals of the collection calls', () => {
    const noSecretariat = new ApiError(
      400,
      'invalid_argument',
      "this node sends its reports to no secretariat's node (statistics.secretariat_node)",
      'no_secretariat',
    );
    expect(statsRefusalOf(noSecretariat)).toEqual({
      status: 400,
      code: 'invalid_argument',
      reason: 'no_secretariat',
      message: noSecretariat.message,
    });
    expect(
      statsRefusalOf(new ApiError(400, 'invalid_argument', 'this node collects no statistics reports (statistics.secretariat)', 'not_secretariat'))
        ?.reason,
    ).toBe('not_secretariat');
    expect(
      statsRefusalOf(new ApiError(400, 'invalid_argument', 'no report covers 2020-01-01T00:00:00.000Z to 2020-02-01T00:00:00.000Z', 'no_report'))
        ?.reason,
    ).toBe('no_report');
    // The reason is the node's typed one, not read from the English message; an unknown one is none.
    expect(statsRefusalOf(new ApiError(400, 'invalid_argument', 'no report covers 2020-01-01T00:00:00.000Z'))?.reason).toBe('');
    expect(statsRefusalOf(new ApiError(400, 'invalid_argument', 'x', 'some_future_reason'))?.reason).toBe('');
    expect(statsRefusalOf(new ApiError(404, 'not_found', 'no publication x'))?.reason).toBe('');
    expect(statsRefusalOf(new Error('network'))).toBeUndefined();
  });
});
