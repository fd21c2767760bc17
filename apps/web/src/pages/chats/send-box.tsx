import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { sendErrorText } from './chat-format';
import { countSms } from './sms-segments';

interface SendBoxProps {
  /** The text field's label, e.g. "Message to Ada". */
  label: string;
  /** Sends the text; resolves true when it was accepted (the box then empties). */
  onSend: (body: string) => Promise<boolean>;
  pending: boolean;
  /** The last send's failure, shown under the box. */
  error: unknown;
}

/**
 * The text box of a thread: says as you type how many SMS the text will take and in which
 * encoding (an emoji turns the whole text into UCS-2, 70 characters per SMS instead of 160).
 * Enter sends; Shift+Enter starts a new line.
 */
export function SendBox({ label, onSend, pending, error }: SendBoxProps) {
  const id = useId();
  const [body, setBody] = useState('');
  const count = countSms(body);

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!body.trim() || pending) return;
    if (await onSend(body)) setBody('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) void submit(event);
  };

  return (
    <form className="send-box" onSubmit={submit}>
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <div className="send-row">
        <textarea
          id={id}
          rows={2}
          value={body}
          placeholder="Text message"
          aria-describedby={`${id}-count${error ? ` ${id}-error` : ''}`}
          aria-invalid={error ? true : undefined}
          onChange={(event) => setBody(event.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="send" disabled={pending || !body.trim()}>
          {pending ? 'Sending…' : 'Send'}
        </button>
      </div>
      <p className="muted send-count" id={`${id}-count`} aria-live="polite">
        {count.segments === 0
          ? `${count.encoding} · up to ${count.remaining} characters per SMS`
          : `${count.segments} SMS · ${count.encoding} · ${count.remaining} left`}
      </p>
      {!!error && (
        <p className="alert" role="alert" id={`${id}-error`}>
          {sendErrorText(error)}
        </p>
      )}
    </form>
  );
}
