// The evidence packages of a case (docs/cases.md "Evidence"): create a draft, add files with a
// progress bar each, resume an interrupted upload, seal; the signed manifest shown and checked
// in the browser (both signatures and the officer's certificate against the directory's keys);
// each file downloaded with progress and its SHA-256 checked against the manifest; the chain of
// custody from the package, its manifest and the recipient's signed receipt; the case's legal
// holds (Holds.tsx), which stop the packages' retention clock.
import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react';

import { ApiError, api } from '../api/client';
import {
  type EvidenceFile,
  type EvidencePackage,
  Interrupted,
  OffsetMismatch,
  downloadFile,
  evidenceApi,
  uploadFile,
} from '../api/evidence';
import { useUi } from '../context';
import {
  type DirectoryNode,
  type ManifestCheck,
  type Receipt,
  sha256Hex,
  verifyManifest,
  verifyReceipt,
} from '../evidence';
import { formatDateTime, formatNumber } from '../i18n';
import { fromBase64, verifyTlogProof } from '../proof';
import { Holds } from './Holds';
import { useLoad } from './useLoad';

type Ui = ReturnType<typeof useUi>;

/** A text kept as its key and values, so that it follows the language switch. */
type Note = [key: string, values?: Record<string, string | number>] | null;

const dayMs = 24 * 3600 * 1000;

function percent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 100;
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function Progress({ label, done, total, testId }: { label: string; done: number; total: number; testId: string }) {
  const { lang } = useUi();
  const p = percent(done, total);
  return (
    <span className="transfer">
      <progress max={100} value={p} aria-label={label} data-testid={testId} />
      <span>{formatNumber(lang, p)} %</span>
    </span>
  );
}

// ---- uploads --------------------------------------------------------------------------------

type Upload = {
  file: File;
  sent: number;
  state: 'waiting' | 'sending' | 'checking' | 'interrupted' | 'done' | 'failed';
  text: Note;
  stop?: AbortController;
};

function useUploads(packageId: string, onStored: () => void) {
  const { me, sessionEnded } = useUi();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const update = useCallback(
    (name: string, change: Partial<Upload>) =>
      setUploads((all) => all.map((u) => (u.file.name === name ? { ...u, ...change } : u))),
    [],
  );

  const send = useCallback(
    async (file: File, from = 0) => {
      const stop = new AbortController();
      update(file.name, { state: 'sending', sent: from, text: null, stop });
      // The local hash is computed while the file goes up: the node's answer must match it.
      const local = sha256Hex(file).catch(() => '');
      try {
        let offset = from;
        let stored: EvidenceFile | null = null;
        // The node may hold another part than assumed (a part it kept after the answer was
        // lost, or less after a crash): its answer says where to go on from; a few times at most.
        for (let attempt = 0; stored === null; attempt++) {
          try {
            stored = await uploadFile(
              packageId,
              file.name,
              file,
              offset,
              me.csrf_token ?? '',
              (sent) => update(file.name, { sent }),
              stop.signal,
            );
          } catch (err) {
            if (!(err instanceof OffsetMismatch) || attempt >= 3) throw err;
            offset = err.received;
          }
        }
        const hash = await local;
        update(
          file.name,
          stored.sha256 === hash
            ? { state: 'done', text: ['evidence.stored', { hash }] }
            : { state: 'failed', text: ['evidence.hashDiffers', { mine: hash, theirs: stored.sha256 ?? '' }] },
        );
        onStored();
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) sessionEnded();
        else if (err instanceof Interrupted || err instanceof OffsetMismatch || (err instanceof ApiError && err.status === 503)) {
          update(file.name, { state: 'interrupted', text: ['evidence.interrupted', { reason: reasonOf(err) }] });
        } else update(file.name, { state: 'failed', text: ['evidence.failed', { reason: reasonOf(err) }] });
      }
    },
    [packageId, me.csrf_token, update, onStored, sessionEnded],
  );

  // Where the node stands with an upload of `file`: the byte to go on from, when it keeps a
  // part that is the start of this very file (same size, and the SHA-256 of its bytes is the
  // one of this file's first bytes); 0 otherwise, and the upload starts (again) from byte 0.
  const keptOf = async (file: File): Promise<number> => {
    const under = await evidenceApi.upload(packageId, file.name).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    });
    if (under === null || under.size !== file.size || under.received === 0) return 0;
    const prefix = await sha256Hex(file.slice(0, under.received));
    return prefix === under.received_sha256 ? under.received : 0;
  };

  // One file at a time: the node serves a few transfers at once (evidence.transfers) and
  // answers 503 beyond them; the files waiting show an empty bar until their turn. A file
  // whose upload the node already has under way (the page was reloaded, or the file chosen
  // again) goes on from where it stands.
  const add = async (files: File[]) => {
    setUploads((all) => [
      ...all.filter((u) => !files.some((f) => f.name === u.file.name)),
      ...files.map((file): Upload => ({ file, sent: 0, state: 'waiting', text: null })),
    ]);
    for (const f of files) {
      const from = await keptOf(f).catch(() => 0);
      await send(f, from);
    }
  };

  // Resuming asks the node where the file stands: an upload under way goes on from the last
  // chunk the node kept; with none, a file it recorded after all (the answer was lost) is kept if
  // its SHA-256 is this file's; otherwise the file goes again from its start.
  const resume = async (file: File) => {
    update(file.name, { state: 'checking', text: ['evidence.asking'] });
    try {
      const from = await keptOf(file);
      if (from > 0) {
        await send(file, from);
        return;
      }
      const [held, hash] = await Promise.all([evidenceApi.get(packageId), sha256Hex(file)]);
      const same = held.files?.find((f) => f.name === file.name);
      if (!same) {
        await send(file);
      } else if (same.sha256 === hash && same.size === file.size) {
        update(file.name, { state: 'done', sent: file.size, text: ['evidence.alreadyHeld', { hash }] });
        onStored();
      } else {
        update(file.name, { state: 'failed', text: ['evidence.heldOther'] });
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) sessionEnded();
      else update(file.name, { state: 'interrupted', text: ['evidence.interrupted', { reason: reasonOf(err) }] });
    }
  };

  return { uploads, add, resume };
}

function Uploads({
  pkg,
  onStored,
  onBusy,
}: {
  pkg: EvidencePackage;
  onStored: () => void;
  onBusy: (busy: boolean) => void;
}) {
  const { t, lang } = useUi();
  const id = pkg.package ?? '';
  const { uploads, add, resume } = useUploads(id, onStored);
  const busy = uploads.some((u) => u.state === 'waiting' || u.state === 'sending' || u.state === 'checking');
  useEffect(() => onBusy(busy), [busy, onBusy]);
  const inputId = `evidence-add-${id}`;
  // Uploads the node has under way that this page is not sending (it was reloaded, or another
  // session started them): choosing the same file again goes on from the kept chunks.
  const underWay = (pkg.uploads ?? []).filter((u) => !uploads.some((mine) => mine.file.name === u.name));
  return (
    <div className="uploads">
      <label htmlFor={inputId}>{t('evidence.addFiles')}</label>
      <input
        id={inputId}
        type="file"
        multiple
        data-testid="evidence-input"
        onChange={(e) => {
          void add([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
      {underWay.length > 0 && (
        <ul className="transfers" data-testid="uploads-under-way">
          {underWay.map((u) => (
            <li key={u.name} data-testid={`under-way-${u.name}`}>
              <span dir="auto" className="file-name">
                {u.name}
              </span>
              <p className="transfer-text">
                {t('evidence.underWay', { received: formatNumber(lang, u.received ?? 0), size: formatNumber(lang, u.size ?? 0) })}
              </p>
            </li>
          ))}
        </ul>
      )}
      {uploads.length > 0 && (
        <ul className="transfers" data-testid="uploads">
          {uploads.map((u) => (
            <li key={u.file.name} className={u.state} data-testid={`upload-${u.file.name}`} data-state={u.state}>
              <span dir="auto" className="file-name">
                {u.file.name}
              </span>
              <Progress
                label={t('evidence.uploading', { name: u.file.name })}
                done={u.state === 'done' ? u.file.size : u.sent}
                total={u.file.size}
                testId={`upload-progress-${u.file.name}`}
              />
              {u.state === 'sending' && (
                <button type="button" onClick={() => u.stop?.abort()}>
                  {t('evidence.stop')}
                </button>
              )}
              {u.state === 'interrupted' && (
                <button type="button" onClick={() => void resume(u.file)}>
                  {t('evidence.resume')}
                </button>
              )}
              {u.state === 'waiting' && <span className="transfer-text">{t('evidence.waiting')}</span>}
              {u.text && (
                <p role={u.state === 'failed' ? 'alert' : 'status'} className="transfer-text">
                  {t(...u.text)}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// ---- the manifest and its verification -------------------------------------------------------

type Verified = { text: string; check: ManifestCheck };

function ManifestView({ verified, ui }: { verified: Verified; ui: Ui }) {
  const { t, lang } = ui;
  const { check } = verified;
  const m = check.manifest;
  const failed = check.links.find((l) => !l.ok);
  const c = m?.officer?.certificate;
  return (
    <div className="manifest" data-testid="manifest">
      <h4>{t('evidence.manifest')}</h4>
      <p role="status" className={check.ok ? 'ok' : 'failed'} data-testid="manifest-result">
        {check.ok
          ? t('evidence.manifestOk', { node: m?.from ?? '', officer: c?.name ?? '', serial: c?.serial ?? '' })
          : t('evidence.manifestBad', { code: failed?.code ?? 'malformed' })}
      </p>
      <ul className="links">
        {check.links.map((l) => (
          <li key={l.code} className={l.ok ? 'ok' : 'failed'}>
            {(l.ok ? '✓ ' : '✗ ') + t('evidence.link.' + l.code)}
          </li>
        ))}
      </ul>
      {m && c && (
        <dl className="fields">
          <div>
            <dt>{t('evidence.signedBy')}</dt>
            <dd>
              {t('evidence.officer', {
                name: c.name,
                user: c.user,
                roles: (c.roles ?? []).join(', '),
                unit: c.authority?.unit ?? '',
                party: c.authority?.party ?? '',
              })}
            </dd>
          </div>
          <div>
            <dt>{t('evidence.signedAt')}</dt>
            <dd>{formatDateTime(lang, m.officer.time)}</dd>
          </div>
          <div>
            <dt>{t('evidence.nodeSignature')}</dt>
            <dd>
              {m.from} <code className="hash">{m.key}</code>
            </dd>
          </div>
          <div>
            <dt>{t('evidence.certificate')}</dt>
            <dd>
              {t('evidence.certificatePeriod', {
                serial: c.serial,
                from: formatDateTime(lang, c.not_before),
                until: formatDateTime(lang, c.not_after),
              })}
            </dd>
          </div>
        </dl>
      )}
      {m && Array.isArray(m.files) && (
        <table data-testid="manifest-files">
          <caption className="sr-only">{t('evidence.manifestFiles')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('evidence.name')}</th>
              <th scope="col">{t('evidence.size')}</th>
              <th scope="col">SHA-256</th>
              <th scope="col">{t('evidence.addedBy')}</th>
            </tr>
          </thead>
          <tbody>
            {m.files.map((f) => (
              <tr key={f.name}>
                <td dir="auto">
                  {f.name}
                  <div className="reasons">{f.media_type}</div>
                </td>
                <td>{formatNumber(lang, f.size)}</td>
                <td>
                  <code className="hash">{f.sha256}</code>
                </td>
                <td>
                  {f.added_by}
                  <div className="reasons">{formatDateTime(lang, f.added)}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

// ---- downloads ----------------------------------------------------------------------------

type Download = { received: number; state: 'receiving' | 'ok' | 'failed'; text: Note };

function Downloader({ pkg, file, expected }: { pkg: EvidencePackage; file: EvidenceFile; expected?: string }) {
  const { t, sessionEnded } = useUi();
  const [d, setD] = useState<Download>();
  const name = file.name ?? '';
  const size = file.size ?? 0;
  const run = async () => {
    setD({ received: 0, state: 'receiving', text: null });
    try {
      const { blob, declared } = await downloadFile(
        pkg.package ?? '',
        name,
        size,
        (received) => setD({ received, state: 'receiving', text: null }),
      );
      const hash = await sha256Hex(blob);
      const against = expected ?? file.sha256 ?? '';
      if (hash !== against || (declared && declared !== against)) {
        setD({ received: size, state: 'failed', text: ['evidence.downloadBad', { hash, expected: against }] });
        return;
      }
      // Saved by the browser only once it checked out.
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setD({
        received: size,
        state: 'ok',
        text: [expected ? 'evidence.downloadOkManifest' : 'evidence.downloadOk', { hash }],
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) sessionEnded();
      else setD({ received: 0, state: 'failed', text: ['evidence.failed', { reason: reasonOf(err) }] });
    }
  };
  return (
    <div className="download">
      <button
        type="button"
        onClick={() => void run()}
        disabled={d?.state === 'receiving'}
        aria-label={t('evidence.downloadName', { name })}
      >
        {t('evidence.download')}
      </button>
      {d && (
        <Progress
          label={t('evidence.downloading', { name })}
          done={d.received}
          total={size}
          testId={`download-progress-${name}`}
        />
      )}
      {d?.text && (
        <p role="status" className={d.state} data-testid={`download-result-${name}`}>
          {t(...d.text)}
        </p>
      )}
    </div>
  );
}

// ---- custody ------------------------------------------------------------------------------

type CustodyRow = { at?: string; who: string; what: string; state?: 'ok' | 'failed' };

async function custodyOf(
  pkg: EvidencePackage,
  verified: Verified | undefined,
  nodes: DirectoryNode[],
  ui: Ui,
): Promise<CustodyRow[]> {
  const { t, lang } = ui;
  const rows: CustodyRow[] = [
    { at: pkg.created, who: pkg.created_by ?? '', what: t('evidence.custody.created', { to: pkg.to ?? '' }) },
  ];
  for (const f of pkg.files ?? []) {
    rows.push({
      at: f.added,
      who: f.added_by ?? '',
      what: t('evidence.custody.added', { name: f.name ?? '', hash: f.sha256 ?? '' }),
    });
  }
  const m = verified?.check.manifest;
  if (m?.officer?.certificate) {
    rows.push({
      at: m.officer.time,
      who: m.officer.certificate.user,
      what: t('evidence.custody.sealed', { node: m.from }),
      state: verified?.check.ok ? 'ok' : 'failed',
    });
  }
  if (!m || pkg.state === 'draft') return rows;
  const custody = await evidenceApi.custody(pkg.package ?? '');
  const receiptText = custody.receipt ?? pkg.receipt;
  if (receiptText) {
    const { receipt, ok } = await verifyReceipt(receiptText, verified!.text, m, nodes);
    const r: Partial<Receipt> = receipt ?? {};
    rows.push({
      at: r.received,
      who: m.to,
      what: t(ok ? 'evidence.custody.receipt' : 'evidence.custody.receiptBad', {
        node: m.to,
        index: formatNumber(lang, r.ledger_index ?? 0),
      }),
      state: ok ? 'ok' : 'failed',
    });
    if (custody.ledger_leaf && custody.ledger_proof) {
      const to = nodes.find((n) => n.id === m.to);
      let proven = false;
      try {
        if (to) {
          await verifyTlogProof(custody.ledger_proof, fromBase64(custody.ledger_leaf), to.id, fromBase64(to.signing_key));
          proven = true;
        }
      } catch {
        proven = false;
      }
      rows.push({
        at: r.received,
        who: m.to,
        what: t(proven ? 'evidence.custody.proven' : 'evidence.custody.notProven', { node: m.to }),
        state: proven ? 'ok' : 'failed',
      });
    }
  } else if (pkg.state === 'sealed') {
    rows.push({ who: pkg.from ?? '', what: t('evidence.custody.sending', { node: m.to }) });
  }
  return rows;
}

function Custody({ rows }: { rows: CustodyRow[] }) {
  const { t, lang } = useUi();
  return (
    <>
      <h4>{t('evidence.custody')}</h4>
      <table data-testid="custody">
        <thead>
          <tr>
            <th scope="col">{t('case.at')}</th>
            <th scope="col">{t('case.actor')}</th>
            <th scope="col">{t('evidence.event')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td>{formatDateTime(lang, r.at)}</td>
              <td>{r.who}</td>
              <td className={r.state}>{r.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

// ---- one package --------------------------------------------------------------------------

function Package({ pkg, nodes, onChanged }: { pkg: EvidencePackage; nodes: DirectoryNode[]; onChanged: () => void }) {
  const ui = useUi();
  const { t, lang, sessionEnded } = ui;
  const id = pkg.package ?? '';
  const [verified, setVerified] = useState<Verified>();
  const [custody, setCustody] = useState<CustodyRow[]>([]);
  const [failure, setFailure] = useState('');
  const [sealing, setSealing] = useState(false);
  const [uploading, setUploading] = useState(false);
  const sealedLike = pkg.state !== 'draft' && pkg.state !== 'shredded';

  // The manifest of a sealed package, read byte for byte and checked here against the directory.
  useEffect(() => {
    if (!sealedLike || nodes.length === 0) return;
    let live = true;
    evidenceApi
      .manifest(id)
      .then(async (text) => ({ text, check: await verifyManifest(text, nodes) }))
      .then(
        (v) => live && setVerified(v),
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 401) sessionEnded();
          else if (live) setFailure(t('evidence.failed', { reason: reasonOf(err) }));
        },
      );
    return () => {
      live = false;
    };
  }, [id, sealedLike, nodes, sessionEnded, t]);

  useEffect(() => {
    let live = true;
    custodyOf(pkg, verified, nodes, ui).then(
      (rows) => live && setCustody(rows),
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) sessionEnded();
        else if (live) setFailure(t('evidence.failed', { reason: reasonOf(err) }));
      },
    );
    return () => {
      live = false;
    };
  }, [pkg, verified, nodes, lang, sessionEnded]);

  const seal = async () => {
    setFailure('');
    setSealing(true);
    try {
      await evidenceApi.seal(id);
      onChanged();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) sessionEnded();
      else setFailure(t('evidence.failed', { reason: reasonOf(err) }));
    } finally {
      setSealing(false);
    }
  };

  const manifestFiles = verified?.check.ok ? verified.check.manifest?.files : undefined;
  const files = pkg.files ?? [];
  const headingId = `evidence-package-${id}`;
  return (
    <article
      className="card package"
      aria-labelledby={headingId}
      data-testid="evidence-package"
      data-state={pkg.state}
      data-package={id}
    >
      <h3 id={headingId}>{t('evidence.package', { id })}</h3>
      <dl className="fields">
        <div>
          <dt>{t('cases.state')}</dt>
          <dd data-testid="package-state">{t('evidence.state.' + (pkg.state ?? ''))}</dd>
        </div>
        <div>
          <dt>{t('evidence.route')}</dt>
          <dd>
            {pkg.from} → {pkg.to}
          </dd>
        </div>
        <div>
          <dt>{t('evidence.files')}</dt>
          <dd>
            {t('evidence.filesBytes', { count: files.length, bytes: pkg.bytes ?? 0 })}
          </dd>
        </div>
        {pkg.state !== 'shredded' && pkg.retention_end && (
          <div>
            <dt>{t('evidence.retention')}</dt>
            <dd data-testid="package-retention">
              {formatDateTime(lang, pkg.retention_end)}
              <div className="reasons">
                {t('evidence.retentionPeriod', { days: (pkg.retention_ms ?? 0) / dayMs })}
                {' · '}
                {pkg.retention_rule
                  ? t('audit.retention.rule', { rule: pkg.retention_rule })
                  : t('evidence.retentionDefault')}
              </div>
              {pkg.hold_since && (
                <div className="reasons" data-testid="package-hold">
                  {t('evidence.retentionHeld', { date: formatDateTime(lang, pkg.hold_since) })}
                </div>
              )}
            </dd>
          </div>
        )}
        {pkg.conditions && (
          <div>
            <dt>{t('evidence.conditions')}</dt>
            <dd>
              {(['confidential', 'speciality', 'onward_consent'] as const)
                .filter((k) => pkg.conditions?.[k])
                .map((k) => t('evidence.condition.' + k))
                .join('; ')}
              {pkg.conditions.note && <div dir="auto">{pkg.conditions.note}</div>}
            </dd>
          </div>
        )}
      </dl>
      {files.length > 0 && (
        <table data-testid="package-files">
          <caption className="sr-only">{t('evidence.files')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('evidence.name')}</th>
              <th scope="col">{t('evidence.size')}</th>
              <th scope="col">SHA-256</th>
              <th scope="col">{t('evidence.addedBy')}</th>
              {sealedLike && <th scope="col">{t('evidence.download')}</th>}
            </tr>
          </thead>
          <tbody>
            {files.map((f) => (
              <tr key={f.name}>
                <td dir="auto">{f.name}</td>
                <td>{formatNumber(lang, f.size ?? 0)}</td>
                <td>
                  <code className="hash">{f.sha256}</code>
                </td>
                <td>
                  {f.added_by}
                  <div className="reasons">{formatDateTime(lang, f.added)}</div>
                </td>
                {sealedLike && (
                  <td>
                    <Downloader pkg={pkg} file={f} expected={manifestFiles?.find((mf) => mf.name === f.name)?.sha256} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pkg.state === 'draft' && (
        <>
          <Uploads pkg={pkg} onStored={onChanged} onBusy={setUploading} />
          <p>
            <button type="button" onClick={() => void seal()} disabled={sealing || uploading || files.length === 0}>
              {t('evidence.seal')}
            </button>
          </p>
          <p className="cites">{t('evidence.sealHint')}</p>
        </>
      )}
      {verified && <ManifestView verified={verified} ui={ui} />}
      <Custody rows={custody} />
      {failure && <p role="alert">{failure}</p>}
    </article>
  );
}

// ---- the case's packages ------------------------------------------------------------------

function CreatePackage({ caseId, peers, onCreated }: { caseId: string; peers: string[]; onCreated: () => void }) {
  const { t, sessionEnded } = useUi();
  const [to, setTo] = useState('');
  const [flags, setFlags] = useState({ confidential: false, speciality: false, onward_consent: false });
  const [note, setNote] = useState('');
  const [consent, setConsent] = useState('');
  const [failure, setFailure] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure('');
    const any = flags.confidential || flags.speciality || flags.onward_consent || note.trim() !== '';
    try {
      await evidenceApi.create(caseId, {
        ...(to ? { to } : {}),
        ...(any ? { conditions: { ...flags, note: note.trim() } } : {}),
        ...(consent.trim() ? { consent_reference: consent.trim() } : {}),
      });
      onCreated();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) sessionEnded();
      else setFailure(t('evidence.failed', { reason: reasonOf(err) }));
    }
  };
  return (
    <form className="card evidence-create" onSubmit={(e) => void submit(e)}>
      <h3>{t('evidence.create')}</h3>
      <label>
        {t('evidence.to')}
        <select value={to} onChange={(e) => setTo(e.target.value)} data-testid="evidence-to">
          <option value="">{t('evidence.toDefault')}</option>
          {peers.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>{t('evidence.conditions')}</legend>
        {(['confidential', 'speciality', 'onward_consent'] as const).map((k) => (
          <label key={k} className="inline">
            <input
              type="checkbox"
              checked={flags[k]}
              onChange={(e) => setFlags({ ...flags, [k]: e.target.checked })}
            />{' '}
            {t('evidence.condition.' + k)}
          </label>
        ))}
        <label>
          {t('evidence.note')}
          <textarea rows={2} value={note} dir="auto" maxLength={1000} onChange={(e) => setNote(e.target.value)} />
        </label>
      </fieldset>
      <label>
        {t('evidence.consent')}
        <input value={consent} dir="auto" maxLength={500} onChange={(e) => setConsent(e.target.value)} />
      </label>
      <p>
        <button type="submit">{t('evidence.createButton')}</button>
      </p>
      {failure && <p role="alert">{failure}</p>}
    </form>
  );
}

export function Evidence({ caseId }: { caseId: string }) {
  const { t, me } = useUi();
  const load = useCallback(() => evidenceApi.list(caseId), [caseId]);
  const { data, error, reload } = useLoad(load);
  const loadNode = useCallback(() => api.node(), []);
  const { data: node } = useLoad(loadNode);
  const nodes = useMemo<DirectoryNode[]>(
    () => (node ? [...(node.entry ? [node.entry] : []), ...node.peers] : []),
    [node],
  );
  const packages = data?.packages ?? [];
  const sending = packages.some((p) => p.state === 'sealed' || p.state === 'receiving');
  const mayEdit = ['officer', 'duty_officer', 'responder'].some((r) => me.roles.includes(r));

  // A sealed package travels by itself: its state is followed until the receipt is in.
  useEffect(() => {
    if (!sending) return;
    const timer = window.setInterval(reload, 3000);
    return () => window.clearInterval(timer);
  }, [sending, reload]);

  // The holds follow the section rather than sit in it: the stylesheet's `.evidence` rule of the
  // audit screen's evidence text also caps this section's height (16rem, scrolled).
  return (
    <>
      <section className="evidence" aria-labelledby="evidence-title" data-testid="evidence">
        <h2 id="evidence-title">{t('evidence.title')}</h2>
        {error && <p role="alert">{t('error.load', { message: error })}</p>}
        {data && packages.length === 0 && <p>{t('evidence.none')}</p>}
        {packages.map((p) => (
          <Package key={p.package} pkg={p} nodes={nodes} onChanged={reload} />
        ))}
        {mayEdit && <CreatePackage caseId={caseId} peers={node?.peers.map((p) => p.id) ?? []} onCreated={reload} />}
      </section>
      <Holds caseId={caseId} onChanged={reload} />
    </>
  );
}
