/**
 * The deepest nesting of objects and arrays that a request body or a WebSocket frame may have.
 * JSON.parse takes thousands of levels, but the code that reads a parsed value afterwards (Nest's
 * ValidationPipe, class-transformer, class-validator) walks it recursively and runs out of stack:
 * a few kilobytes of brackets were a 500. No body or frame of ours nests more than four levels.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether a parsed JSON value nests objects or arrays deeper than `limit` (the outermost one is
 * level 1). Iterative, since the values it must judge are those too deep for recursion.
 */
export function nestsDeeperThan(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  const pending: Array<{ value: object; depth: number }> = [];
  if (value !== null && typeof value === 'object') pending.push({ value, depth: 1 });
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.depth > limit) return true;
    for (const child of Object.values(next.value)) {
      if (child !== null && typeof child === 'object') {
        pending.push({ value: child as object, depth: next.depth + 1 });
      }
    }
  }
  return false;
}
