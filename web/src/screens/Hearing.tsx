// A hearing by video conference (request type video_hearing; docs/cases.md "Hearings"): the
// hearing as the node holds it, and its three steps where the case's `steps` list them. The
// minutes and the recording never leave the browser: only their SHA-256, computed here with
// WebCrypto, is sent, and a file can be checked against the record the same way.
import { useId, useState } from 'react';

import { api, type CaseView, failureOf, type HearingSlot } from '../api/client';
import { sha256Hex } from '../evidence';
import { useUi } from '../context';
import { type Language, formatDateTime, formatNumber } from '../i18n';

export const kRoles = [
  'judge',
  'prosecutor',
  'investigator',
  'defence_counsel',
  'interpreter',
  'witness',
  'expert',
  'suspect',
  'accused',
  'registrar',
  'other',
] as const;
const kParties = ['requesting', 'requested'] as const;
type Party = (typeof kParties)[number];
const kMaxSlots = 5;
const kMaxParticipants = 50;

/** The time zone this browser runs in (IANA name). */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

let zoneList: string[] | undefined;

/** The IANA time zones this browser knows, with UTC and its own. */
function zoneNames(): string[] {
  if (!zoneList) {
    const supported = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
    const names = supported ? supported('timeZone') : [];
    zoneList = [...new Set([...names, 'UTC', viewerZone()])].sort();
  }
  return zoneList;
}

/** Minutes east of UTC that `zone` has at `instant` (ms since the epoch), from ICU's zone data. */
export function zoneOffset(instant: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / 60_000);
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A wall-clock time as a date-time input gives it (YYYY-MM-DDTHH:mm[:ss]) in the IANA `zone`,
 * written as RFC 3339 with the offset the zone has at that instant (what the node asks for). A
 * time that a clock change skips is moved forward as the zone's clocks move. Null when unreadable.
 */
export function zonedTime(local: string, zone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  let instant = wall - zoneOffset(wall, zone) * 60_000;
  instant = wall - zoneOffset(instant, zone) * 60_000;
  const offset = zoneOffset(instant, zone);
  const shown = new Date(instant + offset * 60_000).toISOString().slice(0, 19);
  const abs = Math.abs(offset);
  return `${shown}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function inZone(lang: Language, iso: string, zone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short', timeZone: zone }).format(date);
  } catch {
    return iso; // a zone this browser does not know
  }
}


// One proposed or agreed time: in the viewer's zone and in the proposer's.
function Slot({ slot }: { slot: HearingSlot }) {
  const { t, lang } = useUi();
  const here = viewerZone();
  return (
    <span className="hearing-slot" data-start={slot.start} data-zone={slot.time_zone}>
      <span className="hearing-here">{t('hearing.slotHere', { time: inZone(lang, slot.start, here), zone: here })}</span>
      <span className="hearing-there">
        {t('hearing.slotThere', { time: inZone(lang, slot.start, slot.time_zone), zone: slot.time_zone })}
      </span>
      <span>{t('hearing.length', { minutes: slot.minutes })}</span>
    </span>
  );
}

type SlotDraft = { local: string; zone: string; minutes: string };

function Propose({ id, onDone }: { id: string; onDone: () => void }) {
  const { t, sessionEnded } = useUi();
  const base = useId();
  const zones = zoneNames();
  const [slots, setSlots] = useState<SlotDraft[]>([{ local: '', zone: viewerZone(), minutes: '60' }]);
  const [failure, setFailure] = useState('');
  const [busy, setBusy] = useState(false);
  const change = (i: number, next: Partial<SlotDraft>) =>
    setSlots(slots.map((s, j) => (j === i ? { ...s, ...next } : s)));
  const submit = async () => {
    setFailure('');
    const out: HearingSlot[] = [];
    for (const [i, s] of slots.entries()) {
      const start = zonedTime(s.local, s.zone);
      const minutes = Number(s.minutes);
      if (!start) return setFailure(t('hearing.badStart', { n: i + 1 }));
      if (!Number.isInteger(minutes) || minutes < 5 || minutes > 1440) {
        return setFailure(t('hearing.badLength', { n: i + 1 }));
      }
      out.push({ start, time_zone: s.zone, minutes });
    }
    setBusy(true);
    try {
      await api.step(id, 'propose_hearing', undefined, undefined, { slots: out });
      setSlots([{ local: '', zone: viewerZone(), minutes: '60' }]);
      onDone();
    } catch (err) {
      setFailure(failureOf(err, sessionEnded));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="hearing-form"
      data-testid="hearing-propose"
      aria-labelledby={`${base}-h`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 id={`${base}-h`}>{t('hearing.proposeTitle')}</h3>
      <p className="cites">{t('hearing.proposeHint')}</p>
      {slots.map((s, i) => (
        <fieldset key={i} className="hearing-row" data-testid={`slot-${i + 1}`}>
          <legend>{t('hearing.slot', { n: i + 1 })}</legend>
          <label>
            {t('hearing.start')}
            <input
              type="datetime-local"
              required
              value={s.local}
              onChange={(e) => change(i, { local: e.target.value })}
            />
          </label>
          <label>
            {t('hearing.zone')}
            <select value={s.zone} onChange={(e) => change(i, { zone: e.target.value })}>
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('hearing.lengthLabel')}
            <input
              type="number"
              min={5}
              max={1440}
              required
              value={s.minutes}
              onChange={(e) => change(i, { minutes: e.target.value })}
            />
          </label>
          {slots.length > 1 && (
            <button type="button" className="secondary" onClick={() => setSlots(slots.filter((_, j) => j !== i))}>
              {t('hearing.removeSlot', { n: i + 1 })}
            </button>
          )}
        </fieldset>
      ))}
      <div className="buttons">
        {slots.length < kMaxSlots && (
          <button
            type="button"
            onClick={() => setSlots([...slots, { local: '', zone: slots.at(-1)?.zone ?? viewerZone(), minutes: '60' }])}
          >
            {t('hearing.addSlot')}
          </button>
        )}
        <button type="submit" disabled={busy}>
          {t('hearing.propose')}
        </button>
      </div>
      {failure && <p role="alert">{failure}</p>}
    </form>
  );
}

type Hashed = { name: string; hash: string; state: 'idle' | 'hashing' | 'done' | 'failed' };
const kNoFile: Hashed = { name: '', hash: '', state: 'idle' };

// A file input whose file is hashed in the browser as soon as it is chosen.
function HashedFile({
  label,
  value,
  onChange,
  testId,
}: {
  label: string;
  value: Hashed;
  onChange: (next: Hashed) => void;
  testId: string;
}) {
  const { t } = useUi();
  const choose = async (file: File | undefined) => {
    if (!file) return onChange(kNoFile);
    onChange({ name: file.name, hash: '', state: 'hashing' });
    try {
      onChange({ name: file.name, hash: await sha256Hex(file), state: 'done' });
    } catch (err) {
      onChange({ name: file.name, hash: err instanceof Error ? err.message : String(err), state: 'failed' });
    }
  };
  return (
    <div className="hearing-file">
      <label>
        {label}
        <input type="file" onChange={(e) => void choose(e.target.files?.[0])} />
      </label>
      {value.state !== 'idle' && (
        <p role="status" data-testid={testId} data-hash={value.state === 'done' ? value.hash : ''}>
          {value.state === 'hashing' && t('hearing.hashing')}
          {value.state === 'done' && (
            <>
              {t('hearing.hashOf')} <code className="hash">{value.hash}</code>
            </>
          )}
          {value.state === 'failed' && value.hash}
        </p>
      )}
    </div>
  );
}

type Person = { name: string; role: string; party: Party };

function Record({ id, mySide, onDone }: { id: string; mySide: Party; onDone: () => void }) {
  const { t, sessionEnded } = useUi();
  const base = useId();
  const zones = zoneNames();
  const [heldLocal, setHeldLocal] = useState('');
  const [heldZone, setHeldZone] = useState(viewerZone());
  const [people, setPeople] = useState<Person[]>([{ name: '', role: 'judge', party: mySide }]);
  const [minutes, setMinutes] = useState<Hashed>(kNoFile);
  const [recording, setRecording] = useState<Hashed>(kNoFile);
  const [failure, setFailure] = useState('');
  const [busy, setBusy] = useState(false);
  const change = (i: number, next: Partial<Person>) =>
    setPeople(people.map((p, j) => (j === i ? { ...p, ...next } : p)));
  const submit = async () => {
    setFailure('');
    const heldAt = zonedTime(heldLocal, heldZone);
    if (!heldAt) return setFailure(t('hearing.needHeldAt'));
    if (people.some((p) => !p.name.trim())) return setFailure(t('hearing.needParticipant'));
    if (minutes.state !== 'done') return setFailure(t('hearing.needMinutes'));
    if (recording.state === 'hashing' || recording.state === 'failed') return setFailure(t('hearing.needRecording'));
    setBusy(true);
    try {
      await api.step(id, 'record_hearing', undefined, undefined, {
        held_at: heldAt,
        minutes_sha256: minutes.hash,
        ...(recording.state === 'done' ? { recording_sha256: recording.hash } : {}),
        participants: people.map((p) => ({ name: p.name.trim(), role: p.role, party: p.party })),
      });
      onDone();
    } catch (err) {
      setFailure(failureOf(err, sessionEnded));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="hearing-form"
      data-testid="hearing-record"
      aria-labelledby={`${base}-h`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 id={`${base}-h`}>{t('hearing.recordTitle')}</h3>
      <p className="cites">{t('hearing.recordHint')}</p>
      <div className="hearing-row">
        <label>
          {t('hearing.heldAt')}
          <input type="datetime-local" required value={heldLocal} onChange={(e) => setHeldLocal(e.target.value)} />
        </label>
        <label>
          {t('hearing.heldZone')}
          <select value={heldZone} onChange={(e) => setHeldZone(e.target.value)}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset>
        <legend>{t('hearing.participants')}</legend>
        {people.map((p, i) => (
          <fieldset key={i} className="hearing-row" data-testid={`participant-${i + 1}`}>
            <legend>{t('hearing.participant', { n: i + 1 })}</legend>
            <label>
              {t('hearing.name')}
              <input type="text" dir="auto" required value={p.name} onChange={(e) => change(i, { name: e.target.value })} />
            </label>
            <label>
              {t('hearing.role')}
              <select value={p.role} onChange={(e) => change(i, { role: e.target.value })}>
                {kRoles.map((r) => (
                  <option key={r} value={r}>
                    {t('hearing.role.' + r)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('hearing.party')}
              <select value={p.party} onChange={(e) => change(i, { party: e.target.value as Party })}>
                {kParties.map((x) => (
                  <option key={x} value={x}>
                    {t('hearing.party.' + x)}
                  </option>
                ))}
              </select>
            </label>
            {people.length > 1 && (
              <button type="button" className="secondary" onClick={() => setPeople(people.filter((_, j) => j !== i))}>
                {t('hearing.removeParticipant', { n: i + 1 })}
              </button>
            )}
          </fieldset>
        ))}
        {people.length < kMaxParticipants && (
          <button type="button" onClick={() => setPeople([...people, { name: '', role: 'witness', party: mySide }])}>
            {t('hearing.addParticipant')}
          </button>
        )}
      </fieldset>
      <HashedFile label={t('hearing.minutesFile')} value={minutes} onChange={setMinutes} testId="minutes-hash" />
      <HashedFile label={t('hearing.recordingFile')} value={recording} onChange={setRecording} testId="recording-hash" />
      <div className="buttons">
        <button type="submit" disabled={busy || minutes.state === 'hashing' || recording.state === 'hashing'}>
          {t('hearing.record')}
        </button>
      </div>
      {failure && <p role="alert">{failure}</p>}
    </form>
  );
}

// Whoever holds a file says whether it is one the record names: its SHA-256 against the two.
function CheckFile({ minutes, recording }: { minutes: string; recording: string }) {
  const { t } = useUi();
  const [file, setFile] = useState<Hashed>(kNoFile);
  const verdict =
    file.state !== 'done'
      ? ''
      : file.hash === minutes
        ? 'minutes'
        : recording && file.hash === recording
          ? 'recording'
          : 'none';
  return (
    <div className="hearing-check">
      <h3>{t('hearing.checkTitle')}</h3>
      <label>
        {t('hearing.checkFile')}
        <input
          type="file"
          onChange={async (e) => {
            const chosen = e.target.files?.[0];
            if (!chosen) return setFile(kNoFile);
            setFile({ name: chosen.name, hash: '', state: 'hashing' });
            try {
              setFile({ name: chosen.name, hash: await sha256Hex(chosen), state: 'done' });
            } catch (err) {
              setFile({ name: chosen.name, hash: err instanceof Error ? err.message : String(err), state: 'failed' });
            }
          }}
        />
      </label>
      {file.state !== 'idle' && (
        <p
          role="status"
          data-testid="hearing-check"
          data-verdict={verdict}
          className={verdict === 'none' || file.state === 'failed' ? 'mismatch' : verdict ? 'match' : undefined}
        >
          {file.state === 'hashing' && t('hearing.hashing')}
          {file.state === 'failed' && file.hash}
          {verdict && t('hearing.check.' + verdict, { name: file.name, hash: file.hash })}
        </p>
      )}
    </div>
  );
}

export function Hearing({ view, onDone }: { view: CaseView; onDone: () => void }) {
  const { t, lang, sessionEnded } = useUi();
  const c = view.case;
  const h = view.hearing ?? null;
  const id = c?.id ?? '';
  const mySide: Party = c?.direction === 'out' ? 'requesting' : 'requested';
  const partyCode = (p: string | undefined) => (p === 'requesting' ? c?.requesting_party : c?.requested_party) ?? '';
  const partyName = (p: string | undefined) =>
    p ? `${t('hearing.party.' + p)} (${partyCode(p)})` : '';
  const offered = new Set((view.steps ?? []).map((s) => s.transition));
  const state = h?.state;
  const canAccept = offered.has('accept_hearing') && state === 'proposed' && h?.proposed_by !== mySide;
  const canPropose = offered.has('propose_hearing') && state !== 'held';
  const canRecord = offered.has('record_hearing') && state === 'scheduled';
  const [address, setAddress] = useState('');
  const [failure, setFailure] = useState('');
  const [busy, setBusy] = useState(false);
  const accept = async (slot: number) => {
    setFailure('');
    const meeting = address.trim();
    if (meeting && !/^https:\/\/\S+$/i.test(meeting)) return setFailure(t('hearing.badAddress'));
    setBusy(true);
    try {
      await api.step(id, 'accept_hearing', undefined, undefined, {
        proposal: h?.proposal,
        slot,
        ...(meeting ? { meeting_address: meeting } : {}),
      });
      setAddress('');
      onDone();
    } catch (err) {
      setFailure(failureOf(err, sessionEnded));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card hearing" aria-labelledby="hearing-title" data-testid="hearing" data-state={state ?? 'none'}>
      <h2 id="hearing-title">{t('hearing.title')}</h2>
      {!h && <p data-testid="hearing-none">{t('hearing.none')}</p>}
      {h && (
        <dl className="fields">
          <div>
            <dt>{t('hearing.state')}</dt>
            <dd data-testid="hearing-state">{t('hearing.state.' + (state ?? 'proposed'))}</dd>
          </div>
          <div>
            <dt>{t('hearing.proposal')}</dt>
            <dd data-testid="hearing-proposal">
              {t('hearing.proposalBy', { number: formatNumber(lang, h.proposal ?? 0), party: partyName(h.proposed_by) })}
            </dd>
          </div>
          {h.agreed && (
            <div>
              <dt>{t('hearing.agreed')}</dt>
              <dd data-testid="hearing-agreed">
                <Slot slot={h.agreed} />
              </dd>
            </div>
          )}
          {h.agreed && (
            <div>
              <dt>{t('hearing.address')}</dt>
              <dd data-testid="hearing-address">
                {h.meeting_address && /^https:\/\//i.test(h.meeting_address) ? (
                  <a href={h.meeting_address} target="_blank" rel="noopener noreferrer" dir="ltr">
                    {h.meeting_address}
                  </a>
                ) : (
                  t('hearing.noAddress')
                )}
              </dd>
            </div>
          )}
        </dl>
      )}
      {h && state === 'proposed' && (
        <>
          <h3>{t('hearing.slots')}</h3>
          {canAccept && (
            <>
              <p className="cites">{t('hearing.acceptHint')}</p>
              <label className="hearing-address">
                {t('hearing.acceptAddress')}
                <input
                  type="url"
                  dir="ltr"
                  inputMode="url"
                  placeholder="https://"
                  value={address}
                  onChange={(e) => setAddress(e.target.value)}
                />
              </label>
            </>
          )}
          {!canAccept && h.proposed_by === mySide && <p className="cites">{t('hearing.ownProposal')}</p>}
          <ol className="hearing-slots" data-testid="hearing-slots">
            {(h.slots ?? []).map((s, i) => (
              <li key={i}>
                <Slot slot={s} />
                {canAccept && (
                  <button type="button" disabled={busy} onClick={() => void accept(i)}>
                    {t('hearing.acceptSlot', { n: i + 1 })}
                  </button>
                )}
              </li>
            ))}
          </ol>
          {failure && <p role="alert">{failure}</p>}
        </>
      )}
      {h && state === 'held' && (
        <>
          <h3>{t('hearing.recordShown')}</h3>
          <dl className="fields" data-testid="hearing-recorded">
            <div>
              <dt>{t('hearing.heldAtShown')}</dt>
              <dd>{formatDateTime(lang, h.held_at ?? undefined)}</dd>
            </div>
            <div>
              <dt>{t('hearing.minutesHash')}</dt>
              <dd>
                <code className="hash" data-testid="hearing-minutes-sha256">
                  {h.minutes_sha256}
                </code>
              </dd>
            </div>
            <div>
              <dt>{t('hearing.recordingHash')}</dt>
              <dd>
                {h.recording_sha256 ? (
                  <code className="hash" data-testid="hearing-recording-sha256">
                    {h.recording_sha256}
                  </code>
                ) : (
                  t('hearing.noRecording')
                )}
              </dd>
            </div>
            <div>
              <dt>{t('hearing.recordedBy')}</dt>
              <dd>{kParties.includes(h.recorded_by as Party) ? partyName(h.recorded_by) : h.recorded_by}</dd>
            </div>
            {(h.record_leaf ?? -1) >= 0 && (
              <div>
                <dt>{t('hearing.recordLeaf')}</dt>
                <dd>{t('hearing.leaf', { index: formatNumber(lang, h.record_leaf ?? 0) })}</dd>
              </div>
            )}
          </dl>
          <table data-testid="hearing-participants">
            <caption>{t('hearing.participants')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('hearing.name')}</th>
                <th scope="col">{t('hearing.role')}</th>
                <th scope="col">{t('hearing.party')}</th>
              </tr>
            </thead>
            <tbody>
              {(h.participants ?? []).map((p, i) => (
                <tr key={i}>
                  <td dir="auto">{p.name}</td>
                  <td>{t('hearing.role.' + (p.role ?? 'other'))}</td>
                  <td>{partyName(p.party)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <CheckFile minutes={h.minutes_sha256 ?? ''} recording={h.recording_sha256 ?? ''} />
        </>
      )}
      {canRecord && <Record id={id} mySide={mySide} onDone={onDone} />}
      {canPropose && <Propose id={id} onDone={onDone} />}
    </section>
  );
}
