// The sentence of an alert in the UI's language. The node writes each alert's text in English for
// its logs and its command line (libs/app duty.cpp and deadlines.cpp, libs/server service.cpp,
// libs/federation delivery.cpp and witnessing.cpp); the UI says the same thing in its own words
// from the alert's fields: its kind, sender, deadline and case, and its `facts` (the federation
// message type of an emergency, a deadline's kind and instant, a refused package, its peer and the
// reason). A duty alert stored before nodes recorded facts has none; its facts are then read from
// the parts of its text, whose shape the node fixes; a node's own alert (fork, non-delivery) has
// its facts in its text and signed evidence. What the node cannot say in another language (a
// peer's refusal reason, a transport error) stays in English beside the sentence. An alert of a
// kind this file does not know, or without the facts its sentence needs, is shown as the node
// wrote it, marked as English.
import type { Alert, Deadline, DutyAlert } from './api/client';
import { formatDateTime, formatNumber, translate, type Language } from './i18n';
import { nameOf } from './names';

export interface AlertSentence {
  /** What to show. */
  text: string;
  /** The language `text` is in: the UI's, or 'en' where it is the node's own text. */
  lang: Language;
  /** The node's own words that the sentence leaves out (a refusal's reason), in English. */
  detail?: string;
}

export interface AlertContext {
  /** The alert's deadline as GET /api/v1/deadlines lists it. */
  deadline?: Pick<Deadline, 'id' | 'kind' | 'due'>;
  /** The name, in the UI's language, of the request type of the case an emergency opened. */
  requestType?: string;
}

/** The node's text as it is, in English (unknown kind, or a text of another shape). */
function asWritten(text: string): AlertSentence {
  return { text, lang: 'en' };
}

// The shapes of the node's texts (the C++ sources named above).
const kEmergency = /^emergency (\S+) from (\S+)$/;
const kDeadline = /^deadline (\S+) (?:due|breached) at (\S+)$/;
const kUndelivered = /^evidence package (\S+) to (\S+) keeps being refused: ([\s\S]*)$/;
const kNotDelivered = /^message (\S+) not delivered: ([\s\S]*)$/;
const kRolledBack = /^the peer's log is smaller than the (\d+) entries already cosigned/;

/** Whether `dutyAlertText` needs the alert's deadline from GET /api/v1/deadlines to tell it. */
export function needsDeadline(alert: DutyAlert): boolean {
  const kind: string = alert.kind;
  return (
    (kind === 'deadline.warned' || kind === 'deadline.breached') &&
    !!alert.deadline &&
    !(fact(alert, 'deadline_kind') && fact(alert, 'due')) &&
    !kDeadline.test(alert.text ?? '')
  );
}

/** One of the alert's facts (DutyAlert.facts), if the node recorded it and it is not empty. */
function fact(alert: DutyAlert, name: string): string | undefined {
  const value = (alert.facts as Record<string, string> | undefined)?.[name];
  return value ? value : undefined;
}

/** An alert of the duty desk (GET /api/v1/duty/alerts, the live event duty.alert). */
export function dutyAlertText(alert: DutyAlert, lang: Language, context: AlertContext = {}): AlertSentence {
  const t = (key: string, values?: Record<string, string | number>) => translate(lang, key, values);
  const kind: string = alert.kind;
  const text = alert.text ?? '';
  switch (kind) {
    case 'duty.emergency': {
      const [, writtenType, from] = kEmergency.exec(text) ?? [];
      const type = fact(alert, 'message_type') ?? writtenType;
      const sender = alert.sender || from;
      if (!sender) return asWritten(text);
      if (type === 'request' && context.requestType) {
        return { text: t('alert.emergency.requestOf', { sender, requestType: context.requestType }), lang };
      }
      if (type === 'request' || type === 'notice') {
        return { text: t(`alert.emergency.${type}`, { sender }), lang };
      }
      return { text: t('alert.emergency.message', { sender }), lang };
    }
    case 'deadline.warned':
    case 'deadline.breached': {
      const [, writtenKind, writtenTime] = kDeadline.exec(text) ?? [];
      const deadline = context.deadline?.id === alert.deadline ? context.deadline : undefined;
      const deadlineKind = fact(alert, 'deadline_kind') ?? deadline?.kind ?? writtenKind;
      // The instant the alert was about (a later extension does not change what it said).
      const due = fact(alert, 'due') ?? writtenTime ?? deadline?.due;
      if (!deadlineKind || !due) return asWritten(text);
      const state = kind === 'deadline.warned' ? 'warned' : 'breached';
      const time = formatDateTime(lang, due);
      if (deadlineKind === 'duty.acknowledge') {
        return { text: t(`alert.deadline.${state}.acknowledge`, { time }), lang };
      }
      return { text: t(`alert.deadline.${state}`, { deadline: nameOf(t, 'deadline', deadlineKind), time }), lang };
    }
    case 'evidence.undelivered': {
      const [, writtenPackage, writtenPeer, writtenReason] = kUndelivered.exec(text) ?? [];
      const pkg = fact(alert, 'package') ?? writtenPackage;
      const to = fact(alert, 'peer') ?? writtenPeer;
      const reason = fact(alert, 'reason') ?? writtenReason;
      if (!pkg || !to) return asWritten(text);
      return { text: t('alert.evidence.undelivered', { package: pkg, to }), lang, detail: reason || undefined };
    }
    default:
      return asWritten(text);
  }
}

/** The signed non-delivery record's message id and reason (docs/formats/envelope.md). */
function nonDeliveryRecord(evidence: string): { message?: string; reason?: string } {
  try {
    const record = JSON.parse(evidence) as { message_id?: unknown; reason?: unknown };
    return {
      message: typeof record.message_id === 'string' ? record.message_id : undefined,
      reason: typeof record.reason === 'string' ? record.reason : undefined,
    };
  } catch {
    return {};
  }
}

/** An alert of the node itself (GET /api/v1/alerts: a peer's fork, a message not delivered). */
export function nodeAlertText(alert: Alert, lang: Language): AlertSentence {
  const t = (key: string, values?: Record<string, string | number>) => translate(lang, key, values);
  const kind: string = alert.kind;
  const text = alert.message ?? '';
  const peer = alert.peer;
  switch (kind) {
    case 'fork': {
      if (!peer) return asWritten(text);
      const rolledBack = kRolledBack.exec(text);
      if (rolledBack) {
        return { text: t('alert.fork.rolledBack', { peer, size: formatNumber(lang, Number(rolledBack[1])) }), lang };
      }
      return { text: t('alert.fork', { peer }), lang, detail: text || undefined };
    }
    case 'non_delivery': {
      const written = kNotDelivered.exec(text);
      const record = nonDeliveryRecord(alert.evidence ?? '');
      const message = record.message ?? written?.[1];
      if (!peer || !message) return asWritten(text);
      const reason = record.reason ?? written?.[2];
      return { text: t('alert.nonDelivery', { message, peer }), lang, detail: reason || undefined };
    }
    default:
      return asWritten(text);
  }
}
