import { describe, expect, it } from 'vitest';

import { catalogues, compileMessage, direction, formatNumber, languages, translate } from './i18n';

// Sample values for every argument a message names: a number for a plural, text otherwise.
function samples(lang: (typeof languages)[number], key: string, count: number): Record<string, string | number> {
  const compiled = compileMessage(lang, key);
  if (!compiled) throw new Error(`${lang} ${key}: no text`);
  const values: Record<string, string | number> = {};
  for (const name of compiled.names) values[name] = compiled.plurals.has(name) ? count : `«${name}»`;
  return values;
}

describe('UI texts', () => {
  it('every language has every English text, with the same arguments and the same plurals', () => {
    for (const lang of languages) {
      for (const key of Object.keys(catalogues.en)) {
        expect(catalogues[lang][key], `${lang} ${key}`).toBeTypeOf('string');
        const mine = compileMessage(lang, key)!;
        const english = compileMessage('en', key)!;
        expect([...mine.names].sort(), `${lang} ${key}`).toEqual([...english.names].sort());
        expect([...mine.plurals].sort(), `${lang} ${key}`).toEqual([...english.plurals].sort());
      }
      expect(Object.keys(catalogues[lang]).sort()).toEqual(Object.keys(catalogues.en).sort());
    }
  });

  it('every text compiles as an ICU message and formats with no brace left', () => {
    for (const lang of languages) {
      for (const key of Object.keys(catalogues[lang])) {
        for (const count of [0, 1, 2, 5, 21, 1000000]) {
          const text = translate(lang, key, samples(lang, key, count));
          expect(text, `${lang} ${key} ${count}`).not.toMatch(/[{}]/);
        }
      }
    }
  });

  it('a text without plural reads as the plain replacement of its {name}s', () => {
    // ICU reads ' before { or } and doubled '' as quoting: none of the catalogue's apostrophes may.
    for (const lang of languages) {
      for (const [key, text] of Object.entries(catalogues[lang])) {
        if (compileMessage(lang, key)!.plurals.size > 0) continue;
        const values = samples(lang, key, 0);
        const plain = text.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
        expect(translate(lang, key, values), `${lang} ${key}`).toBe(plain);
      }
    }
  });

  it('the languages other than English translate the interface', () => {
    for (const lang of languages.filter((l) => l !== 'en')) {
      expect(translate(lang, 'login.title')).not.toEqual(translate('en', 'login.title'));
    }
  });

  it('fills placeholders and lays Arabic out right to left', () => {
    expect(translate('en', 'case.title', { number: 'FR-7' })).toBe('Case FR-7');
    expect(translate('zh', 'duty.alarm', { sender: 'fr.central' })).toContain('fr.central');
    expect(translate('en', 'case.title')).toBe('Case {number}');
    expect(translate('en', 'no.such.key')).toBe('no.such.key');
    expect(direction('ar')).toBe('rtl');
    expect(direction('fr')).toBe('ltr');
  });
});

describe('plural forms', () => {
  const files = (lang: (typeof languages)[number], count: number) =>
    translate(lang, 'evidence.filesBytes', { count, bytes: 0 }).split(/[,،，]/)[0].trim();

  it('English: one and other', () => {
    expect(files('en', 1)).toBe('1 file');
    expect(files('en', 2)).toBe('2 files');
    expect(files('en', 5)).toBe('5 files');
    expect(files('en', 21)).toBe('21 files');
    expect(translate('en', 'evidence.filesBytes', { count: 1, bytes: 1 })).toBe('1 file, 1 byte');
    expect(translate('en', 'evidence.filesBytes', { count: 3, bytes: 12345 })).toBe('3 files, 12,345 bytes');
    expect(translate('en', 'hearing.length', { minutes: 1 })).toBe('1 minute');
    expect(translate('en', 'hearing.length', { minutes: 90 })).toBe('90 minutes');
  });

  it('Russian: one (1, 21), few (2–4, 22), many (5–20, 11)', () => {
    expect(files('ru', 1)).toBe('1 файл');
    expect(files('ru', 2)).toBe('2 файла');
    expect(files('ru', 5)).toBe('5 файлов');
    expect(files('ru', 11)).toBe('11 файлов');
    expect(files('ru', 21)).toBe('21 файл');
    expect(files('ru', 22)).toBe('22 файла');
    expect(translate('ru', 'hearing.length', { minutes: 1 })).toBe('1 минута');
    expect(translate('ru', 'hearing.length', { minutes: 3 })).toBe('3 минуты');
    expect(translate('ru', 'hearing.length', { minutes: 45 })).toBe('45 минут');
    expect(translate('ru', 'admin.directory.summary', { node: 'x', serial: '1', size: 21 })).toContain(
      'журнал аудита из 21 записи.',
    );
  });

  it('Arabic: zero, one, two, few (3–10), many (11–99), other (100–102)', () => {
    expect(files('ar', 0)).toBe('لا ملفات');
    expect(files('ar', 1)).toBe('ملف واحد');
    expect(files('ar', 2)).toBe('ملفان');
    expect(files('ar', 5)).toBe(`${formatNumber('ar', 5)} ملفات`);
    expect(files('ar', 21)).toBe(`${formatNumber('ar', 21)} ملفًا`);
    expect(files('ar', 100)).toBe(`${formatNumber('ar', 100)} ملف`);
    expect(translate('ar', 'hearing.length', { minutes: 2 })).toBe('دقيقتان');
    expect(translate('ar', 'hearing.length', { minutes: 10 })).toBe(`${formatNumber('ar', 10)} دقائق`);
  });

  it('Chinese has one form; French counts 0 and 1 as one', () => {
    expect(files('zh', 1)).toBe('1 个文件');
    expect(files('zh', 21)).toBe('21 个文件');
    expect(files('fr', 0)).toBe('0 fichier');
    expect(files('fr', 2)).toBe('2 fichiers');
  });

  it('writes the number in the language’s digits and grouping, as formatNumber does', () => {
    for (const lang of languages) {
      const text = translate(lang, 'evidence.filesBytes', { count: 7, bytes: 1234567 });
      expect(text, lang).toContain(formatNumber(lang, 1234567));
    }
    // A tree size is a bigint: it is counted like a number.
    expect(translate('en', 'admin.directory.summary', { node: 'n', serial: '2', size: 1n })).toBe(
      'This node: n; directory serial 2; audit log of 1 entry.',
    );
  });
});
