// Message templates: one per kind, language and channel, each with an owner and a version history.
// Pick one to edit it, preview it against a real incident, client and contact, or go back to an
// earlier version.
import { Badge, Grid, Group, NavLink, Paper, Skeleton, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMemo, useState } from 'react';
import { byId, useTemplates, useUsers } from '../api/queries';
import type { MessageKind, Template, TemplateKind, User } from '../api/types';
import { formatDateTime, KIND_WORDS } from '../app/format';
import { PageTitle, ProblemAlert } from '../app/ui-kit';
import { byLanguage, CHANNEL_WORDS, languageName } from '../incidents/message-copy';
import { TemplateEditor } from './template-editor';

const KINDS: MessageKind[] = ['initial', 'update', 'resolution', 'rca'];
export const OWNER_ROLE_WORDS = { communication_lead: 'the Communication Lead', incident_manager: 'the Incident Manager' } as const;

export function ownerWords(t: Template, users: Map<string, User>): string {
  if (t.ownerUserId) return users.get(t.ownerUserId)?.name ?? 'a user';
  return t.ownerRole ? OWNER_ROLE_WORDS[t.ownerRole] : 'nobody';
}

/** Whether a template is for an incident message (the others are maintenance notices: maintenance_scheduled, …). */
const isMessageKind = (k: TemplateKind): k is MessageKind => (KINDS as readonly string[]).includes(k);

export function templateTitle(t: Template): string {
  return `${isMessageKind(t.kind) ? KIND_WORDS[t.kind] : t.kind.replace('_', ' ')} · ${languageName(t.language)} · ${CHANNEL_WORDS[t.channel] ?? t.channel}`;
}

export function TemplatesPage() {
  const templates = useTemplates();
  const users = useUsers();
  const usersById = useMemo(() => byId(users.data), [users.data]);
  const [chosenId, setChosenId] = useState<string | null>(null);
  const items = templates.data ?? [];
  const chosen = items.find((t) => t.id === chosenId) ?? null;

  return (
    <Stack>
      <PageTitle>Templates</PageTitle>
      <Text size="sm" c="dimmed" maw={760}>
        Client messages are filled from these templates, written in Liquid: the kind of message picks the template, each contact’s language picks its translation (English when there is none). Saving keeps
        every earlier version; a template that would not render is refused with the part and line named.
      </Text>
      <ProblemAlert error={templates.error} title="Could not load the templates" />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 4 }}>
          {templates.isPending ? (
            <Skeleton h={320} />
          ) : (
            <Stack gap="sm" component="nav" aria-label="Templates">
              {KINDS.map((kind) => (
                <Paper withBorder p="xs" key={kind}>
                  <Title order={2} size="h5" px="xs" pb={4}>
                    {KIND_WORDS[kind]}
                  </Title>
                  {items
                    .filter((t) => t.kind === kind)
                    .sort((a, b) => byLanguage(a, b) || a.channel.localeCompare(b.channel) * -1)
                    .map((t) => (
                      <NavLink
                        key={t.id}
                        component="button"
                        type="button"
                        active={t.id === chosenId}
                        onClick={() => setChosenId(t.id)}
                        aria-current={t.id === chosenId ? 'true' : undefined}
                        label={
                          <Group justify="space-between" gap={6} wrap="nowrap">
                            <Text size="sm">
                              {/* The kind is the heading above; a screen reader hears it in the button's name too. */}
                              <VisuallyHidden>{KIND_WORDS[kind]} · </VisuallyHidden>
                              {languageName(t.language)} · {CHANNEL_WORDS[t.channel] ?? t.channel}
                            </Text>
                            <Badge size="sm" variant="light" color="gray">
                              v{t.currentVersion}
                            </Badge>
                          </Group>
                        }
                        description={`Owner: ${ownerWords(t, usersById)} · ${formatDateTime(t.updatedAt)}`}
                      />
                    ))}
                  {!items.some((t) => t.kind === kind) && (
                    <Text size="sm" c="dimmed" px="xs">
                      No template: messages of this kind cannot be sent.
                    </Text>
                  )}
                </Paper>
              ))}
            </Stack>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {chosen ? (
            <TemplateEditor key={chosen.id} templateId={chosen.id} users={usersById} />
          ) : (
            <Paper withBorder p="lg">
              <Text c="dimmed">Choose a template on the left to read, edit or preview it, or to see its versions.</Text>
            </Paper>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
