// The author's Markdown (CommonMark, with tables and strikethrough) as safe HTML and as plain text, for
// message.bodyHtml and message.bodyText. markdown-it with raw HTML off writes every tag the author types
// as text, and only http(s) and mailto links become links: safe by construction, not by sanitising after.
import MarkdownIt, { type Token } from 'markdown-it';

const SAFE_LINK = /^(https?:|mailto:)/i;

const md = new MarkdownIt('default', {
  html: false,
  // A line break in the author's text stays one: messages are typed in a text box, not an editor.
  breaks: true,
  linkify: true,
  typographer: false,
});
// Only links with a scheme: "status.example.com" in a sentence stays text.
md.linkify.set({ fuzzyLink: false, fuzzyIP: false });
// markdown-it decodes entities and percent-escapes before this check, so `&#106;avascript:` is caught too.
md.validateLink = (url) => SAFE_LINK.test(url.trim());
// No images: a message shows no remote content (a tracking pixel, a picture standing in for text).
md.disable('image');

/**
 * The author's top heading level becomes h3, the next h4, without gaps: the e-mail around the body owns
 * h1 and h2, and screen readers navigate by heading level.
 */
function shiftHeadings(tokens: Token[]): void {
  const headings = tokens.filter((t) => t.type === 'heading_open' || t.type === 'heading_close');
  if (!headings.length) return;
  const top = Math.min(...headings.map((t) => Number(t.tag.slice(1))));
  for (const t of headings) t.tag = `h${Math.min(6, Number(t.tag.slice(1)) - top + 3)}`;
}

/** Markdown → an HTML fragment with no markup from the author. */
export function markdownToHtml(source: string): string {
  const env = {};
  const tokens = md.parse(source, env);
  shiftHeadings(tokens);
  return md.renderer.render(tokens, md.options, env).trim();
}

/** The text of inline tokens: markers dropped, a link written as "text (url)" unless it shows its address. */
function inlineText(children: Token[]): string {
  let out = '';
  const links: { href: string; start: number; isAuto: boolean }[] = [];
  for (const t of children) {
    if (t.type === 'text' || t.type === 'code_inline') out += t.content;
    else if (t.type === 'softbreak' || t.type === 'hardbreak') out += '\n';
    else if (t.type === 'link_open') links.push({ href: String(t.attrGet('href') ?? ''), start: out.length, isAuto: t.markup === 'linkify' || t.markup === 'autolink' });
    else if (t.type === 'link_close') {
      const link = links.pop();
      if (link && !link.isAuto && out.slice(link.start) !== link.href) out += ` (${link.href})`;
    }
  }
  return out;
}

/** Markdown → plain text for the text part and chat: lists as "- " and "1. ", quotes as "> ", code as is. */
export function markdownToText(source: string): string {
  let text = '';
  /** Open lists, innermost last: the next number of an ordered one, null for bullets. */
  const lists: (number | null)[] = [];
  let quoteDepth = 0;
  let itemPrefix: string | null = null;
  let row: string[] | null = null;
  // The items of a list and the rows of a table sit on consecutive lines; other blocks a blank line apart.
  let isTight = false;
  const push = (block: string) => {
    const indent = '  '.repeat(Math.max(0, lists.length - 1));
    const lines = block.split('\n').map((line, i) => (i === 0 && itemPrefix !== null ? `${indent}${itemPrefix}${line}` : lists.length ? `${indent}  ${line}` : line));
    const quoted = lines.map((line) => `${'> '.repeat(quoteDepth)}${line}`.trimEnd()).join('\n');
    text += !text ? quoted : `${isTight ? '\n' : '\n\n'}${quoted}`;
    itemPrefix = null;
    isTight = lists.length > 0;
  };
  for (const t of md.parse(source, {})) {
    switch (t.type) {
      case 'bullet_list_open':
      case 'ordered_list_open':
        lists.push(t.type === 'ordered_list_open' ? Number(t.attrGet('start') ?? 1) : null);
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        isTight = lists.length > 0;
        break;
      case 'list_item_open': {
        const n = lists.at(-1);
        itemPrefix = typeof n === 'number' ? `${n}. ` : '- ';
        if (typeof n === 'number') lists[lists.length - 1] = n + 1;
        break;
      }
      case 'blockquote_open':
        quoteDepth++;
        break;
      case 'blockquote_close':
        quoteDepth--;
        break;
      case 'thead_open':
        isTight = false;
        break;
      case 'tr_open':
        row = [];
        break;
      case 'tr_close':
        push(row!.join(' | '));
        row = null;
        isTight = true;
        break;
      case 'table_close':
        isTight = false;
        break;
      case 'inline':
        if (row) row.push(inlineText(t.children ?? []));
        else push(inlineText(t.children ?? []));
        break;
      case 'fence':
      case 'code_block':
        push(t.content.replace(/\n$/, ''));
        break;
      case 'hr':
        push('---');
        break;
    }
  }
  return text.trim();
}
