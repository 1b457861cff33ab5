import { useCallback } from 'react';

import { api, type CaseView, type RequestForm } from '../api/client';
import { useUi } from '../context';
import { useLoad } from './useLoad';

export type Basis = NonNullable<RequestForm['bases']>[number];
export type Ground = NonNullable<Basis['refusal_grounds']>[number];

// The case's legal basis as the catalogue describes it (`GET /api/v1/legal/forms`): its refusal
// grounds, in the UI's language, are what a refusal or postponement of the case may name.
export function useBasis(view: CaseView | undefined): Basis | undefined {
  const { lang } = useUi();
  const load = useCallback(() => api.forms(lang), [lang]);
  const { data: forms } = useLoad(load);
  const form = forms?.find((f) => f.id === view?.case?.request_type);
  return form?.bases?.find((b) => b.instrument === view?.case?.instrument);
}
