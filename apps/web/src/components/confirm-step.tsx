import type { ReactNode } from 'react';
import { ErrorMessage } from './form';

/**
 * The second step of something that cannot be undone (delete, revoke, replace): what will
 * happen, the action, Cancel, and the API's answer if it refuses.
 */
export function ConfirmStep({
  label,
  action,
  onConfirm,
  onCancel,
  pending,
  error,
  children,
}: {
  /** Names the group for assistive technology, e.g. `Delete Office Pixel`. */
  label: string;
  /** The button's words, e.g. `Delete phone`. */
  action: string;
  onConfirm: () => void;
  onCancel: () => void;
  pending: boolean;
  error: unknown;
  /** What will happen. */
  children: ReactNode;
}) {
  return (
    <div className="confirm" role="group" aria-label={label}>
      <p>{children}</p>
      <button type="button" className="danger" onClick={onConfirm} disabled={pending}>
        {action}
      </button>{' '}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <ErrorMessage error={error} />
    </div>
  );
}
