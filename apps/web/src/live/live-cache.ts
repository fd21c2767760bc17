/**
 * What live events do to the query cache, for every page at once: a changed message replaces
 * its cached detail and marks the lists that may show it stale (active ones refetch now, others
 * when next shown); a changed phone does the same for the phones. Pages with finer needs (e.g.
 * appending a bubble to an open thread) add their own handler with useLiveEvent.
 */
import type { QueryClient } from '@tanstack/react-query';
import { queryKeys } from '../api/query-keys';
import { coalesced } from './coalesced';
import { onLiveEvent, type MessageView } from './live-updates';

export function connectLiveCache(queryClient: QueryClient): () => void {
  const messageLists = coalesced(() => {
    void queryClient.invalidateQueries({
      queryKey: queryKeys.messages,
      predicate: (query) => query.queryKey[1] !== 'detail',
    });
    void queryClient.invalidateQueries({ queryKey: queryKeys.conversations });
    void queryClient.invalidateQueries({ queryKey: queryKeys.sessions });
    void queryClient.invalidateQueries({ queryKey: queryKeys.groups });
  });
  const devices = coalesced(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.devices });
  });
  const messageChanged = (message: MessageView) => {
    queryClient.setQueryData(queryKeys.message(message.id), message);
    messageLists.call();
  };
  const stops = [
    onLiveEvent('message.created', messageChanged),
    onLiveEvent('message.updated', messageChanged),
    onLiveEvent('device.updated', devices.call),
  ];
  return () => {
    stops.forEach((stop) => stop());
    messageLists.cancel();
    devices.cancel();
  };
}
