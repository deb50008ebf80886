// Editing one template: its parts (subject, HTML, text for e-mail; text for chat), the owner, a note
// for the history; a refusal names the part and line beside the part. Below: the preview against a
// real incident, the version history, and what a template can use.
import { Badge, Button, Group, NativeSelect, Skeleton, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, type TemplateIssue } from '../api/http';
import { keys, useApiMutation, useTemplate, useTemplateVariables } from '../api/queries';
import type { Template, TemplateOwnerRole, User } from '../api/types';
import { formatDateTime } from '../app/format';
import { useSession } from '../app/session';
import { MessageText, ProblemAlert, Section } from '../app/ui-kit';
import { OWNER_ROLE_WORDS, ownerWords, templateTitle } from './templates-page';
import { TemplatePreview } from './template-preview';

const PART_WORDS: Record<string, string> = { subject: 'Subject', html: 'HTML body', text: 'Plain-text body' };
export const partsOf = (t: Pick<Template, 'channel'>) => (t.channel === 'email' ? ['subject', 'html', 'text'] : ['text']);

/** The refusal's issues for one part, as lines a person can act on. */
export function IssuesFor({ issues, part }: { issues: TemplateIssue[]; part: string }) {
  const mine = issues.filter((i) => i.part === part);
  if (!mine.length) return null;
  return (
    <Stack gap={2} role="alert" data-testid={`issues-${part}`}>
      {mine.map((i, n) => (
        <Text key={n} size="sm" c="red" fw={500}>
          {i.line ? `Line ${i.line}: ` : ''}
          {i.message}
        </Text>
      ))}
    </Stack>
  );
}

function mayEdit(t: Template, user: User): boolean {
  if (user.role === 'admin') return true;
  return user.role === 'member' && (!t.ownerUserId || t.ownerUserId === user.id);
}

/** Who owns a template is changed by an admin or the user who owns it (the server holds the same rule). */
function mayChangeOwner(t: Template, user: User): boolean {
  return user.role === 'admin' || (user.role === 'member' && t.ownerUserId === user.id);
}

export function TemplateEditor({ templateId, users }: { templateId: string; users: Map<string, User> }) {
  const session = useSession();
  const template = useTemplate(templateId);
  const t = template.data;
  const root = useRef<HTMLDivElement>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  useEffect(() => {
    // On a phone the editor sits below the list: bring it into view.
    if (window.matchMedia('(max-width: 62em)').matches) root.current?.scrollIntoView({ block: 'start' });
  }, []);
  if (template.isError) return <ProblemAlert error={template.error} title="Could not load the template" />;
  if (!t) return <Skeleton h={400} />;
  const canEdit = mayEdit(t, session.user);
  // An earlier version loaded into the editor, until the next save.
  const draftFrom = loaded && loaded.baseVersion === t.currentVersion ? loaded : null;
  return (
    <Stack gap="md" ref={root} style={{ scrollMarginTop: 'calc(var(--app-shell-header-height, 56px) + 0.75rem)' }}>
      <Draft key={`${t.currentVersion}-${draftFrom?.version ?? 'current'}-${draftFrom?.nonce ?? 0}`} template={t} users={users} canEdit={canEdit} loaded={draftFrom} />
      <VersionHistory
        template={t}
        users={users}
        canEdit={canEdit}
        onLoad={(v) => {
          setLoaded({ version: v.version, parts: v.parts, baseVersion: t.currentVersion, nonce: Date.now() });
          document.getElementById('template-editor')?.scrollIntoView({ block: 'start' });
        }}
      />
      <VariablesReference />
    </Stack>
  );
}

interface Loaded {
  version: number;
  parts: Record<string, string>;
  baseVersion: number;
  nonce: number;
}

function Draft({ template: t, users, canEdit, loaded }: { template: Template; users: Map<string, User>; canEdit: boolean; loaded: Loaded | null }) {
  const canChangeOwner = mayChangeOwner(t, useSession().user);
  const [parts, setParts] = useState<Record<string, string>>(() => ({ ...(loaded?.parts ?? t.parts) }));
  const [note, setNote] = useState(loaded ? `Back to version ${loaded.version}` : '');
  const [previewIssues, setPreviewIssues] = useState<TemplateIssue[]>([]);
  const qc = useQueryClient();
  // Saving changes the current version, which replaces this form: tell the person here, before the refresh.
  const save = useMutation({
    mutationFn: (b: { parts: Record<string, string>; note: string | null }) => api.patch<Template>(`/templates/${t.id}`, b),
    onSuccess: async (saved) => {
      notifications.show({ color: 'teal', message: `Saved as version ${saved.currentVersion}.` });
      await qc.invalidateQueries({ queryKey: keys.templates });
    },
  });
  const names = partsOf(t);
  const isChanged = names.some((p) => (parts[p] ?? '') !== (t.parts[p] ?? ''));
  const saveIssues = save.error instanceof ApiError ? save.error.issues : [];
  const issues = saveIssues.length ? saveIssues : previewIssues;
  const draft = Object.fromEntries(names.map((p) => [p, parts[p] ?? '']));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ parts: draft, note: note.trim() || null });
  };

  return (
    <>
      <Section
        title={templateTitle(t)}
        id="template-editor"
        actions={
          <Group gap={6}>
            <Badge variant="light">version {t.currentVersion}</Badge>
            {isChanged && (
              <Badge variant="outline" color="orange">
                unsaved changes
              </Badge>
            )}
          </Group>
        }
      >
        <form onSubmit={submit} aria-label={`Edit ${templateTitle(t)}`}>
          <Stack gap="sm">
            <OwnerField template={t} users={users} canEdit={canChangeOwner} />
            {names.map((p) => (
              <Stack gap={4} key={p}>
                {p === 'subject' ? (
                  <TextInput
                    label={PART_WORDS[p]}
                    value={parts[p] ?? ''}
                    readOnly={!canEdit}
                    onChange={(e) => setParts((x) => ({ ...x, [p]: e.currentTarget.value }))}
                    classNames={{ input: 'code-input' }}
                    error={issues.some((i) => i.part === p) || undefined}
                  />
                ) : (
                  <Textarea
                    label={PART_WORDS[p] ?? p}
                    value={parts[p] ?? ''}
                    readOnly={!canEdit}
                    autosize
                    minRows={p === 'html' ? 8 : 6}
                    maxRows={22}
                    spellCheck={false}
                    onChange={(e) => setParts((x) => ({ ...x, [p]: e.currentTarget.value }))}
                    classNames={{ input: 'code-input' }}
                    error={issues.some((i) => i.part === p) || undefined}
                  />
                )}
                <IssuesFor issues={issues} part={p} />
              </Stack>
            ))}
            {issues.some((i) => !names.includes(i.part)) && <IssuesFor issues={issues.filter((i) => !names.includes(i.part))} part={issues.find((i) => !names.includes(i.part))!.part} />}
            {canEdit ? (
              <>
                <TextInput label="What changed (kept in the history)" value={note} onChange={(e) => setNote(e.currentTarget.value)} placeholder="Clearer wording of the data-exposure paragraph" />
                {save.error && !saveIssues.length && <ProblemAlert error={save.error} title="Not saved" />}
                {saveIssues.length > 0 && (
                  <Text size="sm" c="red" role="status">
                    Not saved: the template would not render. The problems are shown beside each part.
                  </Text>
                )}
                <Group gap="xs">
                  <Button type="submit" loading={save.isPending} disabled={!isChanged}>
                    Save as version {t.currentVersion + 1}
                  </Button>
                  {isChanged && (
                    <Button variant="default" onClick={() => (setParts({ ...t.parts }), save.reset(), setPreviewIssues([]))}>
                      Discard changes
                    </Button>
                  )}
                </Group>
              </>
            ) : (
              <Text size="sm" c="dimmed">
                Only {ownerWords(t, users)} or an admin may change this template.
              </Text>
            )}
          </Stack>
        </form>
      </Section>
      <TemplatePreview template={t} parts={draft} isDraft={isChanged} onIssues={setPreviewIssues} />
    </>
  );
}

function OwnerField({ template: t, users, canEdit }: { template: Template; users: Map<string, User>; canEdit: boolean }) {
  const change = useApiMutation((b: { ownerUserId: string | null; ownerRole?: TemplateOwnerRole }) => api.patch<Template>(`/templates/${t.id}`, b), [keys.templates, keys.template(t.id)]);
  const value = t.ownerUserId ? `user:${t.ownerUserId}` : `role:${t.ownerRole ?? 'communication_lead'}`;
  const staff = [...users.values()].filter((u) => (u.role === 'admin' || u.role === 'member') && !u.isDisabled);
  return (
    <Stack gap={4}>
      <NativeSelect
        label="Owner"
        description="Who keeps this template right; only an admin or the person who owns it may change the owner"
        disabled={!canEdit || change.isPending}
        value={value}
        data={[
          { group: 'A role on each incident', items: (Object.keys(OWNER_ROLE_WORDS) as TemplateOwnerRole[]).map((r) => ({ value: `role:${r}`, label: OWNER_ROLE_WORDS[r].replace(/^the /, 'The ') })) },
          { group: 'A person', items: staff.map((u) => ({ value: `user:${u.id}`, label: u.name })) },
        ]}
        onChange={(e) => {
          const [kind, id] = e.currentTarget.value.split(':') as [string, string];
          change.mutate(kind === 'user' ? { ownerUserId: id } : { ownerUserId: null, ownerRole: id as TemplateOwnerRole }, {
            onSuccess: () => notifications.show({ color: 'teal', message: 'Owner changed.' }),
          });
        }}
      />
      <ProblemAlert error={change.error} title="Owner not changed" />
    </Stack>
  );
}

type Version = NonNullable<Template['versions']>[number];

function VersionHistory({ template: t, users, canEdit, onLoad }: { template: Template; users: Map<string, User>; canEdit: boolean; onLoad: (v: Version) => void }) {
  const [shown, setShown] = useState<number | null>(null);
  const versions = t.versions ?? [];
  return (
    <Section title="Version history" id="template-versions">
      <Table.ScrollContainer minWidth={520}>
        <Table verticalSpacing={6} fz="sm" data-testid="template-versions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Version</Table.Th>
              <Table.Th>Saved</Table.Th>
              <Table.Th>By</Table.Th>
              <Table.Th>Note</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {versions.map((v) => (
              <VersionRow
                key={v.version}
                version={v}
                isCurrent={v.version === t.currentVersion}
                isShown={shown === v.version}
                onToggle={() => setShown((s) => (s === v.version ? null : v.version))}
                by={v.createdBy ? (users.get(v.createdBy)?.name ?? 'a user') : 'Herald'}
                template={t}
                canEdit={canEdit}
                onLoad={() => onLoad(v)}
              />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Section>
  );
}

function VersionRow({
  version: v,
  isCurrent,
  isShown,
  onToggle,
  by,
  template: t,
  canEdit,
  onLoad,
}: {
  version: Version;
  isCurrent: boolean;
  isShown: boolean;
  onToggle: () => void;
  by: string;
  template: Template;
  canEdit: boolean;
  onLoad: () => void;
}) {
  return (
    <>
      <Table.Tr data-version={v.version}>
        <Table.Td>
          <Group gap={4} wrap="wrap">
            <Text size="sm" fw={600}>
              v{v.version}
            </Text>
            {isCurrent && (
              <Badge size="xs" color="teal" variant="light">
                current
              </Badge>
            )}
          </Group>
        </Table.Td>
        <Table.Td>{formatDateTime(v.createdAt)}</Table.Td>
        <Table.Td>{by}</Table.Td>
        <Table.Td>{v.note ?? <Text span size="sm" c="dimmed">—</Text>}</Table.Td>
        <Table.Td>
          <Group gap={4} wrap="nowrap" justify="flex-end">
            <Button size="compact-xs" variant="subtle" onClick={onToggle} aria-expanded={isShown} aria-label={`${isShown ? 'Hide' : 'Show'} version ${v.version}`}>
              {isShown ? 'Hide' : 'Show'}
            </Button>
            {!isCurrent && canEdit && (
              <Button
                size="compact-xs"
                variant="subtle"
                aria-label={`Load version ${v.version} into the editor`}
                onClick={onLoad}
              >
                Load
              </Button>
            )}
          </Group>
        </Table.Td>
      </Table.Tr>
      {isShown && (
        <Table.Tr>
          <Table.Td colSpan={5}>
            <Stack gap={6}>
              {partsOf(t).map((p) => (
                <div key={p}>
                  <Text size="xs" fw={600}>
                    {PART_WORDS[p] ?? p}
                  </Text>
                  <MessageText label={`Version ${v.version}: ${PART_WORDS[p] ?? p}`}>{v.parts[p] ?? ''}</MessageText>
                </div>
              ))}
            </Stack>
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

function VariablesReference() {
  const vars = useTemplateVariables();
  return (
    <Section title="What a template can use" id="template-variables">
      <details>
        <summary>
          <Text span size="sm">
            {vars.data ? `${vars.data.variables.length} variables and ${vars.data.filters.length} filters` : 'Variables and filters'}
          </Text>
        </summary>
        <Table.ScrollContainer minWidth={520} mt="xs">
          <Table fz="xs" verticalSpacing={4} striped>
            <Table.Tbody>
              {(vars.data?.variables ?? []).map((v) => (
                <Table.Tr key={v.name}>
                  <Table.Td>
                    <code>{`{{ ${v.name} }}`}</code>
                  </Table.Td>
                  <Table.Td>{v.description}</Table.Td>
                  <Table.Td c="dimmed">{v.example}</Table.Td>
                </Table.Tr>
              ))}
              {(vars.data?.filters ?? []).map((f) => (
                <Table.Tr key={f.name}>
                  <Table.Td>
                    <code>{f.usage}</code>
                  </Table.Td>
                  <Table.Td>{f.description}</Table.Td>
                  <Table.Td c="dimmed">{f.example}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </details>
    </Section>
  );
}
