// Drift test: src/api/schema.d.ts must be exactly what openapi-typescript generates from
// docs/api/openapi.json today. When the API document changes, run `npm run api-types` in web/
// and commit both.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'concord-api-types-'));
try {
  const fresh = join(work, 'schema.d.ts');
  execFileSync(
    join(web, 'node_modules', '.bin', 'openapi-typescript'),
    [join(web, '..', 'docs', 'api', 'openapi.json'), '-o', fresh],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const committed = readFileSync(join(web, 'src', 'api', 'schema.d.ts'), 'utf8');
  if (readFileSync(fresh, 'utf8') !== committed) {
    console.error(
      'web/src/api/schema.d.ts differs from what docs/api/openapi.json generates: run `npm run api-types` in web/',
    );
    process.exit(1);
  }
  console.log('web/src/api/schema.d.ts matches docs/api/openapi.json');
} finally {
  rmSync(work, { recursive: true, force: true });
}
