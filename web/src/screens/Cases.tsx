import { useCallback, useState } from 'react';

import { api } from '../api/client';
import { useUi } from '../context';
import { formatDateTime } from '../i18n';
import { nameOf } from '../names';
import { useLoad } from './useLoad';

// The cases the person may read. `queue` opens it as the approver's queue: the drafts of the
// person's unit that wait for someone's approval.
export function Cases({ queue = false }: { queue?: boolean }) {
  const { t, lang } = useUi();
  const [direction, setDirection] = useState(queue ? 'out' : '');
  const [state, setState] = useState(queue ? 'draft' : '');
  const load = useCallback(() => api.cases(direction, state), [direction, state]);
  const { data, error } = useLoad(load);
  const cases = data?.cases ?? [];

  return (
    <section aria-labelledby="cases-title">
      <h1 id="cases-title">{t(queue ? 'nav.approvals' : 'cases.title')}</h1>
      <div className="filters">
        <label>
          {t('cases.direction')}{' '}
          <select value={direction} onChange={(e) => setDirection(e.target.value)}>
            <option value="">{t('cases.all')}</option>
            <option value="in">{t('cases.in')}</option>
            <option value="out">{t('cases.out')}</option>
          </select>
        </label>
        <label>
          {t('cases.state')}{' '}
          <input value={state} onChange={(e) => setState(e.target.value.trim())} size={14} />
        </label>
      </div>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && cases.length === 0 && <p>{t('cases.none')}</p>}
      {cases.length > 0 && (
        <table data-testid="cases">
          <thead>
            <tr>
              <th scope="col">{t('cases.number')}</th>
              <th scope="col">{t('cases.type')}</th>
              <th scope="col">{t('cases.peer')}</th>
              <th scope="col">{t('cases.state')}</th>
              <th scope="col">{t('cases.priority')}</th>
              <th scope="col">{t('cases.due')}</th>
              <th scope="col">{t('cases.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {cases.map((c) => (
              <tr key={c.id} className={c.priority === 'emergency' ? 'emergency' : undefined}>
                <td>
                  <a href={`#/cases/${encodeURIComponent(c.id ?? '')}`}>{c.number}</a>
                </td>
                <td>{c.request_type}</td>
                <td>{c.peer_node}</td>
                <td>{nameOf(t, 'state', c.state)}</td>
                <td>{c.priority === 'emergency' ? t('cases.emergency') : t('cases.normal')}</td>
                <td>{formatDateTime(lang, c.next_due)}</td>
                <td>{formatDateTime(lang, c.updated)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
