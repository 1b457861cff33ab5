// The browser's check of a published statistics report: documents built the way the node builds
// them (StatisticsPublisher::Document: the report as the node serialises it, the canonical leaf
// naming its SHA-256, a tlog-proof against an Ed25519-signed checkpoint of a small log), one that
// verifies and copies altered one way each, every one refused for its own reason; and a document
// a node served (publication.fixture.json), as it is and altered.
import { createHash, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import type { NodeEntry } from './api/client';
import {
  type DirectoryNode,
  PublicationError,
  isTimestamp,
  parsePublication,
  verifyPublication,
} from './publication';

const subtle = webcrypto.subtle;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const sha = (...parts: (Uint8Array | string)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const leafHash = (leaf: string) => sha(new Uint8Array([0]), leaf);
const nodeHash = (l: Uint8Array, r: Uint8Array) => sha(new Uint8Array([1]), l, r);

// RFC 9162 §2.1.1 and §2.1.3.1: the tree head and the inclusion path of leaf m, by definition.
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function path(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length === 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k
    ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

// RFC 8785 for what a report holds (ASCII member names, text, integers, null), written apart
// from the module under test: JSON.stringify with every object's members sorted.
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

// A report in the order StatisticsJson writes its members (not sorted), with hidden figures.
const report = {
  format: 'concord-statistics/1',
  from: '2027-01-01T00:00:00.000Z',
  to: '2027-02-01T00:00:00.000Z',
  threshold: 5,
  generated: '2027-02-01T06:00:00.123Z',
  events_through: 48211,
  requests: [
    {
      direction: 'in',
      requesting_party: 'FR',
      requested_party: 'HU',
      request_type: 'preservation',
      priority: 'emergency',
      requests: 12,
      acknowledged: 12,
      responded: 9,
      refused: null,
      withdrawn: 0,
      open: null,
      acknowledge_median_ms: 540000,
      acknowledge_p90_ms: 1260000,
      answer_median_ms: 7200000,
      answer_p90_ms: 30600000,
    },
  ],
  refusals: [{ direction: 'in', requesting_party: 'FR', requested_party: 'HU', ground: 'nationality', refusals: null }],
  dimensions: [{ direction: 'in', dimension: 'data_category', value: 'subscriber', requests: 10 }],
  deadlines: [{ kind: 'budapest.preservation', met: 0, breached: 0, running: 7, cancelled: null }],
  obligations: [
    {
      direction: 'in',
      requesting_party: 'FR',
      requested_party: 'HU',
      obligations: 12,
      opened: null,
      submitted: null,
      decided: 0,
      reported: 9,
      prosecute: 9,
      not_prosecute: 0,
      overdue: null,
    },
  ],
};

interface Signer {
  id: string;
  publicKey: Uint8Array;
  privateKey: CryptoKey;
}

async function signer(id: string): Promise<Signer> {
  const pair = (await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return {
    id,
    publicKey: new Uint8Array(await subtle.exportKey('raw', pair.publicKey)),
    privateKey: pair.privateKey,
  };
}

const id = '01926a3e-7f00-7000-8000-000000000001';
const published = '2027-02-01T06:00:01.000Z';

// The document the node serves: its leaf at index 2 of a log of 5 entries, the checkpoint
// signed by `node`'s key under its name.
async function publish(node: Signer, overrides: { leaf?: object; report?: unknown } = {}) {
  const leaf = canonical(
    overrides.leaf ?? {
      event: 'statistics.published',
      publication: id,
      report_sha256: Buffer.from(sha(canonical(report))).toString('hex'),
      from: report.from,
      to: report.to,
      published,
      actor: 'user:stats',
    },
  );
  const entries = ['{"event":"a"}', '{"event":"b"}', leaf, '{"event":"c"}', '{"event":"d"}'].map(leafHash);
  const text = `${node.id}\n${entries.length}\n${b64(mth(entries))}\n`;
  const signature = new Uint8Array(await subtle.sign({ name: 'Ed25519' }, node.privateKey, new TextEncoder().encode(text)));
  const keyId = sha(`${node.id}\n`, new Uint8Array([1]), node.publicKey).slice(0, 4);
  const note = `${text}\n\u2014 ${node.id} ${b64(new Uint8Array([...keyId, ...signature]))}\n`;
  const proof = ['c2sp.org/tlog-proof@v1', 'index 2', ...path(2, entries).map(b64)].join('\n') + '\n\n' + note;
  const document = {
    format: 'concord-statistics-publication/1',
    id,
    node: node.id,
    party: 'FR',
    published,
    report: overrides.report ?? report,
    leaf,
    proof,
  };
  // What the browser gets: the node's JSON text, parsed.
  return JSON.parse(JSON.stringify(document)) as Record<string, unknown>;
}

function entry(node: Signer, party = 'FR'): NodeEntry {
  return { id: node.id, party, signing_key: b64(node.publicKey) };
}

async function refusal(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (err) {
    expect(err).toBeInstanceOf(PublicationError);
    return (err as PublicationError).code;
  }
  return 'verified';
}

describe('verifyPublication', () => {
  it('verifies a publication of a node of the directory', async () => {
    const node = await signer('fr.central');
    const doc = await publish(node);
    const other = await signer('hu.poc');
    const v = await verifyPublication(doc, [entry(other, 'HU'), entry(node)]);
    expect(v.index).toBe(2n);
    expect(v.size).toBe(5n);
    expect(v.reportSha256).toBe(createHash('sha256').update(canonical(report)).digest('hex'));
    expect(v.document.report.obligations?.[0]?.reported).toBe(9);
  });

  it('refuses a report with one figure changed', async () => {
    const node = await signer('fr.central');
    const doc = await publish(node);
    const tampered = structuredClone(doc) as { report: typeof report };
    tampered.report.obligations[0].reported = 10;
    expect(await refusal(verifyPublication(tampered, [entry(node)]))).toBe('report_altered');
    const hidden = structuredClone(doc) as { report: typeof report };
    (hidden.report.requests[0] as Record<string, unknown>).refused = 1; // a hidden figure revealed
    expect(await refusal(verifyPublication(hidden, [entry(node)]))).toBe('report_altered');
  });

  it('refuses a leaf of another publication or another event', async () => {
    const node = await signer('fr.central');
    const doc = await publish(node);
    expect(await refusal(verifyPublication({ ...doc, id: id.replace(/1$/, '2') }, [entry(node)]))).toBe('wrong_leaf');
    expect(await refusal(verifyPublication({ ...doc, published: '2027-02-01T06:00:02.000Z' }, [entry(node)]))).toBe(
      'wrong_leaf',
    );
    const other = await publish(node, { leaf: { event: 'case.read', publication: id, published } });
    expect(await refusal(verifyPublication(other, [entry(node)]))).toBe('wrong_leaf');
  });

  it('refuses a node outside the directory or of another party', async () => {
    const node = await signer('fr.central');
    const doc = await publish(node);
    expect(await refusal(verifyPublication(doc, []))).toBe('unknown_node');
    expect(await refusal(verifyPublication(doc, [entry(node, 'HU')]))).toBe('unknown_node');
  });

  it('refuses a proof signed by another key, or whose path was altered', async () => {
    const node = await signer('fr.central');
    const impostor = await signer('fr.central');
    const doc = await publish(impostor);
    expect(await refusal(verifyPublication(doc, [entry(node)]))).toBe('unproven');
    const good = await publish(node);
    const lines = (good.proof as string).split('\n');
    const hash = Buffer.from(lines[2], 'base64');
    hash[0] ^= 1;
    lines[2] = hash.toString('base64');
    expect(await refusal(verifyPublication({ ...good, proof: lines.join('\n') }, [entry(node)]))).toBe('unproven');
    // The leaf text changed, even to an equivalent JSON text: the log holds other bytes.
    const spaced = (good.leaf as string).replace('{', '{ ');
    expect(await refusal(verifyPublication({ ...good, leaf: spaced }, [entry(node)]))).toBe('unproven');
  });

  it('refuses, before any proof, a document holding what the node never writes', async () => {
    const node = await signer('fr.central');
    const doc = await publish(node);
    const dir = [entry(node)];
    const withReport = (change: (r: Record<string, unknown>) => void) => {
      const r = structuredClone(report) as Record<string, unknown>;
      change(r);
      return { ...doc, report: r };
    };
    for (const bad of [
      null,
      [],
      { ...doc, note: 'verified by the secretariat' },
      { ...doc, format: 'concord-statistics-publication/2' },
      { ...doc, party: 7 },
      { ...doc, published: 'yesterday' },
      { ...doc, report: 'all fine' },
      withReport((r) => (r.comment = 'x')),
      withReport((r) => (r.requests = {})),
      withReport((r) => (r.requests = [['in']])),
      withReport((r) => ((r.obligations as Record<string, unknown>[])[0].overdue = -1)),
      withReport((r) => ((r.obligations as Record<string, unknown>[])[0].overdue = 2 ** 53 + 2)),
      withReport((r) => ((r.obligations as Record<string, unknown>[])[0].overdue = 0.5)),
      withReport((r) => ((r.obligations as Record<string, unknown>[])[0].note = { text: 'x' })),
      withReport((r) => (r.to = '2027-02-30')),
      withReport((r) => (r.threshold = [5])),
    ]) {
      expect(await refusal(verifyPublication(bad, dir)), JSON.stringify(bad)?.slice(0, 80)).toBe('malformed');
    }
    // A time may be below 0 (clocks moved); a count may not.
    const early = withReport((r) => ((r.requests as Record<string, unknown>[])[0].answer_median_ms = -1000));
    expect(parsePublication(early).report.requests?.[0]?.answer_median_ms).toBe(-1000);
  });
});

describe('a document a node served', () => {
  const served = JSON.parse(readFileSync(join(__dirname, 'publication.fixture.json'), 'utf8')) as {
    directory: DirectoryNode[];
    document: { report: { requests: Record<string, unknown>[] }; leaf: string; proof: string };
  };

  it('verifies against the node\'s directory entry', async () => {
    const v = await verifyPublication(served.document, served.directory);
    expect(v.reportSha256).toBe(JSON.parse(served.document.leaf).report_sha256);
    expect(v.index).toBe(BigInt(/\nindex (\d+)\n/.exec(served.document.proof)?.[1] ?? -1));
    expect(v.size).toBeGreaterThan(v.index);
  });

  it('is refused with a hidden figure revealed, a revoked node, or another node\'s key', async () => {
    const revealed = structuredClone(served.document);
    revealed.report.requests[0].requests = 1;
    expect(await refusal(verifyPublication(revealed, served.directory))).toBe('report_altered');
    const revoked = served.directory.map((n) => ({ ...n, revoked: true }));
    expect(await refusal(verifyPublication(served.document, revoked))).toBe('unknown_node');
    const other = await signer('fr.central');
    const rekeyed = served.directory.map((n) => ({ ...n, signing_key: b64(other.publicKey) }));
    expect(await refusal(verifyPublication(served.document, rekeyed))).toBe('unproven');
  });
});

describe('isTimestamp', () => {
  it('takes RFC 3339 date-times only', () => {
    expect(isTimestamp('2027-02-01T06:00:00.123Z')).toBe(true);
    expect(isTimestamp('2027-02-01T06:00:00+02:00')).toBe(true);
    expect(isTimestamp('2027-02-01')).toBe(false);
    expect(isTimestamp('2027-02-01 06:00:00Z')).toBe(false);
    expect(isTimestamp('2027-13-01T06:00:00Z')).toBe(false);
    expect(isTimestamp(1700000000)).toBe(false);
  });
});
