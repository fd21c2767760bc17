import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import { ConfirmStep } from '../../components/confirm-step';
import { ErrorMessage, Field, fieldError, formLevelError } from '../../components/form';
import { ago, dateTime } from '../../components/time';

type DeviceView = components['schemas']['DeviceView'];
type CreatedDevice = components['schemas']['CreatedDeviceView'];
type DeviceChanges = components['schemas']['UpdateDeviceDto'];

const TRANSPORT: Record<string, string> = {
  websocket: 'WebSocket (/ws/devices)',
  sse: 'SMS Gateway app (event stream)',
};
const NETWORK: Record<string, string> = {
  wifi: 'Wi-Fi',
  ethernet: 'Ethernet',
  cellular: 'Mobile data',
  none: 'No connection',
};

/**
 * One phone: its live state, and enable/disable, send rate, a new token (shown by the page, as
 * for a new phone: `onNewToken`) and delete.
 */
export function PhoneCard({
  device,
  onNewToken,
}: {
  device: DeviceView;
  onNewToken: (device: CreatedDevice) => void;
}) {
  const queryClient = useQueryClient();
  const [rate, setRate] = useState(String(device.sendRatePerMinute));
  const [name, setName] = useState(device.name);
  const [editing, setEditing] = useState<'name' | 'rate' | null>(null);
  const [confirm, setConfirm] = useState<'delete' | 'token' | null>(null);

  const update = useMutation({
    mutationFn: async (changes: DeviceChanges) =>
      (
        await api.PATCH('/api/v1/devices/{id}', {
          params: { path: { id: device.id } },
          body: changes,
        })
      ).data!,
    onSuccess: () => {
      setEditing(null);
      void queryClient.invalidateQueries({ queryKey: queryKeys.devices });
    },
  });
  const remove = useMutation({
    mutationFn: async () =>
      api.DELETE('/api/v1/devices/{id}', { params: { path: { id: device.id } } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.devices }),
  });
  const replaceToken = useMutation({
    mutationFn: async () =>
      (
        await api.POST('/api/v1/devices/{id}/token', {
          params: { path: { id: device.id } },
        })
      ).data!,
    onSuccess: (replaced) => {
      setConfirm(null);
      onNewToken(replaced);
      void queryClient.invalidateQueries({ queryKey: queryKeys.devices });
    },
  });

  const saveRate = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ sendRatePerMinute: rate.trim() === '' ? null : Number(rate) });
  };
  const saveName = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ name: name.trim() });
  };

  const titleId = `phone-${device.id}`;
  const state = !device.enabled ? 'disabled' : device.online ? 'online' : 'offline';
  return (
    <li className="phone" aria-labelledby={titleId}>
      <div className="phone-head">
        <h3 id={titleId}>{device.name}</h3>
        <span className={`pill pill-${state}`}>
          {state === 'disabled' ? 'Disabled' : device.online ? 'Online' : 'Offline'}
        </span>
      </div>
      <p className="muted phone-model">
        {[
          device.model,
          device.androidVersion && `Android ${device.androidVersion}`,
          device.appVersion && `app ${device.appVersion}`,
          device.phoneNumber,
        ]
          .filter(Boolean)
          .join(' · ') || `Token ${device.tokenPrefix}… — not connected yet`}
      </p>
      <dl className="facts">
        <div>
          <dt>Battery</dt>
          <dd>
            {device.battery === null ? (
              '—'
            ) : (
              <>
                <meter
                  min={0}
                  max={100}
                  low={20}
                  high={50}
                  optimum={100}
                  value={device.battery}
                  aria-label="Battery"
                />{' '}
                {device.battery}%{device.charging ? ', charging' : ''}
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>Signal</dt>
          <dd>
            {[
              device.signal === null ? null : `${device.signal} of 4`,
              device.network ? (NETWORK[device.network] ?? device.network) : null,
            ]
              .filter(Boolean)
              .join(', ') || '—'}
          </dd>
        </div>
        <div>
          <dt>In flight</dt>
          <dd>{device.inFlight}</dd>
        </div>
        <div>
          <dt>Sent in the last minute</dt>
          <dd>
            {device.sentLastMinute} of {device.sendRatePerMinute}
          </dd>
        </div>
        <div>
          <dt>Connection</dt>
          <dd>
            {device.transport ? (TRANSPORT[device.transport] ?? device.transport) : 'offline'}
          </dd>
        </div>
        <div>
          <dt>Last seen</dt>
          <dd>
            {device.online ? (
              'now'
            ) : device.lastSeenAt ? (
              <time dateTime={device.lastSeenAt} title={dateTime(device.lastSeenAt)}>
                {ago(device.lastSeenAt)}
              </time>
            ) : (
              'never'
            )}
          </dd>
        </div>
      </dl>
      {device.simCards.length > 0 && (
        <div className="sims">
          <h4>SIM cards</h4>
          <ul>
            {device.simCards.map((sim) => (
              <li key={sim.simNumber}>
                SIM {sim.simNumber}
                {sim.carrierName ? ` · ${sim.carrierName}` : ''}
                {sim.phoneNumber ? ` · ${sim.phoneNumber}` : ''} · {sim.sentLastMinute} sent in the
                last minute
              </li>
            ))}
          </ul>
        </div>
      )}

      <div className="phone-actions">
        <button
          type="button"
          onClick={() => update.mutate({ enabled: !device.enabled })}
          disabled={update.isPending}
        >
          {device.enabled ? 'Disable' : 'Enable'}
        </button>
        <button
          type="button"
          aria-expanded={editing === 'name'}
          onClick={() => {
            setName(device.name);
            setEditing((open) => (open === 'name' ? null : 'name'));
          }}
        >
          Rename…
        </button>
        <button
          type="button"
          aria-expanded={editing === 'rate'}
          onClick={() => {
            setRate(String(device.sendRatePerMinute));
            setEditing((open) => (open === 'rate' ? null : 'rate'));
          }}
        >
          Send rate…
        </button>
        <button type="button" onClick={() => setConfirm('token')}>
          New token…
        </button>
        <button type="button" className="danger" onClick={() => setConfirm('delete')}>
          Delete…
        </button>
      </div>

      {editing === 'name' && (
        <form className="inline-form" onSubmit={saveName} noValidate>
          <Field
            label="New name"
            name="name"
            required
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
            error={fieldError(update.error, 'name')}
          />
          <button type="submit" disabled={update.isPending}>
            Save name
          </button>
        </form>
      )}
      {editing === 'rate' && (
        <form className="inline-form" onSubmit={saveRate} noValidate>
          <Field
            label="Most SMS per minute"
            type="number"
            name="sendRatePerMinute"
            min={1}
            inputMode="numeric"
            hint="Empty: the server’s default. Android itself stops an app at 30 a minute unless the phone allows more."
            value={rate}
            onChange={(event) => setRate(event.target.value)}
            error={fieldError(update.error, 'sendRatePerMinute')}
          />
          <button type="submit" disabled={update.isPending}>
            Save rate
          </button>
        </form>
      )}
      <ErrorMessage error={formLevelError(update.error)} />

      {confirm === 'token' && (
        <ConfirmStep
          label={`New token for ${device.name}`}
          action="Replace token"
          onConfirm={() => replaceToken.mutate()}
          onCancel={() => setConfirm(null)}
          pending={replaceToken.isPending}
          error={replaceToken.error}
        >
          Give “{device.name}” a new token? The current one stops working at once and the phone is
          disconnected until you enter the new token in it. Use this when the token may have leaked.
        </ConfirmStep>
      )}

      {confirm === 'delete' && (
        <ConfirmStep
          label={`Delete ${device.name}`}
          action="Delete phone"
          onConfirm={() => remove.mutate()}
          onCancel={() => setConfirm(null)}
          pending={remove.isPending}
          error={remove.error}
        >
          Delete “{device.name}”? Its token stops working at once and it is disconnected. Messages
          it holds go to your other phones.
        </ConfirmStep>
      )}
    </li>
  );
}
