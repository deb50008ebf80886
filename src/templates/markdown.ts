// The author's Markdown as safe HTML and as plain text, for message.bodyHtml and message.bodyText.
// A small subset (paragraphs, line breaks, headings, lists, quotes, code, emphasis, http(s)/mailto
// links) rendered from HTML-escaped input, so no markup from the author survives: safe by
// construction rather than by sanitising afterwards.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

/** Inline Markdown of one escaped line; kept HTML waits behind private-use placeholders until the end. */
function inline(raw: string): string {
  const kept: string[] = [];
  const keep = (html: string) => `\uE000${kept.push(html) - 1}\uE001`;
  let s = escapeHtml(raw);
  s = s.replace(/`([^`]+)`/g, (_, code: string) => keep(`<code>${code}</code>`));
  s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole: string, text: string, url: string) =>
    SAFE_URL.test(url) ? keep(`<a href="${url}">${text}</a>`) : whole,
  );
  s = s.replace(/(^|[\s(])(https?:\/\/[^\s<]*[^\s<.,;:!?)'"&])/g, (_, lead: string, url: string) => `${lead}${keep(`<a href="${url}">${url}</a>`)}`);
  s = s.replace(/\*\*(?=\S)(.+?)\*\*|__(?=\S)(.+?)__/g, (_, a?: string, b?: string) => `<strong>${a ?? b}</strong>`);
  s = s.replace(/\*(?=\S)([^*]+?)\*|(?<![\w])_(?=\S)([^_]+?)_(?![\w])/g, (_, a?: string, b?: string) => `<em>${a ?? b}</em>`);
  return s.replace(/\uE000(\d+)\uE001/g, (_, i: string) => kept[Number(i)]!);
}

const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const QUOTE = /^>\s?(.*)$/;
const FENCE = /^\s*(```|~~~)/;

function lines(md: string): string[] {
  // The author's text loses the private-use characters inline() uses as placeholders.
  return md.replace(/[\uE000\uE001]/g, '').replace(/\r\n?/g, '\n').split('\n');
}

/** The fewest #s any heading outside code uses: that level becomes h3. */
function topHeadingLevel(src: string[]): number {
  let top = 6;
  let inCode = false;
  for (const line of src) {
    if (FENCE.test(line)) inCode = !inCode;
    const heading = inCode ? null : HEADING.exec(line);
    if (heading) top = Math.min(top, heading[1]!.length);
  }
  return top;
}

/**
 * Markdown → HTML fragment. The author's top heading level becomes h3, without gaps below it: the
 * e-mail around the body owns h1 and h2, and screen readers navigate by heading level.
 */
export function markdownToHtml(md: string): string {
  const src = lines(md);
  const top = topHeadingLevel(src);
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push(`<p>${para.map(inline).join('<br>')}</p>`);
    para = [];
  };
  for (let i = 0; i < src.length; i++) {
    const line = src[i]!;
    if (FENCE.test(line)) {
      flush();
      const code: string[] = [];
      while (++i < src.length && !FENCE.test(src[i]!)) code.push(src[i]!);
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const level = Math.min(6, heading[1]!.length - top + 3);
      out.push(`<h${level}>${inline(heading[2]!)}</h${level}>`);
      continue;
    }
    const listKind = BULLET.test(line) ? 'ul' : NUMBERED.test(line) ? 'ol' : null;
    if (listKind) {
      flush();
      const pattern = listKind === 'ul' ? BULLET : NUMBERED;
      const items: string[] = [];
      for (; i < src.length; i++) {
        const item = pattern.exec(src[i]!);
        if (item) items.push(item[1]!);
        else if (src[i]!.trim() && /^\s+/.test(src[i]!) && items.length) items[items.length - 1] += ` ${src[i]!.trim()}`;
        else break;
      }
      i--;
      out.push(`<${listKind}>${items.map((t) => `<li>${inline(t)}</li>`).join('')}</${listKind}>`);
      continue;
    }
    if (QUOTE.test(line)) {
      flush();
      const quoted: string[] = [];
      for (; i < src.length && QUOTE.test(src[i]!); i++) quoted.push(QUOTE.exec(src[i]!)![1]!);
      i--;
      out.push(`<blockquote>${markdownToHtml(quoted.join('\n'))}</blockquote>`);
      continue;
    }
    para.push(line.trim());
  }
  flush();
  return out.join('\n');
}

/** Markdown → plain text for the text part and chat: markers removed, links written as "text (url)". */
export function markdownToText(md: string): string {
  return lines(md)
    .filter((line) => !FENCE.test(line))
    .map((line) =>
      line
        .replace(HEADING, (_, _hashes: string, text: string) => text)
        .replace(/^(\s*)[*+]\s+/, '$1- ')
        .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, text: string, url: string) => (text === url ? url : `${text} (${url})`))
        .replace(/`([^`]+)`/g, '$1')
        .replace(/\*\*(?=\S)(.+?)\*\*|__(?=\S)(.+?)__/g, (_, a?: string, b?: string) => a ?? b ?? '')
        .replace(/\*(?=\S)([^*]+?)\*|(?<![\w])_(?=\S)([^_]+?)_(?![\w])/g, (_, a?: string, b?: string) => a ?? b ?? '')
        .trimEnd(),
    )
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
