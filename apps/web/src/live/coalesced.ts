// A bulk send brings hundreds of events a second: the lists refetch once per moment, not once
// per event (each refetch of a list reloads every page of it that is loaded).
const SETTLE_MS = 100;
const MAX_DELAY_MS = 500;

/** `run`, once the calls pause for SETTLE_MS, and at least every MAX_DELAY_MS while they go on. */
export function coalesced(run: () => void): { call: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstCallAt: number | undefined;
  return {
    call: () => {
      const now = Date.now();
      firstCallAt ??= now;
      clearTimeout(timer);
      timer = setTimeout(
        () => {
          timer = firstCallAt = undefined;
          run();
        },
        Math.min(SETTLE_MS, Math.max(0, firstCallAt + MAX_DELAY_MS - now)),
      );
    },
    cancel: () => clearTimeout(timer),
  };
}
