import type { AlertSentence as Sentence } from '../alertText';
import { useUi } from '../context';

// An alert's sentence (alertText.ts) with the language it is written in, so that the node's own
// English text (an alert of a kind the UI does not know) and a peer's reason are read and laid
// out as English on a page in another language.
export function AlertSentence({ said, testId }: { said: Sentence; testId: string }) {
  const { t } = useUi();
  return (
    <>
      <span data-testid={testId} lang={said.lang} dir="auto">
        {said.text}
      </span>
      {said.detail && (
        <div className="reasons" data-testid={`${testId}-reason`}>
          {t('alert.reason')}{' '}
          <span lang="en" dir="ltr">
            {said.detail}
          </span>
        </div>
      )}
    </>
  );
}
