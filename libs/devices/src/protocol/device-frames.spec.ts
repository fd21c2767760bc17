import 'reflect-metadata';
import { parseDeviceFrame } from './device-frames';

const hello = {
  type: 'hello',
  device: {
    model: 'Pixel 7',
    androidVersion: '14',
    appVersion: '1.0.0',
    phoneNumber: '+14155550100',
  },
  status: { battery: 80, charging: false, signal: 3 },
};

describe('parseDeviceFrame', () => {
  it('accepts each frame of the protocol and keeps its type', () => {
    const frames = [
      hello,
      { type: 'auth', token: 'sbd_abc' },
      { type: 'status', battery: 0, charging: true, signal: 4 },
      { type: 'ack', messageId: '6f1c1a8e-3b7e-4c1e-9a55-2f6f5b0f6a11' },
      {
        type: 'result',
        messageId: '6f1c1a8e-3b7e-4c1e-9a55-2f6f5b0f6a11',
        status: 'failed',
        error: 'no service',
        errorCode: 'RESULT_ERROR_NO_SERVICE',
      },
      {
        type: 'inbound',
        id: '42',
        from: '+14155550101',
        body: '',
        receivedAt: '2026-11-21T10:00:00Z',
      },
    ];
    for (const frame of frames) {
      const parsed = parseDeviceFrame(JSON.stringify(frame));
      expect(parsed).toEqual({ ok: true, frame: expect.objectContaining({ type: frame.type }) });
    }
  });

  it('drops fields a frame does not define', () => {
    const parsed = parseDeviceFrame(
      JSON.stringify({ ...hello, extra: 1, device: { ...hello.device, imei: 'x' } }),
    );
    expect(parsed.ok && parsed.frame).toEqual({ ...hello });
  });

  it('names what is wrong, field by field', () => {
    const parsed = parseDeviceFrame(
      JSON.stringify({
        type: 'hello',
        device: { model: '' },
        status: { battery: 101, charging: true, signal: 2 },
      }),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem.code).toBe('INVALID_FRAME');
    expect(new Set(parsed.problem.errors!.map((error) => error.field))).toEqual(
      new Set(['device.model', 'device.androidVersion', 'device.appVersion', 'status.battery']),
    );
  });

  it('refuses what is not a JSON object with a known type', () => {
    const codeOf = (text: string) => {
      const parsed = parseDeviceFrame(text);
      return parsed.ok ? 'ok' : parsed.problem.code;
    };
    expect(codeOf('{')).toBe('MALFORMED_FRAME');
    expect(codeOf('null')).toBe('MALFORMED_FRAME');
    expect(codeOf('"hello"')).toBe('MALFORMED_FRAME');
    expect(codeOf('[{"type":"ack"}]')).toBe('MALFORMED_FRAME');
    expect(codeOf('{"type":"toString"}')).toBe('UNKNOWN_FRAME_TYPE');
    expect(codeOf('{"type":"__proto__"}')).toBe('UNKNOWN_FRAME_TYPE');
    expect(codeOf('{"messageId":"x"}')).toBe('UNKNOWN_FRAME_TYPE');
    expect(codeOf('{"type":"ack","messageId":"not-a-uuid"}')).toBe('INVALID_FRAME');
    expect(
      codeOf(
        '{"type":"result","messageId":"6f1c1a8e-3b7e-4c1e-9a55-2f6f5b0f6a11","status":"queued"}',
      ),
    ).toBe('INVALID_FRAME');
  });

  it('keeps a text holding NUL characters, which PostgreSQL cannot store, with them replaced', () => {
    const parsed = parseDeviceFrame(
      JSON.stringify({
        type: 'inbound',
        id: '7\u0000',
        from: '+14155550101',
        body: 'a\u0000b',
        receivedAt: '2026-11-21T10:00:00Z',
      }),
    );
    expect(parsed).toEqual({
      ok: true,
      frame: expect.objectContaining({ id: '7\uFFFD', body: 'a\uFFFDb' }),
    });
  });

  it('refuses a frame nested too deep for validation, without throwing', () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    for (const text of [
      `{"type":"status","status":{"battery":${deep}}}`,
      `{"type":"ack","messageId":"6f1c1a8e-3b7e-4c1e-9a55-2f6f5b0f6a11","extra":${deep}}`,
    ]) {
      const parsed = parseDeviceFrame(text);
      expect(parsed.ok ? 'ok' : parsed.problem.code).toBe('MALFORMED_FRAME');
    }
  });
});
