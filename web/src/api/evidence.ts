// The evidence routes of the local API (docs/cases.md "Evidence"). JSON calls go through the
// client; a file goes up in parts (?size=&offset=), each the body of one XMLHttpRequest (the
// browser streams the File's slice from disk and reports upload progress), so a cut upload goes
// on from the last chunk the node kept; it comes down through a fetch read piece by piece, so
// neither is ever held whole in the page's memory. Both send the session's cookie, and the
// upload the CSRF token, as every state-changing call of the client does.
import { ApiError, json, send, type Answer, type Schemas } from './client';

export type EvidencePackage = Schemas['EvidencePackage'];
export type EvidenceFile = Schemas['EvidenceFile'];
export type UseConditions = Schemas['UseConditions'];
export type EvidenceUpload = Schemas['EvidenceUpload'];

const pkg = (id: string) => `/api/v1/evidence/${encodeURIComponent(id)}`;
const fileUrl = (id: string, name: string) => `${pkg(id)}/files/${encodeURIComponent(name)}`;

export const evidenceApi = {
  list: (caseId: string) =>
    json<Answer<'/api/v1/cases/{id}/evidence', 'get'>>(
      'GET',
      `/api/v1/cases/${encodeURIComponent(caseId)}/evidence`,
    ),
  create: (caseId: string, body: { to?: string; conditions?: UseConditions; consent_reference?: string }) =>
    json<EvidencePackage>('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/evidence`, body),
  get: (id: string) => json<EvidencePackage>('GET', pkg(id)),
  seal: (id: string) => json<EvidencePackage>('POST', `${pkg(id)}/seal`),
  /** The signed manifest as text, byte for byte: its signatures and the receipt cover these bytes. */
  manifest: async (id: string) => (await send('GET', `${pkg(id)}/manifest`)).text(),
  custody: (id: string) => json<Answer<'/api/v1/evidence/{package}/custody', 'get'>>('GET', `${pkg(id)}/custody`),
  /** Where the upload in parts of `name` stands; an ApiError with status 404 when none is under way. */
  upload: (id: string, name: string) =>
    json<EvidenceUpload>('GET', `${pkg(id)}/uploads/${encodeURIComponent(name)}`),
};

// RFC 6838 restricted names, as the node checks them; anything else goes as octet-stream.
const mediaType = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}$/;

function errorOf(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as Schemas['Error'];
    return new ApiError(
      status,
      body.error?.code ?? `http_${status}`,
      body.error?.message ?? text,
      body.error?.reason ?? '',
    );
  } catch {
    return new ApiError(status, `http_${status}`, text || `HTTP ${status}`);
  }
}

/** Thrown when an upload or download stops before its end (network, abort, short body). */
export class Interrupted extends Error {}

/** Thrown when the node kept another part of the file than the upload assumed: go on from `received`. */
export class OffsetMismatch extends Error {
  constructor(readonly received: number) {
    super(`the node holds the first ${received} bytes`);
  }
}

/**
 * Uploads `file` as `name` into the draft package `id`, from byte `offset` on: one PUT whose
 * body the browser streams from the file's slice. The node keeps every whole chunk as it
 * arrives, so after an interruption the upload goes on from where the node says it stands
 * (evidenceApi.upload) instead of from the start. `progress` gets the bytes of the file the
 * node has or is being sent; `signal` aborts.
 */
export function uploadFile(
  id: string,
  name: string,
  file: Blob,
  offset: number,
  csrfToken: string,
  progress: (sent: number, total: number) => void,
  signal: AbortSignal,
): Promise<EvidenceFile> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', `${fileUrl(id, name)}?size=${file.size}&offset=${offset}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', mediaType.test(file.type) ? file.type : 'application/octet-stream');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => progress(offset + e.loaded, file.size);
    xhr.onload = () => {
      if (xhr.status === 201) {
        progress(file.size, file.size);
        resolve(JSON.parse(xhr.responseText) as EvidenceFile);
      } else if (xhr.status === 409 || xhr.status === 202) {
        // 409: the node holds another part than assumed; 202: the body ended early. Either way
        // the answer says where the file goes on.
        try {
          const body = JSON.parse(xhr.responseText) as { error?: { upload?: EvidenceUpload } } & Partial<EvidenceUpload>;
          const received = xhr.status === 202 ? body.received : body.error?.upload?.received;
          if (typeof received === 'number') {
            reject(new OffsetMismatch(received));
            return;
          }
        } catch {
          // not the answer expected: reported below as the node's error
        }
        reject(errorOf(xhr.status, xhr.responseText));
      } else {
        reject(errorOf(xhr.status, xhr.responseText));
      }
    };
    xhr.onerror = () => reject(new Interrupted('the connection broke'));
    xhr.onabort = () => reject(new Interrupted('stopped'));
    xhr.ontimeout = () => reject(new Interrupted('timed out'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file.slice(offset));
  });
}

// Pieces are gathered into a Blob every few MiB: the browser keeps blob data out of the
// script's heap (and on disk when large), so a download of any size does not fill the page.
const kGatherBytes = 4 * 1024 * 1024;

/**
 * Downloads file `name` of package `id`; `progress` gets the bytes received of `size`. The
 * answer is the file as a Blob and the SHA-256 the node declared (Concord-Sha256).
 */
export async function downloadFile(
  id: string,
  name: string,
  size: number,
  progress: (received: number) => void,
): Promise<{ blob: Blob; declared: string }> {
  let response: Response;
  try {
    response = await fetch(fileUrl(id, name), { credentials: 'same-origin' });
  } catch {
    throw new Interrupted('the connection broke');
  }
  if (!response.ok) throw errorOf(response.status, await response.text());
  const declared = response.headers.get('Concord-Sha256') ?? '';
  const reader = response.body!.getReader();
  const parts: Blob[] = [];
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pending.push(value);
      pendingBytes += value.length;
      received += value.length;
      if (pendingBytes >= kGatherBytes) {
        parts.push(new Blob(pending as BlobPart[]));
        pending = [];
        pendingBytes = 0;
      }
      progress(received);
    }
  } catch {
    throw new Interrupted('the connection broke');
  }
  parts.push(new Blob(pending as BlobPart[]));
  // A stored file that fails its check ends the body early: never take a short body as the file.
  if (received !== size) throw new Interrupted(`${received} of ${size} bytes arrived`);
  return { blob: new Blob(parts, { type: 'application/octet-stream' }), declared };
}
