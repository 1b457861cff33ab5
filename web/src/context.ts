import { createContext, useContext } from 'react';

import type { Me } from './api/client';
import { type Language, type MessageValues, translate } from './i18n';

export interface UiContext {
  lang: Language;
  me: Me;
  /** The text `key` in the chosen language. */
  t: (key: string, values?: MessageValues) => string;
  /** Called when the node answers 401: the session is over. */
  sessionEnded: () => void;
}

export const Ui = createContext<UiContext>({
  lang: 'en',
  me: { actor: '', kind: 'user', roles: [] },
  t: (key, values) => translate('en', key, values),
  sessionEnded: () => {},
});

export function useUi(): UiContext {
  return useContext(Ui);
}
