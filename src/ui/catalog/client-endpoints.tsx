// A client's machine recipients: signed webhooks, Slack and Teams incoming webhooks. A webhook's
// signing secret is shown in full once, when it is made or rotated.
import { ActionIcon, Alert, Badge, Button, Code, CopyButton, Group, NativeSelect, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/http';
import { all, useApiMutation } from '../api/queries';
import { useSession } from '../app/session';
import { ProblemAlert } from '../app/ui-kit';

interface Endpoint {
  id: string;
  kind: 'webhook' | 'slack' | 'teams';
  name: string;
  url: string;
  secret: string | null;
  isEnabled: boolean;
  disabledReason: string | null;
}

const KIND_WORDS: Record<Endpoint['kind'], string> = { webhook: 'Webhook (signed)', slack: 'Slack', teams: 'Microsoft Teams' };

export function ClientEndpoints({ clientId, clientName }: { clientId: string; clientName: string }) {
  // Endpoints carry secrets: admins manage them.
  const { isAdmin } = useSession();
  const key = ['clients', clientId, 'endpoints'];
  const endpoints = useQuery({ queryKey: key, queryFn: () => all<Endpoint>(`/clients/${clientId}/endpoints`) });
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const toggle = useApiMutation((b: { id: string; isEnabled: boolean }) => api.patch<Endpoint>(`/clients/${clientId}/endpoints/${b.id}`, { isEnabled: b.isEnabled }), [key]);
  const rotate = useApiMutation((id: string) => api.patch<Endpoint>(`/clients/${clientId}/endpoints/${id}`, { rotateSecret: true }), [key]);
  const remove = useApiMutation((id: string) => api.del(`/clients/${clientId}/endpoints/${id}`), [key]);
  const items = endpoints.data ?? [];
  return (
    <Stack gap={6}>
      <Text size="sm" fw={600}>
        Webhooks and chat
      </Text>
      {items.length === 0 && (
        <Text size="sm" c="dimmed">
          None: messages go to the contacts by e-mail.
        </Text>
      )}
      {items.map((e) => (
        <Group key={e.id} justify="space-between" gap="xs" wrap="wrap" data-endpoint={e.kind}>
          <div style={{ minWidth: 0, flex: '1 1 16rem' }}>
            <Group gap={6}>
              <Text size="sm" fw={500}>
                {e.name}
              </Text>
              <Badge size="xs" variant="light" color="gray">
                {KIND_WORDS[e.kind]}
              </Badge>
              {!e.isEnabled && (
                <Badge size="xs" variant="light" color="red">
                  off{e.disabledReason ? `: ${e.disabledReason}` : ''}
                </Badge>
              )}
            </Group>
            <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
              {e.url}
              {e.secret ? ` · secret ${e.secret}` : ''}
            </Text>
          </div>
          {isAdmin && (
            <Group gap={6} wrap="nowrap">
              <Switch size="xs" label="On" checked={e.isEnabled} onChange={(ev) => toggle.mutate({ id: e.id, isEnabled: ev.currentTarget.checked })} aria-label={`${e.name} on`} />
              {e.kind === 'webhook' && (
                <Button size="compact-xs" variant="subtle" onClick={() => rotate.mutate(e.id, { onSuccess: (r) => r.secret && setSecret({ name: r.name, secret: r.secret }) })}>
                  New secret
                </Button>
              )}
              <ActionIcon variant="subtle" color="red" aria-label={`Remove ${e.name}`} onClick={() => window.confirm(`Remove ${e.name} from ${clientName}?`) && remove.mutate(e.id)}>
                ✕
              </ActionIcon>
            </Group>
          )}
        </Group>
      ))}
      {secret && (
        <Alert color="teal" title={`Signing secret of “${secret.name}”`} withCloseButton onClose={() => setSecret(null)} closeButtonLabel="Hide the secret">
          <Text size="sm">Give it to the client now: it is not shown again. Each delivery is signed with it (Standard Webhooks).</Text>
          <Group gap="xs" mt={6} wrap="nowrap">
            <Code block style={{ flex: 1, overflowX: 'auto' }} data-testid="endpoint-secret">
              {secret.secret}
            </Code>
            <CopyButton value={secret.secret}>{({ copied, copy }) => <Button size="xs" variant="light" onClick={copy}>{copied ? 'Copied' : 'Copy'}</Button>}</CopyButton>
          </Group>
        </Alert>
      )}
      <ProblemAlert error={toggle.error ?? rotate.error ?? remove.error} />
      {isAdmin && <NewEndpoint clientId={clientId} clientName={clientName} queryKey={key} onSecret={setSecret} />}
    </Stack>
  );
}

function NewEndpoint({ clientId, clientName, queryKey, onSecret }: { clientId: string; clientName: string; queryKey: string[]; onSecret: (s: { name: string; secret: string }) => void }) {
  const [isOpen, setOpen] = useState(false);
  const [kind, setKind] = useState<Endpoint['kind']>('webhook');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const add = useApiMutation((b: { kind: string; name: string; url: string }) => api.post<Endpoint>(`/clients/${clientId}/endpoints`, b), [queryKey]);
  if (!isOpen) {
    return (
      <Button size="xs" variant="light" w="fit-content" onClick={() => setOpen(true)} aria-label={`Add an endpoint to ${clientName}`}>
        Add an endpoint
      </Button>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate(
      { kind, name: name.trim(), url: url.trim() },
      {
        onSuccess: (r) => {
          if (r.secret) onSecret({ name: r.name, secret: r.secret });
          setName('');
          setUrl('');
          setOpen(false);
        },
      },
    );
  };
  return (
    <form onSubmit={submit} aria-label={`New endpoint for ${clientName}`}>
      <SimpleGrid cols={{ base: 1, sm: 4 }} spacing="xs" style={{ alignItems: 'end' }}>
        <NativeSelect
          label="Kind"
          size="xs"
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value as Endpoint['kind'])}
          data={(Object.keys(KIND_WORDS) as Endpoint['kind'][]).map((k) => ({ value: k, label: KIND_WORDS[k] }))}
        />
        <TextInput label="Name" size="xs" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <TextInput label="URL" size="xs" type="url" required value={url} onChange={(e) => setUrl(e.currentTarget.value)} placeholder="https://" />
        <Button type="submit" size="xs" loading={add.isPending} disabled={!name.trim() || !url.trim()}>
          Add endpoint
        </Button>
      </SimpleGrid>
      <ProblemAlert error={add.error} />
    </form>
  );
}
