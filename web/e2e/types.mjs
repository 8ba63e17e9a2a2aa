// The UI's TypeScript types (src/api/schema.d.ts) are generated from the server's OpenAPI document
// by openapi-typescript. This regenerates them from the running server's document and compares:
// a route, field or enum the server changed fails the end-to-end test until `npm run types` is run
// again (and the UI is made to type-check against the new types).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_FILE = path.join(web, 'src', 'api', 'schema.d.ts');

/**
 * Generates the types of the OpenAPI document at `url` into `target`.
 * @param {string} url
 * @param {string} target
 */
export async function generateTypes(url, target) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const folder = mkdtempSync(path.join(tmpdir(), 'scarscope-openapi-'));
  try {
    const document = path.join(folder, 'openapi.json');
    writeFileSync(document, await response.text());
    execFileSync(path.join(web, 'node_modules', '.bin', 'openapi-typescript'), [document, '-o', target], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** @param {string} url */
export async function checkTypesMatch(url) {
  const folder = mkdtempSync(path.join(tmpdir(), 'scarscope-types-'));
  try {
    const fresh = path.join(folder, 'schema.d.ts');
    await generateTypes(url, fresh);
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (readFileSync(fresh, 'utf8') !== committed)
      throw new Error(
        `src/api/schema.d.ts differs from the types of ${url}: run 'npm run types -- ${url}' against this server ` +
          'and make the UI type-check again',
      );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

// `node e2e/types.mjs URL`: writes src/api/schema.d.ts from a running server's document.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const url = process.argv[2] ?? 'http://127.0.0.1:8080/api/v1/openapi.json';
  await generateTypes(url, SCHEMA_FILE);
  console.log(`wrote ${SCHEMA_FILE} from ${url}`);
}
