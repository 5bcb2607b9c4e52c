import type { DemoCurrency } from './demo-types.js';
import type { NameLanguage } from './names.js';

/**
 * Where the demo's customers live. Offsets are standard time (no DST): they only shape when people
 * shop, and a one-hour drift in a simulated evening peak is invisible.
 */

export interface DemoCity {
  readonly name: string;
  /** IANA time zone name. */
  readonly timezone: string;
  readonly utcOffsetHours: number;
  /** National mobile prefixes, when they depend on the city (North American area codes). */
  readonly mobilePrefixes?: readonly string[];
}

export interface DemoCountry {
  /** ISO 3166-1 alpha-2. */
  readonly code: string;
  readonly weight: number;
  /** BCP 47 locales; the first is the default, another is used by those whose names share its language. */
  readonly locales: readonly string[];
  readonly names: readonly (readonly [NameLanguage, number])[];
  readonly currency: DemoCurrency;
  /** Sales tax or VAT charged on top of the subtotal at checkout. */
  readonly taxRate: number;
  readonly dialCode: string;
  readonly mobilePrefixes: readonly string[];
  /** Digits after the prefix, so that the national number has the country's length. */
  readonly subscriberDigits: number;
  readonly emailDomains: readonly string[];
  readonly cities: readonly DemoCity[];
}

const city = (name: string, timezone: string, utcOffsetHours: number, mobilePrefixes?: readonly string[]) =>
  mobilePrefixes ? { name, timezone, utcOffsetHours, mobilePrefixes } : { name, timezone, utcOffsetHours };

/*
 * Phone numbers use ranges set aside for fiction where one exists: North American 555-01xx
 * (prefix '55501' + 2 digits), UK Ofcom drama numbers 07700 900xxx, French ARCEP 06 39 98 xx xx.
 */
export const DEMO_COUNTRIES: readonly DemoCountry[] = [
  {
    code: 'US',
    weight: 30,
    locales: ['en-US', 'es-US'],
    names: [
      ['en', 0.8],
      ['es', 0.2],
    ],
    currency: 'USD',
    taxRate: 0.08,
    dialCode: '1',
    mobilePrefixes: ['21255501'],
    subscriberDigits: 2,
    emailDomains: ['gmail.example', 'yahoo.example', 'outlook.example', 'icloud.example'],
    cities: [
      city('New York', 'America/New_York', -5, ['21255501', '64655501', '91755501']),
      city('Chicago', 'America/Chicago', -6, ['31255501', '77355501']),
      city('Austin', 'America/Chicago', -6, ['51255501']),
      city('Denver', 'America/Denver', -7, ['30355501', '72055501']),
      city('Los Angeles', 'America/Los_Angeles', -8, ['21355501', '31055501', '42455501']),
      city('Seattle', 'America/Los_Angeles', -8, ['20655501']),
    ],
  },
  {
    code: 'GB',
    weight: 12,
    locales: ['en-GB'],
    names: [
      ['en', 0.9],
      ['tr', 0.05],
      ['fr', 0.05],
    ],
    currency: 'GBP',
    taxRate: 0.2,
    dialCode: '44',
    mobilePrefixes: ['7700900'],
    subscriberDigits: 3,
    emailDomains: ['gmail.example', 'hotmail.example', 'btinternet.example'],
    cities: [
      city('London', 'Europe/London', 0),
      city('Manchester', 'Europe/London', 0),
      city('Bristol', 'Europe/London', 0),
      city('Edinburgh', 'Europe/London', 0),
    ],
  },
  {
    code: 'DE',
    weight: 14,
    locales: ['de-DE'],
    names: [
      ['de', 0.82],
      ['tr', 0.18],
    ],
    currency: 'EUR',
    taxRate: 0.19,
    dialCode: '49',
    mobilePrefixes: ['151', '152', '160', '170', '176', '179'],
    subscriberDigits: 8,
    emailDomains: ['gmx.example', 'web.example', 'gmail.example', 't-online.example'],
    cities: [
      city('Berlin', 'Europe/Berlin', 1),
      city('Hamburg', 'Europe/Berlin', 1),
      city('München', 'Europe/Berlin', 1),
      city('Köln', 'Europe/Berlin', 1),
    ],
  },
  {
    code: 'TR',
    weight: 16,
    locales: ['tr-TR'],
    names: [['tr', 1]],
    currency: 'TRY',
    taxRate: 0.2,
    dialCode: '90',
    mobilePrefixes: ['530', '532', '533', '535', '542', '544', '505', '555'],
    subscriberDigits: 7,
    emailDomains: ['gmail.example', 'hotmail.example', 'yandex.example'],
    cities: [
      city('İstanbul', 'Europe/Istanbul', 3),
      city('Ankara', 'Europe/Istanbul', 3),
      city('İzmir', 'Europe/Istanbul', 3),
      city('Antalya', 'Europe/Istanbul', 3),
    ],
  },
  {
    code: 'FR',
    weight: 10,
    locales: ['fr-FR'],
    names: [
      ['fr', 0.92],
      ['es', 0.08],
    ],
    currency: 'EUR',
    taxRate: 0.2,
    dialCode: '33',
    mobilePrefixes: ['63998'],
    subscriberDigits: 4,
    emailDomains: ['orange.example', 'free.example', 'gmail.example'],
    cities: [
      city('Paris', 'Europe/Paris', 1),
      city('Lyon', 'Europe/Paris', 1),
      city('Marseille', 'Europe/Paris', 1),
      city('Bordeaux', 'Europe/Paris', 1),
    ],
  },
  {
    code: 'ES',
    weight: 8,
    locales: ['es-ES'],
    names: [['es', 1]],
    currency: 'EUR',
    taxRate: 0.21,
    dialCode: '34',
    mobilePrefixes: ['6', '7'],
    subscriberDigits: 8,
    emailDomains: ['gmail.example', 'hotmail.example', 'yahoo.example'],
    cities: [
      city('Madrid', 'Europe/Madrid', 1),
      city('Barcelona', 'Europe/Madrid', 1),
      city('Valencia', 'Europe/Madrid', 1),
      city('Sevilla', 'Europe/Madrid', 1),
    ],
  },
  {
    code: 'MX',
    weight: 5,
    locales: ['es-MX'],
    names: [['es', 1]],
    currency: 'USD',
    taxRate: 0.16,
    dialCode: '52',
    mobilePrefixes: ['55'],
    subscriberDigits: 8,
    emailDomains: ['gmail.example', 'hotmail.example', 'outlook.example'],
    cities: [
      city('Ciudad de México', 'America/Mexico_City', -6, ['55']),
      city('Guadalajara', 'America/Mexico_City', -6, ['33']),
      city('Monterrey', 'America/Monterrey', -6, ['81']),
    ],
  },
  {
    code: 'CA',
    weight: 5,
    locales: ['en-CA', 'fr-CA'],
    names: [
      ['en', 0.75],
      ['fr', 0.25],
    ],
    currency: 'USD',
    taxRate: 0.13,
    dialCode: '1',
    mobilePrefixes: ['41655501'],
    subscriberDigits: 2,
    emailDomains: ['gmail.example', 'outlook.example', 'icloud.example'],
    cities: [
      city('Toronto', 'America/Toronto', -5, ['41655501', '64755501']),
      city('Montréal', 'America/Toronto', -5, ['51455501']),
      city('Vancouver', 'America/Vancouver', -8, ['60455501']),
    ],
  },
];
