// A client user reports an incident for their organisation.
import { Button, Paper, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api } from '../api/http';
import { useApiMutation } from '../api/queries';
import type { ClientIncident } from '../api/types';
import { PageTitle, ProblemAlert } from '../app/ui-kit';

export function ClientReportPage() {
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const report = useApiMutation((body: { title: string; description: string }) => api.post<ClientIncident>('/incidents', body), [['incidents']]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    report.mutate({ title, description }, { onSuccess: (i) => void navigate({ to: '/incidents/$key', params: { key: i.key } }) });
  };
  return (
    <Stack maw={720}>
      <PageTitle>Report an incident</PageTitle>
      <Text size="sm" c="dimmed">
        Tell us what is not working. The on-call team sees it at once and keeps you informed here and by e-mail.
      </Text>
      <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="Report an incident">
        <Stack gap="sm">
          <TextInput label="What is wrong?" required maxLength={200} value={title} onChange={(e) => setTitle(e.currentTarget.value)} autoFocus />
          <Textarea label="Details" description="What you see, since when, who is affected" autosize minRows={4} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <ProblemAlert error={report.error} title="Not reported" />
          <Button type="submit" loading={report.isPending} disabled={!title.trim()} w="fit-content">
            Report incident
          </Button>
        </Stack>
      </Paper>
    </Stack>
  );
}
