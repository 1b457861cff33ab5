import { useEffect, useState } from 'react';

import { api } from '../api/client';
import type { Language } from '../i18n';

export type Request = Record<string, unknown> & { fields?: Record<string, unknown> };

// The request as the node renders it for a reader of `lang` (labels and legal texts in that
// language, free text as written), refreshed a moment after each change.
export function Preview({ request, lang, title }: { request: Request; lang: Language; title: string }) {
  const [text, setText] = useState('');
  useEffect(() => {
    let current = true;
    const timer = window.setTimeout(() => {
      api.render(request, lang).then(
        (answer) => current && setText(answer.text),
        () => current && setText(''),
      );
    }, 400);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [request, lang]);
  return (
    <figure className="preview">
      <figcaption>{title}</figcaption>
      <pre lang={lang} dir="auto" tabIndex={0} data-testid={`preview-${lang}`}>
        {text}
      </pre>
    </figure>
  );
}
