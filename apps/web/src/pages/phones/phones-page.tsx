import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import { ErrorMessage, Field, fieldError, formLevelError } from '../../components/form';
import { useLiveEvent } from '../../live/use-live';
import { PairingInstructions } from './pairing-instructions';
import { PhoneCard } from './phone-card';
import '../console.css';
import './phones.css';

type CreatedDevice = components['schemas']['CreatedDeviceView'];

const SENT_WINDOW_MS = 61_000;

/**
 * The account's phones with their live state. `device.updated` events (live-cache.ts) refresh
 * the list when a phone connects, reports its battery or goes away; a message a phone carries
 * changes its in-flight and last-minute counts, so message events refresh it too. Nothing polls.
 */
export function PhonesPage() {
  const queryClient = useQueryClient();
  const devices = useQuery({
    queryKey: queryKeys.devices,
    queryFn: async () =>
      (await api.GET('/api/v1/devices', { params: { query: { limit: 100 } } })).data!,
  });
  const refreshOnMessage = (message: { deviceId?: unknown; routeRequested?: string }) => {
    if (message.deviceId || message.routeRequested === 'device') {
      void queryClient.invalidateQueries({ queryKey: queryKeys.devices });
    }
  };
  useLiveEvent('message.created', refreshOnMessage);
  useLiveEvent('message.updated', refreshOnMessage);
  // "Sent in the last minute" falls as the minute passes, which no event says: one refresh once
  // the counted sends are a minute old.
  const counting = devices.data?.data?.some((device) => device.sentLastMinute > 0) ?? false;
  useEffect(() => {
    if (!counting) return;
    const timer = setTimeout(
      () => void queryClient.invalidateQueries({ queryKey: queryKeys.devices }),
      SENT_WINDOW_MS,
    );
    return () => clearTimeout(timer);
  }, [counting, devices.dataUpdatedAt, queryClient]);

  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedDevice | null>(null);
  const create = useMutation({
    mutationFn: async () =>
      (await api.POST('/api/v1/devices', { body: { name: name.trim() } })).data!,
    onSuccess: (device) => {
      setCreated(device);
      setName('');
      void queryClient.invalidateQueries({ queryKey: queryKeys.devices });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  const list = devices.data?.data ?? [];
  const online = list.filter((device) => device.online).length;

  return (
    <div className="console">
      <h1>Phones</h1>
      <p className="muted">
        Android phones that send and receive your SMS. Each one connects with its own token.
      </p>

      {created ? (
        <PairingInstructions device={created} onDone={() => setCreated(null)} />
      ) : (
        <form className="panel add-phone" onSubmit={submit} noValidate>
          <h2>Add a phone</h2>
          <Field
            label="Phone name"
            name="name"
            required
            maxLength={100}
            placeholder="Office Pixel"
            hint="For you to tell your phones apart."
            value={name}
            onChange={(event) => setName(event.target.value)}
            error={fieldError(create.error, 'name')}
          />
          <ErrorMessage error={formLevelError(create.error)} />
          <button className="primary" type="submit" disabled={create.isPending}>
            Add phone
          </button>
        </form>
      )}

      <h2 className="section-title">
        Your phones{' '}
        {list.length > 0 && (
          <span className="muted">
            ({online} of {list.length} online)
          </span>
        )}
      </h2>
      <ErrorMessage error={devices.error} />
      {devices.isPending && <p className="muted">Loading…</p>}
      {devices.data && list.length === 0 && (
        <p className="muted">No phones yet. Add one above, then pair it with the token.</p>
      )}
      <ul className="phones" aria-label="Phones">
        {list.map((device) => (
          <PhoneCard key={device.id} device={device} onNewToken={setCreated} />
        ))}
      </ul>
    </div>
  );
}
