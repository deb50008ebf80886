// The disclosures every client message states: impact, data loss, data exposure, timeline, remediation.
import { Button, Checkbox, Group, NativeSelect, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { Disclosures, Incident } from '../api/types';
import { formatDateTime, fromLocalInput, toLocalInput } from '../app/format';
import { useSession } from '../app/session';
import { ProblemAlert, Section } from '../app/ui-kit';
import { useIncidentCommand } from './use-incident-command';

const LEVELS = [
  { value: '', label: 'Not stated yet' },
  { value: 'none', label: 'No' },
  { value: 'suspected', label: 'Possibly (under investigation)' },
  { value: 'confirmed', label: 'Yes, confirmed' },
];
type Level = 'none' | 'suspected' | 'confirmed';

export function DisclosuresForm({ incident: i }: { incident: Incident }) {
  const { isWriter } = useSession();
  const d = i.disclosures;
  const [impactSummary, setImpact] = useState(d.impactSummary ?? '');
  const [lossLevel, setLossLevel] = useState<string>(d.dataLoss?.level ?? '');
  const [lossDetails, setLossDetails] = useState(d.dataLoss?.details ?? '');
  const [exposureLevel, setExposureLevel] = useState<string>(d.dataExposure?.level ?? '');
  const [exposureDetails, setExposureDetails] = useState(d.dataExposure?.details ?? '');
  const [isPersonalData, setPersonal] = useState(d.dataExposure?.isPersonalData ?? false);
  const [nextUpdateAt, setNextUpdate] = useState(toLocalInput(d.nextUpdateAt));
  const [expectedResolutionAt, setEta] = useState(toLocalInput(d.expectedResolutionAt));
  const [remediation, setRemediation] = useState(d.remediation ?? '');
  const save = useIncidentCommand<Partial<Disclosures>>(i.key, 'disclosures', 'Disclosures saved.');
  const isEditable = isWriter && i.stage !== 'closed';

  const inMinutes = (m: number) => toLocalInput(new Date(Date.now() + m * 60_000).toISOString());
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      impactSummary: impactSummary.trim() || null,
      dataLoss: lossLevel ? { level: lossLevel as Level, details: lossDetails.trim() || null } : null,
      dataExposure: exposureLevel ? { level: exposureLevel as Level, details: exposureDetails.trim() || null, isPersonalData } : null,
      nextUpdateAt: fromLocalInput(nextUpdateAt),
      expectedResolutionAt: fromLocalInput(expectedResolutionAt),
      remediation: remediation.trim() || null,
    });
  };

  return (
    <Section title="Disclosures" id="disclosures" actions={<Text size="xs" c="dimmed">Version {i.disclosureVersion}</Text>}>
      <form onSubmit={submit} aria-label="Disclosures">
        <fieldset disabled={!isEditable} style={{ border: 0, padding: 0, margin: 0 }}>
          <Stack gap="sm">
            <Textarea label="Impact" description="What clients experience: down or degraded, which services" autosize minRows={2} value={impactSummary} onChange={(e) => setImpact(e.currentTarget.value)} />
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <Stack gap={6}>
                <NativeSelect label="Was data lost?" data={LEVELS} value={lossLevel} onChange={(e) => setLossLevel(e.currentTarget.value)} />
                {lossLevel && lossLevel !== 'none' && <TextInput label="Data loss details" value={lossDetails} onChange={(e) => setLossDetails(e.currentTarget.value)} />}
              </Stack>
              <Stack gap={6}>
                <NativeSelect label="Could third parties access data?" data={LEVELS} value={exposureLevel} onChange={(e) => setExposureLevel(e.currentTarget.value)} />
                {exposureLevel && exposureLevel !== 'none' && (
                  <>
                    <TextInput label="Data exposure details" value={exposureDetails} onChange={(e) => setExposureDetails(e.currentTarget.value)} />
                    <Checkbox label="Personal data is involved" checked={isPersonalData} onChange={(e) => setPersonal(e.currentTarget.checked)} />
                  </>
                )}
              </Stack>
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <Stack gap={4}>
                <TextInput label="Next update at" type="datetime-local" value={nextUpdateAt} onChange={(e) => setNextUpdate(e.currentTarget.value)} />
                <Group gap={4}>
                  {[30, 60, 120].map((m) => (
                    <Button key={m} size="compact-xs" variant="light" onClick={() => setNextUpdate(inMinutes(m))} aria-label={`Next update in ${m < 60 ? `${m} min` : `${m / 60} h`}`}>
                      +{m < 60 ? `${m} min` : `${m / 60} h`}
                    </Button>
                  ))}
                </Group>
              </Stack>
              <Stack gap={4}>
                <TextInput label="Expected resolution at" type="datetime-local" value={expectedResolutionAt} onChange={(e) => setEta(e.currentTarget.value)} />
                <Group gap={4}>
                  {[60, 240, 1440].map((m) => (
                    <Button key={m} size="compact-xs" variant="light" onClick={() => setEta(inMinutes(m))} aria-label={`Expected resolution in ${m / 60} h`}>
                      +{m / 60} h
                    </Button>
                  ))}
                </Group>
              </Stack>
            </SimpleGrid>
            <Textarea label="Remediation" description="What we do so it does not happen again (required for the RCA)" autosize minRows={2} value={remediation} onChange={(e) => setRemediation(e.currentTarget.value)} />
            <ProblemAlert error={save.error} />
            {isEditable && (
              <Group>
                <Button type="submit" loading={save.isPending}>
                  Save disclosures
                </Button>
                {d.nextUpdateAt && (
                  <Text size="xs" c="dimmed">
                    Promised next update: {formatDateTime(d.nextUpdateAt)}
                  </Text>
                )}
              </Group>
            )}
          </Stack>
        </fieldset>
      </form>
    </Section>
  );
}
