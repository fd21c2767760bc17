import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/client';
import { setSession, type Account } from '../api/session';
import { ErrorMessage, Field, fieldError } from '../components/form';

type Mode = 'sign-in' | 'sign-up';
type Step = 'phone' | 'code' | 'password';

const SUBMIT_LABEL: Record<Step, string> = {
  phone: 'Text me a code',
  code: 'Verify code',
  password: 'Sign in with password',
};

/**
 * Sign in or sign up with a phone: the number (and a name, to sign up) texts a 6-digit code,
 * which signs in. An account with a password can use it instead of a code.
 */
export function SignInPage() {
  const navigate = useNavigate();
  const [mode, setMode] = useState<Mode>('sign-in');
  const [step, setStep] = useState<Step>('phone');
  const [phone, setPhone] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');

  const signedIn = (tokens: { accessToken: string; account: Account }) => {
    setSession({ accessToken: tokens.accessToken, account: tokens.account });
    void navigate('/chats', { replace: true });
  };

  const sendCode = useMutation({
    mutationFn: async () => {
      if (mode === 'sign-up') {
        await api.POST('/api/v1/auth/register', {
          body: { phone, name, ...(password ? { password } : {}) },
        });
      } else {
        await api.POST('/api/v1/auth/otp', { body: { phone } });
      }
    },
    onSuccess: () => setStep('code'),
  });

  const verify = useMutation({
    mutationFn: async () =>
      (await api.POST('/api/v1/auth/verify', { body: { phone, code } })).data!,
    onSuccess: signedIn,
  });

  const login = useMutation({
    mutationFn: async () =>
      (await api.POST('/api/v1/auth/login', { body: { phone, password } })).data!,
    onSuccess: signedIn,
  });

  const switchMode = (next: Mode) => {
    setMode(next);
    setStep('phone');
    sendCode.reset();
    verify.reset();
    login.reset();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (step === 'phone') sendCode.mutate();
    else if (step === 'code') verify.mutate();
    else login.mutate();
  };

  const current = step === 'phone' ? sendCode : step === 'code' ? verify : login;
  const title = mode === 'sign-up' ? 'Create your account' : 'Sign in';

  return (
    <main className="auth" id="main">
      <div className="auth-card">
        <p className="brand" aria-hidden="true">
          Switchboard
        </p>
        <h1>{title}</h1>
        <div className="tabs" role="group" aria-label="Sign in or create an account">
          <button
            type="button"
            aria-pressed={mode === 'sign-in'}
            onClick={() => switchMode('sign-in')}
          >
            Sign in
          </button>
          <button
            type="button"
            aria-pressed={mode === 'sign-up'}
            onClick={() => switchMode('sign-up')}
          >
            Create account
          </button>
        </div>
        <form onSubmit={submit} noValidate>
          <Field
            label="Phone number"
            type="tel"
            name="phone"
            autoComplete="tel"
            inputMode="tel"
            placeholder="+14155550123"
            hint="International format, with the country code."
            required
            value={phone}
            readOnly={step === 'code'}
            onChange={(event) => setPhone(event.target.value)}
            error={fieldError(current.error, 'phone')}
          />
          {mode === 'sign-up' && step === 'phone' && (
            <>
              <Field
                label="Your name"
                name="name"
                autoComplete="name"
                required
                maxLength={100}
                value={name}
                onChange={(event) => setName(event.target.value)}
                error={fieldError(sendCode.error, 'name')}
              />
              <Field
                label="Password (optional)"
                type="password"
                name="password"
                autoComplete="new-password"
                hint="Lets you sign in without a code too."
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                error={fieldError(sendCode.error, 'password')}
              />
            </>
          )}
          {step === 'code' && (
            <Field
              label="Code from the SMS"
              name="code"
              autoComplete="one-time-code"
              inputMode="numeric"
              pattern="\d{6}"
              maxLength={6}
              hint={`We texted a 6-digit code to ${phone}. It is valid for 10 minutes.`}
              required
              autoFocus
              value={code}
              onChange={(event) => setCode(event.target.value.trim())}
              error={fieldError(verify.error, 'code')}
            />
          )}
          {step === 'password' && (
            <Field
              label="Password"
              type="password"
              name="password"
              autoComplete="current-password"
              required
              autoFocus
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          )}
          <ErrorMessage error={current.error} />
          <button className="primary" type="submit" disabled={current.isPending}>
            {SUBMIT_LABEL[step]}
          </button>
        </form>
        <div className="auth-links">
          {step === 'code' && (
            <button
              type="button"
              className="link"
              onClick={() => {
                setCode('');
                verify.reset();
                setStep('phone');
              }}
            >
              Use another number or send a new code
            </button>
          )}
          {mode === 'sign-in' && step !== 'password' && (
            <button type="button" className="link" onClick={() => setStep('password')}>
              Sign in with a password instead
            </button>
          )}
          {step === 'password' && (
            <button type="button" className="link" onClick={() => setStep('phone')}>
              Sign in with a code instead
            </button>
          )}
        </div>
      </div>
    </main>
  );
}
