/**
 * How a carrier will count a text as it is typed: GSM-7 fits 160 characters in one SMS (153 per
 * part once split), anything outside GSM-7 (an emoji, most non-Latin scripts) turns the whole
 * text into UCS-2 at 70 (67 per part). Pure and small, for the send box; the API counts the same
 * way when it charges the quota.
 */
export interface SmsCount {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  /** Characters still free in the last segment before another one starts. */
  remaining: number;
}

// The GSM 03.38 basic character set: one septet each.
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
// The extension table: an escape septet plus one, so two each.
const GSM_EXTENDED = new Set('\f^{}\\[~]|€');

const LIMITS = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
} as const;

function gsmSeptets(body: string): number | null {
  let septets = 0;
  for (const character of body) {
    if (GSM_BASIC.has(character)) septets += 1;
    else if (GSM_EXTENDED.has(character)) septets += 2;
    else return null;
  }
  return septets;
}

export function countSms(body: string): SmsCount {
  const septets = gsmSeptets(body);
  const encoding = septets === null ? 'UCS-2' : 'GSM-7';
  // UCS-2 counts UTF-16 code units: an emoji outside the basic plane takes two.
  const units = septets ?? body.length;
  const { single, part } = LIMITS[encoding];
  if (units <= single) {
    return { encoding, segments: units === 0 ? 0 : 1, remaining: single - units };
  }
  const segments = Math.ceil(units / part);
  return { encoding, segments, remaining: segments * part - units };
}
