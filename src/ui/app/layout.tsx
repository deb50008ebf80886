// The frame around every page: header (live status, light/dark, who is logged in) and the navigation.
import { ActionIcon, AppShell, Burger, Button, Group, NavLink, Stack, Text, Title, Tooltip, useComputedColorScheme, useMantineColorScheme } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { Link, Outlet, useRouterState } from '@tanstack/react-router';
import { useEffect } from 'react';
import { useLiveUpdates, type LiveState } from './live-updates';
import { NotificationsMenu } from './notifications-menu';
import { useSession } from './session';

interface NavItem {
  to: string;
  label: string;
}

const STAFF_NAV: NavItem[] = [
  { to: '/', label: 'Incidents' },
  { to: '/report', label: 'Report an incident' },
  { to: '/triage', label: 'Triage' },
  { to: '/maintenance', label: 'Maintenance' },
  { to: '/catalog', label: 'Components' },
  { to: '/clients', label: 'Clients' },
  { to: '/sla', label: 'SLA policies' },
  { to: '/templates', label: 'Templates' },
  { to: '/users', label: 'Users & API tokens' },
  { to: '/outbox', label: 'Local outbox' },
  { to: '/account', label: 'Your account' },
];

const CLIENT_NAV: NavItem[] = [
  { to: '/', label: 'Your incidents' },
  { to: '/report', label: 'Report an incident' },
  { to: '/account', label: 'Your account' },
];

export function ConsoleLayout() {
  const session = useSession();
  const [isNavOpen, nav] = useDisclosure(false);
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const live = useLiveUpdates();
  // Off-canvas on a phone: unreachable by keyboard and screen readers until opened.
  const isPhone = useMediaQuery('(max-width: 48em)') ?? false;
  useEffect(() => {
    nav.close();
    // After a page change, keyboard and screen-reader users continue in the new page, unless it focused a field itself.
    const main = document.getElementById('main');
    if (main && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
  }, [pathname, nav]);
  const items = session.isStaff ? STAFF_NAV : CLIENT_NAV;
  const isActive = (to: string) => (to === '/' ? pathname === '/' || pathname.startsWith('/incidents/') : pathname.startsWith(to));

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !isNavOpen } }} padding="md">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={isNavOpen} onClick={nav.toggle} hiddenFrom="sm" size="sm" aria-label={isNavOpen ? 'Close navigation' : 'Open navigation'} />
            <Title order={2} size="h4">
              <Link to="/" style={{ color: 'inherit', textDecoration: 'none' }}>
                Herald
              </Link>
            </Title>
            <LiveBadge state={live} />
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" visibleFrom="sm" c="dimmed">
              {session.user.name} · {session.user.role}
            </Text>
            {session.isStaff && <NotificationsMenu />}
            <ColorSchemeToggle />
            <Button variant="default" size="xs" onClick={() => void session.logout()}>
              Log out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main" inert={isPhone && !isNavOpen}>
        <Stack gap={2}>
          {items.map((item) => (
            <NavLink key={item.to} component={Link} to={item.to} label={item.label} active={isActive(item.to)} aria-current={isActive(item.to) ? 'page' : undefined} />
          ))}
        </Stack>
        <Text size="xs" c="dimmed" mt="auto" hiddenFrom="sm" p="xs">
          {session.user.name} · {session.user.role}
        </Text>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

function LiveBadge({ state }: { state: LiveState }) {
  const label = state === 'live' ? 'Live: changes appear without reload' : state === 'connecting' ? 'Connecting for live updates…' : 'Live updates are off; reload to see changes';
  const color = state === 'live' ? 'var(--mantine-color-teal-6)' : state === 'connecting' ? 'var(--mantine-color-yellow-6)' : 'var(--mantine-color-red-6)';
  return (
    <Tooltip label={label}>
      <Group gap={6} wrap="nowrap" role="status" aria-label={label} data-live={state}>
        <span aria-hidden style={{ width: 9, height: 9, borderRadius: 9, background: color, display: 'inline-block' }} />
        <Text size="xs" c="dimmed" visibleFrom="xs">
          {state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting' : 'Offline'}
        </Text>
      </Group>
    </Tooltip>
  );
}

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light');
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} mode`}>
      <ActionIcon variant="default" size="lg" aria-label={`Switch to ${next} mode`} onClick={() => setColorScheme(next)}>
        {computed === 'dark' ? (
          <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
            <circle cx="12" cy="12" r="4" />
            <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
          </svg>
        ) : (
          <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
            <path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z" />
          </svg>
        )}
      </ActionIcon>
    </Tooltip>
  );
}

export function NotFound() {
  return (
    <Stack>
      <Title order={1} size="h2">
        Not found
      </Title>
      <Text>
        There is no page here. <Link to="/">Back to the incidents</Link>.
      </Text>
    </Stack>
  );
}
