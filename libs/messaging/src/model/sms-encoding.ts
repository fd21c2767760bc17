import { SegmentedMessage } from 'sms-segments-calculator';

export interface SmsEncoding {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
}

// The GSM 03.38 basic character set: one septet each.
const GSM_BASIC_CHARACTERS =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_BASIC = new Uint8Array(0x400);
for (const character of GSM_BASIC_CHARACTERS) GSM_BASIC[character.charCodeAt(0)] = 1;

const SINGLE_SEGMENT_SEPTETS = 160;
// A concatenated message gives 6 bytes of each segment to the User Data Header.
const CONCATENATED_SEGMENT_SEPTETS = 153;

/** Every character in the GSM-7 basic set (most bodies): no grapheme splitting needed. */
function isGsmBasic(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    if (code >= 0x400 || GSM_BASIC[code] === 0) return false;
  }
  return true;
}

/** How carriers will count this body: GSM-7 packs 160 characters (153 when split), UCS-2 70 (67). */
export function measureSms(body: string): SmsEncoding {
  // Fast path, same answer as the library (sms-encoding.spec.ts checks it): the library splits
  // graphemes and builds every segment, which cost more than the rest of accepting a message.
  if (isGsmBasic(body)) {
    return {
      encoding: 'GSM-7',
      segments:
        body.length <= SINGLE_SEGMENT_SEPTETS
          ? 1
          : Math.ceil(body.length / CONCATENATED_SEGMENT_SEPTETS),
    };
  }
  const measured = new SegmentedMessage(body, 'auto');
  return {
    encoding: measured.encodingName === 'GSM-7' ? 'GSM-7' : 'UCS-2',
    segments: measured.segmentsCount,
  };
}
