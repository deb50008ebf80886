import { describe, expect, it } from 'vitest';
import { markdownToHtml, markdownToText } from './markdown.js';

describe('message Markdown', () => {
  it('writes every tag the author typed as text', () => {
    expect(markdownToHtml('<script>alert(1)</script> **hi**')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt; <strong>hi</strong></p>');
    expect(markdownToHtml('<img src=x onerror=alert(1)>\n\n<div onclick="x()">block</div>')).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>\n<p>&lt;div onclick=&quot;x()&quot;&gt;block&lt;/div&gt;</p>');
    expect(markdownToHtml('[x](https://a.example/?q="><b>)')).not.toContain('<b>');
  });

  it('makes only http(s) and mailto links, however a javascript: or data: address is disguised', () => {
    for (const link of [
      '[x](javascript:alert(1))',
      '[x](JavaScript:alert(1))',
      '[x](&#106;avascript:alert(1))',
      '[x](java%0ascript:alert(1))',
      '[x]( javascript:alert(1))',
      '<javascript:alert(1)>',
      '[x](vbscript:msgbox(1))',
      '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
      '[x](file:///etc/passwd)',
      '[x][ref]\n\n[ref]: javascript:alert(1)',
    ]) {
      const html = markdownToHtml(link);
      expect(html, link).not.toMatch(/<a\b/);
      expect(html, link).not.toMatch(/href/);
    }
    expect(markdownToHtml('[status](https://status.example/x) [mail](mailto:ops@example.com) [plain](http://a.example)')).toBe(
      '<p><a href="https://status.example/x">status</a> <a href="mailto:ops@example.com">mail</a> <a href="http://a.example">plain</a></p>',
    );
  });

  it('shows no images, not even from a web address', () => {
    expect(markdownToHtml('![logo](https://tracker.example/pixel.png)')).not.toContain('<img');
  });

  it('renders CommonMark: paragraphs, line breaks, headings, lists, emphasis, quotes and code', () => {
    const html = markdownToHtml('## Cause\nline one\nline two\n\n- a\n- b `c`\n\n1. one\n2. *two* **three**\n\n> quoted\n\n```\n<x>\n```');
    expect(html).toBe(
      [
        '<h3>Cause</h3>',
        '<p>line one<br>\nline two</p>',
        '<ul>\n<li>a</li>\n<li>b <code>c</code></li>\n</ul>',
        '<ol>\n<li>one</li>\n<li><em>two</em> <strong>three</strong></li>\n</ol>',
        '<blockquote>\n<p>quoted</p>\n</blockquote>',
        '<pre><code>&lt;x&gt;\n</code></pre>',
      ].join('\n'),
    );
    expect(markdownToHtml('1. first\n   - nested\n2. second')).toBe('<ol>\n<li>first\n<ul>\n<li>nested</li>\n</ul>\n</li>\n<li>second</li>\n</ol>');
    expect(markdownToHtml('| a | b |\n|---|---|\n| 1 | 2 |')).toContain('<td>1</td>');
  });

  it('makes the author’s top heading level h3, below the e-mail’s own headings', () => {
    expect(markdownToHtml('## What happened\n\n### Details\n\n```\n# not a heading\n```')).toBe(
      '<h3>What happened</h3>\n<h4>Details</h4>\n<pre><code># not a heading\n</code></pre>',
    );
    expect(markdownToHtml('# One\n\n###### Six')).toBe('<h3>One</h3>\n<h6>Six</h6>');
  });

  it('links bare web addresses without swallowing the full stop, but not bare domain names', () => {
    expect(markdownToHtml('See https://status.example/a_b?x=1&y=2.')).toBe(
      '<p>See <a href="https://status.example/a_b?x=1&amp;y=2">https://status.example/a_b?x=1&amp;y=2</a>.</p>',
    );
    expect(markdownToHtml('on status.example.com')).toBe('<p>on status.example.com</p>');
  });

  it('writes plain text without markers, links as "text (url)", lists and quotes kept', () => {
    expect(markdownToText('# Title\n\n* one **bold** _it_\n* [two](https://x.example)\n\n\n\nend')).toBe('Title\n\n- one bold it\n- two (https://x.example)\n\nend');
    expect(markdownToText('1. first\n   - nested `code`\n2. see https://a.example\n\n> quoted\n> lines\n\n```\nraw <x>\n```')).toBe(
      '1. first\n  - nested code\n2. see https://a.example\n\n> quoted\n> lines\n\nraw <x>',
    );
    expect(markdownToText('a &amp; b, [x](javascript:alert(1))')).toBe('a & b, [x](javascript:alert(1))');
  });
});
