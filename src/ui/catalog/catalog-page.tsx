// Components and their groups, with the current status of each (set by incidents, or by hand).
import { Badge, Button, Group, NativeSelect, Paper, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../api/http';
import { keys, useApiMutation, useComponents, useGroups } from '../api/queries';
import type { Component, ComponentGroup, ComponentStatus } from '../api/types';
import { COMPONENT_STATUS_COLOR, COMPONENT_STATUS_WORDS } from '../app/format';
import { useSession } from '../app/session';
import { PageTitle, ProblemAlert, Section } from '../app/ui-kit';

const STATUSES = Object.keys(COMPONENT_STATUS_WORDS) as ComponentStatus[];

export function CatalogPage() {
  const { isAdmin, isWriter } = useSession();
  const components = useComponents();
  const groups = useGroups();
  const setStatus = useApiMutation(({ id, status }: { id: string; status: ComponentStatus }) => api.patch<Component>(`/components/${id}`, { status }), [keys.components]);
  const byGroup = new Map<string | null, Component[]>();
  for (const c of [...(components.data ?? [])].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name))) {
    byGroup.set(c.groupId, [...(byGroup.get(c.groupId) ?? []), c]);
  }
  const groupList: (ComponentGroup | null)[] = [...(groups.data ?? []), null];

  return (
    <Stack>
      <PageTitle>Components</PageTitle>
      <ProblemAlert error={components.error ?? setStatus.error} />
      {groupList.map((g) => {
        const items = byGroup.get(g?.id ?? null) ?? [];
        if (!g && items.length === 0) return null;
        return (
          <Section key={g?.id ?? 'none'} title={g ? g.name : 'Not in a group'}>
            {g?.description && (
              <Text size="sm" c="dimmed" mb="xs">
                {g.description}
              </Text>
            )}
            {items.length === 0 ? (
              <Text size="sm" c="dimmed">
                No components.
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={420}>
                <Table verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Component</Table.Th>
                      <Table.Th>Status</Table.Th>
                      {isWriter && <Table.Th>Set status by hand</Table.Th>}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.map((c) => (
                      <Table.Tr key={c.id}>
                        <Table.Td>
                          <Text size="sm" fw={600}>
                            {c.name}
                          </Text>
                          {c.description && (
                            <Text size="xs" c="dimmed">
                              {c.description}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Badge color={COMPONENT_STATUS_COLOR[c.status]} variant="light">
                            {COMPONENT_STATUS_WORDS[c.status]}
                          </Badge>
                        </Table.Td>
                        {isWriter && (
                          <Table.Td>
                            <NativeSelect
                              aria-label={`Status of ${c.name}`}
                              size="xs"
                              data={STATUSES.map((s) => ({ value: s, label: COMPONENT_STATUS_WORDS[s] }))}
                              value={c.status}
                              onChange={(e) => setStatus.mutate({ id: c.id, status: e.currentTarget.value as ComponentStatus })}
                            />
                          </Table.Td>
                        )}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Section>
        );
      })}
      {isAdmin && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <NewComponent groups={groups.data ?? []} />
          <NewGroup />
        </SimpleGrid>
      )}
    </Stack>
  );
}

function NewComponent({ groups }: { groups: ComponentGroup[] }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [groupId, setGroupId] = useState('');
  const create = useApiMutation((b: { name: string; description: string | null; groupId: string | null }) => api.post<Component>('/components', b), [keys.components]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name, description: description || null, groupId: groupId || null }, { onSuccess: () => (setName(''), setDescription('')) });
  };
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="New component">
      <Stack gap="xs">
        <Text fw={600}>New component</Text>
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
        <NativeSelect label="Group" data={[{ value: '', label: 'No group' }, ...groups.map((g) => ({ value: g.id, label: g.name }))]} value={groupId} onChange={(e) => setGroupId(e.currentTarget.value)} />
        <ProblemAlert error={create.error} />
        <Group>
          <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
            Add component
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function NewGroup() {
  const [name, setName] = useState('');
  const create = useApiMutation((b: { name: string }) => api.post<ComponentGroup>('/component-groups', b), [keys.groups]);
  return (
    <Paper
      withBorder
      p="md"
      component="form"
      aria-label="New group"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        create.mutate({ name }, { onSuccess: () => setName('') });
      }}
    >
      <Stack gap="xs">
        <Text fw={600}>New group</Text>
        <TextInput label="Group name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <ProblemAlert error={create.error} />
        <Group>
          <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
            Add group
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
