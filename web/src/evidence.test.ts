// The browser's evidence checks: the piecewise SHA-256 against WebCrypto over lengths around
// the block and padding boundaries and fed in uneven pieces; RFC 8785 canonical JSON; a signed
// object made here with a fresh Ed25519 key, and tampered copies of it.
import { describe, expect, it } from 'vitest';

import {
  type DirectoryNode,
  Sha256,
  canonicalJson,
  kWebCryptoMaxBytes,
  sha256Hex,
  toHex,
  verifyManifest,
  verifySignedObject,
} from './evidence';

async function webCrypto(data: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource)));
}

function bytes(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('Sha256', () => {
  it('matches the FIPS 180-4 example and WebCrypto at every boundary', async () => {
    expect(toHex(new Sha256().update(new TextEncoder().encode('abc')).digest())).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 70_001]) {
      const data = bytes(n, n + 1);
      expect(toHex(new Sha256().update(data).digest()), `length ${n}`).toBe(await webCrypto(data));
    }
  });

  it('gives the same digest whatever the pieces', async () => {
    const data = bytes(10_000);
    for (const piece of [1, 3, 63, 64, 65, 4096]) {
      const h = new Sha256();
      for (let at = 0; at < data.length; at += piece) h.update(data.subarray(at, at + piece));
      expect(toHex(h.digest()), `pieces of ${piece}`).toBe(await webCrypto(data));
    }
  });

  it('hashes a blob above the WebCrypto limit piece by piece, to the same digest', async () => {
    const data = bytes(kWebCryptoMaxBytes + 12_345);
    let last = 0;
    const hex = await sha256Hex(new Blob([data as BlobPart]), (done) => (last = done));
    expect(hex).toBe(await webCrypto(data));
    expect(last).toBe(data.length);
  });
});

describe('canonicalJson', () => {
  it('sorts members by UTF-16 code units and writes no white space', () => {
    expect(canonicalJson({ b: [1, true, null], a: 'x', '\u20ac': 1, '\ud83d\ude00': 2, é: { z: 1, y: 'é' } })).toBe(
      '{"a":"x","b":[1,true,null],"é":{"y":"é","z":1},"\u20ac":1,"\ud83d\ude00":2}',
    );
    expect(canonicalJson({ n: 1e21, m: 0.5, s: 'line\n"q"' })).toBe('{"m":0.5,"n":1e+21,"s":"line\\n\\"q\\""}');
  });
});

describe('verifySignedObject', () => {
  it('accepts the signature over DOMAIN, a line feed and the canonical object, and nothing else', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    const object = { v: 1, kind: 'evidence_receipt', package: 'p', ledger_index: 7 };
    const signed = new TextEncoder().encode('concord-evidence-receipt-v1\n' + canonicalJson(object));
    const sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, signed));
    const withSig = { ...object, sig: btoa(String.fromCharCode(...sig)) };
    expect(await verifySignedObject(withSig, 'concord-evidence-receipt-v1', publicKey)).toBe(true);
    expect(await verifySignedObject(withSig, 'concord-evidence-manifest-v1', publicKey)).toBe(false);
    expect(await verifySignedObject({ ...withSig, ledger_index: 8 }, 'concord-evidence-receipt-v1', publicKey)).toBe(false);
    expect(await verifySignedObject(object, 'concord-evidence-receipt-v1', publicKey)).toBe(false);
  });
});

// A manifest built and signed here as formats/evidence.md describes it (the node and officer
// keys fresh Ed25519 pairs), then broken one link at a time: each break gives its own code.
async function keyPair() {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { pair, b64: btoa(String.fromCharCode(...raw)) };
}

async function sign(object: Record<string, unknown>, domain: string, key: Awaited<ReturnType<typeof keyPair>>) {
  const body = { ...object, key: key.b64 };
  const bytes = new TextEncoder().encode(domain + '\n' + canonicalJson(body));
  const sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key.pair.privateKey, bytes));
  return { ...body, sig: btoa(String.fromCharCode(...sig)) };
}

type Change = {
  certificate?: Record<string, unknown>;
  officer?: Record<string, unknown>;
  officerKey?: Awaited<ReturnType<typeof keyPair>>;
  certificateKey?: Awaited<ReturnType<typeof keyPair>>;
};

async function manifest(node: Awaited<ReturnType<typeof keyPair>>, officer: Awaited<ReturnType<typeof keyPair>>, change: Change = {}) {
  const content = {
    v: 1,
    kind: 'evidence_manifest',
    package: '019ae000-0000-7000-8000-000000000001',
    case: 'fr.central:FR-1',
    from: 'fr.central',
    to: 'hu.poc',
    created: '2026-12-03T10:00:00.000Z',
    chunk_bytes: 1048576,
    files: [
      {
        name: 'a.bin',
        media_type: 'application/octet-stream',
        size: 3,
        sha256: '0'.repeat(64),
        encrypted_sha256: '1'.repeat(64),
        added_by: 'ana',
        added: '2026-12-03T10:01:00.000Z',
      },
    ],
    sealed_key: btoa('k'.repeat(72)),
  };
  const certificate = await sign(
    {
      v: 1,
      kind: 'user_certificate',
      node: 'fr.central',
      serial: 3,
      user: 'ana',
      name: 'Ana',
      roles: ['officer'],
      authority: { party: 'FR', unit: 'cyber' },
      public_key: officer.b64,
      not_before: '2026-12-03T00:00:00.000Z',
      not_after: '2026-12-04T00:00:00.000Z',
      ...change.certificate,
    },
    'concord-user-certificate-v1',
    change.certificateKey ?? node,
  );
  const contentSha = toHex(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalJson(content)))),
  );
  const signedOfficer = await sign(
    {
      v: 1,
      kind: 'evidence_officer',
      manifest_sha256: contentSha,
      time: '2026-12-03T10:02:00.000Z',
      certificate,
      ...change.officer,
    },
    'concord-evidence-officer-v1',
    change.officerKey ?? officer,
  );
  return JSON.stringify(await sign({ ...content, officer: signedOfficer }, 'concord-evidence-manifest-v1', node));
}

describe('verifyManifest', () => {
  it('verifies every link of a good manifest and names the first that breaks', async () => {
    const node = await keyPair();
    const officer = await keyPair();
    const other = await keyPair();
    const directory: DirectoryNode[] = [{ id: 'fr.central', party: 'FR', signing_key: node.b64 }];
    const codeOf = async (text: string, nodes = directory) => {
      const check = await verifyManifest(text, nodes);
      return check.ok ? 'ok' : check.links.find((l) => !l.ok)?.code;
    };
    const good = await manifest(node, officer);
    const check = await verifyManifest(good, directory);
    expect(check.ok).toBe(true);
    expect(check.links.map((l) => l.code)).toEqual([
      'malformed', 'unknown_node', 'bad_node_signature', 'wrong_issuer', 'bad_certificate_signature', 'wrong_party',
      'certificate_not_valid', 'not_permitted', 'wrong_key', 'bad_officer_signature', 'content_mismatch',
    ]);
    expect(await codeOf('{"v":')).toBe('malformed');
    expect(await codeOf(good, [])).toBe('unknown_node');
    expect(await codeOf(good, [{ ...directory[0], signing_key: other.b64 }])).toBe('bad_node_signature');
    expect(await codeOf(good.replace('"size":3', '"size":4'))).toBe('bad_node_signature');
    expect(await codeOf(await manifest(node, officer, { certificate: { node: 'hu.poc' } }))).toBe('wrong_issuer');
    expect(await codeOf(await manifest(node, officer, { certificateKey: other }))).toBe('bad_certificate_signature');
    expect(await codeOf(await manifest(node, officer, { certificate: { authority: { party: 'HU', unit: '' } } }))).toBe(
      'wrong_party',
    );
    expect(
      await codeOf(await manifest(node, officer, { certificate: { not_after: '2026-12-11T00:00:00.000Z' } })),
    ).toBe('certificate_not_valid');
    expect(await codeOf(await manifest(node, officer, { officer: { time: '2026-12-04T00:00:00.000Z' } }))).toBe(
      'certificate_not_valid',
    );
    expect(await codeOf(await manifest(node, officer, { certificate: { roles: ['approver'] } }))).toBe('not_permitted');
    expect(await codeOf(await manifest(node, officer, { officerKey: other }))).toBe('wrong_key');
    expect(await codeOf(await manifest(node, officer, { officer: { manifest_sha256: '2'.repeat(64) } }))).toBe(
      'content_mismatch',
    );
  });
});
