/**
 * What JSON.parse accepts but the rest of the way cannot take, found in one iterative pass (the
 * values it must judge are those too deep for recursion).
 *
 * - Nesting: JSON.parse takes thousands of levels, but the code that reads a parsed value
 *   afterwards (Nest's ValidationPipe, class-transformer, class-validator) walks it recursively
 *   and runs out of stack: a few kilobytes of brackets were a 500. No body or frame of ours nests
 *   more than four levels.
 * - U+0000 (NUL): valid in JSON, but PostgreSQL cannot store it in a text column; an insert or
 *   even a comparison holding one fails. Input through the API is refused with a 400; text that
 *   reaches us from a carrier or a phone is kept, with the character replaced.
 */
export const MAX_JSON_DEPTH = 32;

export type JsonFault = 'too-deep' | 'nul-character';

const NUL = '\u0000';

/**
 * The fault of a parsed JSON value, if any: objects or arrays nested deeper than `depthLimit`
 * (the outermost is level 1), else a NUL in any string or object key. Too deep wins, so that a
 * caller who repairs NULs never hands on a value too deep to walk.
 */
export function findJsonFault(
  value: unknown,
  depthLimit: number = MAX_JSON_DEPTH,
): JsonFault | undefined {
  let nul = false;
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (typeof next.value === 'string') {
      nul ||= next.value.includes(NUL);
    } else if (next.value !== null && typeof next.value === 'object') {
      const depth = next.depth + 1;
      if (depth > depthLimit) return 'too-deep';
      for (const [key, child] of Object.entries(next.value)) {
        nul ||= key.includes(NUL);
        pending.push({ value: child, depth });
      }
    }
  }
  return nul ? 'nul-character' : undefined;
}

/** The text with each NUL replaced by U+FFFD, the mark of a character that could not be kept. */
export function replaceNulCharacters(text: string): string {
  return text.includes(NUL) ? text.replaceAll(NUL, '\uFFFD') : text;
}

/** Replaces each NUL in the strings of a parsed JSON value, in place (keys are left). Iterative. */
export function replaceNulCharactersIn(value: unknown): void {
  const pending: object[] = value !== null && typeof value === 'object' ? [value] : [];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const container = next as Record<string, unknown>;
    for (const [key, child] of Object.entries(container)) {
      if (typeof child === 'string') container[key] = replaceNulCharacters(child);
      else if (child !== null && typeof child === 'object') pending.push(child);
    }
  }
}
