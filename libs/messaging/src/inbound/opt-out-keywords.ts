export type KeywordAction = 'opt-out' | 'opt-in' | 'help';

// The carrier-standard keywords (CTIA; what Twilio recognises on long codes). Only a message that
// is exactly the keyword counts: "stop by later" is a conversation, not an opt-out.
const KEYWORDS: Record<string, KeywordAction> = {
  STOP: 'opt-out',
  STOPALL: 'opt-out',
  UNSUBSCRIBE: 'opt-out',
  CANCEL: 'opt-out',
  END: 'opt-out',
  QUIT: 'opt-out',
  START: 'opt-in',
  UNSTOP: 'opt-in',
  HELP: 'help',
  INFO: 'help',
};

const LONGEST_KEYWORD = Math.max(...Object.keys(KEYWORDS).map((keyword) => keyword.length));

const isTrailingPunctuation = (character: string) => character === '.' || character === '!';

/**
 * Runs on every inbound SMS, whose body a phone or a sender chooses: one pass from each end, never
 * a backtracking regex (`/[.!]+$/` took quadratic time on a body of dots ending in a letter, ~0.1 s
 * of the API's event loop for 10,000 characters).
 */
export function keywordActionOf(body: string): { keyword: string; action: KeywordAction } | null {
  const trimmed = body.trim();
  let end = trimmed.length;
  while (end > 0 && isTrailingPunctuation(trimmed[end - 1])) end--;
  if (end === 0 || end > LONGEST_KEYWORD) return null;
  const keyword = trimmed.slice(0, end).toUpperCase();
  const action = KEYWORDS[keyword];
  return action ? { keyword, action } : null;
}
