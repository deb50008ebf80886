// What every recipient of a message would receive, as the server renders it from the templates in
// each contact's language (POST /incidents/:id/communications/preview; nothing is written).
import { Group, Loader, NativeSelect, Paper, Stack, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/http';
import type { Client, CommunicationPreview, MessageKind } from '../api/types';
import { CHANNEL_WORDS, languageName, MessageCopy } from './message-copy';

export interface PreviewInput {
  kind: MessageKind;
  clientIds: string[];
  subject: string | null;
  body: string | null;
}

/** The server's preview; its key starts with the incident's, so a live change to the incident refreshes it. */
export function useCommunicationPreview(incidentKey: string, input: PreviewInput, isEnabled = true) {
  return useQuery({
    queryKey: ['incident', incidentKey, 'communication-preview', input],
    queryFn: () => api.post<CommunicationPreview>(`/incidents/${incidentKey}/communications/preview`, input),
    enabled: isEnabled && input.clientIds.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
}

/** "3 e-mails (English 2, German 1), 1 webhook". */
export function describeCopies(copies: CommunicationPreview['copies']): string {
  const byChannel = new Map<string, Map<string, number>>();
  for (const r of copies) {
    const channel = r.channel === 'outbox' ? 'email' : r.channel;
    const langs = byChannel.get(channel) ?? new Map<string, number>();
    langs.set(r.language, (langs.get(r.language) ?? 0) + r.count);
    byChannel.set(channel, langs);
  }
  return [...byChannel.entries()]
    .map(([channel, langs]) => {
      const n = [...langs.values()].reduce((a, b) => a + b, 0);
      const noun = channel === 'email' ? (n === 1 ? 'e-mail' : 'e-mails') : `${CHANNEL_WORDS[channel] ?? channel} ${n === 1 ? 'message' : 'messages'}`;
      return `${n} ${noun} (${[...langs.entries()].map(([l, k]) => `${languageName(l)} ${k}`).join(', ')})`;
    })
    .join(', ');
}

export function MessagePreview({
  preview,
  isFetching,
  clients,
  title = 'What each recipient will receive',
}: {
  preview: CommunicationPreview | undefined;
  isFetching: boolean;
  clients: Map<string, Client>;
  title?: string;
}) {
  const [chosen, setChosen] = useState<string | null>(null);
  const recipients = preview?.recipients ?? [];
  const keyOf = (r: { clientId: string; to: string; channel: string }) => `${r.clientId}|${r.channel}|${r.to}`;
  const selected = recipients.find((r) => keyOf(r) === chosen) ?? recipients[0];
  const clientName = (id: string) => clients.get(id)?.name ?? 'A client';
  const groups = [...new Set(recipients.map((r) => r.clientId))].map((clientId) => ({
    group: clientName(clientId),
    items: recipients
      .filter((r) => r.clientId === clientId)
      .map((r) => ({ value: keyOf(r), label: `${r.toName && r.toName !== r.to ? `${r.toName} <${r.to}>` : r.to} · ${languageName(r.language)} · ${CHANNEL_WORDS[r.channel] ?? r.channel}` })),
  }));

  return (
    <Paper withBorder p="sm" data-testid="message-preview" aria-busy={isFetching}>
      <Stack gap="xs">
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Text fw={600} size="sm">
            {title}
          </Text>
          <Group gap={6} wrap="nowrap">
            {isFetching && <Loader size={14} aria-label="Updating the preview" />}
            {recipients.length > 0 && (
              <Text size="xs" c="dimmed">
                {describeCopies(preview?.copies ?? [])}
              </Text>
            )}
          </Group>
        </Group>
        {!preview ? (
          <Text size="sm" c="dimmed">
            {isFetching ? 'Rendering…' : 'Choose at least one recipient to see their copy.'}
          </Text>
        ) : recipients.length === 0 ? (
          <Text size="sm" c="dimmed">
            No copy to show: {preview.refusal?.message ?? 'no recipient chosen.'}
          </Text>
        ) : (
          <>
            {preview.recipientTotal > recipients.length && (
              <Text size="xs" c="dimmed" data-testid="preview-sample-note">
                {recipients.length} of {preview.recipientTotal} copies shown: a few of each client in each language and channel. The others differ only in the person&apos;s name.
              </Text>
            )}
            <NativeSelect label="Preview the copy for" data={groups} value={selected ? keyOf(selected) : ''} onChange={(e) => setChosen(e.currentTarget.value)} />
            {selected && <MessageCopy key={keyOf(selected)} copy={selected} label={`To ${clientName(selected.clientId)}`} />}
          </>
        )}
      </Stack>
    </Paper>
  );
}
