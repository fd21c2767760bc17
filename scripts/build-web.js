#!/usr/bin/env node
// Builds the web app (apps/web) with Vite into apps/web/dist, which the API serves at `/`. Skipped
// when nothing under apps/web changed since the last build (npm start and the tests build often):
// a fingerprint of every source file's path, size and modification time is kept beside the output.
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const webDir = join(root, 'apps', 'web');
const outDir = join(webDir, 'dist');
const stampFile = join(outDir, '.fingerprint');

function fingerprint() {
  const hash = createHash('sha256');
  // A new version of a dependency (React, the router…) changes the output too.
  const lock = statSync(join(root, 'package-lock.json'));
  hash.update(`${lock.size}\0${lock.mtimeMs}\n`);
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (path === outDir || entry.name === 'node_modules') continue;
      if (entry.isDirectory()) walk(path);
      else {
        const { size, mtimeMs } = statSync(path);
        hash.update(`${relative(webDir, path)}\0${size}\0${mtimeMs}\n`);
      }
    }
  };
  walk(webDir);
  return hash.digest('hex');
}

async function buildWeb() {
  const current = fingerprint();
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === current) return;
  // React's production build, whatever NODE_ENV the caller runs with (the tests set `test`).
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({
    root: webDir,
    configFile: join(webDir, 'vite.config.mjs'),
    mode: 'production',
    logLevel: 'warn',
  });
  writeFileSync(stampFile, current);
}

module.exports = { buildWeb };

if (require.main === module) {
  buildWeb().catch((error) => {
    process.stderr.write(`Web app build failed: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}
