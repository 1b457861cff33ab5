// Checking a secretariat's published total in the browser (docs/statistics.md "Aggregation" and
// "Collection by a secretariat"), as app::VerifyAggregatePublication does on the command line:
// the document holds nothing but what the node writes; every input verifies as a publication
// (publication.ts); the inputs share one period and name each node once; the totals are the sums
// recomputed from the inputs, compared in canonical form; the leaf is the `statistics.aggregated`
// leaf of this aggregate and time and names the SHA-256 of the aggregate's RFC 8785 text; the
// secretariat's node is in the directory, of the party named, and the tlog-proof leads from the
// leaf to a checkpoint signed with its directory key. Keys come from the directory the caller
// passes (GET /api/v1/node), never from the document.
import { ApiError } from './api/client';
import { canonicalJson } from './evidence';
import {
  type DirectoryNode,
  type PublicationDocument,
  PublicationError,
  checkAnchor,
  type PublicationFailure,
  type VerifiedPublication,
  isTimestamp,
  verifyPublication,
} from './publication';

export const kAggregatePublicationFormat = 'concord-statistics-aggregate-publication/1';
export const kAggregateFormat = 'concord-statistics-aggregate/1';
const kLeafEvent = 'statistics.aggregated';
const kDocumentMembers = ['format', 'id', 'node', 'party', 'published', 'aggregate', 'leaf', 'proof'];
const kAggregateMembers = ['format', 'generated', 'totals', 'inputs'];
/** The report's tables, in the order the node sums them (kStatisticsTables). */
export const kTables = ['requests', 'refusals', 'dimensions', 'deadlines', 'obligations'] as const;
export type TableName = (typeof kTables)[number];
const kMaxInputs = 1000;

export type AggregateFailure =
  | 'malformed' // not an aggregate publication, or it holds something unchecked
  | 'input' // an input does not verify as a publication (inputFailure says how)
  | 'inputs' // no input or too many, two of one node, or periods that differ
  | 'totals_differ' // the totals are not the sum of the inputs
  | 'wrong_leaf' // the leaf is not the statistics.aggregated leaf of this aggregate
  | 'aggregate_altered' // the aggregate's SHA-256 is not the leaf's
  | 'unknown_node' // the secretariat's node is not in the directory, revoked, or of another party
  | 'unproven'; // the tlog-proof does not verify

export class AggregateError extends Error {
  constructor(
    readonly code: AggregateFailure,
    message: string,
    /** For 'input': the input's position (from 0) and the publication check that failed. */
    readonly input?: number,
    readonly inputFailure?: PublicationFailure,
  ) {
    super(message);
  }
}

/** A row of the totals: the key (every text member of the summed rows), the sums, and in
 * `hidden_in` how many inputs hid each figure. */
export type TotalRow = Record<string, unknown> & { hidden_in?: Record<string, number> };

export interface Totals {
  from: string;
  to: string;
  requests: TotalRow[];
  refusals: TotalRow[];
  dimensions: TotalRow[];
  deadlines: TotalRow[];
  obligations: TotalRow[];
}

export interface AggregateDocument {
  format: string;
  generated: string;
  totals: Totals;
  inputs: PublicationDocument[];
}

/** A document of GET /api/v1/statistics/aggregates/{id}. */
export interface AggregatePublication {
  format: string;
  id: string;
  node: string;
  party: string;
  published: string;
  aggregate: AggregateDocument;
  leaf: string;
  proof: string;
}

export interface VerifiedAggregate {
  document: AggregatePublication;
  inputs: VerifiedPublication[];
  /** Lower-case hex SHA-256 of the aggregate's canonical JSON. */
  aggregateSha256: string;
  /** The leaf's entry in the secretariat's log and the size of the signed tree that holds it. */
  index: bigint;
  size: bigint;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function malformed(why: string): AggregateError {
  return new AggregateError('malformed', `malformed statistics aggregate: ${why}`);
}

/** The document's members, checked for shape; the inputs are checked when verified. */
export function parseAggregatePublication(value: unknown): AggregatePublication {
  if (!isObject(value)) throw malformed('not a JSON object');
  for (const name of Object.keys(value)) {
    if (!kDocumentMembers.includes(name)) throw malformed(`unknown member ${name}`);
  }
  if (value.format !== kAggregatePublicationFormat) {
    throw malformed(`not a ${kAggregatePublicationFormat} document`);
  }
  for (const name of ['id', 'node', 'party', 'published', 'leaf', 'proof']) {
    if (typeof value[name] !== 'string') throw malformed(`${name} is not text`);
  }
  if (!isTimestamp(value.published)) throw malformed('published is no time');
  const aggregate = value.aggregate;
  if (!isObject(aggregate)) throw malformed('the document has no aggregate object');
  for (const name of Object.keys(aggregate)) {
    if (!kAggregateMembers.includes(name)) throw malformed(`unknown aggregate member ${name}`);
  }
  if (aggregate.format !== kAggregateFormat || !Array.isArray(aggregate.inputs) || !isObject(aggregate.totals)) {
    throw malformed(`not a ${kAggregateFormat} document`);
  }
  const totals = aggregate.totals;
  for (const table of kTables) {
    const rows = totals[table];
    if (rows !== undefined && (!Array.isArray(rows) || !rows.every(isObject))) {
      throw malformed(`totals member ${table} is no list of rows`);
    }
  }
  return value as unknown as AggregatePublication;
}

/** Byte order of the UTF-8 texts, as std::string's operator< orders the node's keys. */
function compareUtf8(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

// A figure that adds up: a count (an integer, or null where suppressed). Times (`*_ms`) are
// percentiles, which do not.
function summable(name: string, v: unknown): v is number | null {
  return (v === null || (typeof v === 'number' && Number.isInteger(v))) && !name.endsWith('_ms');
}

/**
 * One table's rows of every report, summed by their key (every text member of a row), in the
 * node's order: its keys are the rows' text members in canonical order, written as JSON and
 * compared byte by byte. A null figure adds nothing and is counted in the row's `hidden_in`.
 */
export function sumTable(reports: readonly Record<string, unknown>[], table: string): TotalRow[] {
  const rows = new Map<string, { key: Record<string, string>; totals: Map<string, { sum: number; hidden: number }> }>();
  for (const report of reports) {
    const list = report[table];
    if (!Array.isArray(list)) continue;
    for (const row of list) {
      if (!isObject(row)) continue;
      const members = Object.entries(row).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const key: Record<string, string> = {};
      for (const [name, v] of members) if (typeof v === 'string') key[name] = v;
      const text = JSON.stringify(key);
      let entry = rows.get(text);
      if (!entry) {
        entry = { key, totals: new Map() };
        rows.set(text, entry);
      }
      for (const [name, v] of members) {
        if (!summable(name, v)) continue;
        const total = entry.totals.get(name) ?? { sum: 0, hidden: 0 };
        if (v === null) total.hidden += 1;
        else total.sum += v;
        entry.totals.set(name, total);
      }
    }
  }
  return [...rows.entries()]
    .sort(([a], [b]) => compareUtf8(a, b))
    .map(([, { key, totals }]) => {
      const row: TotalRow = { ...key };
      const hidden: Record<string, number> = {};
      for (const [name, t] of totals) {
        row[name] = t.sum;
        if (t.hidden !== 0) hidden[name] = t.hidden;
      }
      if (Object.keys(hidden).length > 0) row.hidden_in = hidden;
      return row;
    });
}

/**
 * The totals of verified publications, as app::AggregateStatistics makes them: one report per
 * node, one period for all. Throws AggregateError('inputs') otherwise.
 */
export function totalsOf(inputs: readonly PublicationDocument[]): Totals {
  if (inputs.length === 0 || inputs.length > kMaxInputs) {
    throw new AggregateError('inputs', 'an aggregate takes 1 to 1000 reports');
  }
  const nodes = new Set<string>();
  for (const p of inputs) {
    if (nodes.has(p.node)) throw new AggregateError('inputs', `two reports of node ${p.node}`);
    nodes.add(p.node);
  }
  const reports = inputs.map((p) => p.report as unknown as Record<string, unknown>);
  const from = reports[0].from;
  const to = reports[0].to;
  for (let i = 1; i < reports.length; i++) {
    if (reports[i].from !== from || reports[i].to !== to) {
      throw new AggregateError(
        'inputs',
        `the report of ${inputs[i].node} covers another period than ${inputs[0].node}'s`,
      );
    }
  }
  if (typeof from !== 'string' || typeof to !== 'string') {
    throw new AggregateError('inputs', 'a report names no period');
  }
  return {
    from,
    to,
    requests: sumTable(reports, 'requests'),
    refusals: sumTable(reports, 'refusals'),
    dimensions: sumTable(reports, 'dimensions'),
    deadlines: sumTable(reports, 'deadlines'),
    obligations: sumTable(reports, 'obligations'),
  };
}

/**
 * Checks an aggregate publication against `directory` (the node entries the caller trusts).
 * Throws an AggregateError naming the first check that fails.
 */
export async function verifyAggregatePublication(
  value: unknown,
  directory: readonly DirectoryNode[],
): Promise<VerifiedAggregate> {
  const document = parseAggregatePublication(value);
  const inputs: VerifiedPublication[] = [];
  for (const [i, input] of document.aggregate.inputs.entries()) {
    try {
      inputs.push(await verifyPublication(input, directory));
    } catch (err) {
      if (!(err instanceof PublicationError)) throw err;
      throw new AggregateError('input', `input ${i + 1}: ${err.message}`, i, err.code);
    }
  }
  const recomputed = totalsOf(inputs.map((v) => v.document));
  if (canonicalJson(recomputed) !== canonicalJson(document.aggregate.totals)) {
    throw new AggregateError('totals_differ', 'the totals are not the sum of the inputs it carries');
  }
  const anchored = await checkAnchor(
    document,
    { event: kLeafEvent, idMember: 'aggregate', what: 'aggregate', body: 'aggregate', bodyValue: document.aggregate },
    directory,
    (failure, message) =>
      failure === 'malformed'
        ? malformed(message)
        : new AggregateError(failure === 'altered' ? 'aggregate_altered' : failure, message),
  );
  return { document, inputs, aggregateSha256: anchored.sha256, index: anchored.index, size: anchored.size };
}

/** The figure names of a table's rows that are counts (every member but the key and hidden_in). */
export function figuresOf(rows: readonly TotalRow[]): string[] {
  const names: string[] = [];
  for (const row of rows) {
    for (const [name, v] of Object.entries(row)) {
      if (name !== 'hidden_in' && typeof v === 'number' && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

/** The text members of a row: its key. */
export function keyOf(row: TotalRow): Record<string, string> {
  const key: Record<string, string> = {};
  for (const [name, v] of Object.entries(row)) if (typeof v === 'string') key[name] = v;
  return key;
}

/** The distinct periods of collected reports, newest `from` first. */
export function periodsOf(reports: readonly { from: string; to: string }[]): { from: string; to: string }[] {
  const seen = new Map<string, { from: string; to: string }>();
  for (const r of reports) seen.set(`${r.from}/${r.to}`, { from: r.from, to: r.to });
  return [...seen.values()].sort((a, b) => (a.from < b.from ? 1 : a.from > b.from ? -1 : a.to < b.to ? 1 : -1));
}

// The figure names in the order the report's tables give them (docs/statistics.md "Report
// format"); a figure not named here comes after them, by its own name.
const kFigureOrder = [
  'requests',
  'acknowledged',
  'responded',
  'refused',
  'withdrawn',
  'open',
  'refusals',
  'met',
  'breached',
  'running',
  'cancelled',
  'obligations',
  'opened',
  'submitted',
  'decided',
  'reported',
  'prosecute',
  'not_prosecute',
  'overdue',
];

/** The figures of a table of totals in the report's order. */
export function orderedFigures(rows: readonly TotalRow[]): string[] {
  const rank = (name: string) => {
    const i = kFigureOrder.indexOf(name);
    return i < 0 ? kFigureOrder.length : i;
  };
  return figuresOf(rows).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** A failed call as the node typed it: status, code, the reason its message gives, its text. */
export interface StatsRefusal {
  status: number;
  code: string;
  reason: '' | 'no_secretariat' | 'not_secretariat' | 'no_report';
  message: string;
}

/** The node's refusal of a statistics call, with the reason the node typed; undefined for a failure that is not an answer. */
export function statsRefusalOf(err: unknown): StatsRefusal | undefined {
  if (!(err instanceof ApiError)) return undefined;
  const m = err.message;
  const known = ['no_secretariat', 'not_secretariat', 'no_report'] as const;
  const reason: StatsRefusal['reason'] = known.find((r) => r === err.reason) ?? '';
  return { status: err.status, code: err.code, reason, message: m };
}
