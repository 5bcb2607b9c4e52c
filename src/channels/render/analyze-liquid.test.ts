import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeLiquid } from './analyze-liquid.js';

test('a clean template has no issues; locals and loop variables are not unknown', () => {
  const src =
    '{% assign n = traits.firstName | default: "friend" %}Hi {{ n }} {{ profile.computed.orders }}' +
    '{% for p in catalog.products %}{{ forloop.index }}. {{ p.title | upcase }}{% endfor %}{{ event.properties.total }}{{ context.webhook.body }}';
  assert.deepEqual(analyzeLiquid(src, 'f'), []);
});

test('every unknown filter and unknown variable is reported', () => {
  const issues = analyzeLiquid(
    '{{ profle.name | upcse }} {{ traits.x | shout: 2 }} {{ secret }}',
    'sms.en.body',
  );
  assert.deepEqual(
    issues.map((i) => [i.kind, i.message.split(':')[0]]),
    [
      ['unknown-filter', 'unknown filter "upcse"'],
      ['unknown-filter', 'unknown filter "shout"'],
      ['unknown-variable', 'unknown variable "profle"'],
      ['unknown-variable', 'unknown variable "secret"'],
    ],
  );
  assert.equal(issues[0]?.field, 'sms.en.body');
  assert.equal(issues[3]?.line, 1);
});

test('syntax errors and file tags are reported', () => {
  assert.equal(analyzeLiquid('{% if traits.vip %}no end', 'f')[0]?.kind, 'syntax');
  assert.match(analyzeLiquid('{% include "x" %}', 'f')[0]?.message ?? '', /include/);
});
