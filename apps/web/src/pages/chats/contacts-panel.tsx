import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import { ErrorMessage, Field, fieldError } from '../../components/form';
import { compactPhone, threadPath } from './chat-format';

type Contact = components['schemas']['ContactView'];

/** Contacts are this page's own: nothing else changes them, so no live event is needed. */
export const contactsKey = ['contacts'] as const;

/** After a contact changes, names in the thread list change too. */
function useContactsChanged() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: contactsKey });
    void queryClient.invalidateQueries({ queryKey: queryKeys.conversations });
  };
}

/** The first 100 contacts by name: enough to name a person's chats. */
export function useContacts() {
  return useQuery({
    queryKey: contactsKey,
    queryFn: async () =>
      (await api.GET('/api/v1/contacts', { params: { query: { limit: 100 } } })).data!,
  });
}

export function ContactsPanel() {
  const contacts = useContacts();
  const list = contacts.data?.data ?? [];
  return (
    <details className="panel">
      <summary>Contacts{contacts.data ? ` (${list.length})` : ''}</summary>
      <ErrorMessage error={contacts.error} />
      <AddContact />
      {list.length > 0 && (
        <ul className="contacts" aria-label="Contacts">
          {list.map((contact) => (
            <ContactRow key={contact.id} contact={contact} />
          ))}
        </ul>
      )}
    </details>
  );
}

export function AddContact({ phone: knownPhone }: { phone?: string }) {
  const changed = useContactsChanged();
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const add = useMutation({
    mutationFn: async () =>
      (
        await api.POST('/api/v1/contacts', {
          body: { name: name.trim(), phone: knownPhone ?? compactPhone(phone) },
        })
      ).data!,
    onSuccess: () => {
      setName('');
      setPhone('');
      changed();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  const phoneError = fieldError(add.error, 'phone');
  const nameError = fieldError(add.error, 'name');
  return (
    <form onSubmit={submit} className="add-contact" aria-label="Add a contact">
      <Field
        label="Contact name"
        value={name}
        required
        maxLength={100}
        autoComplete="off"
        error={nameError}
        onChange={(event) => setName(event.target.value)}
      />
      {!knownPhone && (
        <Field
          label="Contact phone"
          type="tel"
          placeholder="+14155550123"
          value={phone}
          required
          error={phoneError}
          onChange={(event) => setPhone(event.target.value)}
        />
      )}
      {!phoneError && !nameError && <ErrorMessage error={add.error} />}
      <button type="submit" disabled={add.isPending}>
        {knownPhone ? 'Save contact' : 'Add contact'}
      </button>
    </form>
  );
}

function ContactRow({ contact }: { contact: Contact }) {
  const changed = useContactsChanged();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [name, setName] = useState(contact.name);
  const rename = useMutation({
    mutationFn: async () =>
      (
        await api.PATCH('/api/v1/contacts/{id}', {
          params: { path: { id: contact.id } },
          body: { name: name.trim() },
        })
      ).data!,
    onSuccess: () => {
      setEditing(false);
      changed();
    },
  });
  const remove = useMutation({
    mutationFn: async () =>
      api.DELETE('/api/v1/contacts/{id}', { params: { path: { id: contact.id } } }),
    onSuccess: changed,
  });

  if (editing) {
    return (
      <li>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            rename.mutate();
          }}
        >
          <Field
            label={`New name for ${contact.phone}`}
            value={name}
            required
            maxLength={100}
            autoFocus
            error={fieldError(rename.error, 'name')}
            onChange={(event) => setName(event.target.value)}
          />
          <ErrorMessage error={fieldError(rename.error, 'name') ? null : rename.error} />
          <div className="row-actions">
            <button type="submit" disabled={rename.isPending}>
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  }
  return (
    <li>
      <span className="contact-name">{contact.name}</span>
      <span className="muted contact-phone">{contact.phone}</span>
      <div className="row-actions">
        <Link to={threadPath(contact.phone)} className="button-link">
          Chat<span className="visually-hidden"> with {contact.name}</span>
        </Link>
        <button type="button" onClick={() => setEditing(true)}>
          Rename<span className="visually-hidden"> {contact.name}</span>
        </button>
        {confirming ? (
          <>
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => remove.mutate()}
            >
              Delete {contact.name}?
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Delete<span className="visually-hidden"> {contact.name}</span>
          </button>
        )}
      </div>
      <ErrorMessage error={remove.error} />
    </li>
  );
}
