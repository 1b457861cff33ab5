import { useCallback, useEffect, useRef, useState } from 'react';

import { ApiError, api, type DutyAlert } from '../api/client';
import { useUi } from '../context';
import { formatDateTime } from '../i18n';
import { useLoad } from './useLoad';

// A short two-tone alarm from the browser's own synthesiser (no sound file to fetch). Browsers
// keep audio silent until the page was interacted with; the visual alarm never depends on it.
function soundAlarm(): void {
  try {
    const audio = new AudioContext();
    [880, 660, 880].forEach((frequency, i) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.value = 0.2;
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + i * 0.25);
      tone.stop(audio.currentTime + i * 0.25 + 0.2);
    });
  } catch {
    // no audio output: the banner stays
  }
}

// What the desk knows about an emergency beyond the alert: the case the message opened (its
// number links to it), the request's signed approval as the node verified it, and the
// escalation deadline of the acknowledgement (open: when it escalates to the backups; breached:
// when it did). The approval is read with the case (an access record names the duty officer) only
// while the emergency waits for acknowledgement: that is when the desk must judge it.
function AlertFacts({ alert }: { alert: DutyAlert }) {
  const { t, lang } = useUi();
  const open = !alert.acknowledged;
  const load = useCallback(async () => {
    const [found, deadlines] = await Promise.all([
      api.caseCarriedBy(alert.message),
      alert.deadline ? api.deadlines(alert.case) : null,
    ]);
    const opened = found.cases?.[0];
    const view = open && opened?.id ? await api.case(opened.id, lang) : null;
    return { opened, deadlines, approval: view?.approval };
  }, [alert.message, alert.case, alert.deadline, open, lang]);
  const { data } = useLoad(load);
  if (!data) return null;
  const { opened, deadlines, approval } = data;
  const escalation = deadlines?.deadlines?.find((d) => d.id === alert.deadline);
  return (
    <div className="alert-facts">
      {opened && (
        <a href={`#/cases/${encodeURIComponent(opened.id ?? '')}`} data-testid="alert-case">
          {t('duty.case', { number: opened.number ?? '' })}
        </a>
      )}
      {approval && (
        <div data-testid="alert-approval" className={approval.alert ? 'error' : undefined}>
          {t('duty.approval', { status: approval.status, description: approval.description })}
        </div>
      )}
      {escalation && (escalation.state === 'open' || escalation.state === 'warned') && (
        <div data-testid="escalation">{t('duty.escalation.open', { time: formatDateTime(lang, escalation.due) })}</div>
      )}
      {escalation?.state === 'breached' && (
        <div data-testid="escalation" className="error">
          {t('duty.escalation.breached', { time: formatDateTime(lang, escalation.due) })}
        </div>
      )}
      {escalation?.state === 'met' && <div data-testid="escalation">{t('duty.escalation.met')}</div>}
    </div>
  );
}

// The 24/7 desk: alerts newest first, live through the node's event stream (the session cookie
// authenticates it: EventSource cannot send a bearer header), acknowledged in one action.
export function Duty() {
  const { t, lang, sessionEnded } = useUi();
  const load = useCallback(() => api.dutyAlerts(), []);
  const { data, error, reload } = useLoad(load);
  const [live, setLive] = useState(false);
  const [alarm, setAlarm] = useState('');
  const [failure, setFailure] = useState('');
  const known = useRef<Set<string>>(new Set());

  useEffect(() => {
    const stream = new EventSource('/api/v1/events');
    stream.onopen = () => setLive(true);
    stream.onerror = () => setLive(false);
    stream.addEventListener('duty.alert', (e) => {
      try {
        const alert = JSON.parse((e as MessageEvent<string>).data) as DutyAlert;
        if (alert.kind === 'duty.emergency' && !alert.acknowledged && !known.current.has(alert.id)) {
          setAlarm(t('duty.alarm', { sender: alert.sender }));
          soundAlarm();
        }
      } catch {
        // not an alert body: the list below is reloaded anyway
      }
      reload();
    });
    return () => stream.close();
  }, [reload, t]);

  const alerts = data?.alerts ?? [];
  useEffect(() => {
    for (const a of alerts) known.current.add(a.id);
  }, [alerts]);

  const acknowledge = async (id: string) => {
    setFailure('');
    try {
      await api.acknowledge(id);
      setAlarm('');
      reload();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) sessionEnded();
      else setFailure(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <section aria-labelledby="duty-title">
      <h1 id="duty-title">{t('duty.title')}</h1>
      <p role="status" className={live ? 'live' : 'offline'} data-testid="duty-live">
        {live ? t('duty.live') : t('duty.offline')}
      </p>
      {alarm && (
        <p role="alert" className="alarm" data-testid="duty-alarm">
          {alarm}
        </p>
      )}
      {(error || failure) && <p role="alert">{t('error.load', { message: error || failure })}</p>}
      {data && alerts.length === 0 && <p>{t('duty.none')}</p>}
      <ul className="alerts" data-testid="duty-alerts">
        {alerts.map((a) => (
          <li key={a.id} className={a.acknowledged ? 'done' : 'open'}>
            <strong>{t('duty.kind.' + a.kind)}</strong> — {a.text}
            <div>
              {t('duty.sender')}: {a.sender || '—'} · {t('duty.received')}:{' '}
              {formatDateTime(lang, a.created)}
            </div>
            {a.kind === 'duty.emergency' && a.message && <AlertFacts alert={a} />}
            {a.acknowledged ? (
              <div data-testid="acknowledged">
                {t('duty.acknowledged', {
                  who: a.acknowledged_by ?? '',
                  time: formatDateTime(lang, a.acknowledged),
                })}
              </div>
            ) : a.kind === 'duty.emergency' ? (
              <div>
                {t('duty.open')}{' '}
                <button type="button" onClick={() => acknowledge(a.id)}>
                  {t('duty.acknowledge')}
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
