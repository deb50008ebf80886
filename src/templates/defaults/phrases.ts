// The words of the default templates, one set per language. Strings may hold Liquid output tags
// ({{ … }}); the composer places the logic around them, so both languages make the same statements.
import type { MessageKind } from '../../domain/types.js';

type Level = 'none' | 'suspected' | 'confirmed' | 'unknown';

export interface Phrases {
  /** Subject and heading per kind: "Incident notice", "Behoben", … */
  title: Record<MessageKind, string>;
  greeting: string;
  intro: Record<MessageKind, string>;
  incident: string;
  status: string;
  firstReported: string;
  affected: { running: string; past: string; none: string };
  impact: string;
  data: { heading: string; lossLabel: string; exposureLabel: string; loss: Record<Level, string>; exposure: Record<Level, string> };
  personalData: { suspected: string; confirmed: string };
  next: { heading: string; expectedLabel: string; expectedUnknown: string; updateLabel: string; update: string; updateUnknown: string };
  resolution: { heading: string; resolvedLabel: string; workingAgain: string };
  remediation: { heading: string; pending: string };
  analysis: string;
  past: { heading: string; none: string; rca: string };
  timeline: string;
  links: { running: string; past: string; statusPage: string };
  closing: string;
  footer: string;
  unsubscribe: string;
  unsubscribeLink: string;
  /** Chat only: labels for the compact lines. */
  chat: { affected: string; data: string; exposure: string; expected: string; update: string; resolved: string; remediation: string; past: string; details: string };
}

export const en: Phrases = {
  title: { initial: 'Incident notice', update: 'Incident update', resolution: 'Resolved', rca: 'Root-cause analysis' },
  greeting: 'Dear {{ contact.name }},',
  intro: {
    initial: 'We are writing to let you know about an incident that affects the services {{ company.name }} provides to {{ client.name }}. Below is everything we know so far.',
    update: 'Here is the latest on the incident that affects the services {{ company.name }} provides to {{ client.name }}.',
    resolution: 'The incident that affected the services {{ company.name }} provides to {{ client.name }} has been resolved.',
    rca: 'Below is our root-cause analysis of the incident that affected the services {{ company.name }} provides to {{ client.name }}: what happened, why it happened, and what we are changing so that it does not happen again.',
  },
  incident: 'Incident',
  status: 'Current status',
  firstReported: 'First reported',
  affected: { running: 'Affected services', past: 'Affected services (during the incident)', none: 'We are still determining which services are affected.' },
  impact: 'Impact',
  data: {
    heading: 'Your data',
    lossLabel: 'Data loss',
    exposureLabel: 'Access by third parties',
    loss: {
      none: 'No data was lost.',
      suspected: 'We cannot yet rule out that data was lost. We are checking this and will tell you what we find.',
      confirmed: 'Data was lost.',
      unknown: 'We are still checking whether any data was lost and will tell you in our next message.',
    },
    exposure: {
      none: 'No data was accessible to unauthorised third parties.',
      suspected: 'We cannot yet rule out that data was accessible to unauthorised third parties. We are investigating this with priority and will tell you what we find.',
      confirmed: 'Data was accessible to unauthorised third parties.',
      unknown: 'We are still checking whether any data was accessible to unauthorised third parties and will tell you in our next message.',
    },
  },
  personalData: {
    suspected:
      'This may involve personal data. We process this data on your behalf and will tell you without undue delay once we know whether personal data was affected, so that you can meet your obligations under the GDPR. Please pass this message on to whoever is responsible for data protection in your organisation.',
    confirmed:
      'Personal data is affected. We process this data on your behalf, so this message is also our notification to you under Art. 33(2) GDPR. Please pass it on to whoever is responsible for data protection in your organisation; we will support you with any notification you have to make.',
  },
  next: {
    heading: 'What happens next',
    expectedLabel: 'Expected resolution',
    expectedUnknown: 'we cannot estimate this reliably yet.',
    updateLabel: 'Next update',
    update: 'by {{ nextUpdateAt | datetime }} at the latest, sooner if anything changes.',
    updateUnknown: 'as soon as we know more.',
  },
  resolution: { heading: 'Resolution', resolvedLabel: 'Resolved', workingAgain: 'The affected services are working normally again.' },
  remediation: {
    heading: 'What we are changing',
    pending: 'We are analysing the cause and will tell you what we are changing so that this does not happen again.',
  },
  analysis: 'Analysis',
  past: {
    heading: 'Earlier incidents on these services',
    none: 'We have no record of earlier incidents on these services that affected {{ client.name }}.',
    rca: 'root-cause analysis',
  },
  timeline: 'Our earlier messages on this incident',
  links: { running: 'Follow this incident on our status page', past: 'This incident on our status page', statusPage: 'Status of all your services' },
  closing: 'Kind regards',
  footer: 'You are receiving this message because you are registered as a contact of {{ client.name }} for service notices from {{ company.name }}.',
  unsubscribe: 'To stop receiving these messages',
  unsubscribeLink: 'Unsubscribe',
  chat: {
    affected: 'Affected',
    data: 'Data loss',
    exposure: 'Access by third parties',
    expected: 'Expected resolution',
    update: 'Next update',
    resolved: 'Resolved',
    remediation: 'What we are changing',
    past: 'Earlier incidents on these services',
    details: 'Details',
  },
};

export const de: Phrases = {
  title: { initial: 'Störungsmeldung', update: 'Neuer Stand zur Störung', resolution: 'Behoben', rca: 'Ursachenanalyse' },
  greeting: 'Guten Tag {{ contact.name }},',
  // Nach der Anrede mit Komma geht es klein weiter (DIN 5008).
  intro: {
    initial: 'wir möchten Sie über eine Störung der Dienste informieren, die {{ company.name }} für {{ client.name }} erbringt. Im Folgenden finden Sie alles, was wir bisher wissen.',
    update: 'hier ist der aktuelle Stand zur Störung der Dienste, die {{ company.name }} für {{ client.name }} erbringt.',
    resolution: 'die Störung der Dienste, die {{ company.name }} für {{ client.name }} erbringt, ist behoben.',
    rca: 'im Folgenden erhalten Sie unsere Ursachenanalyse zur Störung der Dienste, die {{ company.name }} für {{ client.name }} erbringt: was passiert ist, warum es passiert ist und was wir ändern, damit es nicht wieder vorkommt.',
  },
  incident: 'Störung',
  status: 'Aktueller Stand',
  firstReported: 'Erstmals gemeldet',
  affected: { running: 'Betroffene Dienste', past: 'Betroffene Dienste (während der Störung)', none: 'Wir ermitteln noch, welche Dienste betroffen sind.' },
  impact: 'Auswirkung',
  data: {
    heading: 'Ihre Daten',
    lossLabel: 'Datenverlust',
    exposureLabel: 'Zugriff durch Dritte',
    loss: {
      none: 'Es sind keine Daten verloren gegangen.',
      suspected: 'Wir können noch nicht ausschließen, dass Daten verloren gegangen sind. Wir prüfen das und informieren Sie über das Ergebnis.',
      confirmed: 'Es sind Daten verloren gegangen.',
      unknown: 'Wir prüfen noch, ob Daten verloren gegangen sind, und informieren Sie in unserer nächsten Nachricht darüber.',
    },
    exposure: {
      none: 'Es waren keine Daten für unbefugte Dritte zugänglich.',
      suspected: 'Wir können noch nicht ausschließen, dass Daten für unbefugte Dritte zugänglich waren. Wir untersuchen das vorrangig und informieren Sie über das Ergebnis.',
      confirmed: 'Es waren Daten für unbefugte Dritte zugänglich.',
      unknown: 'Wir prüfen noch, ob Daten für unbefugte Dritte zugänglich waren, und informieren Sie in unserer nächsten Nachricht darüber.',
    },
  },
  personalData: {
    suspected:
      'Möglicherweise sind personenbezogene Daten betroffen. Da wir diese Daten in Ihrem Auftrag verarbeiten, informieren wir Sie unverzüglich, sobald wir wissen, ob personenbezogene Daten betroffen sind, damit Sie Ihre Pflichten nach der DSGVO erfüllen können. Bitte leiten Sie diese Nachricht an die für den Datenschutz zuständige Person in Ihrem Unternehmen weiter.',
    confirmed:
      'Es sind personenbezogene Daten betroffen. Da wir diese Daten in Ihrem Auftrag verarbeiten, ist diese Nachricht zugleich unsere Meldung an Sie nach Art. 33 Abs. 2 DSGVO. Bitte leiten Sie sie an die für den Datenschutz zuständige Person in Ihrem Unternehmen weiter; wir unterstützen Sie bei allen Meldungen, die Sie vornehmen müssen.',
  },
  next: {
    heading: 'Wie es weitergeht',
    expectedLabel: 'Voraussichtliche Behebung',
    expectedUnknown: 'Das können wir noch nicht verlässlich abschätzen.',
    updateLabel: 'Nächstes Update',
    update: 'spätestens am {{ nextUpdateAt | datetime }}, bei neuen Erkenntnissen auch früher.',
    updateUnknown: 'sobald wir mehr wissen.',
  },
  resolution: { heading: 'Behebung', resolvedLabel: 'Behoben am', workingAgain: 'Die betroffenen Dienste arbeiten wieder normal.' },
  remediation: {
    heading: 'Was wir ändern',
    pending: 'Wir analysieren die Ursache und teilen Ihnen mit, was wir ändern, damit es nicht wieder vorkommt.',
  },
  analysis: 'Analyse',
  past: {
    heading: 'Frühere Störungen dieser Dienste',
    none: 'Uns sind keine früheren Störungen dieser Dienste bekannt, die {{ client.name }} betroffen haben.',
    rca: 'Ursachenanalyse',
  },
  timeline: 'Unsere bisherigen Nachrichten zu dieser Störung',
  links: { running: 'Den aktuellen Stand finden Sie jederzeit auf unserer Statusseite', past: 'Diese Störung auf unserer Statusseite', statusPage: 'Status aller Ihrer Dienste' },
  closing: 'Mit freundlichen Grüßen',
  footer: 'Sie erhalten diese Nachricht, weil Sie als Kontaktperson von {{ client.name }} für Servicemeldungen von {{ company.name }} eingetragen sind.',
  unsubscribe: 'Wenn Sie diese Nachrichten nicht mehr erhalten möchten',
  unsubscribeLink: 'Abmelden',
  chat: {
    affected: 'Betroffen',
    data: 'Datenverlust',
    exposure: 'Zugriff durch Dritte',
    expected: 'Voraussichtliche Behebung',
    update: 'Nächstes Update',
    resolved: 'Behoben am',
    remediation: 'Was wir ändern',
    past: 'Frühere Störungen dieser Dienste',
    details: 'Details',
  },
};
