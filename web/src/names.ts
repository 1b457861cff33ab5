// The lifecycle's states and steps, and the deadlines' kinds (instruments/deadlines.toml ids and
// the node's own such as asset.freeze_expiry), by name in the UI's language (i18n.ts: state.ID,
// step.ID, deadline.ID); an id the catalogue does not name yet is shown as it is.
export function nameOf(
  t: (key: string, values?: Record<string, string | number>) => string,
  kind: 'state' | 'step' | 'deadline',
  id: string | undefined,
): string {
  if (!id) return '';
  const key = `${kind}.${id}`;
  const text = t(key);
  return text === key ? id : text;
}
