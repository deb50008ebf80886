// Small pieces every page uses: a ticking clock, a countdown, badges, a section card and error display.
import { Alert, Anchor, Badge, Card, Group, List, Text, Title, type AnchorProps, type BadgeProps } from '@mantine/core';
import { createLink } from '@tanstack/react-router';
import { forwardRef, useEffect, useState, type ComponentPropsWithoutRef, type ReactNode } from 'react';
import { ApiError } from '../api/http';
import type { Severity, TechState } from '../api/types';
import { formatCountdown, SEVERITY_COLOR, TECH_STATE_COLOR, TECH_STATE_WORDS } from './format';

/** The current time, re-read every `everyMs`. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

export function Countdown({ dueAt, size = 'sm' }: { dueAt: string; size?: 'xs' | 'sm' | 'md' }) {
  const now = useNow();
  const { text, isOverdue } = formatCountdown(dueAt, now);
  return (
    <Text component="span" size={size} fw={700} c={isOverdue ? 'red' : undefined} data-overdue={isOverdue || undefined} style={{ fontVariantNumeric: 'tabular-nums' }}>
      {text}
    </Text>
  );
}

export function SeverityBadge({ severity, ...props }: { severity: Severity | null } & BadgeProps) {
  if (!severity) {
    return (
      <Badge color="gray" variant="outline" {...props}>
        Unclassified
      </Badge>
    );
  }
  return (
    <Badge color={SEVERITY_COLOR[severity]} variant="filled" {...props}>
      {severity}
    </Badge>
  );
}

export function TechStateBadge({ state, ...props }: { state: TechState } & BadgeProps) {
  return (
    <Badge color={TECH_STATE_COLOR[state]} variant="light" {...props}>
      {TECH_STATE_WORDS[state]}
    </Badge>
  );
}

export function Section({ title, id, children, actions }: { title: string; id?: string; children: ReactNode; actions?: ReactNode }) {
  const headingId = `${id ?? title.toLowerCase().replace(/\W+/g, '-')}-heading`;
  return (
    <Card withBorder padding="md" component="section" id={id} aria-labelledby={headingId}>
      <Group justify="space-between" mb="sm" wrap="wrap" gap="xs">
        <Title order={2} size="h4" id={headingId}>
          {title}
        </Title>
        {actions}
      </Group>
      {children}
    </Card>
  );
}

/** A refusal or failure from the server, with the missing items it names. */
export function ProblemAlert({ error, title = 'Refused', missingWords }: { error: unknown; title?: string; missingWords?: (m: string) => string }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  return (
    <Alert color="red" title={title} role="alert">
      <Text size="sm">{error instanceof Error ? error.message : String(error)}</Text>
      {e && e.missing.length > 0 && (
        <List size="sm" mt={4}>
          {e.missing.map((m) => (
            <List.Item key={m}>{missingWords ? missingWords(m) : m}</List.Item>
          ))}
        </List>
      )}
      {e && e.errors.length > 0 && (
        <List size="sm" mt={4}>
          {e.errors.map((x) => (
            <List.Item key={x.field + x.message}>
              {x.field}: {x.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

/**
 * A message's plain text, kept to a readable height: it scrolls, so it takes keyboard focus (a
 * keyboard user could not scroll it otherwise) and is a named region a screen reader can find.
 */
export function MessageText({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="message-text" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}

export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  return (
    <Group justify="space-between" wrap="wrap" gap="xs">
      <Title order={1} size="h2">
        {children}
      </Title>
      {actions}
    </Group>
  );
}

/** A Mantine Anchor that navigates inside the console (typed routes and params). */
const AnchorForLink = forwardRef<HTMLAnchorElement, AnchorProps & ComponentPropsWithoutRef<'a'>>((props, ref) => <Anchor ref={ref} {...props} />);
AnchorForLink.displayName = 'AnchorForLink';
export const AnchorLink = createLink(AnchorForLink);
