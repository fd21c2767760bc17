#!/usr/bin/env node
// `npm start`: build if needed, migrate, then run the API and the worker as two processes, and
// say where to go once both serve. SIGINT or SIGTERM stops both; if one of them dies, the other
// is stopped and we exit non-zero.
//
// package.json starts this with `exec`: npm passes a SIGTERM on to the shell it runs the script
// in, and a shell still waiting for node dies of it, leaving this process and its children
// running. Each child also stops by itself when this process is gone (stopWhenSupervisorGoes),
// were it killed with SIGKILL.
const { execFileSync, spawn } = require('node:child_process');
const { join } = require('node:path');

const SERVER_NODE_FLAGS = require('./server-node-flags');

const root = join(__dirname, '..');
execFileSync(process.execPath, [join(__dirname, 'build.js')], { stdio: 'inherit', cwd: root });
execFileSync(process.execPath, [join(__dirname, 'db-prepare.js')], { stdio: 'inherit', cwd: root });

const dist = (path) => require(join(root, 'dist', path));
const { validateEnvironmentOrExit } = dist('libs/core/src/config/validate-environment-or-exit');
const { parseEnvironment } = dist('libs/core/src/config/config.schema');
const { createRootLogger } = dist('libs/core/src/logging/root-logger');
const { READY_MESSAGE } = dist('libs/core/src/process/supervisor');
const { startupBanner } = dist('apps/api/src/startup-banner');

validateEnvironmentOrExit();
const env = parseEnvironment(process.env);
const log = createRootLogger(env.LOG_LEVEL, env.LOG_FORMAT);

const processes = {
  api: join(root, 'dist/apps/api/src/main.js'),
  worker: join(root, 'dist/apps/worker/src/main.js'),
};
const children = new Map();
const ready = new Set();
let stopping = false;
let exitCode = 0;

function stopAll(signal) {
  stopping = true;
  for (const child of children.values()) if (child.exitCode === null) child.kill(signal);
}

for (const [name, entry] of Object.entries(processes)) {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, entry], {
    // The children write to this terminal themselves (their logs are readable there), and tell
    // over the IPC channel when they are ready.
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    cwd: root,
    // One secret for both: without AUTH_TOKEN_SECRET, development makes up a random one per
    // process, and a sign-in code sealed by the API could not be opened by the worker.
    env: { ...process.env, AUTH_TOKEN_SECRET: env.AUTH_TOKEN_SECRET },
  });
  children.set(name, child);
  child.on('message', (message) => {
    if (message !== READY_MESSAGE || ready.has(name)) return;
    ready.add(name);
    if (ready.size === Object.keys(processes).length && !stopping) {
      const { message: text, ...urls } = startupBanner(env.PORT, env.PUBLIC_BASE_URL);
      log.info(urls, text);
    }
  });
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      log.error(
        `The ${name} process stopped (${signal ?? `exit code ${code}`}); stopping the rest.`,
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
