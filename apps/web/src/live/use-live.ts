import { useEffect, useRef, useSyncExternalStore } from 'react';
import {
  liveStatus,
  onLiveEvent,
  subscribeLiveStatus,
  type LiveEventType,
  type LiveEvents,
  type LiveStatus,
} from './live-updates';

/**
 * Runs `handler` for each live event of `type` while the component is mounted. The latest
 * handler is used, so it may close over props and state without re-subscribing.
 */
export function useLiveEvent<T extends LiveEventType>(
  type: T,
  handler: (data: LiveEvents[T]) => void,
): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => onLiveEvent(type, (data) => latest.current(data)), [type]);
}

/** 'live' while the socket is up; for the indicator in the header. */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(subscribeLiveStatus, liveStatus);
}
