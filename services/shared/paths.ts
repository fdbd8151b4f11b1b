/** Where the project's own files are, whether running from sources (tsx) or from dist/. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'schemas', 'index.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('runwatch: cannot find the schemas/ folder above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

/** The folder that holds package.json, schemas/ and rules/. */
export const PROJECT_ROOT = findRoot();
export const SCHEMAS_DIR = join(PROJECT_ROOT, 'schemas');
