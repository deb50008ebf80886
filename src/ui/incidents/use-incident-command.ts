// Runs one incident command (POST /incidents/:key/<path>) and refreshes what shows the incident.
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/http';
import { keys } from '../api/queries';
import type { Incident } from '../api/types';

export function useIncidentCommand<B>(incidentKey: string, path: string | ((body: B) => string), success?: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: B) => api.post<Incident | { incident: Incident }>(`/incidents/${incidentKey}/${typeof path === 'function' ? path(body) : path}`, body),
    onSuccess: (res) => {
      const incident = 'incident' in res ? res.incident : res;
      qc.setQueryData(keys.incident(incidentKey), incident);
      if (success) notifications.show({ message: success, color: 'teal' });
      // Not awaited: the caller's own onSuccess (a form clearing what was sent) must run now, while the
      // screen still shows what was sent, not after the refetches, when the next form may be in use.
      void Promise.all([
        qc.invalidateQueries({ queryKey: keys.incident(incidentKey) }),
        qc.invalidateQueries({ queryKey: ['incidents'] }),
        qc.invalidateQueries({ queryKey: ['outbox'] }),
      ]);
    },
  });
}
