// An earlier incident of the same client and components, as the initial notice lists it.

export interface PastOccurrence {
  incidentId: string;
  key: string;
  title: string;
  reportedAt: string;
  rcaUrl: string | null;
}
