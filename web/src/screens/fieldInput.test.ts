import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { type FieldSpec, inputKind, typedValue } from './fieldInput';

function spec(overrides: Partial<FieldSpec>): FieldSpec {
  return {
    name: 'f',
    label: 'F',
    type: 'string',
    required: false,
    list: false,
    max_length: 0,
    max_items: 0,
    values: [],
    cites: [],
    ...overrides,
  } as FieldSpec;
}

const categories = [
  { value: 'subscriber', label: 'Subscriber data' },
  { value: 'traffic', label: 'Traffic data' },
];

describe('the input a field gets', () => {
  it('is a set of check boxes for a list of allowed values, a select for one', () => {
    expect(inputKind(spec({ type: 'data_categories', values: categories }), undefined)).toBe('choices');
    expect(inputKind(spec({ list: true, values: categories }), ['traffic'])).toBe('choices');
    expect(inputKind(spec({ values: categories }), 'traffic')).toBe('select');
    expect(inputKind(spec({ values: categories }), undefined)).toBe('select');
  });

  it('is a text area for free text, a line for other scalars, a check box for a boolean', () => {
    expect(inputKind(spec({ type: 'text' }), 'On 28 February...')).toBe('text');
    expect(inputKind(spec({ type: 'text' }), undefined)).toBe('text');
    expect(inputKind(spec({ type: 'date' }), '2026-12-03')).toBe('line');
    expect(inputKind(spec({ type: 'integer' }), 3)).toBe('line');
    expect(inputKind(spec({ type: 'boolean' }), undefined)).toBe('checkbox');
    expect(inputKind(spec({}), true)).toBe('checkbox');
  });

  it('is JSON for structured values', () => {
    expect(inputKind(spec({ type: 'identifiers' }), [{ type: 'email', value: 'a@b.example' }])).toBe('json');
    expect(inputKind(spec({ type: 'time_range' }), { from: '2026-01-01', to: '2026-02-01' })).toBe('json');
  });

  it('keeps a number a number and an emptied field absent', () => {
    expect(typedValue('5', 3)).toBe(5);
    expect(typedValue('5', '3')).toBe('5');
    expect(typedValue('', 'x')).toBeUndefined();
    expect(typedValue('', 3)).toBeUndefined();
  });
});

// Every field of every shipped example request gets an input that holds its value as it is.
describe('the shipped example requests', () => {
  const dir = resolve(__dirname, '../../../instruments/examples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('are there to be read', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  for (const file of files) {
    it(`${file}: each field's value fits the input it gets`, () => {
      const request = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { fields?: Record<string, unknown> };
      const fields = Object.entries(request.fields ?? {});
      expect(fields.length).toBeGreaterThan(0);
      for (const [name, value] of fields) {
        const kind = inputKind(spec({ name }), value);
        if (typeof value === 'boolean') expect(kind).toBe('checkbox');
        else if (typeof value === 'string' || typeof value === 'number') {
          expect(kind).toBe('line');
          expect(typedValue(String(value), value)).toEqual(value);
        } else {
          expect(kind).toBe('json');
          expect(JSON.parse(JSON.stringify(value, null, 1))).toEqual(value);
        }
      }
    });
  }
});
