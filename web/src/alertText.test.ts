// Alerts as the node writes them (the texts of libs/app duty.cpp and deadlines.cpp, libs/server
// service.cpp, libs/federation delivery.cpp and witnessing.cpp), told in the UI's language.
import { describe, expect, it } from 'vitest';

import { dutyAlertText, needsDeadline, nodeAlertText } from './alertText';
import type { Alert, DutyAlert } from './api/client';
import { formatDateTime, formatNumber, translate } from './i18n';

function duty(kind: string, text: string, more: Partial<DutyAlert> = {}): DutyAlert {
  return {
    id: 'al-1',
    kind: kind as DutyAlert['kind'],
    case: 'c-1',
    deadline: '',
    message: '',
    sender: '',
    recipients: ['ana'],
    text,
    facts: {},
    created: '2025-03-04T10:00:00.000Z',
    ...more,
  };
}

const emergency = duty('duty.emergency', 'emergency request from fr.central', {
  case: 'm-9',
  deadline: 'd-9',
  message: 'm-9',
  sender: 'fr.central',
});
const due = '2025-03-04T18:00:00.000Z';
const warned = duty('deadline.warned', `deadline epoc.emergency_response due at ${due}`, { deadline: 'd-1' });
const breached = duty('deadline.breached', `deadline epoc.emergency_response breached at ${due}`, { deadline: 'd-1' });
const unacknowledged = duty('deadline.breached', `deadline duty.acknowledge breached at ${due}`, {
  case: 'm-9',
  deadline: 'd-9',
});
const refused = duty(
  'evidence.undelivered',
  'evidence package pk-7 to hu.poc keeps being refused: HTTP 409 package already held',
);

describe('duty desk alerts', () => {
  it('an emergency arrival names its sender, and its request type when known', () => {
    expect(dutyAlertText(emergency, 'en')).toEqual({ text: 'Emergency request from fr.central', lang: 'en' });
    expect(dutyAlertText(emergency, 'ar')).toEqual({ text: 'طلب عاجل من fr.central', lang: 'ar' });
    expect(dutyAlertText(emergency, 'zh', { requestType: '快速保全存储数据' })).toEqual({
      text: '来自 fr.central 的紧急请求：快速保全存储数据',
      lang: 'zh',
    });
    const notice = { ...emergency, text: 'emergency notice from fr.central' };
    expect(dutyAlertText(notice, 'fr').text).toBe('Notification urgente de fr.central');
  });

  it('a deadline warning and a breach name the deadline and the instant the node gave', () => {
    const time = formatDateTime('en', due);
    expect(dutyAlertText(warned, 'en')).toEqual({
      text: `The deadline “Response to an emergency European Production Order” ends at ${time}`,
      lang: 'en',
    });
    expect(dutyAlertText(breached, 'ar')).toEqual({
      text: `فات الموعد النهائي «الرد على أمر إنتاج أوروبي عاجل»: انتهى في ${formatDateTime('ar', due)}`,
      lang: 'ar',
    });
  });

  it('a missed acknowledgement says the emergency went to the backups', () => {
    expect(dutyAlertText(unacknowledged, 'en').text).toBe(
      `An emergency request was not acknowledged by ${formatDateTime('en', due)}: escalated to the backups`,
    );
    expect(dutyAlertText(unacknowledged, 'ru').text).toBe(
      `Получение срочного запроса не подтверждено до ${formatDateTime('ru', due)}: он передан резервным дежурным`,
    );
  });

  it("takes the deadline's kind from the deadline list when the text has another shape", () => {
    const bare = { ...warned, text: 'soon' };
    expect(needsDeadline(bare)).toBe(true);
    expect(needsDeadline(warned)).toBe(false);
    expect(needsDeadline(emergency)).toBe(false);
    expect(dutyAlertText(bare, 'en')).toEqual({ text: 'soon', lang: 'en' });
    const deadline = { id: 'd-1', kind: 'asset.freeze_expiry', due };
    expect(dutyAlertText(bare, 'es', { deadline }).text).toBe(
      `El plazo «Fin de un embargo preventivo o incautación» vence el ${formatDateTime('es', due)}`,
    );
    // Another alert's deadline is not this one's.
    expect(dutyAlertText(bare, 'es', { deadline: { ...deadline, id: 'd-2' } }).lang).toBe('en');
  });

  it('a deadline kind without a name in the catalogue is shown by its id', () => {
    const other = { ...warned, text: `deadline local.review due at ${due}` };
    expect(dutyAlertText(other, 'en').text).toBe(`The deadline “local.review” ends at ${formatDateTime('en', due)}`);
  });

  it("a refused evidence package is told in the language, the peer's reason kept in English", () => {
    expect(dutyAlertText(refused, 'ar')).toEqual({
      text: 'تُرفض حزمة الأدلة pk-7 الموجهة إلى hu.poc في كل مرة',
      lang: 'ar',
      detail: 'HTTP 409 package already held',
    });
    expect(dutyAlertText(refused, 'en').text).toBe('Evidence package pk-7 to hu.poc keeps being refused');
  });

  it("the alert's facts are told when its text has another shape, and win over the text", () => {
    const urgent = { ...emergency, text: 'urgent', facts: { message_type: 'notice' } };
    expect(dutyAlertText(urgent, 'en')).toEqual(dutyAlertText({ ...emergency, text: 'emergency notice from fr.central' }, 'en'));
    expect(dutyAlertText(urgent, 'en').text).not.toBe(dutyAlertText(emergency, 'en').text);

    const later = '2025-03-05T09:30:00.000Z';
    const stated = { ...warned, text: 'soon', facts: { deadline_kind: 'local.review', due: later } };
    expect(needsDeadline(stated)).toBe(false);
    expect(needsDeadline({ ...stated, facts: {} })).toBe(true);
    expect(dutyAlertText(stated, 'en').text).toBe(`The deadline “local.review” ends at ${formatDateTime('en', later)}`);
    // The facts, not the text, when both are there and differ.
    expect(dutyAlertText({ ...warned, facts: { deadline_kind: 'local.review', due: later } }, 'en').text).toBe(
      `The deadline “local.review” ends at ${formatDateTime('en', later)}`,
    );

    const facts = { package: 'pk-8', peer: 'fr.central', reason: 'HTTP 413 too large' };
    expect(dutyAlertText({ ...refused, text: 'refused', facts }, 'ar')).toEqual({
      text: 'تُرفض حزمة الأدلة pk-8 الموجهة إلى fr.central في كل مرة',
      lang: 'ar',
      detail: 'HTTP 413 too large',
    });
  });

  it('an unknown kind, or a known one of another shape, is the node text marked English', () => {
    const unknown = duty('duty.escalated', 'escalated to the backups');
    expect(dutyAlertText(unknown, 'ar')).toEqual({ text: 'escalated to the backups', lang: 'en' });
    expect(dutyAlertText({ ...refused, text: 'refused' }, 'zh')).toEqual({ text: 'refused', lang: 'en' });
    expect(dutyAlertText({ ...emergency, sender: '', text: 'urgent' }, 'fr')).toEqual({ text: 'urgent', lang: 'en' });
  });

  it('every sentence differs from the English one in the other languages', () => {
    for (const alert of [emergency, warned, breached, unacknowledged, refused]) {
      const english = dutyAlertText(alert, 'en').text;
      for (const lang of ['ar', 'zh', 'fr', 'ru', 'es'] as const) {
        const said = dutyAlertText(alert, lang);
        expect(said.lang, `${alert.kind} ${lang}`).toBe(lang);
        expect(said.text, `${alert.kind} ${lang}`).not.toBe(english);
        expect(said.text, `${alert.kind} ${lang}`).not.toMatch(/\{\w+\}/);
      }
    }
  });
});

describe('node alerts', () => {
  const record = JSON.stringify({ event: 'non_delivery', message_id: 'msg-4', to: 'hu.poc', reason: 'retries exhausted' });
  const nonDelivery: Alert = {
    seq: 1,
    kind: 'non_delivery',
    peer: 'hu.poc',
    message: 'message msg-4 not delivered: retries exhausted',
    evidence: record,
    created_ms: 0,
  };
  const fork: Alert = {
    seq: 2,
    kind: 'fork',
    peer: 'hu.poc',
    message: 'inconsistent history: the consistency proof does not hold',
    evidence: 'cosigned:\n…',
    created_ms: 0,
  };

  it('a message not delivered names it and its recipient, the reason in English', () => {
    expect(nodeAlertText(nonDelivery, 'ar')).toEqual({
      text: 'تعذّر تسليم الرسالة msg-4 إلى hu.poc',
      lang: 'ar',
      detail: 'retries exhausted',
    });
    // Without a readable record, the node's text still gives the message and the reason.
    expect(nodeAlertText({ ...nonDelivery, evidence: 'x' }, 'en')).toEqual({
      text: 'Message msg-4 to hu.poc could not be delivered',
      lang: 'en',
      detail: 'retries exhausted',
    });
  });

  it("a fork names the peer; a rolled-back log gives the cosigned size formatted for the language", () => {
    expect(nodeAlertText(fork, 'zh')).toEqual({
      text: 'hu.poc 的日志与本节点共同签署的检查点相矛盾',
      lang: 'zh',
      detail: fork.message,
    });
    const rolledBack = { ...fork, message: "the peer's log is smaller than the 1200 entries already cosigned (rolled back)" };
    expect(nodeAlertText(rolledBack, 'ar').text).toBe(
      translate('ar', 'alert.fork.rolledBack', { peer: 'hu.poc', size: formatNumber('ar', 1200) }),
    );
    expect(nodeAlertText(rolledBack, 'en').text).toBe(
      'The log of hu.poc is shorter than the size this node already cosigned: 1,200',
    );
  });

  it('an unknown kind is the node text marked English', () => {
    expect(nodeAlertText({ ...fork, kind: 'other' as Alert['kind'] }, 'ar')).toEqual({ text: fork.message, lang: 'en' });
  });
});
