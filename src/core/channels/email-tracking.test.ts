import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insertPixel, rewriteLinks, withUtm } from './email-tracking.js';

test('withUtm adds what a link lacks and keeps its own utm parameters', () => {
  assert.equal(
    withUtm('https://shop.example/sale?x=1', { source: 'orkestra', medium: 'email' }),
    'https://shop.example/sale?x=1&utm_source=orkestra&utm_medium=email',
  );
  assert.equal(
    withUtm('https://shop.example/?utm_source=news', { source: 'orkestra', campaign: 'spring' }),
    'https://shop.example/?utm_source=news&utm_campaign=spring',
  );
  assert.equal(withUtm('mailto:a@b.co', { source: 'x' }), 'mailto:a@b.co');
});

test('rewriteLinks wraps http(s) anchors only, with entities decoded', () => {
  const html =
    '<p><a class="b" href="https://shop.example/a?x=1&amp;y=2">A</a> <a href=\'http://x.example\'>B</a>' +
    ' <a href="mailto:a@b.co">M</a> <a href="#top">T</a></p>';
  const seen: string[] = [];
  const out = rewriteLinks(html, (url) => {
    seen.push(url);
    return url.includes('x.example') ? undefined : `https://t.example/c/${seen.length}`;
  });
  assert.deepEqual(seen, ['https://shop.example/a?x=1&y=2', 'http://x.example']);
  assert.equal(
    out,
    '<p><a class="b" href="https://t.example/c/1">A</a> <a href=\'http://x.example\'>B</a>' +
      ' <a href="mailto:a@b.co">M</a> <a href="#top">T</a></p>',
  );
});

test('insertPixel goes before </body>, or at the end', () => {
  assert.match(
    insertPixel('<html><body><p>x</p></body></html>', 'P'),
    /<p>x<\/p><img src="P"[^>]*\/><\/body>/,
  );
  assert.match(insertPixel('<p>x</p>', 'P'), /^<p>x<\/p><img src="P"/);
});
