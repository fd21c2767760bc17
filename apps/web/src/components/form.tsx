import { useId, type InputHTMLAttributes, type ReactNode } from 'react';
import { ApiError, messageOf } from '../api/problem';

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  hint?: ReactNode;
  /** The API's message for this field, shown under it and announced. */
  error?: string;
}

/** A labelled input with its hint and error tied to it for screen readers. */
export function Field({ label, hint, error, ...input }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
        {...input}
      />
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The error of a failed request, in words, announced when it appears. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="alert" role="alert">
      {messageOf(error)}
    </p>
  );
}

/** The message the API gave for one field of a failed request, if any. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldMessage(field) : undefined;
}

/**
 * The error of a form whose fields show their own messages: null when the API named fields
 * (each shows its message next to it), the error otherwise.
 */
export function formLevelError(error: unknown): unknown {
  return error instanceof ApiError && error.fieldErrors.length > 0 ? null : error;
}
