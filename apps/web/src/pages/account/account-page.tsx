import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import { getSession, setSession, signOut } from '../../api/session';
import { ErrorMessage, Field, fieldError, formLevelError } from '../../components/form';
import { dateTime } from '../../components/time';
import { ApiKeys } from './api-keys';
import { PasswordForm } from './password-form';
import '../console.css';
import './account.css';

/** The caller's account: name, password, sending limits and today's usage, API keys, sign-out. */
export function AccountPage() {
  const me = useQuery({
    queryKey: queryKeys.me,
    queryFn: async () => (await api.GET('/api/v1/me')).data!,
  });
  const account = me.data;
  return (
    <div className="console">
      <h1>Account</h1>
      <ErrorMessage error={me.error} />
      {me.isPending && <p className="muted">Loading…</p>}
      {account && (
        <div className="account-grid">
          <NameForm name={account.name} phone={account.phone} />
          <Limits limits={account.limits} usage={account.usage} />
          <ApiKeys phone={account.phone} hasPassword={!!account.hasPassword} />
          {account.phone && (
            <PasswordForm phone={account.phone} hasPassword={!!account.hasPassword} />
          )}
          <Sessions />
        </div>
      )}
    </div>
  );
}

function NameForm({ name: current, phone }: { name: string; phone?: string }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(current);
  const save = useMutation({
    mutationFn: async () => (await api.PATCH('/api/v1/me', { body: { name: name.trim() } })).data!,
    onSuccess: (account) => {
      // The header shows the session's copy of the account.
      const session = getSession();
      if (session) setSession({ ...session, account: { ...session.account, name: account.name } });
      void queryClient.invalidateQueries({ queryKey: queryKeys.me });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      {phone && (
        <p>
          Phone number: <strong>{phone}</strong>
        </p>
      )}
      <Field
        label="Name"
        name="name"
        autoComplete="name"
        required
        maxLength={100}
        value={name}
        onChange={(event) => {
          save.reset();
          setName(event.target.value);
        }}
        error={fieldError(save.error, 'name')}
      />
      <ErrorMessage error={formLevelError(save.error)} />
      {save.isSuccess && <p role="status">Name saved.</p>}
      <button type="submit" className="primary-inline" disabled={save.isPending}>
        Save name
      </button>
    </form>
  );
}

type Me = components['schemas']['MeDto'];

function Limits({ limits, usage }: { limits: Me['limits']; usage: Me['usage'] }) {
  const unlimited = (value: number | null, unit: string) =>
    value === null ? 'unlimited' : `${value.toLocaleString()} ${unit}`;
  return (
    <section className="panel" aria-labelledby="limits-title">
      <h2 id="limits-title">Sending limits</h2>
      <dl className="facts">
        <div>
          <dt>Per minute</dt>
          <dd>{unlimited(limits.perMinute, 'segments')}</dd>
        </div>
        <div>
          <dt>Per day (UTC)</dt>
          <dd>{unlimited(limits.perDay, 'segments')}</dd>
        </div>
        <div>
          <dt>Sent today</dt>
          <dd>
            {usage.today === null ? 'not counted' : `${usage.today.toLocaleString()} segments`}
          </dd>
        </div>
        <div>
          <dt>Left today</dt>
          <dd>{unlimited(usage.remainingToday, 'segments')}</dd>
        </div>
      </dl>
      {limits.perDay !== null && usage.today !== null && (
        <p className="usage">
          <label htmlFor="usage-meter">Today’s usage</label>
          <meter
            id="usage-meter"
            min={0}
            max={limits.perDay}
            high={limits.perDay * 0.9}
            value={Math.min(usage.today, limits.perDay)}
          />
        </p>
      )}
      <p className="hint">
        A long SMS counts one segment per part. The day starts again {dateTime(usage.resetsAt)}.
      </p>
    </section>
  );
}

function Sessions() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const endOthers = useMutation({
    mutationFn: async () => (await api.POST('/api/v1/me/sessions/end-others')).data!,
  });
  const leave = async () => {
    await signOut();
    queryClient.clear();
    void navigate('/sign-in', { replace: true });
  };
  return (
    <section className="panel" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <p>
        Signed in on a computer or phone you no longer use? Sign out everywhere else: only this
        browser stays signed in. API keys keep working; revoke them above.
      </p>
      <ErrorMessage error={endOthers.error} />
      {endOthers.isSuccess && (
        <p role="status">
          {endOthers.data.ended === 0
            ? 'No other session was signed in.'
            : `Signed out ${endOthers.data.ended} other session${endOthers.data.ended === 1 ? '' : 's'}.`}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={() => endOthers.mutate()} disabled={endOthers.isPending}>
          Sign out everywhere else
        </button>
        <button type="button" onClick={leave}>
          Sign out of this browser
        </button>
      </div>
    </section>
  );
}
