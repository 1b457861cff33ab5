// The browser's proof verifier against the outside vectors the C++ tests read
// (tests/vectors: transparency-dev/merkle inclusion data, the C2SP signed-note example), read
// from their files, and against tampered copies of them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  ProofError,
  fromBase64,
  parseSignedNote,
  parseTlogProof,
  parseVerifierKey,
  verifyInclusion,
  verifyNoteSignature,
} from './proof';

const vectors = join(__dirname, '..', '..', 'tests', 'vectors');

interface InclusionCase {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function inclusionCases(): { file: string; c: InclusionCase }[] {
  const out: { file: string; c: InclusionCase }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.json')) out.push({ file: path, c: JSON.parse(readFileSync(path, 'utf8')) });
    }
  };
  walk(join(vectors, 'merkle', 'transparency-dev-merkle', 'testdata', 'inclusion'));
  return out;
}

describe('inclusion proofs (transparency-dev/merkle test data)', () => {
  const cases = inclusionCases();

  it('reads the vectors', () => {
    expect(cases.length).toBeGreaterThan(50);
    expect(cases.some(({ c }) => !c.wantErr)).toBe(true);
    expect(cases.some(({ c }) => c.wantErr)).toBe(true);
  });

  for (const { file, c } of cases) {
    it(`${file.split('inclusion/')[1]}: ${c.wantErr ? 'refused' : 'verifies'}`, async () => {
      const run = () =>
        verifyInclusion(
          BigInt(c.leafIdx),
          BigInt(c.treeSize),
          c.leafHash ? fromBase64(c.leafHash) : new Uint8Array(),
          (c.proof ?? []).map(fromBase64),
          c.root ? fromBase64(c.root) : new Uint8Array(),
        );
      if (c.wantErr) await expect(run()).rejects.toBeInstanceOf(ProofError);
      else await expect(run()).resolves.toBeUndefined();
    });
  }
});

describe('signed notes (C2SP example)', () => {
  const dir = join(vectors, 'c2sp', 'c2sp-spec');
  const note = readFileSync(join(dir, 'signed-note-example.note'), 'utf8');
  const vkey = readFileSync(join(dir, 'signed-note-example.vkey'), 'utf8');

  it('verifies the example note with its verifier key', async () => {
    const key = await parseVerifierKey(vkey);
    await expect(verifyNoteSignature(parseSignedNote(note), key.name, key.key)).resolves.toBeUndefined();
  });

  it('refuses the note once its text changes', async () => {
    const key = await parseVerifierKey(vkey);
    const forged = note.replace('example message', 'exemplary message');
    await expect(verifyNoteSignature(parseSignedNote(forged), key.name, key.key)).rejects.toMatchObject({
      code: 'bad_signature',
    });
  });

  it('refuses a key of another name', async () => {
    const key = await parseVerifierKey(vkey);
    await expect(
      verifyNoteSignature(parseSignedNote(note), 'example.com/bar', key.key),
    ).rejects.toMatchObject({ code: 'no_signature' });
  });
});

describe('tlog-proof text', () => {
  it('refuses what is not a tlog-proof', () => {
    expect(() => parseTlogProof('hello\n\nworld')).toThrow(ProofError);
    expect(() => parseTlogProof('c2sp.org/tlog-proof@v1\nindex 01\n\nx\n1\nroot\n\n')).toThrow(
      /index/,
    );
  });
});
