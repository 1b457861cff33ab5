// Checking a published statistics report in the browser (docs/statistics.md "Publication"), as
// app::VerifyPublication does on the command line: the document holds nothing but what a report
// holds; the SHA-256 of the report's RFC 8785 text is the one its audit leaf names; the leaf is
// the `statistics.published` leaf of this publication; the node is in the directory, not
// revoked, and of the party the document names; and the tlog-proof leads from the leaf to a checkpoint signed with
// the node's directory key. Keys come from the directory the caller passes (GET /api/v1/node),
// never from the document.
import type { NodeEntry, StatisticsReport } from './api/client';
import { canonicalJson, toHex } from './evidence';
import { fromBase64, sha256, verifyTlogProof } from './proof';

export const kPublicationFormat = 'concord-statistics-publication/1';
const kLeafEvent = 'statistics.published';
const kDocumentMembers = ['format', 'id', 'node', 'party', 'published', 'report', 'leaf', 'proof'];
const kReportTables = ['requests', 'refusals', 'dimensions', 'deadlines', 'obligations'];
const kReportValues = ['format', 'from', 'to', 'threshold', 'generated', 'events_through'];
/** The largest figure a report may carry: exact in every JSON reader. */
const kMaxFigure = 2 ** 53;

export type PublicationFailure =
  | 'malformed' // the document is not a publication document, or holds something unchecked
  | 'wrong_leaf' // the leaf is not the statistics.published leaf of this publication
  | 'report_altered' // the report's SHA-256 is not the leaf's
  | 'unknown_node' // the node is not in the directory, revoked, or not of the party named
  | 'unproven'; // the tlog-proof does not verify (ProofError's message says why)

export class PublicationError extends Error {
  constructor(
    readonly code: PublicationFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A node of the directory; the node serves `revoked` with each entry of GET /api/v1/node. */
export type DirectoryNode = NodeEntry & { revoked?: boolean };

/** A publication document (GET /api/v1/statistics/publications/{id}). */
export interface PublicationDocument {
  format: string;
  id: string;
  node: string;
  party: string;
  published: string;
  report: StatisticsReport;
  leaf: string;
  proof: string;
}

export interface VerifiedPublication {
  document: PublicationDocument;
  /** Lower-case hex SHA-256 of the report's canonical JSON. */
  reportSha256: string;
  /** The leaf's entry in the node's log and the size of the signed tree that holds it. */
  index: bigint;
  size: bigint;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function malformed(why: string): PublicationError {
  return new PublicationError('malformed', `malformed statistics document: ${why}`);
}

/** Whether `text` is an RFC 3339 date-time. */
export function isTimestamp(text: unknown): boolean {
  return (
    typeof text === 'string' &&
    /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/.test(text) &&
    !Number.isNaN(Date.parse(text))
  );
}

// The report as the node writes it, nothing else: known members, tables of flat rows whose
// values are text, null, counts from 0 to 2^53 or times (`*_ms`) within ±2^53.
function checkReportShape(report: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(report)) {
    if (kReportTables.includes(name)) {
      if (!Array.isArray(value)) throw malformed(`report member ${name} is no list`);
      for (const row of value) {
        if (!isObject(row)) throw malformed(`a row of ${name} is no object`);
        for (const [cell, c] of Object.entries(row)) {
          const low = cell.endsWith('_ms') ? -kMaxFigure : 0;
          const figure = typeof c === 'number' && Number.isInteger(c) && c >= low && c <= kMaxFigure;
          if (typeof c !== 'string' && c !== null && !figure) {
            throw malformed(`figure ${cell} is out of range`);
          }
        }
      }
    } else if (kReportValues.includes(name)) {
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
        throw malformed(`report member ${name} is not a value`);
      }
      if (['from', 'to', 'generated'].includes(name) && !isTimestamp(value)) {
        throw malformed(`report member ${name} is no time`);
      }
    } else {
      throw malformed(`unknown report member ${name}`);
    }
  }
}

/** The document's members, checked for shape before anything is proved. */
export function parsePublication(value: unknown): PublicationDocument {
  if (!isObject(value)) throw malformed('not a JSON object');
  for (const name of Object.keys(value)) {
    if (!kDocumentMembers.includes(name)) throw malformed(`unknown member ${name}`);
  }
  if (value.format !== kPublicationFormat) throw malformed(`not a ${kPublicationFormat} document`);
  for (const name of ['id', 'node', 'party', 'published', 'leaf', 'proof']) {
    if (typeof value[name] !== 'string') throw malformed(`${name} is not text`);
  }
  if (!isTimestamp(value.published)) throw malformed('published is no time');
  if (!isObject(value.report)) throw malformed('the document has no report object');
  checkReportShape(value.report);
  return value as unknown as PublicationDocument;
}

/**
 * Checks a publication document against `directory` (the node entries the caller trusts).
 * Throws a PublicationError naming the first check that fails.
 */
export async function verifyPublication(
  value: unknown,
  directory: readonly DirectoryNode[],
): Promise<VerifiedPublication> {
  const document = parsePublication(value);
  const anchored = await checkAnchor(
    document,
    { event: kLeafEvent, idMember: 'publication', what: 'publication', body: 'report', bodyValue: document.report },
    directory,
    (failure, message) =>
      failure === 'malformed'
        ? malformed(message)
        : new PublicationError(failure === 'altered' ? 'report_altered' : failure, message),
  );
  return { document, reportSha256: anchored.sha256, index: anchored.index, size: anchored.size };
}

/** How a statistics document anchored in its node's log can fail to verify. */
export type AnchorFailure = 'malformed' | 'wrong_leaf' | 'altered' | 'unknown_node' | 'unproven';

/** What the anchor of a statistics document (a publication or an aggregate) must show. */
export interface AnchorExpectation {
  /** The leaf's `event`. */
  event: string;
  /** The leaf member that names the document's id (`publication`, `aggregate`). */
  idMember: string;
  /** What the document is, in messages. */
  what: string;
  /** The member the leaf's SHA-256 covers (`report`, `aggregate`): the leaf names it `<body>_sha256`. */
  body: string;
  bodyValue: unknown;
}

/**
 * Checks the anchor of a statistics document as the node does: its leaf is the `event` leaf of
 * this id and time and names the SHA-256 of the body's canonical JSON, its node is in the
 * directory, not revoked and of the party named, and the tlog-proof of the leaf verifies against
 * that node's key. Each failure is made by `fail`; returns the body's SHA-256 and where the leaf is.
 */
export async function checkAnchor(
  document: { id: string; node: string; party: string; published: string; leaf: string; proof: string },
  expect: AnchorExpectation,
  directory: readonly DirectoryNode[],
  fail: (failure: AnchorFailure, message: string) => Error,
): Promise<{ sha256: string; index: bigint; size: bigint }> {
  let leaf: unknown;
  try {
    leaf = JSON.parse(document.leaf);
  } catch {
    throw fail('malformed', 'the leaf is not JSON');
  }
  if (
    !isObject(leaf) ||
    leaf.event !== expect.event ||
    leaf[expect.idMember] !== document.id ||
    leaf.published !== document.published
  ) {
    throw fail('wrong_leaf', `its leaf is not the ${expect.what} ${document.id} of ${document.published}`);
  }
  const encoder = new TextEncoder();
  const sha = toHex(await sha256(encoder.encode(canonicalJson(expect.bodyValue))));
  if (leaf[`${expect.body}_sha256`] !== sha) {
    throw fail('altered', `the ${expect.body} is not the one published: its SHA-256 differs from the leaf's`);
  }
  const node = directory.find((n) => n.id === document.node);
  if (!node || node.revoked === true) {
    throw fail('unknown_node', `${document.node} is not in the directory, or revoked`);
  }
  if (node.party !== document.party) {
    throw fail('unknown_node', `${document.node} is a node of ${node.party}, not of ${document.party}`);
  }
  let proven;
  try {
    proven = await verifyTlogProof(document.proof, encoder.encode(document.leaf), document.node, fromBase64(node.signing_key));
  } catch (err) {
    throw fail('unproven', err instanceof Error ? err.message : String(err));
  }
  return { sha256: sha, index: proven.index, size: proven.checkpoint.size };
}
