// Classify: severity, impact per component, and the decision "are clients affected?" with its reason.
import { Alert, Button, Group, MultiSelect, NativeSelect, Radio, Stack, Text, Textarea } from '@mantine/core';
import { useMemo, useState, type FormEvent } from 'react';
import type { Client, Component, ComponentImpact, Incident, Severity } from '../api/types';
import { COMPONENT_STATUS_WORDS, SEVERITY_WORDS } from '../app/format';
import { useSession } from '../app/session';
import { ProblemAlert, Section } from '../app/ui-kit';
import { useIncidentCommand } from './use-incident-command';

const IMPACT_STATUSES = ['degraded_performance', 'partial_outage', 'major_outage'] as const;

interface ClassifyBody {
  severity: Severity;
  impacts: ComponentImpact[];
  isClientAffected: boolean;
  reason: string;
  addClientIds: string[];
  removeClientIds: string[];
}

export function ClassificationForm({ incident: i, components, clients }: { incident: Incident; components: Component[]; clients: Client[] }) {
  const { isWriter } = useSession();
  const isFirst = i.stage === 'reported';
  const [isOpen, setOpen] = useState(isFirst);
  const [severity, setSeverity] = useState<Severity | ''>(i.severity ?? '');
  // A client's report suggests impacts; staff confirm (or change) them here, and only then do statuses change.
  const [impacts, setImpacts] = useState<ComponentImpact[]>(isFirst && !i.impacts.length ? i.suggestedImpacts : i.impacts);
  const [affected, setAffected] = useState<'' | 'yes' | 'no'>(i.decision ? (i.decision.isClientAffected ? 'yes' : 'no') : '');
  const [reason, setReason] = useState('');
  const [addClientIds, setAdd] = useState<string[]>([]);
  const [removeClientIds, setRemove] = useState<string[]>([]);
  const classify = useIncidentCommand<ClassifyBody>(i.key, 'classification', 'Classification saved.');
  const componentName = (id: string) => components.find((c) => c.id === id)?.name ?? 'Component';

  // Who the server will take as affected: clients using an impacted component, the reporting client, the named ones.
  const derived = useMemo(() => {
    const ids = new Set(impacts.map((x) => x.componentId));
    return clients.filter((c) => c.componentIds.some((id) => ids.has(id)) || c.id === i.reporterClientId || i.reportedClientIds.includes(c.id));
  }, [impacts, clients, i.reporterClientId, i.reportedClientIds]);
  const already = i.affectedClients.map((c) => c.clientId);
  const willBe = [...new Set([...derived.map((c) => c.id), ...already.filter((id) => i.affectedClients.find((c) => c.clientId === id)?.source === 'explicit'), ...addClientIds])].filter(
    (id) => !removeClientIds.includes(id),
  );
  const clientName = (id: string) => clients.find((c) => c.id === id)?.name ?? 'a client';

  if (!isWriter) return null;
  if (i.stage === 'closed') return null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!severity || !affected) return;
    classify.mutate(
      { severity, impacts, isClientAffected: affected === 'yes', reason, addClientIds: affected === 'yes' ? addClientIds : [], removeClientIds: affected === 'yes' ? removeClientIds : [] },
      {
        onSuccess: () => {
          setReason('');
          setAdd([]);
          setRemove([]);
          setOpen(false);
        },
      },
    );
  };

  if (!isOpen) {
    return (
      <Section title="Classification" id="classification" actions={<Button variant="subtle" size="xs" onClick={() => setOpen(true)}>Reclassify</Button>}>
        <Text size="sm">
          {i.severity ? SEVERITY_WORDS[i.severity] : 'No severity'} · {i.impacts.length ? i.impacts.map((x) => `${componentName(x.componentId)}: ${COMPONENT_STATUS_WORDS[x.status]}`).join(', ') : 'no component named'}
        </Text>
        {i.decision && (
          <Text size="sm" mt={4}>
            Clients affected: <b>{i.decision.isClientAffected ? 'yes' : 'no'}</b> — <i>{i.decision.reason}</i>
          </Text>
        )}
        {i.affectedClients.length > 0 && (
          <Text size="sm" mt={4}>
            Affected clients: {i.affectedClients.map((c) => clientName(c.clientId)).join(', ')}
          </Text>
        )}
      </Section>
    );
  }

  return (
    <Section title={isFirst ? 'Classify' : 'Reclassify'} id="classification">
      <form onSubmit={submit} aria-label="Classification">
        <Stack gap="sm">
          <Radio.Group label="Severity" required value={severity} onChange={(v) => setSeverity(v as Severity)}>
            <Group gap="md" mt={4}>
              {(['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const).map((s) => (
                <Radio key={s} value={s} label={SEVERITY_WORDS[s]} />
              ))}
            </Group>
          </Radio.Group>
          <MultiSelect
            label="Impacted components"
            placeholder={impacts.length ? undefined : 'Choose components'}
            searchable
            data={components.map((c) => ({ value: c.id, label: c.name }))}
            value={impacts.map((x) => x.componentId)}
            onChange={(ids) => setImpacts(ids.map((id) => impacts.find((x) => x.componentId === id) ?? { componentId: id, status: 'partial_outage' }))}
          />
          {impacts.map((x) => (
            <NativeSelect
              key={x.componentId}
              label={`Impact on ${componentName(x.componentId)}`}
              data={IMPACT_STATUSES.map((s) => ({ value: s, label: COMPONENT_STATUS_WORDS[s] }))}
              value={x.status}
              onChange={(e) => setImpacts(impacts.map((y) => (y.componentId === x.componentId ? { ...y, status: e.currentTarget.value as ComponentImpact['status'] } : y)))}
            />
          ))}
          <Radio.Group label="Are clients affected?" required value={affected} onChange={(v) => setAffected(v as 'yes' | 'no')}>
            <Stack gap={6} mt={4}>
              <Radio value="yes" label="Yes: clients are affected and will be told" />
              <Radio value="no" label="No: internal only, documented and closed without client messages" />
            </Stack>
          </Radio.Group>
          {affected === 'yes' && (
            <Stack gap="xs">
              <Text size="sm">
                {willBe.length ? (
                  <>
                    Affected clients ({willBe.length}): <b>{willBe.map(clientName).join(', ')}</b>
                  </>
                ) : (
                  <Text span c="red" size="sm">
                    No client uses the impacted components: add clients below.
                  </Text>
                )}
              </Text>
              <MultiSelect
                label="Also affected"
                description="Clients that do not use the impacted components but are affected"
                searchable
                data={clients.filter((c) => !derived.some((d) => d.id === c.id)).map((c) => ({ value: c.id, label: c.name }))}
                value={addClientIds}
                onChange={setAdd}
              />
              {derived.length > 0 && (
                <MultiSelect
                  label="Not affected after all"
                  description="Clients that use an impacted component but are not affected"
                  data={derived.map((c) => ({ value: c.id, label: c.name }))}
                  value={removeClientIds}
                  onChange={setRemove}
                />
              )}
            </Stack>
          )}
          <Textarea label="Reason for the decision" description="On the record: why clients are or are not affected" required autosize minRows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
          {affected === 'no' && i.affectedClients.some((c) => Object.keys(c.sent).length > 0) && (
            <Alert color="yellow">Clients were already notified: the incident cannot become internal-only.</Alert>
          )}
          <ProblemAlert error={classify.error} />
          <Group gap="xs">
            <Button type="submit" loading={classify.isPending} disabled={!severity || !affected || !reason.trim()}>
              {isFirst ? 'Classify' : 'Save classification'}
            </Button>
            {!isFirst && (
              <Button variant="default" onClick={() => setOpen(false)}>
                Cancel
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </Section>
  );
}
