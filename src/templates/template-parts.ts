// What a template is made of: the channels, the parts each channel's template has, and how a rendered
// part is tidied (a subject is one line; text loses runs of blank lines).

export const CHANNELS = ['email', 'chat'] as const;
export type Channel = (typeof CHANNELS)[number];

export type EmailParts = { subject: string; html: string; text: string };
/** Slack / Teams message text: plain lines, "- " lists, bare URLs. */
export type ChatParts = { text: string };
export type PartsOf<C extends Channel> = C extends 'email' ? EmailParts : ChatParts;
export type PartName = 'subject' | 'html' | 'text';

export const CHANNEL_PARTS: { readonly [C in Channel]: readonly (keyof PartsOf<C> & PartName)[] } = {
  email: ['subject', 'html', 'text'],
  chat: ['text'],
};

/** The longest part accepted (a shipped HTML part is 2–10 kB). */
export const MAX_PART_CHARS = 100_000;

/** Rendered output tidied per part: a subject is one line (no header injection); text loses runs of blank lines. */
export function finishPart(part: string, output: string): string {
  if (part === 'subject') return output.replace(/\s+/g, ' ').trim();
  if (part === 'html') return output.trim();
  return output
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
