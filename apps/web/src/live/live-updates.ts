/**
 * Live updates: one WebSocket to `/ws/events` per tab while signed in. The access token goes in
 * the first frame (browsers cannot set headers on a WebSocket). Events (`{ type, data }`) are
 * handed to the handlers registered with `onLiveEvent`; nothing polls. The socket reconnects with
 * exponential back-off (1 s doubling to 30 s, with jitter); an expired or revoked credential
 * (4001, 4003) refreshes the session first. After a reconnect every query is marked stale, since
 * events sent while the socket was down were missed.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { components } from '../api/schema';
import { accessToken, refreshSession } from '../api/session';

export type MessageView = components['schemas']['MessageView'];
export type DeviceView = components['schemas']['DeviceView'];

/** The events the API sends and their data. */
export interface LiveEvents {
  'message.created': MessageView;
  'message.updated': MessageView;
  'device.updated': DeviceView;
}
export type LiveEventType = keyof LiveEvents;

export type LiveStatus = 'offline' | 'connecting' | 'live';

const CLOSE_UNAUTHENTICATED = 4001;
const CLOSE_CREDENTIAL_REVOKED = 4003;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

type Handler = (data: unknown) => void;
const handlers = new Map<string, Set<Handler>>();
const statusListeners = new Set<() => void>();
let status: LiveStatus = 'offline';

/** Calls `handler` for every event of `type`; returns the function that stops it. */
export function onLiveEvent<T extends LiveEventType>(
  type: T,
  handler: (data: LiveEvents[T]) => void,
): () => void {
  let set = handlers.get(type);
  if (!set) handlers.set(type, (set = new Set()));
  set.add(handler as Handler);
  return () => set.delete(handler as Handler);
}

export function liveStatus(): LiveStatus {
  return status;
}

export function subscribeLiveStatus(listener: () => void): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

function setStatus(next: LiveStatus): void {
  if (status === next) return;
  status = next;
  for (const listener of statusListeners) listener();
}

function dispatch(type: string, data: unknown): void {
  for (const handler of handlers.get(type) ?? []) {
    try {
      handler(data);
    } catch (error) {
      // One broken handler must not starve the others; the console shows it in development.
      console.error(`A handler of ${type} failed`, error);
    }
  }
}

/**
 * Connects and keeps the socket up until the returned function is called (on sign-out). Started
 * once by the app shell.
 */
export function startLiveUpdates(queryClient: QueryClient): () => void {
  let socket: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let everConnected = false;
  let stopped = false;

  const scheduleReconnect = (refreshFirst: boolean) => {
    if (stopped) return;
    setStatus('connecting');
    const backOff = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** failures);
    const delay = failures === 0 && refreshFirst ? 0 : backOff * (0.8 + Math.random() * 0.4);
    failures++;
    retryTimer = setTimeout(async () => {
      if (refreshFirst && !(await refreshSession())) return stop();
      connect();
    }, delay);
  };

  const connect = () => {
    const token = accessToken();
    if (stopped || !token) return;
    setStatus('connecting');
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${window.location.host}/ws/events`);
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token }));
    ws.onmessage = (message) => {
      let frame: { type?: unknown; data?: unknown };
      try {
        frame = JSON.parse(String(message.data));
      } catch {
        return;
      }
      if (frame.type === 'ready') {
        failures = 0;
        setStatus('live');
        if (everConnected) void queryClient.invalidateQueries();
        everConnected = true;
        return;
      }
      if (typeof frame.type === 'string') dispatch(frame.type, frame.data);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      const credentialProblem =
        event.code === CLOSE_UNAUTHENTICATED || event.code === CLOSE_CREDENTIAL_REVOKED;
      scheduleReconnect(credentialProblem);
    };
  };

  const stop = () => {
    stopped = true;
    clearTimeout(retryTimer);
    const open = socket;
    socket = null;
    open?.close(1000, 'signed out');
    setStatus('offline');
  };

  connect();
  return stop;
}
