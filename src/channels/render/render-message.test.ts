import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageTemplateSchema } from '../../core/channels/template.js';
import { compileTemplate } from './compile-template.js';
import { createMessageRenderer, renderMessage } from './render-message.js';

const from = { address: 'shop@example.com', name: 'Shop' };
const template = messageTemplateSchema.parse({
  id: 'cart',
  version: 2,
  defaultLocale: 'en',
  variants: {
    email: {
      en: {
        subject: 'Your cart, {{ traits.firstName }}',
        preheader: '{{ event.properties.count }} items waiting',
        format: 'mjml',
        body: '<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ traits.firstName }}</mj-text><mj-button href="{{ event.properties.url }}">Open cart</mj-button></mj-column></mj-section></mj-body></mjml>',
        from,
      },
      tr: {
        subject: 'Sepetin',
        format: 'html',
        body: '<p>Merhaba {{ traits.firstName }}</p>',
        text: 'Merhaba',
        from,
      },
    },
    sms: {
      en: { body: 'Hi {{ traits.firstName }}' },
      tr: { body: 'Merhaba {{ traits.firstName }}, sepetin seni bekliyor' },
    },
    push: {
      en: {
        title: '{{ event.event }}',
        body: 'Hi',
        image: '{{ event.properties.image }}',
        data: { cart: '{{ event.properties.cartId }}' },
      },
    },
    whatsapp: {
      en: {
        type: 'template',
        template: { name: 'cart_reminder', language: 'tr', parameters: ['{{ traits.firstName }}'] },
      },
    },
    webhook: {
      en: { url: 'https://hooks.example/{{ profile.id }}', body: '{"name":{{ traits.firstName | json }}}' },
    },
  },
});

const data = {
  profile: { id: 'prf_1' },
  traits: { firstName: '<Ayşe>' },
  event: {
    event: 'Cart Abandoned',
    properties: { count: 2, url: 'https://shop.example/cart?a=1&b=2', cartId: 'c9' },
  },
};

const compiled = async () => {
  const r = await compileTemplate(template);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  return r.value.template;
};

test('email: MJML compiled at save, Liquid escaped in HTML, preheader first, text part generated', async () => {
  const r = await renderMessage(await compiled(), 'email', 'en-GB', data);
  assert.ok(r.ok && r.value.channel === 'email');
  const email = r.value;
  assert.equal(email.subject, 'Your cart, <Ayşe>', 'subject is text, not escaped');
  assert.match(email.html, /Hi &lt;Ayşe&gt;/);
  assert.match(email.html, /href="https:\/\/shop.example\/cart\?a=1&amp;b=2"/);
  assert.ok(email.html.indexOf('2 items waiting') < email.html.indexOf('Hi &lt;'));
  assert.match(email.text, /Hi <Ayşe>/);
  assert.match(email.text, /Open cart \(https:\/\/shop.example\/cart\?a=1&b=2\)/);
  assert.ok(!email.text.includes('items waiting'), 'the hidden preheader is not in the text part');
  assert.deepEqual(email.from, from);
});

test('locale fallback: tr-TR gets the Turkish variant, its own text part, SMS encoding info', async () => {
  const c = await compiled();
  const email = await renderMessage(c, 'email', 'tr-TR', data);
  assert.ok(email.ok && email.value.channel === 'email');
  assert.equal(email.value.text, 'Merhaba');
  const sms = await renderMessage(c, 'sms', 'tr-TR', { traits: { firstName: 'Çağla' } });
  assert.ok(sms.ok && sms.value.channel === 'sms');
  assert.equal(sms.value.body, 'Merhaba Çağla, sepetin seni bekliyor');
  assert.equal(sms.value.info.encoding, 'UCS-2');
});

test('push drops empty optional fields; whatsapp and webhook payloads render', async () => {
  const c = await compiled();
  const push = await renderMessage(c, 'push', 'en', data);
  assert.deepEqual(push.ok && push.value, {
    channel: 'push',
    title: 'Cart Abandoned',
    body: 'Hi',
    data: { cart: 'c9' },
  });
  const wa = await renderMessage(c, 'whatsapp', 'en', data);
  assert.deepEqual(wa.ok && wa.value, {
    channel: 'whatsapp',
    type: 'template',
    name: 'cart_reminder',
    language: 'tr',
    parameters: ['<Ayşe>'],
  });
  const hook = await renderMessage(c, 'webhook', 'en', data);
  assert.ok(hook.ok && hook.value.channel === 'webhook');
  assert.equal(hook.value.url, 'https://hooks.example/prf_1');
  assert.deepEqual(JSON.parse(hook.value.body), { name: '<Ayşe>' });
});

test('a missing channel is a no-variant failure; prototype properties are invisible', async () => {
  const c = await compiled();
  const r = await renderMessage(c, 'inapp', 'en', data);
  assert.deepEqual(r, {
    ok: false,
    error: { code: 'no-variant', message: 'template cart has no inapp variant' },
  });
  const proto = await createMessageRenderer().renderMessage(
    { ...c, variants: { sms: { en: { body: '[{{ traits.constructor }}{{ traits.__proto__ }}]' } } } },
    'sms',
    'en',
    data,
  );
  assert.ok(proto.ok && proto.value.channel === 'sms');
  assert.equal(proto.value.body, '[]');
});

test('a runaway template hits the render limit and fails instead of hanging', async () => {
  const renderer = createMessageRenderer({ limits: { renderLimit: 50 } });
  const loop = '{% for a in (1..100000) %}{% for b in (1..100) %}x{% endfor %}{% endfor %}';
  const r = await renderer.renderMessage(
    { id: 't', version: 1, defaultLocale: 'en', variants: { sms: { en: { body: loop } } } },
    'sms',
    'en',
    {},
  );
  assert.ok(!r.ok && r.error.code === 'render-error', JSON.stringify(r));
});

test('compileTemplate rejects unknown variables and filters with the field path', async () => {
  const bad = messageTemplateSchema.parse({
    ...template,
    variants: { sms: { en: { body: '{{ traits.firstName | shout }} {{ secrets.key }}' } } },
  });
  const r = await compileTemplate(bad);
  assert.ok(!r.ok);
  assert.deepEqual(
    r.error.map((i) => [i.field, i.kind]),
    [
      ['variants.sms.en.body', 'unknown-filter'],
      ['variants.sms.en.body', 'unknown-variable'],
    ],
  );
});
