// The browser's evidence checks: the piecewise SHA-256 against WebCrypto over lengths around
// the block and padding boundaries and fed in uneven pieces; RFC 8785 canonical JSON; a signed
// object made here with a fresh Ed25519 key, and tampered copies of it.
import { describe, expect, it } from 'vitest';

import { Sha256, canonicalJson, kWebCryptoMaxBytes, sha256Hex, toHex, verifySignedObject } from './evidence';

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
