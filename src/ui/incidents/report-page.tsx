// Reporting an incident from the console (staff): what is wrong, where, and for whom if known.
import { Button, MultiSelect, NativeSelect, Paper, Stack, Textarea, TextInput } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api } from '../api/http';
import { useApiMutation, useClients, useComponents } from '../api/queries';
import type { ComponentImpact, Incident } from '../api/types';
import { COMPONENT_STATUS_WORDS } from '../app/format';
import { PageTitle, ProblemAlert } from '../app/ui-kit';

const IMPACT_STATUSES = ['degraded_performance', 'partial_outage', 'major_outage'] as const;

export function ReportPage() {
  const navigate = useNavigate();
  const components = useComponents();
  const clients = useClients();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [impacts, setImpacts] = useState<ComponentImpact[]>([]);
  const [clientIds, setClientIds] = useState<string[]>([]);
  const report = useApiMutation((body: { title: string; description: string; impacts: ComponentImpact[]; clientIds: string[] }) => api.post<Incident>('/incidents', body), [['incidents']]);
  const name = (id: string) => components.data?.find((c) => c.id === id)?.name ?? 'Component';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    report.mutate({ title, description, impacts, clientIds }, { onSuccess: (incident) => void navigate({ to: '/incidents/$key', params: { key: incident.key } }) });
  };

  return (
    <Stack maw={720}>
      <PageTitle>Report an incident</PageTitle>
      <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="Report an incident">
        <Stack gap="sm">
          <TextInput label="Title" description="What is wrong, in a few words" required maxLength={200} value={title} onChange={(e) => setTitle(e.currentTarget.value)} data-autofocus autoFocus />
          <Textarea label="Description" description="What you see, since when, how you noticed" autosize minRows={3} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <MultiSelect
            label="Impacted components (if known)"
            searchable
            data={(components.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            value={impacts.map((x) => x.componentId)}
            onChange={(ids) => setImpacts(ids.map((id) => impacts.find((x) => x.componentId === id) ?? { componentId: id, status: 'partial_outage' }))}
          />
          {impacts.map((x) => (
            <NativeSelect
              key={x.componentId}
              label={`Impact on ${name(x.componentId)}`}
              data={IMPACT_STATUSES.map((s) => ({ value: s, label: COMPONENT_STATUS_WORDS[s] }))}
              value={x.status}
              onChange={(e) => setImpacts(impacts.map((y) => (y.componentId === x.componentId ? { ...y, status: e.currentTarget.value as ComponentImpact['status'] } : y)))}
            />
          ))}
          <MultiSelect label="Clients who reported it (if any)" searchable data={(clients.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={clientIds} onChange={setClientIds} />
          <ProblemAlert error={report.error} title="Not reported" />
          <Button type="submit" loading={report.isPending} disabled={!title.trim()} w="fit-content">
            Report incident
          </Button>
        </Stack>
      </Paper>
    </Stack>
  );
}
