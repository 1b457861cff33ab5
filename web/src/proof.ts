// Checking a node's audit-log proofs in the browser (docs/formats/ledger.md): the C2SP
// tlog-proof@v1 of one leaf, the RFC 9162 inclusion proof it carries, and the Ed25519 signature
// of its checkpoint note. Hashes and signatures go through WebCrypto; nothing here trusts the
// server that handed the proof over: the verifier key comes from the node's directory entry.

export class ProofError extends Error {
  constructor(
    readonly code:
      | 'malformed'
      | 'bad_hash_length'
      | 'index_out_of_range'
      | 'root_mismatch'
      | 'no_signature'
      | 'bad_signature'
      | 'unsupported',
    message: string,
  ) {
    super(message);
  }
}

export interface Checkpoint extends SignedNote {
  origin: string;
  size: bigint;
  root: Uint8Array;
}

export interface TlogProof {
  index: bigint;
  hashes: Uint8Array[];
  checkpoint: Checkpoint;
}

const encoder = new TextEncoder();

export function fromBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new ProofError('malformed', `not base64: ${text.slice(0, 40)}`);
  }
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource));
}

export async function leafHash(leaf: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(new Uint8Array([0]), leaf));
}

async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(new Uint8Array([1]), left, right));
}

function checkHash(hash: Uint8Array, what: string): void {
  if (hash.length !== 32) {
    throw new ProofError('bad_hash_length', `${what}: ${hash.length} bytes, not 32`);
  }
}

/** The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or a ProofError. */
export async function rootFromInclusionProof(
  index: bigint,
  size: bigint,
  leaf: Uint8Array,
  proof: Uint8Array[],
): Promise<Uint8Array> {
  checkHash(leaf, 'leaf hash');
  proof.forEach((p, i) => checkHash(p, `proof hash ${i}`));
  if (index < 0n || index >= size) {
    throw new ProofError('index_out_of_range', `index ${index} is not below the size ${size}`);
  }
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) {
      throw new ProofError('root_mismatch', 'the proof is longer than the tree is deep');
    }
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) {
    throw new ProofError('root_mismatch', 'the proof is shorter than the tree is deep');
  }
  return r;
}

/** Checks that `leaf` (a leaf hash) is at `index` of the tree of `size` with `root`. */
export async function verifyInclusion(
  index: bigint,
  size: bigint,
  leaf: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array,
): Promise<void> {
  checkHash(root, 'root');
  const computed = await rootFromInclusionProof(index, size, leaf, proof);
  if (!equalBytes(computed, root)) {
    throw new ProofError('root_mismatch', 'the proof does not lead to the checkpoint root');
  }
}

export interface SignedNote {
  /** The signed text: every line up to the blank line, each ending in "\n". */
  text: string;
  signatures: { name: string; keyId: Uint8Array; signature: Uint8Array }[];
}

/** Parses a C2SP signed note: its text and its signature lines. */
export function parseSignedNote(note: string): SignedNote {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new ProofError('malformed', 'the note has no signature block');
  const signatures: SignedNote['signatures'] = [];
  for (const line of note.slice(split + 2).split('\n')) {
    if (line === '') continue;
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new ProofError('malformed', `signature line '${line.slice(0, 60)}'`);
    const bytes = fromBase64(m[2]);
    if (bytes.length < 5) throw new ProofError('malformed', 'signature too short');
    signatures.push({ name: m[1], keyId: bytes.slice(0, 4), signature: bytes.slice(4) });
  }
  if (signatures.length > 100) throw new ProofError('malformed', 'more than 100 signatures');
  return { text: note.slice(0, split + 1), signatures };
}

/** Parses a C2SP signed note holding a tlog checkpoint. */
export function parseCheckpoint(note: string): Checkpoint {
  const signed = parseSignedNote(note);
  const lines = signed.text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new ProofError('malformed', 'a checkpoint has three lines at least');
  const [origin, sizeText, rootText] = lines;
  if (!/^(0|[1-9][0-9]{0,18})$/.test(sizeText)) {
    throw new ProofError('malformed', `tree size '${sizeText}'`);
  }
  const root = fromBase64(rootText);
  checkHash(root, 'checkpoint root');
  return { ...signed, origin, size: BigInt(sizeText), root };
}

/** A verifier key written `name+hex(key id)+base64(0x01 ‖ key)` (Ed25519 only). */
export async function parseVerifierKey(vkey: string): Promise<{ name: string; key: Uint8Array }> {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(vkey.trim());
  if (!m) throw new ProofError('malformed', 'not a verifier key NAME+KEYID+KEY');
  const bytes = fromBase64(m[3]);
  if (bytes.length !== 33 || bytes[0] !== 1) {
    throw new ProofError('unsupported', 'only Ed25519 verifier keys (type 0x01) are read');
  }
  const key = bytes.slice(1);
  const id = await ed25519KeyId(m[1], key);
  if ([...id].map((b) => b.toString(16).padStart(2, '0')).join('') !== m[2]) {
    throw new ProofError('malformed', 'the key id does not match the key');
  }
  return { name: m[1], key };
}

/** Parses a c2sp.org/tlog-proof@v1 text. */
export function parseTlogProof(text: string): TlogProof {
  const split = text.indexOf('\n\n');
  if (split < 0) throw new ProofError('malformed', 'no blank line before the checkpoint');
  const head = text.slice(0, split).split('\n');
  if (head[0] !== 'c2sp.org/tlog-proof@v1') {
    throw new ProofError('malformed', 'not a c2sp.org/tlog-proof@v1 text');
  }
  let at = 1;
  if (head[at]?.startsWith('extra ')) at++;
  const m = /^index (0|[1-9][0-9]{0,18})$/.exec(head[at] ?? '');
  if (!m) throw new ProofError('malformed', 'no index line');
  const hashes = head.slice(at + 1).map((h) => fromBase64(h));
  return { index: BigInt(m[1]), hashes, checkpoint: parseCheckpoint(text.slice(split + 2)) };
}

/** The C2SP key id of an Ed25519 key named `name`. */
export async function ed25519KeyId(name: string, publicKey: Uint8Array): Promise<Uint8Array> {
  const hash = await sha256(concat(encoder.encode(name + '\n'), new Uint8Array([1]), publicKey));
  return hash.slice(0, 4);
}

/** Checks the note carries a valid Ed25519 signature by `publicKey` under `name`. */
export async function verifyNoteSignature(
  checkpoint: SignedNote,
  name: string,
  publicKey: Uint8Array,
): Promise<void> {
  if (publicKey.length !== 32) {
    throw new ProofError('malformed', 'an Ed25519 public key has 32 bytes');
  }
  const keyId = await ed25519KeyId(name, publicKey);
  const mine = checkpoint.signatures.filter(
    (s) => s.name === name && equalBytes(s.keyId, keyId),
  );
  if (mine.length === 0) {
    throw new ProofError('no_signature', `no signature by ${name} on the checkpoint`);
  }
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('raw', publicKey as BufferSource, { name: 'Ed25519' }, false, [
      'verify',
    ]);
  } catch {
    throw new ProofError('unsupported', 'this browser cannot verify Ed25519 signatures');
  }
  for (const s of mine) {
    const ok =
      s.signature.length === 64 &&
      (await crypto.subtle.verify(
        { name: 'Ed25519' },
        key,
        s.signature as BufferSource,
        encoder.encode(checkpoint.text) as BufferSource,
      ));
    if (!ok) throw new ProofError('bad_signature', `the signature by ${name} does not verify`);
  }
}

/**
 * Checks a whole tlog-proof of `leaf` (the leaf's data, not its hash): signed by the node
 * `origin` with `publicKey` (its directory signing key), and leading to the signed root.
 */
export async function verifyTlogProof(
  proofText: string,
  leaf: Uint8Array,
  origin: string,
  publicKey: Uint8Array,
): Promise<TlogProof> {
  const proof = parseTlogProof(proofText);
  if (proof.checkpoint.origin !== origin) {
    throw new ProofError(
      'no_signature',
      `the checkpoint is of ${proof.checkpoint.origin}, not of ${origin}`,
    );
  }
  await verifyNoteSignature(proof.checkpoint, origin, publicKey);
  await verifyInclusion(
    proof.index,
    proof.checkpoint.size,
    await leafHash(leaf),
    proof.hashes,
    proof.checkpoint.root,
  );
  return proof;
}
