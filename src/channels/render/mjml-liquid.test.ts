import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLiquidEngine } from './liquid-engine.js';
import { compileMjml, protectLiquid } from './mjml-liquid.js';

const MJML = `<mjml>
  <mj-body>
    {% if traits.vip %}
    <mj-section><mj-column>
      <mj-text>VIP only, {{ traits.firstName | default: "friend" }} &amp; co</mj-text>
    </mj-column></mj-section>
    {% endif %}
    {% for p in catalog.products %}
    <mj-section><mj-column>
      <mj-text>{% if p.sale %}<b>SALE</b> {% endif %}{{ p.title }}</mj-text>
      <mj-button href="{{ p.url | append: '?utm_source=email&utm_medium=x' }}">Buy</mj-button>
    </mj-column></mj-section>
    {% endfor %}
  </mj-body>
</mjml>`;

test('block tags between components go into mj-raw; tags in content and attributes stay inline', () => {
  const { source, restore } = protectLiquid(MJML);
  assert.equal((source.match(/<mj-raw>ORKLQ\d+Q<\/mj-raw>/g) ?? []).length, 4, 'if, endif, for, endfor');
  assert.match(source, /<mj-button href="ORKLQ\d+Q">/);
  assert.match(source, /<mj-text>ORKLQ\d+Q<b>SALE<\/b> ORKLQ\d+QORKLQ\d+Q<\/mj-text>/);
  assert.ok(!source.includes('{{') && !source.includes('{%'));
  assert.equal(restore('x ORKLQ0Q y'), 'x {% if traits.vip %} y');
});

test('compiled MJML keeps every Liquid tag intact and renders both branches', async () => {
  const { html, warnings } = await compileMjml(MJML);
  assert.deepEqual(warnings, []);
  for (const tag of [
    '{% if traits.vip %}',
    '{% endif %}',
    '{% for p in catalog.products %}',
    '{% endfor %}',
    '{{ traits.firstName | default: "friend" }}',
    `{{ p.url | append: '?utm_source=email&utm_medium=x' }}`,
  ])
    assert.ok(html.includes(tag), `kept ${tag}`);
  assert.ok(html.indexOf('{% if traits.vip %}') < html.indexOf('VIP only'));
  assert.ok(html.indexOf('{% endif %}') > html.indexOf('VIP only'));

  const liquid = createLiquidEngine({ escapeHtml: true });
  const products = [
    { title: 'Çanta', url: 'https://shop.example/p/1', sale: true },
    { title: 'Şapka', url: 'https://shop.example/p/2', sale: false },
  ];
  const vip = await liquid.parseAndRender(html, {
    traits: { vip: true, firstName: 'Ayşe' },
    catalog: { products },
  });
  assert.match(vip, /VIP only, Ayşe &amp; co/);
  assert.match(vip, /href="https:\/\/shop.example\/p\/1\?utm_source=email&amp;utm_medium=x"/);
  assert.equal((vip.match(/<b>SALE<\/b>/g) ?? []).length, 1);
  assert.match(vip, /Şapka/);
  const plain = await liquid.parseAndRender(html, { traits: { vip: false }, catalog: { products: [] } });
  assert.ok(!plain.includes('VIP only') && !plain.includes('Buy'));
  assert.match(plain, /<\/html>\s*$/);
});
