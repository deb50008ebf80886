// DESIGN.md §1 drawn small, with this incident's current step lit, so a newcomer sees what comes next.
import { Box, Text, VisuallyHidden } from '@mantine/core';
import { Fragment } from 'react';
import type { Incident } from '../api/types';

type Step = 'report' | 'classify' | 'decide' | 'document' | 'initial' | 'solving' | 'resolution' | 'rca' | 'closed';

const TRUNK: { step: Step; label: string }[] = [
  { step: 'report', label: 'Report' },
  { step: 'classify', label: 'Classify impact' },
  { step: 'decide', label: 'Clients affected?' },
];
const NO_BRANCH: { step: Step; label: string }[] = [
  { step: 'document', label: 'Document internally' },
  { step: 'closed', label: 'Closed' },
];
const YES_BRANCH: { step: Step; label: string }[] = [
  { step: 'initial', label: 'Initial notice' },
  { step: 'solving', label: 'Solving ⇄ status updates' },
  { step: 'resolution', label: 'Resolution notice' },
  { step: 'rca', label: 'RCA sent' },
  { step: 'closed', label: 'Closed' },
];

/** Where the incident stands, and which branch it took. */
export function currentStep(i: Incident): { step: Step; branch: 'yes' | 'no' | null } {
  if (i.stage === 'reported') return { step: 'classify', branch: null };
  if (i.stage === 'internal') return { step: 'document', branch: 'no' };
  const branch = i.decision?.isClientAffected === false ? 'no' : 'yes';
  if (i.stage === 'closed') return { step: 'closed', branch };
  const clients = i.affectedClients;
  if (clients.some((c) => !c.met.initial)) return { step: 'initial', branch };
  if (i.techState !== 'resolved') return { step: 'solving', branch };
  const resolvedAt = i.resolvedAt ?? '';
  if (clients.some((c) => !c.met.resolution || c.met.resolution < resolvedAt)) return { step: 'resolution', branch };
  if (i.obligations.some((o) => o.kind === 'rca') || clients.some((c) => !c.met.rca)) return { step: 'rca', branch };
  return { step: 'closed', branch };
}

/** One line of the picture: steps before `current` are done; with `current` -1 and `isAllDone`, every step is. */
function Row({ steps, current, isAllDone = false }: { steps: { step: Step; label: string }[]; current: Step | null; isAllDone?: boolean }) {
  const at = current ? steps.findIndex((s) => s.step === current) : -1;
  return (
    <>
      {steps.map((s, n) => {
        const isCurrent = n === at;
        const isDone = isAllDone || (at >= 0 && n < at);
        return (
          <Fragment key={s.step + n}>
            {n > 0 && (
              <span className="flow-arrow" aria-hidden>
                →
              </span>
            )}
            <span className="flow-step" data-current={isCurrent || undefined} data-done={isDone || undefined} aria-current={isCurrent ? 'step' : undefined}>
              {isDone ? '✓ ' : ''}
              {s.label}
            </span>
          </Fragment>
        );
      })}
    </>
  );
}

export function FlowPicture({ incident }: { incident: Incident }) {
  const { step, branch } = currentStep(incident);
  const isClosedDone = step === 'closed' && incident.stage === 'closed';
  const label = `Where this incident stands: ${[...TRUNK, ...YES_BRANCH, ...NO_BRANCH].find((s) => s.step === step)?.label ?? step}`;
  return (
    <Box className="flow" role="group" aria-label={label} data-step={step}>
      <div className="flow-row">
        <Row steps={TRUNK} current={branch === null ? step : null} isAllDone={branch !== null} />
      </div>
      {/* The branch not taken is drawn dashed, not faded: faded text would fall below 4.5:1 contrast. */}
      <div className="flow-row" data-skipped={branch === 'yes' || undefined}>
        <span className="flow-branch">
          no ↳{branch === 'yes' && <VisuallyHidden> (not taken)</VisuallyHidden>}
        </span>
        <Row steps={NO_BRANCH} current={branch === 'no' ? step : null} />
      </div>
      <div className="flow-row" data-skipped={branch === 'no' || undefined}>
        <span className="flow-branch">
          yes ↳{branch === 'no' && <VisuallyHidden> (not taken)</VisuallyHidden>}
        </span>
        <Row steps={YES_BRANCH} current={branch === 'yes' ? step : null} />
      </div>
      <Text size="xs" c="dimmed">
        {isClosedDone ? 'The incident is closed.' : NEXT_WORDS[step]}
      </Text>
    </Box>
  );
}

const NEXT_WORDS: Record<Step, string> = {
  report: 'Next: classify the impact.',
  classify: 'Next: classify the impact and decide, with a reason, whether clients are affected.',
  decide: 'Next: decide whether clients are affected.',
  document: 'Next: write the internal summary, then close.',
  initial: 'Next: send the initial notice to every affected client (impact, data loss, data exposure, timeline, past occurrences).',
  solving: 'Next: solve it, and send status updates on the promised cadence until it is resolved.',
  resolution: 'Next: send the resolution notice.',
  rca: 'Next: send the root-cause analysis, then close.',
  closed: 'Nothing more is owed to clients: close the incident.',
};
