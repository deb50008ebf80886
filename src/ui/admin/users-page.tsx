// Users and their install roles (admins change them), and API tokens (each shown once, at creation).
import { Alert, Badge, Button, Code, CopyButton, Group, NativeSelect, Paper, PasswordInput, SimpleGrid, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../api/http';
import { byId, keys, useApiMutation, useClients, useTokens, useUsers } from '../api/queries';
import type { ApiToken, InstallRole, User } from '../api/types';
import { formatDateTime } from '../app/format';
import { useSession } from '../app/session';
import { PageTitle, ProblemAlert, Section } from '../app/ui-kit';

const ROLES: InstallRole[] = ['admin', 'member', 'viewer', 'client'];

export function UsersPage() {
  const { isAdmin, user: me } = useSession();
  const users = useUsers();
  const clients = useClients();
  const clientsById = byId(clients.data);
  const update = useApiMutation(({ id, ...b }: { id: string; role?: InstallRole; isDisabled?: boolean }) => api.patch<User>(`/users/${id}`, b), [keys.users]);
  return (
    <Stack>
      <PageTitle>Users & API tokens</PageTitle>
      <Section title="Users">
        <ProblemAlert error={users.error ?? update.error} />
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>E-mail</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Active</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(users.data ?? []).map((u) => (
                <Table.Tr key={u.id}>
                  <Table.Td>
                    {u.name}
                    {u.id === me.id ? ' (you)' : ''}
                  </Table.Td>
                  <Table.Td>{u.email}</Table.Td>
                  <Table.Td>
                    {isAdmin && u.id !== me.id && u.role !== 'client' ? (
                      <NativeSelect
                        aria-label={`Role of ${u.name}`}
                        size="xs"
                        data={ROLES.filter((r) => r !== 'client')}
                        value={u.role}
                        onChange={(e) => update.mutate({ id: u.id, role: e.currentTarget.value as InstallRole })}
                      />
                    ) : (
                      <Badge variant="light">
                        {u.role}
                        {u.clientId ? ` · ${clientsById.get(u.clientId)?.name ?? 'client'}` : ''}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Switch
                      aria-label={`${u.name} may log in`}
                      checked={!u.isDisabled}
                      disabled={!isAdmin || u.id === me.id}
                      onChange={(e) => update.mutate({ id: u.id, isDisabled: !e.currentTarget.checked })}
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Section>
      {isAdmin && <NewUser />}
      <TokensSection />
    </Stack>
  );
}

function NewUser() {
  const clients = useClients();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<InstallRole>('member');
  const [clientId, setClientId] = useState('');
  const [password, setPassword] = useState('');
  const create = useApiMutation((b: { name: string; email: string; role: InstallRole; clientId: string | null; password?: string }) => api.post<User>('/users', b), [keys.users]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { name, email, role, clientId: role === 'client' ? clientId || null : null, ...(password && { password }) },
      { onSuccess: () => (setName(''), setEmail(''), setPassword('')) },
    );
  };
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="New user">
      <Stack gap="xs">
        <Text fw={600}>New user</Text>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 5 }} spacing="xs">
          <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <TextInput label="E-mail" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <NativeSelect label="Role" data={ROLES} value={role} onChange={(e) => setRole(e.currentTarget.value as InstallRole)} />
          {role === 'client' && (
            <NativeSelect
              label="Client organisation"
              required
              data={[{ value: '', label: 'Choose…' }, ...(clients.data ?? []).map((c) => ({ value: c.id, label: c.name }))]}
              value={clientId}
              onChange={(e) => setClientId(e.currentTarget.value)}
            />
          )}
          <PasswordInput label="Password (12+ characters)" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
        </SimpleGrid>
        <ProblemAlert error={create.error} />
        <Button type="submit" w="fit-content" loading={create.isPending} disabled={!name.trim() || !email.trim() || (role === 'client' && !clientId)}>
          Add user
        </Button>
      </Stack>
    </Paper>
  );
}

function TokensSection() {
  const { isAdmin } = useSession();
  const tokens = useTokens();
  const users = useUsers();
  const usersById = byId(users.data);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<ApiToken | null>(null);
  const create = useApiMutation((b: { name: string }) => api.post<ApiToken>('/tokens', b), [keys.tokens]);
  const revoke = useApiMutation((id: string) => api.del<ApiToken>(`/tokens/${id}`), [keys.tokens]);
  return (
    <Section title="API tokens">
      <Stack gap="sm">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate({ name }, { onSuccess: (t) => (setCreated(t), setName('')) });
          }}
        >
          <Group align="flex-end" gap="xs">
            <TextInput label="New token for you, named" required value={name} onChange={(e) => setName(e.currentTarget.value)} placeholder="CI pipeline" style={{ flex: 1, maxWidth: 360 }} />
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              Create token
            </Button>
          </Group>
        </form>
        <ProblemAlert error={create.error ?? revoke.error} />
        {created?.token && (
          <Alert color="teal" title={`Token “${created.name}” created`} role="status" withCloseButton onClose={() => setCreated(null)} closeButtonLabel="Hide the token">
            <Text size="sm">Copy it now: it is shown only this once. Send it as “Authorization: Bearer …”.</Text>
            <Group gap="xs" mt={6} wrap="nowrap">
              <Code block style={{ flex: 1, overflowX: 'auto' }} data-testid="new-token">
                {created.token}
              </Code>
              <CopyButton value={created.token}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="light" onClick={copy}>
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Alert>
        )}
        <Table.ScrollContainer minWidth={480}>
          <Table verticalSpacing="xs" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                {isAdmin && <Table.Th>User</Table.Th>}
                <Table.Th>Created</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(tokens.data ?? []).map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>{t.name}</Table.Td>
                  {isAdmin && <Table.Td>{usersById.get(t.userId)?.name ?? '—'}</Table.Td>}
                  <Table.Td>{formatDateTime(t.createdAt)}</Table.Td>
                  <Table.Td>
                    {t.revokedAt ? (
                      <Badge color="gray" variant="light">
                        revoked
                      </Badge>
                    ) : t.expiresAt && Date.parse(t.expiresAt) < Date.now() ? (
                      <Badge color="gray" variant="light">
                        expired
                      </Badge>
                    ) : (
                      <Badge color="teal" variant="light">
                        active
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {!t.revokedAt && (
                      <Button size="compact-xs" variant="subtle" color="red" onClick={() => revoke.mutate(t.id)} aria-label={`Revoke ${t.name}`}>
                        Revoke
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </Section>
  );
}
