import { describe, expect, it } from 'vitest';

import { catalogues, direction, languages, translate } from './i18n';

describe('UI texts', () => {
  it('every language has every English text, with the same placeholders', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const lang of languages) {
      for (const [key, text] of Object.entries(catalogues.en)) {
        const other = catalogues[lang][key];
        expect(other, `${lang} ${key}`).toBeTypeOf('string');
        expect(placeholders(other), `${lang} ${key}`).toEqual(placeholders(text));
      }
      expect(Object.keys(catalogues[lang]).sort()).toEqual(Object.keys(catalogues.en).sort());
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
    expect(direction('ar')).toBe('rtl');
    expect(direction('fr')).toBe('ltr');
  });
});
