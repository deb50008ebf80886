// Finishing an incident: the internal summary (internal-only path) and closing, with the Incident
// Manager's written waiver when obligations are still open.
import { Alert, Button, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { Incident } from '../api/types';
import { useSession } from '../app/session';
import { ProblemAlert, Section } from '../app/ui-kit';
import { useIncidentCommand } from './use-incident-command';

export function ClosePanel({ incident: i }: { incident: Incident }) {
  const session = useSession();
  const [summary, setSummary] = useState(i.internalSummary ?? '');
  const [waiveReason, setWaiveReason] = useState('');
  const document = useIncidentCommand<{ summary: string }>(i.key, 'internal-summary', 'Internal summary saved.');
  const close = useIncidentCommand<{ waiveReason: string | null }>(i.key, 'close', 'Incident closed.');
  if (!session.isWriter || i.stage === 'closed' || i.stage === 'reported') return null;
  const im = i.roles.incidentManagerId;
  const isIncidentManager = im === session.user.id;
  const mayClose = !im || isIncidentManager;
  const openCount = i.obligations.length;

  if (i.stage === 'internal') {
    return (
      <Section title="Document and close" id="close">
        <Stack gap="sm">
          <Textarea label="Internal summary" description="What happened and why no client was affected" autosize minRows={3} value={summary} onChange={(e) => setSummary(e.currentTarget.value)} />
          <Button variant="default" onClick={() => document.mutate({ summary })} loading={document.isPending} disabled={!summary.trim() || summary === i.internalSummary} w="fit-content">
            Save summary
          </Button>
          <ProblemAlert error={document.error} />
          {!mayClose && <Text size="sm">The Incident Manager closes the incident.</Text>}
          <Button color="dark" onClick={() => close.mutate({ waiveReason: null })} loading={close.isPending} disabled={!i.internalSummary || !mayClose} w="fit-content">
            Close incident
          </Button>
          {!i.internalSummary && (
            <Text size="xs" c="dimmed">
              Save the internal summary first.
            </Text>
          )}
          <ProblemAlert error={close.error} />
        </Stack>
      </Section>
    );
  }

  if (i.techState !== 'resolved') return null;
  return (
    <Section title="Close" id="close">
      <Stack gap="sm">
        {openCount > 0 ? (
          <Alert color="yellow">
            {openCount} obligation{openCount === 1 ? ' is' : 's are'} still open. Send the messages, or {isIncidentManager ? 'waive them with a written reason' : 'have the Incident Manager waive them'}.
          </Alert>
        ) : (
          <Text size="sm">Every obligation to clients is met.</Text>
        )}
        {openCount > 0 && isIncidentManager && (
          <Textarea label="Reason for waiving the open obligations" autosize minRows={2} value={waiveReason} onChange={(e) => setWaiveReason(e.currentTarget.value)} />
        )}
        {!mayClose && <Text size="sm">The Incident Manager closes the incident.</Text>}
        <Button
          color="dark"
          w="fit-content"
          loading={close.isPending}
          disabled={!mayClose || (openCount > 0 && !waiveReason.trim())}
          onClick={() => close.mutate({ waiveReason: openCount > 0 ? waiveReason : null })}
        >
          {openCount > 0 ? 'Waive and close' : 'Close incident'}
        </Button>
        <ProblemAlert error={close.error} />
      </Stack>
    </Section>
  );
}
