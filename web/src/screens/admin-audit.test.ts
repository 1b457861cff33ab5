import { describe, expect, it } from 'vitest';

import { canonicalJson } from '../evidence';
import { svgDataUrl } from './Admin';
import { accessLeaf } from './Audit';

describe('the auditor screen', () => {
  it('rebuilds leaves with the shared canonical JSON, as RFC 8785 writes it: members sorted by UTF-16 code units, no blanks', () => {
    expect(canonicalJson({ event: 'case.read', actor: 'user:a', case: 'c1' })).toBe(
      '{"actor":"user:a","case":"c1","event":"case.read"}',
    );
    expect(canonicalJson({ b: [1, 2.5, null, true], a: { d: 'x\u0001/é', c: 1e21 } })).toBe(
      '{"a":{"c":1e+21,"d":"x\\u0001/é"},"b":[1,2.5,null,true]}',
    );
    // U+1F600 (D83D DE00) sorts before U+E000 in UTF-16 order, not in code point order.
    expect(canonicalJson({ '\uE000': 1, '\u{1F600}': 2 })).toBe('{"\u{1F600}":2,"\uE000":1}');
  });

  it('rebuilds the leaf of a case read, and only of a case read', () => {
    expect(
      accessLeaf({ ledger_index: 7, actor: 'user:web.officer', event: 'case.read', case: 'k', object: 'case' }),
    ).toBe('{"actor":"user:web.officer","case":"k","event":"case.read"}');
    expect(
      accessLeaf({ ledger_index: 8, actor: 'node', event: 'evidence.file_read', case: 'k', object: 'evidence:p/f' }),
    ).toBeUndefined();
  });
});

describe('the administrator screen', () => {
  it('makes a data: URL of an SVG, UTF-8 and all', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>é</title></svg>';
    const url = svgDataUrl(svg);
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true);
    const bytes = Uint8Array.from(atob(url.split(',')[1]), (c) => c.charCodeAt(0));
    expect(new TextDecoder().decode(bytes)).toBe(svg);
  });
});
