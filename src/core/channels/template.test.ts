import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localeFallbacks, messageTemplateSchema, selectVariant } from './template.js';

const template = messageTemplateSchema.parse({
  id: 'welcome',
  version: 3,
  defaultLocale: 'en',
  variants: {
    sms: { en: { body: 'Hi' }, tr: { body: 'Merhaba' }, 'pt-BR': { body: 'Olá' } },
    email: {
      en: { subject: 'Welcome', format: 'html', body: '<p>Hi</p>', from: { address: 'shop@example.com' } },
    },
    whatsapp: { en: { type: 'template', template: { name: 'welcome', language: 'en_US' } } },
  },
});

test('a template parses with typed per-channel variants and defaults', () => {
  assert.equal(template.version, 3);
  const wa = template.variants.whatsapp?.en;
  assert.ok(wa?.type === 'template');
  assert.deepEqual(wa.template.parameters, [], 'parameters default to none');
});

test('selectVariant falls back from region to language to default locale', () => {
  assert.equal(selectVariant(template, 'sms', 'tr-TR')?.variant.body, 'Merhaba');
  assert.equal(selectVariant(template, 'sms', 'tr')?.locale, 'tr');
  assert.equal(selectVariant(template, 'sms', 'pt-br')?.locale, 'pt-BR', 'case-insensitive match');
  assert.equal(selectVariant(template, 'sms', 'pt-PT')?.locale, 'pt-BR', 'same language, other region');
  assert.equal(selectVariant(template, 'sms', 'de-DE')?.locale, 'en');
  assert.equal(selectVariant(template, 'sms', undefined)?.locale, 'en');
  assert.equal(selectVariant(template, 'email', 'tr')?.variant.subject, 'Welcome');
  assert.equal(selectVariant(template, 'push', 'en'), undefined, 'no push variant');
});

test('localeFallbacks lists prefixes, most specific first', () => {
  assert.deepEqual(localeFallbacks('zh-Hant-TW'), ['zh-Hant-TW', 'zh-Hant', 'zh']);
});

test('a channel without a variant for the default locale is rejected', () => {
  const r = messageTemplateSchema.safeParse({
    id: 'x',
    version: 1,
    defaultLocale: 'en',
    variants: { sms: { tr: { body: 'Merhaba' } } },
  });
  assert.equal(r.success, false);
  assert.match(JSON.stringify(r.error?.issues), /default locale en/);
});

test('bad locales and versions are rejected', () => {
  const base = { id: 'x', defaultLocale: 'en', variants: { sms: { en: { body: 'a' } } } };
  assert.equal(messageTemplateSchema.safeParse({ ...base, version: 0 }).success, false);
  assert.equal(
    messageTemplateSchema.safeParse({ ...base, version: 1, defaultLocale: 'EN_us' }).success,
    false,
  );
});
