// Checking evidence packages in the browser (docs/formats/evidence.md): the SHA-256 of a file
// against its manifest, the manifest's two signatures and the officer's certificate, and the
// recipient's signed receipt. Signed objects are RFC 8785 canonical JSON signed with Ed25519
// under a domain (docs/formats/envelope.md "Signed JSON objects"); keys come from the node's
// directory (GET /api/v1/node), never from the object that is checked.
import { fromBase64 } from './proof';

const encoder = new TextEncoder();

export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// ---- SHA-256 --------------------------------------------------------------------------------

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/**
 * SHA-256 (FIPS 180-4) fed piece by piece, for files too large to hand WebCrypto at once
 * (its digest takes the whole input). Checked against WebCrypto in evidence.test.ts.
 */
export class Sha256 {
  private readonly h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  private readonly w = new Uint32Array(64);
  private readonly block = new Uint8Array(64);
  private filled = 0;
  private length = 0;

  update(data: Uint8Array): this {
    let at = 0;
    this.length += data.length;
    if (this.filled > 0) {
      const take = Math.min(64 - this.filled, data.length);
      this.block.set(data.subarray(0, take), this.filled);
      this.filled += take;
      at = take;
      if (this.filled < 64) return this;
      this.compress(this.block, 0);
      this.filled = 0;
    }
    for (; at + 64 <= data.length; at += 64) this.compress(data, at);
    this.block.set(data.subarray(at), 0);
    this.filled = data.length - at;
    return this;
  }

  digest(): Uint8Array {
    const bits = this.length * 8;
    const tail = new Uint8Array(this.filled < 56 ? 64 - this.filled : 128 - this.filled);
    tail[0] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(tail.length - 4, bits >>> 0);
    this.update(tail);
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    this.h.forEach((v, i) => outView.setUint32(i * 4, v));
    return out;
  }

  private compress(data: Uint8Array, at: number): void {
    const w = this.w;
    for (let i = 0; i < 16; i++) {
      const j = at + i * 4;
      w[i] = (data[j] << 24) | (data[j + 1] << 16) | (data[j + 2] << 8) | data[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15];
      const b = w[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let [a, b, c, d, e, f, g, h] = this.h;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[i] + w[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    const s = this.h;
    s[0] += a;
    s[1] += b;
    s[2] += c;
    s[3] += d;
    s[4] += e;
    s[5] += f;
    s[6] += g;
    s[7] += h;
  }
}

/** Files up to this size are hashed by WebCrypto in one call; larger ones piece by piece. */
export const kWebCryptoMaxBytes = 8 * 1024 * 1024;
const kSliceBytes = 1024 * 1024;

/**
 * Lower-case hex SHA-256 of a file or blob, read 1 MiB at a time above kWebCryptoMaxBytes so
 * that a file of any size is hashed in constant memory. `progress` gets the bytes hashed.
 */
export async function sha256Hex(blob: Blob, progress?: (done: number) => void): Promise<string> {
  if (blob.size <= kWebCryptoMaxBytes) {
    const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
    progress?.(blob.size);
    return toHex(new Uint8Array(digest));
  }
  const hash = new Sha256();
  for (let at = 0; at < blob.size; at += kSliceBytes) {
    hash.update(new Uint8Array(await blob.slice(at, at + kSliceBytes).arrayBuffer()));
    progress?.(Math.min(at + kSliceBytes, blob.size));
  }
  return toHex(hash.digest());
}

// ---- signed JSON ----------------------------------------------------------------------------

/**
 * RFC 8785 canonical JSON: members sorted by their UTF-16 code units, no white space, strings
 * and numbers as ECMAScript serialises them (which is what RFC 8785 specifies).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('a number that JSON cannot hold');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return '{' + entries.map(([k, v]) => JSON.stringify(k) + ':' + canonicalJson(v)).join(',') + '}';
  }
  throw new Error(`${typeof value} is not JSON`);
}

type JsonObject = Record<string, unknown>;

/** The bytes of a base64 key, or none (which no signature verifies with). */
function keyOf(base64: unknown): Uint8Array {
  try {
    return typeof base64 === 'string' ? fromBase64(base64) : new Uint8Array();
  } catch {
    return new Uint8Array();
  }
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether `object` carries a valid Ed25519 signature (`sig`) by `publicKey` under `domain`. */
export async function verifySignedObject(
  object: JsonObject,
  domain: string,
  publicKey: Uint8Array,
): Promise<boolean> {
  const { sig, ...signed } = object;
  if (typeof sig !== 'string' || publicKey.length !== 32) return false;
  let signature: Uint8Array;
  let bytes: Uint8Array;
  try {
    signature = fromBase64(sig);
    bytes = encoder.encode(domain + '\n' + canonicalJson(signed));
  } catch {
    return false; // not base64, or a value JSON cannot hold: not a signature that verifies
  }
  if (signature.length !== 64) return false;
  const key = await crypto.subtle.importKey('raw', publicKey as BufferSource, { name: 'Ed25519' }, false, [
    'verify',
  ]);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, bytes as BufferSource);
}

// ---- manifest -------------------------------------------------------------------------------

export interface ManifestFile {
  name: string;
  media_type: string;
  size: number;
  sha256: string;
  encrypted_sha256: string;
  added_by: string;
  added: string;
}

export interface Certificate {
  node: string;
  serial: number;
  user: string;
  name: string;
  roles: string[];
  authority: { party: string; unit: string };
  public_key: string;
  not_before: string;
  not_after: string;
  key: string;
}

export interface Manifest {
  package: string;
  case: string;
  from: string;
  to: string;
  created: string;
  chunk_bytes: number;
  files: ManifestFile[];
  conditions?: { confidential: boolean; speciality: boolean; onward_consent: boolean; note: string };
  officer: { time: string; manifest_sha256: string; certificate: Certificate; key: string };
  key: string;
}

/** A node of the directory as GET /api/v1/node gives it. */
export interface DirectoryNode {
  id: string;
  party: string;
  signing_key: string;
}

/** One link of the chain of docs/formats/evidence.md "Verification", with its code. */
export interface Link {
  code: string;
  ok: boolean;
}

export interface ManifestCheck {
  manifest?: Manifest;
  /** The links in the order of the format's table; the first that fails ends the list. */
  links: Link[];
  ok: boolean;
}

const kSevenDaysMs = 7 * 24 * 3600 * 1000;

/**
 * Verifies a signed manifest as `concord evidence verify` does, against the directory
 * `nodes`: the node's signature with its directory key, the officer's certificate issued and
 * signed by that node for its party, valid at the officer's signing time and for at most seven
 * days, giving a role that may add evidence, the officer's signature with the certified key,
 * and the officer's `manifest_sha256` equal to the SHA-256 of this manifest's content.
 */
export async function verifyManifest(text: string, nodes: DirectoryNode[]): Promise<ManifestCheck> {
  const links: Link[] = [];
  const step = (code: string, ok: boolean) => {
    links.push({ code, ok });
    return ok;
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const m = parsed as Manifest & JsonObject;
  const officer = isObject(m) && isObject(m.officer) ? (m.officer as unknown as JsonObject) : undefined;
  const certificate = officer && isObject(officer.certificate) ? officer.certificate : undefined;
  const wellFormed =
    isObject(m) &&
    Array.isArray(m.files) &&
    typeof m.from === 'string' &&
    typeof m.key === 'string' &&
    officer !== undefined &&
    certificate !== undefined &&
    typeof officer.key === 'string' &&
    typeof officer.time === 'string';
  if (!step('malformed', wellFormed)) return { links, ok: false };
  const c = certificate as unknown as Certificate;
  const node = nodes.find((n) => n.id === m.from);
  if (!step('unknown_node', node !== undefined) || !node) return { manifest: m, links, ok: false };
  const nodeKey = keyOf(node.signing_key);
  if (
    !step(
      'bad_node_signature',
      m.key === node.signing_key && (await verifySignedObject(m, 'concord-evidence-manifest-v1', nodeKey)),
    )
  ) {
    return { manifest: m, links, ok: false };
  }
  if (!step('wrong_issuer', c.node === m.from)) return { manifest: m, links, ok: false };
  if (
    !step(
      'bad_certificate_signature',
      c.key === node.signing_key &&
        (await verifySignedObject(certificate!, 'concord-user-certificate-v1', nodeKey)),
    )
  ) {
    return { manifest: m, links, ok: false };
  }
  if (!step('wrong_party', c.authority?.party === node.party)) return { manifest: m, links, ok: false };
  const from = Date.parse(c.not_before);
  const until = Date.parse(c.not_after);
  const at = Date.parse(String(officer!.time));
  if (!step('certificate_not_valid', until - from <= kSevenDaysMs && from <= at && at < until)) {
    return { manifest: m, links, ok: false };
  }
  const roles = c.roles ?? [];
  if (!step('not_permitted', ['officer', 'duty_officer', 'responder'].some((r) => roles.includes(r)))) {
    return { manifest: m, links, ok: false };
  }
  if (!step('wrong_key', officer!.key === c.public_key)) return { manifest: m, links, ok: false };
  if (
    !step(
      'bad_officer_signature',
      await verifySignedObject(officer!, 'concord-evidence-officer-v1', keyOf(c.public_key)),
    )
  ) {
    return { manifest: m, links, ok: false };
  }
  const { officer: _o, key: _k, sig: _s, ...content } = m;
  const contentSha256 = toHex(
    new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(canonicalJson(content)))),
  );
  const ok = step('content_mismatch', officer!.manifest_sha256 === contentSha256);
  return { manifest: m, links, ok };
}

export interface Receipt {
  package: string;
  manifest_sha256: string;
  from: string;
  to: string;
  received: string;
  ledger_index: number;
}

/**
 * Verifies the recipient's signed receipt (docs/formats/evidence.md "Receipt"): signed by the
 * directory key of its `to` node, for this package and these nodes, over the SHA-256 of the
 * exact manifest text.
 */
export async function verifyReceipt(
  text: string,
  manifestText: string,
  manifest: Manifest,
  nodes: DirectoryNode[],
): Promise<{ receipt?: Receipt; ok: boolean }> {
  let r: JsonObject;
  try {
    r = JSON.parse(text) as JsonObject;
  } catch {
    return { ok: false };
  }
  const receipt = r as unknown as Receipt;
  const to = nodes.find((n) => n.id === manifest.to);
  const manifestSha256 = toHex(
    new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(manifestText))),
  );
  const ok =
    to !== undefined &&
    r.kind === 'evidence_receipt' &&
    r.key === to.signing_key &&
    receipt.package === manifest.package &&
    receipt.from === manifest.from &&
    receipt.to === manifest.to &&
    receipt.manifest_sha256 === manifestSha256 &&
    (await verifySignedObject(r, 'concord-evidence-receipt-v1', keyOf(to.signing_key)));
  return { receipt, ok };
}
