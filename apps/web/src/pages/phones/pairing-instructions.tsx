import { useEffect, useRef, useState } from 'react';
import type { components } from '../../api/schema';
import { CopyField, ShownOnce } from '../../components/copy-button';
import { QrCode } from './qr-code';

type CreatedDevice = components['schemas']['CreatedDeviceView'];
type Way = 'app' | 'websocket' | 'simulator';

const WAYS: { id: Way; label: string }[] = [
  { id: 'app', label: 'SMS Gateway for Android' },
  { id: 'websocket', label: 'Your own app' },
  { id: 'simulator', label: 'No phone: simulator' },
];

/**
 * The new phone's token, shown once, and how to pair it: the SMS Gateway for Android app (API
 * URL and Private Token as text and QR codes, docs/android.md), a custom app on /ws/devices
 * (docs/device-protocol.md), or the simulator for those without a phone.
 */
export function PairingInstructions({
  device,
  onDone,
}: {
  device: CreatedDevice;
  onDone: () => void;
}) {
  const [way, setWay] = useState<Way>('app');
  // It replaces the form (or a phone's "new token" step) that had the focus: take it, so that a
  // keyboard or screen reader user lands on the token, and bring it into view.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
    heading.current?.scrollIntoView({ block: 'start' });
  }, [device.token]);
  // The server names the URLs: behind a proxy or with MOBILE_PUBLIC_URL set, the phone reaches
  // it elsewhere than this browser does.
  const mobileUrl = device.connect.smsGatewayApiUrl;
  const wsUrl = device.connect.webSocketUrl;
  const phoneFacing = new URL(mobileUrl);
  const plainHttp = phoneFacing.protocol === 'http:';
  const localHost = ['localhost', '127.0.0.1', '[::1]'].includes(phoneFacing.hostname);

  return (
    <section className="panel pairing" aria-labelledby="pairing-title">
      <h2 id="pairing-title" ref={heading} tabIndex={-1}>
        Pair “{device.name}”
      </h2>
      <ShownOnce label="Device token" value={device.token} onDone={onDone}>
        <div className="tabs pairing-tabs" role="group" aria-label="How to connect the phone">
          {WAYS.map((option) => (
            <button
              key={option.id}
              type="button"
              aria-pressed={way === option.id}
              onClick={() => setWay(option.id)}
            >
              {option.label}
            </button>
          ))}
        </div>

        {way === 'app' && (
          <div className="pairing-way">
            <p>
              Install{' '}
              <a href="https://github.com/capcom6/android-sms-gateway/releases">
                SMS Gateway for Android
              </a>{' '}
              (1.53.1 or later) on the phone. Before tapping <strong>Online</strong>, open{' '}
              <strong>Settings → Cloud server…</strong> and enter:
            </p>
            <div className="qr-pair">
              <figure className="qr-item">
                <QrCode text={mobileUrl} label="QR code of the API URL" />
                <figcaption>
                  <CopyField label="API URL" value={mobileUrl} />
                </figcaption>
              </figure>
              <figure className="qr-item">
                <QrCode text={device.token} label="QR code of the private token" />
                <figcaption>
                  <CopyField label="Private Token" value={device.token} />
                </figcaption>
              </figure>
            </div>
            <ol className="steps">
              <li>
                <strong>Notification channel</strong>: <strong>SSE Only</strong> (with “Auto”, a
                phone with Google services waits for pushes that never come).
              </li>
              <li>
                <strong>Settings → System → Battery optimization</strong>: let the app ignore it, so
                that Android does not stop its connection.
              </li>
              <li>
                On the home screen switch <strong>Cloud server</strong> on, tap{' '}
                <strong>Online</strong>, keep <strong>Sign Up</strong> and tap{' '}
                <strong>Continue</strong>. The phone shows up below as online.
              </li>
            </ol>
            {plainHttp && !localHost && (
              <p className="note">
                This server is on plain HTTP: the app’s release build only accepts HTTPS (or
                127.0.0.1 over USB with <code>adb reverse tcp:3000 tcp:3000</code>). Put the server
                behind HTTPS, or use the app’s “insecure” build on a private network only.
              </p>
            )}
            <p className="hint">
              Scan a code with the phone’s camera to copy its text, then paste it into the app. More
              in docs/android.md.
            </p>
          </div>
        )}

        {way === 'websocket' && (
          <div className="pairing-way">
            <p>
              A custom app opens a WebSocket with the token as a bearer credential (or, if it cannot
              set headers, sends <code>{'{"type":"auth","token":"…"}'}</code> as its first frame),
              then sends <code>hello</code>. The protocol is in docs/device-protocol.md.
            </p>
            <CopyField label="WebSocket URL" value={wsUrl} />
            <CopyField label="Authorization header" value={`Bearer ${device.token}`} />
          </div>
        )}

        {way === 'simulator' && (
          <div className="pairing-way">
            <p>
              No phone at hand? From a checkout of Switchboard, after <code>npm run build</code>,
              the simulator plays a phone with this token. Leave it running, then send a message
              with the route <code>device</code>.
            </p>
            <CopyField
              label="Simulator (WebSocket protocol)"
              value={`npm run device:sim -- --url ${wsUrl} --token ${device.token} --delivered`}
            />
            <CopyField
              label="Simulator (SMS Gateway for Android app)"
              value={`npm run device:sim -- --app smsgate --url ${mobileUrl} --token ${device.token}`}
            />
          </div>
        )}
      </ShownOnce>
    </section>
  );
}
