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

export function keywordActionOf(body: string): { keyword: string; action: KeywordAction } | null {
  const keyword = body
    .trim()
    .replace(/[.!]+$/, '')
    .toUpperCase();
  const action = KEYWORDS[keyword];
  return action ? { keyword, action } : null;
}
