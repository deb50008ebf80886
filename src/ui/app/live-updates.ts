// Live updates: GET /api/v1/events sends `incident` ({id, key}) whenever an incident changes; the
// console refetches what shows that incident (and the lists and the outbox). `resync` says changes
// may have been missed (the server's database listener was away): everything shown is refetched.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

export type LiveState = 'connecting' | 'live' | 'offline';

export function useLiveUpdates(): LiveState {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    const source = new EventSource('/api/v1/events');
    source.onopen = () => setState('live');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    source.addEventListener('incident', (e) => {
      let change: { id?: string; key?: string } = {};
      try {
        change = JSON.parse((e as MessageEvent<string>).data) as typeof change;
      } catch {
        return;
      }
      void qc.invalidateQueries({ queryKey: ['incidents'] });
      void qc.invalidateQueries({ queryKey: ['outbox'] });
      // Approvals asked for, reminders and failed deliveries come with incident changes.
      void qc.invalidateQueries({ queryKey: ['notifications'] });
      for (const k of [change.key, change.id]) if (k) void qc.invalidateQueries({ queryKey: ['incident', k] });
    });
    source.addEventListener('resync', () => void qc.invalidateQueries());
    return () => source.close();
  }, [qc]);
  return state;
}
