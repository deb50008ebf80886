// Client organisations: tier, the components each uses (which decides who an incident affects),
// and the contacts who receive messages.
import { ActionIcon, Badge, Button, Group, MultiSelect, NativeSelect, Paper, SimpleGrid, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../api/http';
import { keys, useApiMutation, useClients, useComponents, useContacts } from '../api/queries';
import type { Client, Component, Contact, NewContact } from '../api/types';
import { useSession } from '../app/session';
import { PageTitle, ProblemAlert, Section } from '../app/ui-kit';
import { ClientEndpoints } from './client-endpoints';

export function ClientsPage() {
  const { isAdmin } = useSession();
  const clients = useClients();
  const components = useComponents();
  return (
    <Stack>
      <PageTitle>Clients</PageTitle>
      <ProblemAlert error={clients.error} />
      {(clients.data ?? []).length === 0 && !clients.isPending && <Text c="dimmed">No clients yet.</Text>}
      {[...(clients.data ?? [])]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((c) => (
          <ClientCard key={c.id} client={c} components={components.data ?? []} />
        ))}
      {isAdmin && <NewClient components={components.data ?? []} />}
    </Stack>
  );
}

function ClientCard({ client: c, components }: { client: Client; components: Component[] }) {
  const { isAdmin, isWriter } = useSession();
  const contacts = useContacts(c.id);
  const [isEditing, setEditing] = useState(false);
  const [tier, setTier] = useState(c.tier);
  const [componentIds, setComponentIds] = useState(c.componentIds);
  const update = useApiMutation((b: { tier: string; componentIds: string[] }) => api.patch<Client>(`/clients/${c.id}`, b), [keys.clients]);
  const remove = useApiMutation((id: string) => api.del(`/clients/${c.id}/contacts/${id}`), [keys.contacts(c.id)]);
  const names = c.componentIds.map((id) => components.find((x) => x.id === id)?.name ?? '?');
  return (
    <Section
      title={c.name}
      actions={
        <Group gap="xs">
          <Badge variant="light">tier {c.tier}</Badge>
          <Text size="xs" c="dimmed">
            /{c.slug}
          </Text>
          {isAdmin && (
            <Button size="compact-xs" variant="subtle" onClick={() => setEditing((e) => !e)}>
              {isEditing ? 'Cancel' : 'Edit'}
            </Button>
          )}
        </Group>
      }
    >
      <Stack gap="sm">
        {isEditing ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              update.mutate({ tier, componentIds }, { onSuccess: () => setEditing(false) });
            }}
          >
            <Stack gap="xs">
              <TextInput label="Tier" value={tier} onChange={(e) => setTier(e.currentTarget.value)} />
              <MultiSelect label="Components used" searchable data={components.map((x) => ({ value: x.id, label: x.name }))} value={componentIds} onChange={setComponentIds} />
              <ProblemAlert error={update.error} />
              <Button type="submit" size="xs" w="fit-content" loading={update.isPending}>
                Save
              </Button>
            </Stack>
          </form>
        ) : (
          <Text size="sm">
            <Text span c="dimmed" size="sm">
              Uses:
            </Text>{' '}
            {names.length ? names.join(', ') : 'no components'}
          </Text>
        )}
        <Table.ScrollContainer minWidth={400}>
          <Table verticalSpacing={4} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Contact</Table.Th>
                <Table.Th>E-mail</Table.Th>
                <Table.Th>Language</Table.Th>
                <Table.Th>Role</Table.Th>
                {isWriter && (
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(contacts.data ?? []).map((k) => (
                <Table.Tr key={k.id}>
                  <Table.Td>{k.name}</Table.Td>
                  <Table.Td>{k.email}</Table.Td>
                  <Table.Td>{k.language}</Table.Td>
                  <Table.Td>{k.role}</Table.Td>
                  {isWriter && (
                    <Table.Td>
                      <ActionIcon variant="subtle" color="red" aria-label={`Remove ${k.name}`} onClick={() => window.confirm(`Remove ${k.name} (${k.email}) from ${c.name}?`) && remove.mutate(k.id)}>
                        ✕
                      </ActionIcon>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
              {contacts.data?.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text size="sm" c="red">
                      No contacts: messages to this client will be refused.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {isWriter && <NewContact clientId={c.id} clientName={c.name} />}
        <ProblemAlert error={remove.error} />
        <ClientEndpoints clientId={c.id} clientName={c.name} />
      </Stack>
    </Section>
  );
}

function NewContact({ clientId, clientName }: { clientId: string; clientName: string }) {
  const [isOpen, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [language, setLanguage] = useState('en');
  const [role, setRole] = useState('technical');
  const add = useApiMutation((b: NewContact) => api.post<Contact>(`/clients/${clientId}/contacts`, b), [keys.contacts(clientId)]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ name, email, language, role: role as Contact['role'] }, { onSuccess: () => (setName(''), setEmail(''), setOpen(false)) });
  };
  if (!isOpen) {
    return (
      <Button size="xs" variant="light" w="fit-content" onClick={() => setOpen(true)} aria-label={`Add a contact to ${clientName}`}>
        Add a contact
      </Button>
    );
  }
  return (
    <form onSubmit={submit} aria-label={`New contact for ${clientName}`}>
      <SimpleGrid cols={{ base: 1, sm: 5 }} spacing="xs" style={{ alignItems: 'end' }}>
        <TextInput label="Name" size="xs" required value={name} onChange={(e) => setName(e.currentTarget.value)} autoFocus />
        <TextInput label="E-mail" size="xs" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
        <TextInput label="Language" size="xs" value={language} onChange={(e) => setLanguage(e.currentTarget.value)} />
        <NativeSelect label="Role" size="xs" data={['technical', 'executive', 'billing', 'security', 'other']} value={role} onChange={(e) => setRole(e.currentTarget.value)} />
        <Button type="submit" size="xs" loading={add.isPending} disabled={!name.trim() || !email.trim()}>
          Add contact
        </Button>
      </SimpleGrid>
      <ProblemAlert error={add.error} />
    </form>
  );
}

function NewClient({ components }: { components: Component[] }) {
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [tier, setTier] = useState('standard');
  const [componentIds, setComponentIds] = useState<string[]>([]);
  const create = useApiMutation((b: { name: string; slug: string; tier: string; componentIds: string[] }) => api.post<Client>('/clients', b), [keys.clients]);
  const autoSlug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name, slug: slug || autoSlug, tier, componentIds }, { onSuccess: () => (setName(''), setSlug(''), setComponentIds([])) });
  };
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="New client">
      <Stack gap="xs">
        <Text fw={600}>New client</Text>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs">
          <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <TextInput label="Slug" placeholder={autoSlug} value={slug} onChange={(e) => setSlug(e.currentTarget.value)} />
          <TextInput label="Tier" value={tier} onChange={(e) => setTier(e.currentTarget.value)} />
        </SimpleGrid>
        <MultiSelect label="Components used" searchable data={components.map((x) => ({ value: x.id, label: x.name }))} value={componentIds} onChange={setComponentIds} />
        <ProblemAlert error={create.error} />
        <Button type="submit" w="fit-content" loading={create.isPending} disabled={!name.trim()}>
          Add client
        </Button>
      </Stack>
    </Paper>
  );
}
