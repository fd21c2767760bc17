#!/usr/bin/env node
// `npm start`: build if needed, migrate, then run the API and the worker as two processes.
// Ctrl-C (or SIGTERM) stops both; if one of them dies, the other is stopped and we exit non-zero.
const { execFileSync, spawn } = require('node:child_process');
const { join } = require('node:path');

const SERVER_NODE_FLAGS = require('./server-node-flags');

const root = join(__dirname, '..');
execFileSync(process.execPath, [join(__dirname, 'build.js')], { stdio: 'inherit', cwd: root });
execFileSync(process.execPath, [join(__dirname, 'db-prepare.js')], { stdio: 'inherit', cwd: root });

const processes = {
  api: join(root, 'dist/apps/api/src/main.js'),
  worker: join(root, 'dist/apps/worker/src/main.js'),
};
const children = new Map();
let stopping = false;
let exitCode = 0;

function stopAll(signal) {
  stopping = true;
  for (const child of children.values()) if (child.exitCode === null) child.kill(signal);
}

for (const [name, entry] of Object.entries(processes)) {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, entry], {
    stdio: 'inherit',
    cwd: root,
  });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(
        `switchboard: the ${name} process stopped (${signal ?? `exit code ${code}`}); stopping the rest.`,
      );
      exitCode = 1;
      stopAll('SIGTERM');
    }
    if (children.size === 0) process.exit(exitCode);
  });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => stopAll(signal));
}
