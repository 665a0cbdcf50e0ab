import { strict as assert } from 'node:assert';
import { parseHtml } from '../src/html-text-parser.js';
import { parseMarkdownLegacy, parseMarkdownV2 } from '../src/markdown-text-parser.js';
import { parseMultipart } from '../src/multipart-parser.js';
import { detectUserEntities } from '../src/user-text-entities.js';

describe('emulator: HTML parse mode', () => {
  it('turns tags into entities with UTF-16 offsets and decodes character references', () => {
    const parsed = parseHtml(
      '😀 <b>bold <i>both</i></b> <a href="https://x.test/?a=1&amp;b=2">link</a> &lt;3',
    );
    assert.equal(parsed.text, '😀 bold both link <3');
    assert.deepEqual(parsed.entities, [
      { type: 'bold', offset: 3, length: 9 },
      { type: 'italic', offset: 8, length: 4 },
      { type: 'text_link', offset: 13, length: 4, url: 'https://x.test/?a=1&b=2' },
    ]);
  });

  it('makes <pre><code class="language-x"> one pre entity with a language', () => {
    const parsed = parseHtml('<pre><code class="language-ts">let a;</code></pre>');
    assert.deepEqual(parsed.entities, [{ type: 'pre', offset: 0, length: 6, language: 'ts' }]);
  });

  it('fails like Telegram on unsupported, unmatched and unclosed tags', () => {
    assert.throws(() => parseHtml('a <br> b'), /Unsupported start tag "br" at byte offset 2/);
    assert.throws(
      () => parseHtml('<b>x</i>'),
      /Unmatched end tag at byte offset 4, expected "<\/b>", found "<\/i>"/,
    );
    assert.throws(() => parseHtml('<b>x'), /Can't find end tag corresponding to start tag "b"/);
    assert.throws(() => parseHtml('x</b>'), /Unexpected end tag at byte offset 1/);
  });
});

describe('emulator: MarkdownV2 and Markdown parse modes', () => {
  it('parses nested entities, links, code and escapes', () => {
    const parsed = parseMarkdownV2(
      '*bold _both_* __under__ [site](https://a.test) `co\\`de` 1\\.5',
    );
    assert.equal(parsed.text, 'bold both under site co`de 1.5');
    assert.deepEqual(parsed.entities, [
      { type: 'bold', offset: 0, length: 9 },
      { type: 'italic', offset: 5, length: 4 },
      { type: 'underline', offset: 10, length: 5 },
      { type: 'text_link', offset: 16, length: 4, url: 'https://a.test' },
      { type: 'code', offset: 21, length: 5 },
    ]);
  });

  it('requires reserved characters to be escaped, with byte offsets', () => {
    assert.throws(
      () => parseMarkdownV2('é 1.5'),
      /Character '\.' is reserved and must be escaped with the preceding '\\' at byte offset 4/,
    );
    assert.throws(() => parseMarkdownV2('*open'), /Can't find end of Bold entity at byte offset 0/);
  });

  it('parses block quotes line by line', () => {
    const parsed = parseMarkdownV2('>quoted\n>still\nplain');
    assert.equal(parsed.text, 'quoted\nstill\nplain');
    assert.deepEqual(parsed.entities, [{ type: 'blockquote', offset: 0, length: 12 }]);
  });

  it('parses legacy Markdown without strict escaping', () => {
    const parsed = parseMarkdownLegacy('*bold* costs 1.5 _now_');
    assert.equal(parsed.text, 'bold costs 1.5 now');
    assert.deepEqual(parsed.entities, [
      { type: 'bold', offset: 0, length: 4 },
      { type: 'italic', offset: 15, length: 3 },
    ]);
    assert.throws(
      () => parseMarkdownLegacy('*open'),
      /Can't find end of the entity starting at byte offset 0/,
    );
  });
});

describe('emulator: entities in what users type', () => {
  it('marks commands (with @bot), mentions, hashtags and URLs', () => {
    assert.deepEqual(detectUserEntities('/find@tete_bot now @someone #tea https://a.test/x.'), [
      { type: 'bot_command', offset: 0, length: 14 },
      { type: 'mention', offset: 19, length: 8 },
      { type: 'hashtag', offset: 28, length: 4 },
      { type: 'url', offset: 33, length: 16 },
    ]);
    assert.deepEqual(detectUserEntities('a/b and 1/2'), []);
  });
});

describe('emulator: multipart parser', () => {
  it("reads grammY's compact headers and browser-style quoted ones", () => {
    const body = Buffer.from(
      '--XyZ\r\ncontent-disposition:form-data;name="chat_id"\r\n\r\n42\r\n' +
        '--XyZ\r\nContent-Disposition: form-data; name="f1"; filename="a b.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\x00\x01\r\n' +
        '--XyZ\r\ncontent-disposition:form-data;name="f2";filename=photo.jpg\r\n\r\nraw\r\n--XyZ--\r\n',
      'latin1',
    );
    const parts = parseMultipart(body, 'XyZ');
    assert.deepEqual(
      parts.map((part) => [part.name, part.fileName, part.data.toString('latin1')]),
      [
        ['chat_id', undefined, '42'],
        ['f1', 'a b.jpg', '\x00\x01'],
        ['f2', 'photo.jpg', 'raw'],
      ],
    );
  });
});
