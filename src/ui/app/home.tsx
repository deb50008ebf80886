// Pages that differ for staff and client users: the same address, each person's own view.
import { useParams } from '@tanstack/react-router';
import { ClientHome } from '../client/client-home';
import { ClientIncidentPage } from '../client/client-incident-page';
import { ClientReportPage } from '../client/client-report-page';
import { Board } from '../incidents/board';
import { IncidentPage } from '../incidents/incident-page';
import { ReportPage } from '../incidents/report-page';
import { useSession } from './session';

export function HomePage() {
  return useSession().isStaff ? <Board /> : <ClientHome />;
}

export function IncidentRoutePage() {
  const { key } = useParams({ strict: false }) as { key: string };
  const { isStaff } = useSession();
  return isStaff ? <IncidentPage incidentKey={key} key={key} /> : <ClientIncidentPage incidentKey={key} key={key} />;
}

export function ReportRoutePage() {
  return useSession().isStaff ? <ReportPage /> : <ClientReportPage />;
}
