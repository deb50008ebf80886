// A template (or the unsaved draft) rendered against a real incident for a chosen client and contact:
// exactly what that person would receive (POST /templates/:id/preview; nothing is written).
import { Group, Loader, NativeSelect, Select, SimpleGrid, Stack, Text, Textarea } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { api, type TemplateIssue } from '../api/http';
import { byId, useClients, useContacts, useIncidents } from '../api/queries';
import type { Incident, RenderedTemplate, Template } from '../api/types';
import { ProblemAlert, Section } from '../app/ui-kit';
import { MessageCopy } from '../incidents/message-copy';

/** The clients an incident can be previewed for: the affected ones and the one that reported it. */
const clientIdsOf = (i: Incident) => [...new Set([...i.affectedClients.map((c) => c.clientId), ...(i.reporterClientId ? [i.reporterClientId] : [])])];

export function TemplatePreview({ template: t, parts, isDraft, onIssues }: { template: Template; parts: Record<string, string>; isDraft: boolean; onIssues: (issues: TemplateIssue[]) => void }) {
  const incidents = useIncidents({});
  const clients = useClients();
  const clientsById = useMemo(() => byId(clients.data), [clients.data]);
  const candidates = useMemo(() => (incidents.data?.items ?? []).filter((i) => clientIdsOf(i).length > 0), [incidents.data]);
  const [incidentId, setIncidentId] = useState<string | null>(null);
  const incident = candidates.find((i) => i.id === incidentId) ?? candidates[0] ?? null;
  const clientChoices = incident ? clientIdsOf(incident) : [];
  const [clientChoice, setClientId] = useState<string | null>(null);
  const clientId = clientChoice && clientChoices.includes(clientChoice) ? clientChoice : (clientChoices[0] ?? null);
  const contacts = useContacts(clientId ?? '');
  const [contactChoice, setContactId] = useState<string | null>(null);
  const contactList = clientId ? (contacts.data ?? []) : [];
  const contactId = t.channel === 'email' ? (contactList.find((c) => c.id === contactChoice) ?? contactList[0])?.id ?? null : null;
  const [body, setBody] = useState('');
  const [debounced] = useDebouncedValue({ parts, body }, 500);
  const isReady = !!incident && !!clientId && (t.channel !== 'email' || !!contactId);

  const preview = useQuery({
    queryKey: ['templates', t.id, 'preview', t.currentVersion, incident?.id, clientId, contactId, debounced],
    queryFn: () =>
      api.post<{ issues: TemplateIssue[]; rendered: RenderedTemplate | null }>(`/templates/${t.id}/preview`, {
        incidentId: incident!.id,
        clientId,
        contactId,
        body: debounced.body.trim() || null,
        ...(isDraft && { parts: debounced.parts }),
      }),
    enabled: isReady,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const issues = preview.data?.issues;
  useEffect(() => onIssues(issues ?? []), [issues, onIssues]);

  return (
    <Section title={isDraft ? 'Preview of your draft' : 'Preview'} id="template-preview">
      <Stack gap="sm">
        {candidates.length === 0 && !incidents.isPending ? (
          <Text size="sm" c="dimmed">
            A preview needs an incident that affects a client (or was reported by one). There is none yet.
          </Text>
        ) : (
          <>
            <SimpleGrid cols={{ base: 1, sm: t.channel === 'email' ? 3 : 2 }} spacing="xs">
              <Select
                label="Incident"
                searchable
                data={candidates.map((i) => ({ value: i.id, label: `${i.key}: ${i.title}` }))}
                value={incident?.id ?? null}
                onChange={setIncidentId}
                allowDeselect={false}
                comboboxProps={{ withinPortal: true }}
              />
              <NativeSelect label="Client" data={clientChoices.map((id) => ({ value: id, label: clientsById.get(id)?.name ?? id }))} value={clientId ?? ''} onChange={(e) => setClientId(e.currentTarget.value)} />
              {t.channel === 'email' && (
                <NativeSelect
                  label="Contact"
                  data={contactList.length ? contactList.map((c) => ({ value: c.id, label: `${c.name} (${c.language})` })) : [{ value: '', label: 'No contact' }]}
                  value={contactId ?? ''}
                  onChange={(e) => setContactId(e.currentTarget.value)}
                />
              )}
            </SimpleGrid>
            <Textarea label="Message text for {{ message.body }} (optional)" autosize minRows={2} value={body} onChange={(e) => setBody(e.currentTarget.value)} />
          </>
        )}
        <ProblemAlert error={preview.error} title="No preview" />
        {preview.isFetching && (
          <Group gap={6}>
            <Loader size={14} />
            <Text size="xs" c="dimmed">
              Rendering…
            </Text>
          </Group>
        )}
        {issues && issues.length > 0 && (
          <Text size="sm" c="red" role="status">
            The draft would not render: the problems are shown beside each part above.
          </Text>
        )}
        {preview.data?.rendered && (
          <MessageCopy
            copy={{ ...preview.data.rendered, toName: contactList.find((c) => c.id === contactId)?.name ?? null }}
            label={`As ${t.channel === 'email' ? (contactList.find((c) => c.id === contactId)?.name ?? 'the contact') : (clientsById.get(clientId ?? '')?.name ?? 'the client')} would receive it`}
          />
        )}
      </Stack>
    </Section>
  );
}
