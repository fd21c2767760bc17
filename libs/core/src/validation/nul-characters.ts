/**
 * U+0000 (NUL) is valid in JSON, form bodies and URLs, but PostgreSQL cannot store it in a text
 * column: an insert or even a comparison holding one fails. Input through the API is refused
 * with a 400; text that reaches us from a carrier or a phone is kept, with the character replaced.
 */
const NUL = '\u0000';

/** The text with each NUL replaced by U+FFFD, the mark of a character that could not be kept. */
export function replaceNulCharacters(text: string): string {
  return text.includes(NUL) ? text.replaceAll(NUL, '\uFFFD') : text;
}

/** Whether any string of a parsed JSON value, object keys included, holds a NUL. Iterative. */
export function containsNulCharacter(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (next.includes(NUL)) return true;
    } else if (next !== null && typeof next === 'object') {
      for (const [key, child] of Object.entries(next)) {
        if (key.includes(NUL)) return true;
        pending.push(child);
      }
    }
  }
  return false;
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
