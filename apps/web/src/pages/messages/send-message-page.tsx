import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import { ErrorMessage, Field, fieldError } from '../../components/form';
import { SelectField, TextAreaField } from './fields';
import { isoOfLocalInput } from './format';
import { useDevices } from './message-list-page';

type Route = 'auto' | 'twilio' | 'device';

/** Sends one SMS (POST /api/v1/messages); the API's field errors show next to their fields. */
export function SendMessagePage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const devices = useDevices();
  const [to, setTo] = useState('');
  const [body, setBody] = useState('');
  const [route, setRoute] = useState<Route>('auto');
  const [deviceId, setDeviceId] = useState('');
  const [simNumber, setSimNumber] = useState('');
  const [sendAt, setSendAt] = useState('');
  const [sessionId, setSessionId] = useState('');

  const send = useMutation({
    mutationFn: async () =>
      (
        await api.POST('/api/v1/messages', {
          body: {
            to: to.trim(),
            body,
            route,
            ...(route !== 'twilio' && deviceId ? { deviceId } : {}),
            ...(route !== 'twilio' && simNumber ? { simNumber: Number(simNumber) } : {}),
            ...(sendAt ? { scheduledAt: isoOfLocalInput(sendAt) } : {}),
            ...(sessionId.trim() ? { sessionId: sessionId.trim() } : {}),
          },
        })
      ).data!,
    onSuccess: (message) => {
      queryClient.setQueryData(queryKeys.message(message.id), message);
      void queryClient.invalidateQueries({ queryKey: queryKeys.messages });
      void navigate(`/messages/${message.id}`);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate();
  };
  const error = send.error;
  // Errors the fields below do not show themselves (e.g. a quota reached).
  const shownByFields = [
    'to',
    'body',
    'route',
    'deviceId',
    'simNumber',
    'scheduledAt',
    'sessionId',
  ];
  const general = error && !shownByFields.some((field) => fieldError(error, field)) ? error : null;
  const phones = devices.data?.data ?? [];

  return (
    <>
      <h1>Send a message</h1>
      <form onSubmit={submit} className="send-form" noValidate>
        <Field
          label="To"
          type="tel"
          autoComplete="off"
          placeholder="+14155550123"
          hint="International format: + and the country code."
          value={to}
          onChange={(event) => setTo(event.target.value)}
          error={fieldError(error, 'to')}
          required
        />
        <TextAreaField
          label="Message"
          rows={4}
          value={body}
          onChange={(event) => setBody(event.target.value)}
          error={fieldError(error, 'body')}
          hint={`${body.length} of 1600 characters`}
          required
        />
        <SelectField
          label="Route"
          value={route}
          onChange={(event) => setRoute(event.target.value as Route)}
          error={fieldError(error, 'route')}
          hint="Automatic prefers one of your phones that is online, else Twilio."
        >
          <option value="auto">Automatic</option>
          <option value="twilio">Twilio</option>
          <option value="device">One of my phones</option>
        </SelectField>
        {route !== 'twilio' && (
          <div className="two-columns">
            <SelectField
              label="Phone"
              value={deviceId}
              onChange={(event) => setDeviceId(event.target.value)}
              error={fieldError(error, 'deviceId')}
            >
              <option value="">Any of my phones</option>
              {phones.map((device) => (
                <option key={device.id} value={device.id}>
                  {device.name}
                </option>
              ))}
            </SelectField>
            <Field
              label="SIM"
              type="number"
              min={1}
              max={8}
              inputMode="numeric"
              hint="Slot number, from 1; empty: the least busy."
              value={simNumber}
              onChange={(event) => setSimNumber(event.target.value)}
              error={fieldError(error, 'simNumber')}
            />
          </div>
        )}
        <Field
          label="Send at"
          type="datetime-local"
          hint="Empty: now. Your local time."
          value={sendAt}
          onChange={(event) => setSendAt(event.target.value)}
          error={fieldError(error, 'scheduledAt')}
        />
        <Field
          label="Session"
          autoComplete="off"
          hint="Optional: a chat session id of yours; the first message naming it starts it."
          value={sessionId}
          onChange={(event) => setSessionId(event.target.value)}
          error={fieldError(error, 'sessionId')}
        />
        <ErrorMessage error={general} />
        <button type="submit" className="primary" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : sendAt ? 'Schedule' : 'Send'}
        </button>
      </form>
    </>
  );
}
