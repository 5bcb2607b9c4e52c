import { MS_PER_DAY } from '../brand.js';
import type { Random } from '../random.js';
import { pick, randomInt } from '../random.js';
import { DEMO_CATEGORIES } from './catalog.js';
import type { DemoCity, DemoCountry } from './countries.js';
import { DEMO_COUNTRIES } from './countries.js';
import type { DemoCategory } from './demo-types.js';
import { formatDay } from './format-iso.js';
import type { NameLanguage } from './names.js';
import { asciiFold, NAME_POOLS } from './names.js';
import { randomDigits } from './random-ids.js';
import { chance, drawWeighted, gaussian, poisson, weightTable } from './sampling.js';

/**
 * Who a simulated shopper is and how they behave. A persona is drawn once per person; the
 * session simulation then follows it, so each person's activity is consistent.
 */

/** How engaged a person is: `visitor`s never sign up, `browser`s sign up but never buy. */
export type Archetype = 'visitor' | 'browser' | 'occasional' | 'regular' | 'loyal';

interface ArchetypeRule {
  readonly share: number;
  /** Mean sessions in 28 days, before the person's own engagement factor. */
  readonly sessionsPer28Days: number;
  /** Chance that a signed-in session ends in an order. */
  readonly buyRate: number;
}

const ARCHETYPES: Readonly<Record<Archetype, ArchetypeRule>> = {
  visitor: { share: 22, sessionsPer28Days: 1.3, buyRate: 0 },
  browser: { share: 25, sessionsPer28Days: 2.4, buyRate: 0 },
  occasional: { share: 33, sessionsPer28Days: 2.7, buyRate: 0.2 },
  regular: { share: 14, sessionsPer28Days: 3.8, buyRate: 0.4 },
  loyal: { share: 6, sessionsPer28Days: 7, buyRate: 0.55 },
};
const ARCHETYPE_TABLE = weightTable(Object.keys(ARCHETYPES) as Archetype[], (a) => ARCHETYPES[a].share);
const COUNTRY_TABLE = weightTable(DEMO_COUNTRIES, (c) => c.weight);

export interface Persona {
  readonly index: number;
  readonly archetype: Archetype;
  readonly userId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  /** E.164, for about 60% of people. */
  readonly phone?: string;
  readonly birthday: string;
  readonly country: DemoCountry;
  readonly city: DemoCity;
  readonly locale: string;
  readonly emailOptIn: boolean;
  readonly smsOptIn: boolean;
  readonly favorite: DemoCategory;
  readonly sessions: number;
  readonly buyRate: number;
  /** Sessions before the person signs up or logs in (known archetypes only). */
  readonly anonymousSessions: number;
  /** How long the account existed before the window began; absent when the person signs up within it. */
  readonly accountAgeMs?: number;
  readonly app?: 'ios' | 'android';
  /** Also shops on a second browser or app install after signing up. */
  readonly secondDevice?: 'web' | 'ios' | 'android';
  /** Their sign-up sends an `alias` from the anonymous id as well as an `identify`. */
  readonly aliasAtSignUp: boolean;
}

export interface PersonaInput {
  readonly index: number;
  readonly days: number;
  /** Day count (since 1970-01-01) of the window's end, for birthdays. */
  readonly endDay: number;
  /** Emails already given out; the new one is added. */
  readonly emails: Set<string>;
}

function drawLanguage(rng: Random, country: DemoCountry): NameLanguage {
  let x = rng.next();
  for (const [language, share] of country.names) if ((x -= share) < 0) return language;
  return country.names[0]?.[0] ?? 'en';
}

interface EmailOwner {
  readonly firstName: string;
  readonly lastName: string;
  readonly birthYear: number;
  readonly country: DemoCountry;
}

/** A lowercase address derived from the name; a birth year or, at last, the index keeps it unique. */
function drawEmail(rng: Random, owner: EmailOwner, input: PersonaInput): string {
  const f = asciiFold(owner.firstName);
  const l = asciiFold(owner.lastName);
  const domain = `@${pick(rng, owner.country.emailDomains)}`;
  const candidates = [
    pick(rng, [`${f}.${l}`, `${f}.${l}`, `${f}${l}`, `${f.charAt(0)}${l}`, `${f}_${l}`, `${l}.${f}`]),
    `${f}.${l}${String(owner.birthYear).slice(2)}`,
    `${f}${l}${owner.birthYear}`,
  ];
  for (const local of candidates) {
    const email = local + domain;
    if (!input.emails.has(email)) return email;
  }
  return `${f}.${l}.${input.index}${domain}`;
}

/**
 * Draw one person: name, contact details, home, devices and how much they shop.
 * @example createPersona(createRandom(7), { index: 0, days: 28, endDay: 20089, emails: new Set() }).email;
 * // 'zeynep.kaya@gmail.example'
 */
export function createPersona(rng: Random, input: PersonaInput): Persona {
  const archetype = drawWeighted(rng, ARCHETYPE_TABLE);
  const rule = ARCHETYPES[archetype];
  const country = drawWeighted(rng, COUNTRY_TABLE);
  const city = pick(rng, country.cities);
  const language = drawLanguage(rng, country);
  const pool = NAME_POOLS[language];
  const firstName = pick(rng, pool.first);
  const lastName = pick(rng, pool.last);
  const ageDays = Math.floor((18 + 52 * Math.pow(rng.next(), 1.6)) * 365.25);
  const birthDay = input.endDay - ageDays;
  const birthYear = Number(formatDay(birthDay).slice(0, 4));
  const email = drawEmail(rng, { firstName, lastName, birthYear, country }, input);
  input.emails.add(email);
  const localeMatch = country.locales.find((l) => l.startsWith(`${language}-`));
  const locale = localeMatch && chance(rng, 0.7) ? localeMatch : (country.locales[0] ?? 'en-US');
  const phone = chance(rng, 0.6)
    ? `+${country.dialCode}${pick(rng, city.mobilePrefixes ?? country.mobilePrefixes)}${randomDigits(rng, country.subscriberDigits)}`
    : undefined;
  const engagement = Math.exp(0.75 * gaussian(rng) - 0.28);
  const sessions = Math.max(1, poisson(rng, rule.sessionsPer28Days * (input.days / 28) * engagement));
  const app = chance(rng, 0.3) ? (chance(rng, 0.55) ? 'ios' : 'android') : undefined;
  const known = archetype !== 'visitor';
  const existing = known && chance(rng, archetype === 'loyal' ? 0.85 : 0.4);
  return {
    index: input.index,
    archetype,
    userId: `cus_${String(input.index + 1).padStart(6, '0')}`,
    firstName,
    lastName,
    email,
    ...(phone === undefined ? {} : { phone }),
    birthday: formatDay(birthDay - randomInt(rng, 0, 364)),
    country,
    city,
    locale,
    emailOptIn: chance(rng, 0.7),
    smsOptIn: phone !== undefined && chance(rng, 0.55),
    favorite: pick(rng, DEMO_CATEGORIES),
    sessions,
    buyRate: rule.buyRate,
    anonymousSessions: known ? pick(rng, [0, 0, 0, 1, 1, 2]) : sessions,
    ...(existing ? { accountAgeMs: randomInt(rng, 3 * MS_PER_DAY, 900 * MS_PER_DAY) } : {}),
    ...(app ? { app } : {}),
    ...(known && chance(rng, 0.2)
      ? { secondDevice: app ? 'web' : pick(rng, ['web', 'ios', 'android'] as const) }
      : {}),
    aliasAtSignUp: known && !existing && chance(rng, 0.08),
  };
}
