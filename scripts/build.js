#!/usr/bin/env node
// Compiles apps and libs to dist/ (incremental: a no-change build takes about a second), rewrites
// the @app/* path aliases so that plain `node` can run the output, and builds the web app
// (apps/web, skipped when unchanged).
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

const bin = (name) => join(__dirname, '..', 'node_modules', '.bin', name);
const run = (command, args) =>
  execFileSync(command, args, { stdio: 'inherit', cwd: join(__dirname, '..') });

try {
  run(bin('tsc'), ['-p', 'tsconfig.build.json']);
  run(bin('tsc-alias'), ['-p', 'tsconfig.build.json']);
  run(process.execPath, [join(__dirname, 'build-web.js')]);
} catch {
  process.stderr.write('Build failed (see the errors above).\n');
  process.exit(1);
}
