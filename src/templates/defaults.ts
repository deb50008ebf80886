// The templates Herald ships: every message kind in English and German, for e-mail and chat. Written
// as a careful company writes to its clients; an admin's edited version replaces one per kind,
// language and channel.
import { MESSAGE_KINDS, type MessageKind } from '../domain/types.js';
import { chatText, htmlBody, subject, textBody } from './defaults/compose.js';
import { de, en, type Phrases } from './defaults/phrases.js';
import { CHANNELS, type Channel, type ChatParts, type EmailParts, type PartsOf } from './template-parts.js';
import { LANGUAGES, resolveLanguage, type Language } from './texts.js';

const PHRASES: Record<Language, Phrases> = { en, de };

export interface DefaultTemplate<C extends Channel = Channel> {
  kind: MessageKind;
  language: Language;
  channel: C;
  parts: PartsOf<C>;
}

function build(kind: MessageKind, language: Language, channel: Channel): EmailParts | ChatParts {
  const p = PHRASES[language];
  return channel === 'email' ? { subject: subject(kind, p), html: htmlBody(kind, p), text: textBody(kind, p) } : { text: chatText(kind, p) };
}

/** Every shipped template: 4 kinds × 2 languages × 2 channels. */
export const DEFAULT_TEMPLATES: readonly DefaultTemplate[] = MESSAGE_KINDS.flatMap((kind) =>
  LANGUAGES.flatMap((language) => CHANNELS.map((channel) => ({ kind, language, channel, parts: build(kind, language, channel) }) as DefaultTemplate)),
);

/** The shipped template for a kind, language (unknown languages get English) and channel. */
export function defaultTemplate<C extends Channel>(kind: MessageKind, language: string, channel: C): PartsOf<C> {
  const lang = resolveLanguage(language);
  const found = DEFAULT_TEMPLATES.find((t) => t.kind === kind && t.language === lang && t.channel === channel);
  return found!.parts as PartsOf<C>;
}
