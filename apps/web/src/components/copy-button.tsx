import { useEffect, useState, type ReactNode } from 'react';

/**
 * Copies `text` to the clipboard and says so. The clipboard needs a secure context (https or
 * localhost); elsewhere the button says to select the text instead.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <button type="button" className="copy" onClick={copy} aria-label={label}>
      <span aria-live="polite">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy' : 'Copy'}
      </span>
    </button>
  );
}

/** A value to copy (a URL, a command): read-only text with its copy button. */
export function CopyField({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="copy-field">
      <span className="copy-label">{label}</span>
      <div className="copy-row">
        <code className="copy-value">{value}</code>
        <CopyButton text={value} label={`Copy ${label.toLowerCase()}`} />
      </div>
      {hint && <p className="hint">{hint}</p>}
    </div>
  );
}

/**
 * A secret the API shows only once (a token, a key, a signing secret): announced, with a copy
 * button and the warning that it cannot be shown again.
 */
export function ShownOnce({
  label,
  value,
  onDone,
  children,
}: {
  label: string;
  value: string;
  onDone: () => void;
  children?: ReactNode;
}) {
  return (
    <section className="shown-once" aria-label={label}>
      <p className="shown-once-warning" role="status">
        Copy it now: this is the only time it is shown.
      </p>
      <CopyField label={label} value={value} />
      {children}
      <button type="button" onClick={onDone}>
        Done, I have saved it
      </button>
    </section>
  );
}
