import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { ErrorMessage, Field, fieldError, formLevelError } from '../../components/form';

/**
 * Set or change the password. The API wants a fresh proof besides the session: the current
 * password, or a code texted to the account's phone (the only way to set a first password, and
 * the way out of a forgotten one). A new password ends every other session of the account.
 */
export function PasswordForm({ phone, hasPassword }: { phone: string; hasPassword: boolean }) {
  const [proof, setProof] = useState<'password' | 'code'>(hasPassword ? 'password' : 'code');
  const [currentPassword, setCurrentPassword] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);

  const sendCode = useMutation({
    mutationFn: async () => api.POST('/api/v1/auth/otp', { body: { phone } }),
  });
  const save = useMutation({
    mutationFn: async () =>
      (
        await api.PATCH('/api/v1/me', {
          body: proof === 'password' ? { password, currentPassword } : { password, code },
        })
      ).data!,
    onSuccess: () => {
      setDone(true);
      setPassword('');
      setCurrentPassword('');
      setCode('');
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    save.mutate();
  };

  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="password-title">
      <h2 id="password-title">{hasPassword ? 'Change password' : 'Set a password'}</h2>
      <p className="hint">
        {hasPassword
          ? 'Changing it signs out every other browser and app signed in to your account.'
          : 'With a password you can sign in without waiting for a code.'}
      </p>
      {proof === 'password' ? (
        <Field
          label="Current password"
          type="password"
          name="currentPassword"
          autoComplete="current-password"
          required
          value={currentPassword}
          onChange={(event) => setCurrentPassword(event.target.value)}
          error={fieldError(save.error, 'currentPassword')}
        />
      ) : (
        <div className="code-proof">
          <p>
            To prove it is you, we text a code to <strong>{phone}</strong>.
          </p>
          <button type="button" onClick={() => sendCode.mutate()} disabled={sendCode.isPending}>
            {sendCode.isSuccess ? 'Text me another code' : 'Text me a code'}
          </button>
          <ErrorMessage error={sendCode.error} />
          {sendCode.isSuccess && (
            <Field
              label="Code from the SMS"
              name="code"
              autoComplete="one-time-code"
              inputMode="numeric"
              maxLength={6}
              required
              value={code}
              onChange={(event) => setCode(event.target.value.trim())}
              error={fieldError(save.error, 'code')}
            />
          )}
        </div>
      )}
      <Field
        label="New password"
        type="password"
        name="newPassword"
        autoComplete="new-password"
        required
        hint="At least 8 characters; a long phrase is best."
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        error={fieldError(save.error, 'password')}
      />
      <ErrorMessage error={formLevelError(save.error)} />
      {done && (
        <p role="status">Password saved. Every other session of your account is signed out.</p>
      )}
      <div className="actions">
        <button
          type="submit"
          className="primary-inline"
          disabled={save.isPending || (proof === 'code' && !sendCode.isSuccess)}
        >
          {hasPassword ? 'Change password' : 'Set password'}
        </button>
        {hasPassword && (
          <button
            type="button"
            className="link"
            onClick={() => {
              save.reset();
              setProof(proof === 'password' ? 'code' : 'password');
            }}
          >
            {proof === 'password' ? 'Forgot it? Use a code instead' : 'Use my current password'}
          </button>
        )}
      </div>
    </form>
  );
}
