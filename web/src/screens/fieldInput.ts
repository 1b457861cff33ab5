import type { RequestForm } from '../api/client';

export type FieldSpec = RequestForm['fields'][number];

/**
 * The input the request form gives a field, chosen from its type in the legal data and the
 * value it holds: allowed values become check boxes (a list) or a select; a boolean a check
 * box; free text a text area; another scalar a line; anything structured (lists of identifiers,
 * time ranges) JSON that must parse.
 */
export type InputKind = 'choices' | 'select' | 'checkbox' | 'text' | 'line' | 'json';

export function inputKind(spec: FieldSpec, value: unknown): InputKind {
  const values = spec.values ?? [];
  if (values.length > 0) {
    return spec.list || spec.type === 'data_categories' || Array.isArray(value) ? 'choices' : 'select';
  }
  if (typeof value === 'boolean' || spec.type === 'boolean') return 'checkbox';
  if (value === undefined || typeof value === 'string' || typeof value === 'number') {
    return spec.type === 'text' ? 'text' : 'line';
  }
  return 'json';
}

/** What a line or text area holds after a keystroke: emptied is absent; a number stays one. */
export function typedValue(typed: string, before: unknown): unknown {
  if (typed === '') return undefined;
  return typeof before === 'number' ? Number(typed) : typed;
}
