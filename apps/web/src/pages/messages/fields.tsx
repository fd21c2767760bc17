import {
  useId,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';

interface Described {
  label: string;
  hint?: ReactNode;
  /** The API's (or the page's own) message for this field, shown under it and announced. */
  error?: string;
}

/** Ties a hint and an error to a control for screen readers, as Field does for inputs. */
function useDescribed(hint: ReactNode, error: string | undefined) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return {
    id,
    hintId,
    errorId,
    control: {
      id,
      'aria-invalid': error ? true : undefined,
      'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') || undefined,
    },
  };
}

function Notes({
  hint,
  hintId,
  error,
  errorId,
}: Described & { hintId?: string; errorId?: string }) {
  return (
    <>
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
    </>
  );
}

export function TextAreaField({
  label,
  hint,
  error,
  ...textarea
}: Described & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { id, hintId, errorId, control } = useDescribed(hint, error);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea {...control} {...textarea} />
      <Notes label={label} hint={hint} hintId={hintId} error={error} errorId={errorId} />
    </div>
  );
}

export function SelectField({
  label,
  hint,
  error,
  children,
  ...select
}: Described & SelectHTMLAttributes<HTMLSelectElement>) {
  const { id, hintId, errorId, control } = useDescribed(hint, error);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select {...control} {...select}>
        {children}
      </select>
      <Notes label={label} hint={hint} hintId={hintId} error={error} errorId={errorId} />
    </div>
  );
}
