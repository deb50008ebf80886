// Who is logged in. The session cookie is HttpOnly; the CSRF token comes with login and again from
// GET /auth/session after a reload, and goes on every change.
import { Alert, Button, Center, Loader, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { createContext, useContext, useMemo, useState, type FormEvent } from 'react';
import { api, ApiError, setCsrfToken } from '../api/http';
import type { Session, User } from '../api/types';
import { createConsoleRouter } from './router';

const SESSION_KEY = ['session'] as const;

interface SessionValue {
  user: User;
  isStaff: boolean;
  isWriter: boolean;
  isAdmin: boolean;
  logout: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside the session gate');
  return s;
}

async function loadSession(): Promise<Session | null> {
  try {
    const s = await api.get<Session>('/auth/session');
    setCsrfToken(s.csrfToken);
    return s;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export function SessionGate() {
  const qc = useQueryClient();
  const session = useQuery({ queryKey: SESSION_KEY, queryFn: loadSession, staleTime: Infinity, retry: false, refetchOnWindowFocus: false });
  const user = session.data?.user ?? null;
  const value = useMemo<SessionValue | null>(
    () =>
      user && {
        user,
        isStaff: user.role !== 'client',
        isWriter: user.role === 'admin' || user.role === 'member',
        isAdmin: user.role === 'admin',
        logout: async () => {
          await api.post('/auth/logout').catch(() => undefined);
          setCsrfToken(null);
          qc.clear();
          qc.setQueryData(SESSION_KEY, null);
        },
      },
    [user, qc],
  );
  // One router per login: it carries no state worth keeping across users.
  const router = useMemo(() => (value ? createConsoleRouter() : null), [value]);

  if (session.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (session.isError) {
    return (
      <Center h="100vh" p="md">
        <Alert color="red" title="Herald does not answer">
          {session.error.message} <Button variant="subtle" onClick={() => void session.refetch()}>Try again</Button>
        </Alert>
      </Center>
    );
  }
  if (!value || !router) return <LoginPage onLoggedIn={(s) => qc.setQueryData(SESSION_KEY, s)} />;
  return (
    <SessionContext.Provider value={value}>
      <RouterProvider router={router} />
    </SessionContext.Provider>
  );
}

function LoginPage({ onLoggedIn }: { onLoggedIn: (s: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<{ user: User; csrfToken: string }>('/auth/login', { email, password });
      setCsrfToken(res.csrfToken);
      onLoggedIn({ user: res.user, via: 'session', csrfToken: res.csrfToken });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="100vh" p="md">
      <Paper component="main" withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <form onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
          <Stack>
            <div>
              <Title order={1} id="login-title" size="h2">
                Herald
              </Title>
              <Text c="dimmed" size="sm">
                Log in to run incidents and keep clients informed.
              </Text>
            </div>
            <TextInput label="E-mail" type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
            <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
            {error && (
              <Alert color="red" role="alert" title="Not logged in">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={isBusy}>
              Log in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
