import { SegmentedMessage } from 'sms-segments-calculator';

export interface SmsEncoding {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
}

/** How carriers will count this body: GSM-7 packs 160 characters (153 when split), UCS-2 70 (67). */
export function measureSms(body: string): SmsEncoding {
  const measured = new SegmentedMessage(body, 'auto');
  return {
    encoding: measured.encodingName === 'GSM-7' ? 'GSM-7' : 'UCS-2',
    segments: measured.segmentsCount,
  };
}
