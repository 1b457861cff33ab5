import { useUi } from '../context';

/** A node's typed refusal of a call: status, code, the reason its message gives, its own text. */
export interface Refusal {
  status: number;
  code: string;
  reason: string;
  message: string;
}

// A failed call: the node's refusal as it typed it (status, code, the reason in the UI's
// language — `<texts>.refused.<reason>` — and the node's own text, which is English), or, when
// the call itself failed, `failedKey` with its message.
export function RefusalNotice({
  failure,
  refusal,
  texts,
  failedKey,
  testid,
}: {
  failure: unknown;
  refusal: Refusal | undefined;
  texts: string;
  failedKey: string;
  testid: string;
}) {
  const { t } = useUi();
  if (!refusal) {
    return (
      <p role="alert" className="error" data-testid={testid}>
        {t(failedKey, { message: failure instanceof Error ? failure.message : String(failure) })}
      </p>
    );
  }
  return (
    <div role="alert" className="refusal" data-testid={testid} data-code={refusal.code} data-reason={refusal.reason}>
      <p className="error">
        {t(texts + '.refused', { status: String(refusal.status), code: refusal.code })}
        {refusal.reason && ' ' + t(texts + '.refused.' + refusal.reason)}
      </p>
      <p>
        {t('alert.reason')}{' '}
        <span lang="en" dir="ltr" data-testid={testid + '-message'}>
          {refusal.message}
        </span>
      </p>
    </div>
  );
}
