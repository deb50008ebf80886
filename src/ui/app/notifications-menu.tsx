// The header's notifications: messages waiting for your approval, SLA reminders and escalations,
// failed deliveries (GET /api/v1/notifications). Opening one marks it read and goes to its incident.
import { ActionIcon, Badge, Button, Group, Indicator, Popover, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api } from '../api/http';
import { formatDateTime } from './format';

export interface StaffNotification {
  id: string;
  kind: string;
  incidentId: string | null;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
}

export const NOTIFICATIONS_KEY = ['notifications'] as const;

const KIND_WORDS: Record<string, { label: string; color: string }> = {
  'communication.approval_requested': { label: 'Approve', color: 'orange' },
  'communication.rejected': { label: 'Not approved', color: 'red' },
  'obligation.reminder': { label: 'Due soon', color: 'yellow' },
  'obligation.escalated': { label: 'Overdue', color: 'red' },
  'delivery.failed': { label: 'Delivery failed', color: 'red' },
  'resolve.suggested': { label: 'Alerts resolved', color: 'green' },
};

export function NotificationsMenu() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [isOpen, setOpen] = useState(false);
  const list = useQuery({
    queryKey: NOTIFICATIONS_KEY,
    queryFn: async () => (await api.get<{ items: StaffNotification[] }>('/notifications?limit=30')).items,
    refetchInterval: 60_000,
  });
  const items = list.data ?? [];
  const unread = items.filter((n) => !n.readAt);
  const markRead = async (ids: string[]) => {
    if (!ids.length) return;
    await api.post('/notifications/read', { ids }).catch(() => undefined);
    await qc.invalidateQueries({ queryKey: NOTIFICATIONS_KEY });
  };
  const open = (n: StaffNotification) => {
    setOpen(false);
    void markRead(n.readAt ? [] : [n.id]);
    if (n.incidentId) void navigate({ to: '/incidents/$key', params: { key: n.incidentId } });
  };
  const label = unread.length ? `Notifications: ${unread.length} unread` : 'Notifications';
  return (
    // The popover's target gets aria-haspopup and aria-expanded, so it must be the button itself:
    // on the indicator's wrapper (a plain div) those attributes are not allowed.
    <Indicator disabled={!unread.length} label={unread.length > 9 ? '9+' : unread.length} size={16} color="red" offset={4}>
      <Popover opened={isOpen} onChange={setOpen} position="bottom-end" width={340} shadow="md" withinPortal trapFocus>
        <Popover.Target>
          <ActionIcon variant="default" size="lg" aria-label={label} onClick={() => setOpen((o) => !o)}>
            <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
              <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
              <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
            </svg>
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown p="xs" aria-label="Notifications">
          <Group justify="space-between" px={4} pb={6}>
            <Text fw={600} size="sm">
              Notifications
            </Text>
            {unread.length > 0 && (
              <Button size="compact-xs" variant="subtle" onClick={() => void markRead(unread.map((n) => n.id))}>
                Mark all read
              </Button>
            )}
          </Group>
          {items.length === 0 ? (
            <Text size="sm" c="dimmed" px={4} pb={4}>
              Nothing yet: approvals you are asked for, SLA reminders and failed deliveries show here.
            </Text>
          ) : (
            <ScrollArea.Autosize mah={380}>
              <Stack gap={2}>
                {items.map((n) => {
                  const kind = KIND_WORDS[n.kind];
                  return (
                    <UnstyledButton key={n.id} onClick={() => open(n)} className="notification-item" data-unread={!n.readAt || undefined}>
                      <Group gap={6} wrap="nowrap" align="flex-start">
                        {kind && (
                          <Badge size="xs" color={kind.color} variant="light" style={{ flexShrink: 0, marginTop: 2 }}>
                            {kind.label}
                          </Badge>
                        )}
                        <div style={{ minWidth: 0 }}>
                          <Text size="sm" fw={n.readAt ? 400 : 600} style={{ overflowWrap: 'anywhere' }}>
                            {n.title}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {formatDateTime(n.createdAt)}
                          </Text>
                        </div>
                      </Group>
                    </UnstyledButton>
                  );
                })}
              </Stack>
            </ScrollArea.Autosize>
          )}
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  );
}
