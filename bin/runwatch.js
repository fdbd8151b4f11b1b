#!/usr/bin/env node
// The runwatch CLI: the compiled build (npm ci builds it); from a source checkout without a
// build, the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/services/cli/main.js', import.meta.url);
if (existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../services/cli/main.ts', import.meta.url).href);
}
