import { useCallback, useEffect, useRef, useState } from 'react';

import { dutyAlertText, needsDeadline } from '../alertText';
import { ApiError, api, type Case, type CaseView, type Deadline, type DutyAlert } from '../api/client';
import { useUi } from '../context';
import { formatDateTime } from '../i18n';
import { AlertSentence } from './AlertSentence';
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

type Facts = {
  opened?: Case;
  deadlines?: Deadline[];
  approval?: CaseView['approval'];
};

// What the desk knows about an alert beyond its fields: for an emergency, the case the message
// opened (its number links to it), the request's signed approval as the node verified it, and
// the escalation deadline of the acknowledgement (open: when it escalates to the backups;
// breached: when it did); for a deadline alert whose text does not name the deadline's kind, the
// deadline. The approval is read with the case (an access record names the duty officer) only
// while the emergency waits for acknowledgement: that is when the desk must judge it. A fact the
// officer may not read is left out.
function useFacts(alert: DutyAlert): Facts | undefined {
  const { lang } = useUi();
  const open = !alert.acknowledged;
  const emergency = alert.kind === 'duty.emergency' && !!alert.message;
  const wanted = emergency || needsDeadline(alert);
  const load = useCallback(async (): Promise<Facts> => {
    if (!wanted) return {};
    const deadlines = alert.deadline ? api.deadlines(alert.case).catch(() => null) : null;
    if (!emergency) return { deadlines: (await deadlines)?.deadlines };
    const [found, listed] = await Promise.all([api.caseCarriedBy(alert.message), deadlines]);
    const opened = found.cases?.[0];
    const view = open && opened?.id ? await api.case(opened.id, lang) : null;
    return { opened, deadlines: listed?.deadlines, approval: view?.approval };
  }, [alert.message, alert.case, alert.deadline, emergency, wanted, open, lang]);
  return useLoad(load).data;
}

function AlertFacts({ alert, facts }: { alert: DutyAlert; facts: Facts }) {
  const { t, lang } = useUi();
  const { opened, approval } = facts;
  const escalation = facts.deadlines?.find((d) => d.id === alert.deadline);
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

// One alert: its kind, its sentence in the UI's language (alertText.ts; the request type named
// as the instrument data names it in this language), who sent it and when, and its facts.
function AlertItem({
  alert,
  requestTypes,
  onAcknowledge,
}: {
  alert: DutyAlert;
  requestTypes: Map<string, string>;
  onAcknowledge: (id: string) => void;
}) {
  const { t, lang } = useUi();
  const facts = useFacts(alert);
  const kindKey = `duty.kind.${alert.kind}`;
  const kindName = t(kindKey) === kindKey ? alert.kind : t(kindKey);
  const said = dutyAlertText(alert, lang, {
    deadline: facts?.deadlines?.find((d) => d.id === alert.deadline),
    requestType: requestTypes.get(facts?.opened?.request_type ?? ''),
  });
  return (
    <li className={alert.acknowledged ? 'done' : 'open'}>
      <strong>{kindName}</strong> — <AlertSentence said={said} testId="alert-text" />
      <div>
        {t('duty.sender')}: {alert.sender || '—'} · {t('duty.received')}: {formatDateTime(lang, alert.created)}
      </div>
      {alert.kind === 'duty.emergency' && alert.message && facts && <AlertFacts alert={alert} facts={facts} />}
      {alert.acknowledged ? (
        <div data-testid="acknowledged">
          {t('duty.acknowledged', {
            who: alert.acknowledged_by ?? '',
            time: formatDateTime(lang, alert.acknowledged),
          })}
        </div>
      ) : alert.kind === 'duty.emergency' ? (
        <div>
          {t('duty.open')}{' '}
          <button type="button" onClick={() => onAcknowledge(alert.id)}>
            {t('duty.acknowledge')}
          </button>
        </div>
      ) : null}
    </li>
  );
}

// The request types' names in the UI's language, from the instrument data the node serves, read
// once there is an emergency to name (none for a user who may not read that data: the sentence
// then leaves the type out).
function useRequestTypes(wanted: boolean): Map<string, string> {
  const { lang } = useUi();
  const [names, setNames] = useState(new Map<string, string>());
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    api.forms(lang).then(
      (forms) => live && setNames(new Map(forms.map((f) => [f.id ?? '', f.name ?? '']))),
      () => live && setNames(new Map()),
    );
    return () => {
      live = false;
    };
  }, [lang, wanted]);
  return names;
}

// The 24/7 desk: alerts newest first, live through the node's event stream (the session cookie
// authenticates it: EventSource cannot send a bearer header), acknowledged in one action.
export function Duty() {
  const { t, sessionEnded } = useUi();
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
  const requestTypes = useRequestTypes(alerts.some((a) => a.kind === 'duty.emergency'));
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
          <AlertItem key={a.id} alert={a} requestTypes={requestTypes} onAcknowledge={acknowledge} />
        ))}
      </ul>
    </section>
  );
}
