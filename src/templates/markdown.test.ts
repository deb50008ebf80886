import { describe, expect, it } from 'vitest';
import { markdownToHtml, markdownToText } from './markdown.js';

describe('message Markdown', () => {
  it('escapes every tag the author wrote', () => {
    expect(markdownToHtml('<script>alert(1)</script> **hi**')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt; <strong>hi</strong></p>');
    expect(markdownToHtml('[x](javascript:alert(1))')).toBe('<p>[x](javascript:alert(1))</p>');
    expect(markdownToHtml('[x](https://a.example/?q="><b>)')).not.toContain('<b>');
  });

  it('renders paragraphs, line breaks, headings, lists, quotes and code', () => {
    const html = markdownToHtml('## Cause\nline one\nline two\n\n- a\n- b `c`\n\n1. one\n2. two\n\n> quoted\n\n```\n<x>\n```');
    expect(html).toBe(
      [
        '<h3>Cause</h3>',
        '<p>line one<br>line two</p>',
        '<ul><li>a</li><li>b <code>c</code></li></ul>',
        '<ol><li>one</li><li>two</li></ol>',
        '<blockquote><p>quoted</p></blockquote>',
        '<pre><code>&lt;x&gt;</code></pre>',
      ].join('\n'),
    );
  });

  it('makes the author’s top heading level h3, below the e-mail’s own headings', () => {
    expect(markdownToHtml('## What happened\n\n### Details\n\n```\n# not a heading\n```')).toBe(
      '<h3>What happened</h3>\n<h4>Details</h4>\n<pre><code># not a heading</code></pre>',
    );
  });

  it('links bare web addresses without swallowing the full stop', () => {
    expect(markdownToHtml('See https://status.example/a_b?x=1&y=2.')).toBe(
      '<p>See <a href="https://status.example/a_b?x=1&amp;y=2">https://status.example/a_b?x=1&amp;y=2</a>.</p>',
    );
  });

  it('writes plain text without markers, links as "text (url)"', () => {
    expect(markdownToText('# Title\n\n* one **bold** _it_\n* [two](https://x.example)\n\n\n\nend')).toBe(
      'Title\n\n- one bold it\n- two (https://x.example)\n\nend',
    );
  });
});
