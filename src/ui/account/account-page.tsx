// The logged-in person's own account: who they are, and changing their password (staff and client users alike).
import { Alert, Badge, Button, Paper, PasswordInput, SimpleGrid, Stack, Text } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError } from '../api/http';
import { useApiMutation } from '../api/queries';
import type { User } from '../api/types';
import { formatWait } from '../app/format';
import { useSession } from '../app/session';
import { PageTitle, ProblemAlert, Section } from '../app/ui-kit';

/** The API's rule for a password (`password` in src/http/schemas.ts): 12 to 200 characters. */
const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 200;

export function AccountPage() {
  const { user } = useSession();
  return (
    <Stack>
      <PageTitle>Your account</PageTitle>
      <Section title="You">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs" component="dl" m={0}>
          <Fact term="Name">{user.name}</Fact>
          <Fact term="E-mail">{user.email}</Fact>
          <Fact term="Role">
            <Badge variant="light">{user.role}</Badge>
          </Fact>
        </SimpleGrid>
      </Section>
      <ChangePassword user={user} />
    </Stack>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <Text component="dt" size="sm" c="dimmed">
        {term}
      </Text>
      <Text component="dd" m={0}>
        {children}
      </Text>
    </div>
  );
}

interface PasswordErrors {
  currentPassword?: string;
  password?: string;
  confirmation?: string;
}

/** What the form checks before asking the server: the same length rule the API enforces, and the confirmation. */
function checkForm(password: string, confirmation: string): PasswordErrors {
  const errors: PasswordErrors = {};
  if (password.length < MIN_PASSWORD_LENGTH) errors.password = `At least ${MIN_PASSWORD_LENGTH} characters.`;
  else if (password.length > MAX_PASSWORD_LENGTH) errors.password = `At most ${MAX_PASSWORD_LENGTH} characters.`;
  if (confirmation !== password) errors.confirmation = 'Does not match the new password.';
  return errors;
}

/**
 * The server's refusal on the field it names; anything else (a 429 with its wait, a failure) is shown
 * above the button. The form always sends the current password, so a refusal naming it means it is wrong.
 */
function serverErrors(error: unknown): { fields: PasswordErrors; other: unknown } {
  if (!(error instanceof ApiError)) return { fields: {}, other: error };
  if (error.status === 429) {
    const when = error.retryAfterS === null ? 'later' : formatWait(error.retryAfterS);
    return { fields: {}, other: new Error(`Too many password changes from your account: try again ${when}.`) };
  }
  const fields: PasswordErrors = {};
  if (error.field === 'currentPassword' && error.errors.length === 0) fields.currentPassword = 'That is not your current password.';
  for (const e of error.errors) {
    if (e.field === 'body.currentPassword') fields.currentPassword = e.message;
    if (e.field === 'body.password') fields.password = e.message;
  }
  return Object.keys(fields).length > 0 ? { fields, other: null } : { fields, other: error };
}

function ChangePassword({ user }: { user: User }) {
  const [currentPassword, setCurrentPassword] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [formErrors, setFormErrors] = useState<PasswordErrors>({});
  const [isChanged, setChanged] = useState(false);
  const change = useApiMutation((b: { currentPassword: string; password: string }) => api.patch<User>(`/users/${user.id}`, b));
  const server = serverErrors(change.error);
  const errors: PasswordErrors = { ...server.fields, ...formErrors };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setChanged(false);
    change.reset();
    const found = checkForm(password, confirmation);
    setFormErrors(found);
    if (Object.keys(found).length > 0) return;
    change.mutate(
      { currentPassword, password },
      {
        onSuccess: () => {
          setCurrentPassword('');
          setPassword('');
          setConfirmation('');
          setChanged(true);
        },
      },
    );
  };

  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="Change password" noValidate>
      <Stack gap="xs" maw={420}>
        <Text fw={600} component="h2" size="lg" m={0}>
          Change password
        </Text>
        <Text size="sm" c="dimmed">
          Changing it signs you out everywhere else; this browser stays logged in.
        </Text>
        {/* For password managers: the account whose password this is. */}
        <input type="text" name="username" autoComplete="username" value={user.email} readOnly hidden />
        {/* Mantine's PasswordInput links its error text (aria-describedby) but does not mark the field invalid; aria-invalid does. */}
        <PasswordInput
          label="Current password"
          autoComplete="current-password"
          required
          value={currentPassword}
          error={errors.currentPassword}
          aria-invalid={errors.currentPassword ? true : undefined}
          onChange={(e) => setCurrentPassword(e.currentTarget.value)}
        />
        <PasswordInput
          label={`New password (${MIN_PASSWORD_LENGTH}+ characters)`}
          autoComplete="new-password"
          required
          value={password}
          error={errors.password}
          aria-invalid={errors.password ? true : undefined}
          onChange={(e) => setPassword(e.currentTarget.value)}
        />
        <PasswordInput
          label="New password again"
          autoComplete="new-password"
          required
          value={confirmation}
          error={errors.confirmation}
          aria-invalid={errors.confirmation ? true : undefined}
          onChange={(e) => setConfirmation(e.currentTarget.value)}
        />
        <ProblemAlert error={server.other} title="Password not changed" />
        {isChanged && (
          <Alert color="teal" title="Password changed" role="status">
            Your other sessions were signed out; use the new password to log in there again.
          </Alert>
        )}
        <Button type="submit" w="fit-content" loading={change.isPending} disabled={!currentPassword}>
          Change password
        </Button>
      </Stack>
    </Paper>
  );
}
