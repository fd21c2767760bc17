import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { ApiError } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import { setSession } from '../../api/session';
import { ShownOnce } from '../../components/copy-button';
import { ConfirmStep } from '../../components/confirm-step';
import { ErrorMessage, Field, fieldError, formLevelError } from '../../components/form';
import { ago, dateTime } from '../../components/time';

type CreatedKey = components['schemas']['CreatedApiKeyDto'];
type ApiKey = components['schemas']['ApiKeyDto'];

/**
 * The account's API keys: create one (shown once) and revoke. The API creates keys only for a
 * session signed in within the last 5 minutes; an older one is asked to prove it is its owner
 * again (password or texted code), which signs this browser in afresh, and the key is then made.
 */
export function ApiKeys({ phone, hasPassword }: { phone?: string; hasPassword: boolean }) {
  const queryClient = useQueryClient();
  const keys = useQuery({
    queryKey: queryKeys.apiKeys,
    queryFn: async () =>
      (await api.GET('/api/v1/api-keys', { params: { query: { limit: 100 } } })).data!,
  });
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const create = useMutation({
    mutationFn: async () =>
      (await api.POST('/api/v1/api-keys', { body: { name: name.trim() } })).data!,
    onSuccess: (key) => {
      setCreated(key);
      setName('');
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const needsProof =
    create.error instanceof ApiError && create.error.code === 'REAUTHENTICATION_REQUIRED';
  const list = keys.data?.data ?? [];

  return (
    <section className="panel api-keys" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p className="hint">
        For programs calling the API: send it as <code>X-API-Key</code>. A key acts as your account
        until you revoke it.
      </p>
      {created ? (
        <ShownOnce label="API key" value={created.key} onDone={() => setCreated(null)} />
      ) : (
        <form onSubmit={submit} noValidate>
          <Field
            label="Key name"
            name="keyName"
            required
            maxLength={100}
            placeholder="billing service"
            value={name}
            onChange={(event) => setName(event.target.value)}
            error={fieldError(create.error, 'name')}
          />
          {needsProof && phone ? (
            <Reauthenticate
              phone={phone}
              hasPassword={hasPassword}
              onProved={() => create.mutate()}
            />
          ) : (
            <ErrorMessage error={formLevelError(create.error)} />
          )}
          <button type="submit" className="primary-inline" disabled={create.isPending}>
            Create key
          </button>
        </form>
      )}
      <ErrorMessage error={keys.error} />
      {keys.data && list.length === 0 && <p className="muted">No API keys.</p>}
      {list.length > 0 && (
        <ul className="keys" aria-label="API keys">
          {list.map((key) => (
            <KeyItem key={key.id} apiKey={key} />
          ))}
        </ul>
      )}
    </section>
  );
}

function KeyItem({ apiKey }: { apiKey: ApiKey }) {
  const queryClient = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const revoke = useMutation({
    mutationFn: async () =>
      api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id: apiKey.id } } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys }),
  });
  return (
    <li className="key">
      <div className="key-main">
        <strong>{apiKey.name}</strong> <code>{apiKey.prefix}…</code>
        <span className="muted key-dates">
          created {dateTime(apiKey.createdAt)}; last used {ago(apiKey.lastUsedAt)}
        </span>
      </div>
      {confirm ? (
        <ConfirmStep
          label={`Revoke ${apiKey.name}`}
          action="Revoke key"
          onConfirm={() => revoke.mutate()}
          onCancel={() => setConfirm(false)}
          pending={revoke.isPending}
          error={revoke.error}
        >
          Revoke “{apiKey.name}”? Programs using it stop working at once.
        </ConfirmStep>
      ) : (
        <button
          type="button"
          className="danger"
          aria-label={`Revoke ${apiKey.name}…`}
          onClick={() => setConfirm(true)}
        >
          Revoke…
        </button>
      )}
    </li>
  );
}

/** Signs this browser in again (password, or a texted code), then calls `onProved`. */
function Reauthenticate({
  phone,
  hasPassword,
  onProved,
}: {
  phone: string;
  hasPassword: boolean;
  onProved: () => void;
}) {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [by, setBy] = useState<'password' | 'code'>(hasPassword ? 'password' : 'code');
  const signedIn = (tokens: components['schemas']['TokensDto']) => {
    setSession({ accessToken: tokens.accessToken, account: tokens.account });
    onProved();
  };
  const login = useMutation({
    mutationFn: async () =>
      (await api.POST('/api/v1/auth/login', { body: { phone, password } })).data!,
    onSuccess: signedIn,
  });
  const sendCode = useMutation({
    mutationFn: async () => api.POST('/api/v1/auth/otp', { body: { phone } }),
  });
  const verify = useMutation({
    mutationFn: async () =>
      (await api.POST('/api/v1/auth/verify', { body: { phone, code } })).data!,
    onSuccess: signedIn,
  });
  return (
    <div className="reauth" role="group" aria-labelledby="reauth-title">
      <p id="reauth-title" className="reauth-title">
        Creating a key needs a sign-in from the last 5 minutes. Confirm it is you.
      </p>
      {by === 'password' ? (
        <>
          <Field
            label="Your password"
            type="password"
            name="reauthPassword"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <ErrorMessage error={login.error} />
          <button type="button" onClick={() => login.mutate()} disabled={login.isPending}>
            Confirm and create key
          </button>{' '}
          <button type="button" className="link" onClick={() => setBy('code')}>
            Use a code instead
          </button>
        </>
      ) : (
        <>
          <button type="button" onClick={() => sendCode.mutate()} disabled={sendCode.isPending}>
            Text a code to {phone}
          </button>
          <ErrorMessage error={sendCode.error} />
          {sendCode.isSuccess && (
            <>
              <Field
                label="Code from the SMS"
                name="reauthCode"
                autoComplete="one-time-code"
                inputMode="numeric"
                maxLength={6}
                value={code}
                onChange={(event) => setCode(event.target.value.trim())}
              />
              <ErrorMessage error={verify.error} />
              <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
                Confirm and create key
              </button>
            </>
          )}
        </>
      )}
    </div>
  );
}
