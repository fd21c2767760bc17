/**
 * `npm start` (scripts/start.js) runs the API and the worker as its children, with an IPC
 * channel to each. Run any other way (Docker, `npm run start:api`, tests) a process has no such
 * channel, and these do nothing.
 */

/** The message a child sends once it serves: start.js prints its banner when both have. */
export const READY_MESSAGE = 'switchboard:ready';

export function tellSupervisorReady(): void {
  if (process.connected) process.send?.(READY_MESSAGE);
}

/**
 * Stops this process (gracefully, through its own SIGTERM handling) when the process that
 * started it is gone, however it went: killed with SIGKILL, it could not stop its children.
 */
export function stopWhenSupervisorGoes(): void {
  if (process.connected) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
