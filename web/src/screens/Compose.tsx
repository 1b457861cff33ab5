import { useCallback, useEffect, useMemo, useState } from 'react';

import { ApiError, api, type Finding } from '../api/client';
import { useUi } from '../context';
import { type Language, isLanguage, languageNames, languages } from '../i18n';
import { type FieldSpec, inputKind, typedValue } from './fieldInput';
import { Preview, type Request } from './Preview';
import { useLoad } from './useLoad';

function Citations({ finding }: { finding: Finding }) {
  const { t } = useUi();
  if (!finding.citations?.length) return null;
  return (
    <span className="cites">
      {' '}
      ({finding.citations.map((c) => `${c.ref} — ${t('compose.status.' + c.verification)}`).join('; ')})
    </span>
  );
}

function FindingList({ findings }: { findings: Finding[] }) {
  const { t } = useUi();
  if (findings.length === 0) return null;
  return (
    <ul className="findings">
      {findings.map((f, i) => (
        <li key={i} className={f.severity} data-testid={`finding-${f.code}`}>
          <strong>{t('severity.' + f.severity)}</strong>: {f.message}
          <Citations finding={f} />
        </li>
      ))}
    </ul>
  );
}

// One input per field, of the kind `inputKind` chooses (fieldInput.ts); structured values are
// edited as JSON and refused inline until they parse.
function FieldInput({
  spec,
  value,
  onChange,
}: {
  spec: FieldSpec;
  value: unknown;
  onChange: (value: unknown) => void;
}) {
  const { t } = useUi();
  const [text, setText] = useState(() => JSON.stringify(value ?? null, null, 1));
  const [bad, setBad] = useState(false);
  const id = `field-${spec.name}`;
  const values = spec.values ?? [];
  const kind = inputKind(spec, value);

  if (kind === 'choices') {
    const chosen = Array.isArray(value) ? (value as string[]) : [];
    return (
      <fieldset id={id}>
        <legend>{spec.label}</legend>
        {values.map((v) => (
          <label key={v.value} className="inline">
            <input
              type="checkbox"
              checked={chosen.includes(v.value ?? '')}
              onChange={(e) =>
                onChange(
                  e.target.checked
                    ? [...chosen, v.value]
                    : chosen.filter((c) => c !== v.value),
                )
              }
            />{' '}
            {v.label}
          </label>
        ))}
      </fieldset>
    );
  }
  if (kind === 'select') {
    return (
      <select id={id} value={String(value ?? '')} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">—</option>
        {values.map((v) => (
          <option key={v.value} value={v.value}>
            {v.label}
          </option>
        ))}
      </select>
    );
  }
  if (kind === 'checkbox') {
    return <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
  }
  if (kind === 'text' || kind === 'line') {
    const common = {
      id,
      value: value === undefined ? '' : String(value),
      maxLength: spec.max_length || undefined,
      dir: 'auto' as const,
    };
    const set = (s: string) => onChange(typedValue(s, value));
    return kind === 'text' ? (
      <textarea {...common} rows={3} onChange={(e) => set(e.target.value)} />
    ) : (
      <input {...common} onChange={(e) => set(e.target.value)} />
    );
  }
  return (
    <>
      <textarea
        id={id}
        className="json"
        dir="ltr"
        rows={4}
        value={text}
        aria-invalid={bad}
        onChange={(e) => {
          setText(e.target.value);
          try {
            onChange(JSON.parse(e.target.value));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <p className="error">{t('compose.badJson')}</p>}
    </>
  );
}

// The officer's request form, built from the catalogue's data for the chosen request type and
// checked by the node's legal rules as the officer types (the findings under their fields, with
// citations and how each was verified). A draft can only be made of a request without errors;
// an approver must still approve it before it leaves. With `revise`, the form holds that draft's
// request (returned by an approver, or not yet approved) and saving replaces it.
export function Compose({ revise }: { revise?: string }) {
  const { t, lang, sessionEnded } = useUi();
  const loadForms = useCallback(() => Promise.all([api.forms(lang), api.node()]), [lang]);
  const { data, error } = useLoad(loadForms);
  const [forms, node] = data ?? [undefined, undefined];
  const [typeId, setTypeId] = useState('');
  const [peer, setPeer] = useState('');
  const [priority, setPriority] = useState<'normal' | 'emergency'>('normal');
  const [request, setRequest] = useState<Request | null>(null);
  const [other, setOther] = useState('');
  const [otherBad, setOtherBad] = useState(false);
  const [findings, setFindings] = useState<Finding[]>([]);
  const [valid, setValid] = useState(false);
  const [failure, setFailure] = useState('');
  const [theirs, setTheirs] = useState<Language>('en');
  const form = forms?.find((f) => f.id === typeId);
  const [number, setNumber] = useState('');

  // A revision starts from the draft as it is: its type, peer, priority and request.
  useEffect(() => {
    if (!revise || !forms) return;
    let current = true;
    api.case(revise, lang).then(
      (view) => {
        if (!current || !view.case) return;
        const held = structuredClone((view.request ?? {}) as Request);
        setTypeId(view.case.request_type ?? '');
        setPeer(view.case.peer_node ?? '');
        setPriority(view.case.priority === 'emergency' ? 'emergency' : 'normal');
        setNumber(view.case.number ?? '');
        const { fields: _fields, ...rest } = held;
        setOther(JSON.stringify(rest, null, 1));
        setOtherBad(false);
        setRequest(held);
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) sessionEnded();
        else if (current) setFailure(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      current = false;
    };
    // The draft is loaded once per screen (and language); typing must not reload it.
  }, [revise, forms]);

  // The receiver's language: the first of the peer's languages that is a UN language.
  useEffect(() => {
    const spoken = node?.peers.find((p) => p.id === peer)?.languages ?? [];
    const first = spoken.find((l) => isLanguage(l));
    if (first && isLanguage(first)) setTheirs(first);
  }, [peer, node]);

  const start = (id: string) => {
    setTypeId(id);
    const chosen = forms?.find((f) => f.id === id);
    const example = structuredClone((chosen?.example ?? {}) as Request);
    example.date = new Date().toISOString().slice(0, 10);
    if (node?.entry?.party) example.requesting_party = node.entry.party;
    const { fields: _fields, ...rest } = example;
    setOther(JSON.stringify(rest, null, 1));
    setOtherBad(false);
    setRequest(example);
  };

  useEffect(() => {
    if (!request || !peer || !node) return;
    const party = node.peers.find((p) => p.id === peer)?.party;
    if (party && request.requested_party !== party) {
      const next = { ...request, requested_party: party };
      const { fields: _fields, ...rest } = next;
      setOther(JSON.stringify(rest, null, 1));
      setOtherBad(false);
      setRequest(next);
    }
  }, [peer, node, request]);

  // The check runs a moment after the last keystroke, in the officer's language; an answer
  // to an older version of the request is dropped.
  useEffect(() => {
    if (!request) return;
    let current = true;
    const timer = window.setTimeout(() => {
      api.check(request, lang).then(
        (answer) => {
          if (!current) return;
          setFindings(answer.findings);
          setValid(answer.valid);
        },
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 401) sessionEnded();
        },
      );
    }, 300);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [request, lang, sessionEnded]);

  const setField = (name: string, value: unknown) => {
    if (!request) return;
    const fields = { ...(request.fields ?? {}) };
    if (value === undefined) delete fields[name];
    else fields[name] = value;
    setRequest({ ...request, fields });
  };

  const setOtherText = (text: string) => {
    setOther(text);
    try {
      const parsed = JSON.parse(text) as Request;
      setRequest({ ...parsed, fields: request?.fields ?? {} });
      setOtherBad(false);
    } catch {
      setOtherBad(true);
    }
  };

  const byField = useMemo(() => {
    const map = new Map<string, Finding[]>();
    for (const f of findings) {
      const m = /^fields\.([A-Za-z0-9_]+)/.exec(f.field ?? '');
      const key = m ? m[1] : '';
      map.set(key, [...(map.get(key) ?? []), f]);
    }
    return map;
  }, [findings]);

  const draft = async () => {
    if (!request) return;
    setFailure('');
    try {
      const made = revise ? await api.revise(revise, request) : await api.draft(request, peer, priority);
      window.location.hash = `#/cases/${encodeURIComponent(made.id ?? '')}`;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) sessionEnded();
      else setFailure(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <section aria-labelledby="compose-title">
      <h1 id="compose-title">{revise ? t('compose.reviseTitle', { number }) : t('compose.title')}</h1>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      <div className="filters">
        <label>
          {t('cases.type')}{' '}
          <select
            value={typeId}
            onChange={(e) => start(e.target.value)}
            data-testid="compose-type"
            disabled={Boolean(revise)}
          >
            <option value="">—</option>
            {(forms ?? []).map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('compose.to')}{' '}
          <select
            value={peer}
            onChange={(e) => setPeer(e.target.value)}
            data-testid="compose-peer"
            disabled={Boolean(revise)}
          >
            <option value="">—</option>
            {(node?.peers ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.id} — {p.authority}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('cases.priority')}{' '}
          <select
            value={priority}
            onChange={(e) => setPriority(e.target.value as 'normal' | 'emergency')}
            disabled={Boolean(revise)}
          >
            <option value="normal">{t('cases.normal')}</option>
            <option value="emergency">{t('cases.emergency')}</option>
          </select>
        </label>
      </div>
      {form && request && (
        <>
          <p className="bases">
            {t('compose.bases')}:{' '}
            {form.bases.map((b) => `${b.cite} (${t('compose.status.' + b.verification)})`).join('; ')}
          </p>
          <div role="status" aria-live="polite" data-testid="compose-summary" className={valid ? 'ok' : 'error'}>
            {valid ? t('compose.valid') : t('compose.invalid')}
          </div>
          <FindingList findings={byField.get('') ?? []} />
          <div className="form">
            {form.fields.map((spec) => (
              <div key={spec.name} className="field" data-testid={`field-${spec.name}`}>
                {!(spec.values?.length && (spec.list || spec.type === 'data_categories')) && (
                  <label htmlFor={`field-${spec.name}`}>
                    {spec.label}
                    {spec.required && <span aria-hidden="true"> *</span>}
                    {spec.required && <span className="sr-only"> ({t('compose.required')})</span>}
                  </label>
                )}
                <FieldInput
                  key={`${typeId}-${spec.name}`}
                  spec={spec}
                  value={request.fields?.[spec.name]}
                  onChange={(v) => setField(spec.name, v)}
                />
                {spec.cites && spec.cites.length > 0 && (
                  <small className="cites">
                    {spec.cites.map((c) => `${c.ref} (${t('compose.status.' + c.verification)})`).join('; ')}
                  </small>
                )}
                <FindingList findings={byField.get(spec.name) ?? []} />
              </div>
            ))}
            <div className="field">
              <label htmlFor="compose-other">{t('compose.other')}</label>
              <textarea
                id="compose-other"
                className="json"
                dir="ltr"
                rows={12}
                value={other}
                aria-invalid={otherBad}
                onChange={(e) => setOtherText(e.target.value)}
              />
              {otherBad && <p className="error">{t('compose.badJson')}</p>}
            </div>
          </div>
          <h2>{t('compose.preview')}</h2>
          <label>
            {t('compose.theirLanguage')}{' '}
            <select
              value={theirs}
              onChange={(e) => isLanguage(e.target.value) && setTheirs(e.target.value)}
              data-testid="preview-language"
            >
              {languages.map((l) => (
                <option key={l} value={l}>
                  {languageNames[l]}
                </option>
              ))}
            </select>
          </label>
          <div className="previews">
            <Preview key={`mine-${lang}`} request={request} lang={lang} title={t('compose.previewMine')} />
            <Preview
              key={`theirs-${theirs}`}
              request={request}
              lang={theirs}
              title={t('compose.previewTheirs')}
            />
          </div>
          {failure && <p role="alert">{failure}</p>}
          <button type="button" onClick={draft} disabled={!valid || !peer || otherBad}>
            {revise ? t('compose.saveRevision') : t('compose.draft')}
          </button>
        </>
      )}
    </section>
  );
}
