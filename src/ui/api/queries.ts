// Query keys and hooks for every list and record the console reads. Keys start with the resource so a
// live event can invalidate exactly the incident data.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { api, qs } from './http';
import type {
  ApiToken,
  Client,
  ClientIncident,
  Communication,
  Component,
  ComponentGroup,
  Contact,
  Incident,
  ObligationRecord,
  Page,
  PastOccurrence,
  PublicUpdate,
  Recipient,
  SlaPolicyRow,
  Template,
  TemplateVariables,
  TimelineEvent,
  User,
} from './types';

export interface IncidentFilters {
  stage?: string | undefined;
  techState?: string | undefined;
  severity?: string | undefined;
  clientId?: string | undefined;
  componentId?: string | undefined;
}

export const keys = {
  incidents: (filters: IncidentFilters = {}) => ['incidents', filters] as const,
  incident: (key: string) => ['incident', key] as const,
  timeline: (key: string) => ['incident', key, 'timeline'] as const,
  obligations: (key: string) => ['incident', key, 'obligations'] as const,
  communications: (key: string) => ['incident', key, 'communications'] as const,
  publicUpdates: (key: string) => ['incident', key, 'public-updates'] as const,
  pastOccurrences: (key: string, clientId: string) => ['incident', key, 'past-occurrences', clientId] as const,
  components: ['components'] as const,
  groups: ['component-groups'] as const,
  clients: ['clients'] as const,
  contacts: (clientId: string) => ['clients', clientId, 'contacts'] as const,
  users: ['users'] as const,
  tokens: ['tokens'] as const,
  slaPolicies: ['sla-policies'] as const,
  outbox: (filters: Record<string, string | undefined>) => ['outbox', filters] as const,
  templates: ['templates'] as const,
  template: (id: string) => ['templates', id] as const,
  templateVariables: ['template-variables'] as const,
};

/** Pages through a list until its end (every list pages; those the console shows whole are small). */
export async function all<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const page: Page<T> = await api.get<Page<T>>(`${path}${qs({ limit: 200, cursor })}`);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return items;
}

export const useIncidents = <T extends Incident | ClientIncident = Incident>(filters: IncidentFilters, limit = 100) =>
  useQuery({ queryKey: [...keys.incidents(filters), limit], queryFn: () => api.get<Page<T>>(`/incidents${qs({ ...filters, limit })}`) });

export const useIncident = <T extends Incident | ClientIncident = Incident>(key: string) =>
  useQuery({ queryKey: keys.incident(key), queryFn: () => api.get<T>(`/incidents/${encodeURIComponent(key)}`) });

export const useTimeline = (key: string) =>
  useQuery({ queryKey: keys.timeline(key), queryFn: () => api.get<Page<TimelineEvent>>(`/incidents/${key}/timeline${qs({ order: 'desc', limit: 200 })}`) });

export const useObligations = (key: string) =>
  useQuery({ queryKey: keys.obligations(key), queryFn: () => all<ObligationRecord>(`/incidents/${key}/obligations`) });

export const useCommunications = (key: string) =>
  useQuery({ queryKey: keys.communications(key), queryFn: () => all<Communication>(`/incidents/${key}/communications`) });

export const usePastOccurrences = (key: string, clientId: string) =>
  useQuery({
    queryKey: keys.pastOccurrences(key, clientId),
    queryFn: async () => (await api.get<{ items: PastOccurrence[] }>(`/incidents/${key}/past-occurrences${qs({ clientId })}`)).items,
  });

const LONG = 60_000;
/** What was published about the incident to the public status page, oldest first (withdrawn ones too). */
export const usePublicUpdates = (key: string) =>
  useQuery({ queryKey: keys.publicUpdates(key), queryFn: () => all<PublicUpdate>(`/incidents/${key}/public-updates`) });
export const useComponents = () => useQuery({ queryKey: keys.components, queryFn: () => all<Component>('/components'), staleTime: LONG });
export const useGroups = (enabled = true) =>
  useQuery({ queryKey: keys.groups, queryFn: () => all<ComponentGroup>('/component-groups'), staleTime: LONG, enabled });
export const useClients = (enabled = true) => useQuery({ queryKey: keys.clients, queryFn: () => all<Client>('/clients'), staleTime: LONG, enabled });
export const useContacts = (clientId: string) =>
  useQuery({ queryKey: keys.contacts(clientId), queryFn: () => all<Contact>(`/clients/${clientId}/contacts`), enabled: !!clientId });
export const useUsers = (enabled = true) => useQuery({ queryKey: keys.users, queryFn: () => all<User>('/users'), staleTime: LONG, enabled });
export const useTokens = () => useQuery({ queryKey: keys.tokens, queryFn: () => all<ApiToken>('/tokens') });
export const useSlaPolicies = (enabled = true) =>
  useQuery({ queryKey: keys.slaPolicies, queryFn: () => all<SlaPolicyRow>('/sla-policies'), staleTime: LONG, enabled });
/** A message's copies, a page at a time (GET /communications/:id/recipients); under the incident's key, so live updates refresh them. */
export const useCommunicationRecipients = (incidentKey: string, communicationId: string, pageSize = 50, enabled = true) =>
  useInfiniteQuery({
    enabled,
    queryKey: [...keys.communications(incidentKey), communicationId, 'recipients', pageSize],
    queryFn: ({ pageParam }) => api.get<Page<Recipient>>(`/communications/${communicationId}/recipients${qs({ cursor: pageParam, limit: pageSize })}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
export const useOutbox = (filters: Record<string, string | undefined>, cursor: string | null) =>
  useQuery({ queryKey: [...keys.outbox(filters), cursor], queryFn: () => api.get<Page<Recipient>>(`/outbox${qs({ ...filters, cursor, limit: 50 })}`) });

export const useTemplates = (enabled = true) =>
  useQuery({ queryKey: keys.templates, queryFn: () => all<Template>('/templates'), staleTime: LONG, enabled });
export const useTemplate = (id: string | null) =>
  useQuery({ queryKey: keys.template(id ?? ''), queryFn: () => api.get<Template>(`/templates/${id}`), enabled: !!id });
export const useTemplateVariables = () => useQuery({ queryKey: keys.templateVariables, queryFn: () => api.get<TemplateVariables>('/templates/variables'), staleTime: Infinity });

/** A write that refreshes the given keys when it succeeds. */
export function useApiMutation<TInput, TOutput = unknown>(fn: (input: TInput) => Promise<TOutput>, invalidate: QueryKey[] = []) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await Promise.all(invalidate.map((queryKey) => qc.invalidateQueries({ queryKey })));
    },
  });
}

/** Lookups by id for names shown beside ids. */
export function byId<T extends { id: string }>(items: T[] | undefined): Map<string, T> {
  return new Map((items ?? []).map((i) => [i.id, i]));
}
