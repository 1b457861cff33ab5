import { useCallback, useEffect, useState } from 'react';

import { ApiError } from '../api/client';
import { useUi } from '../context';

/** Loads with `load` whenever its dependencies change; a 401 ends the session. */
export function useLoad<T>(load: () => Promise<T>): {
  data: T | undefined;
  error: string;
  reload: () => void;
} {
  const { sessionEnded } = useUi();
  const [data, setData] = useState<T>();
  const [error, setError] = useState('');
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError('');
      },
      (err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && err.status === 401) sessionEnded();
        else setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      live = false;
    };
  }, [load, round, sessionEnded]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, reload };
}
