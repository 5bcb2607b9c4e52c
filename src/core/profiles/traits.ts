import { toE164 } from './phone.js';

/**
 * Segment's reserved traits (https://segment.com/docs/connections/spec/identify/#traits), parsed into
 * canonical form. Snake-case spellings that other SDKs send (`first_name`) are folded into the
 * spec's camelCase; values that cannot be parsed are kept as sent and flagged, never dropped.
 */
const ALIASES: Readonly<Record<string, string>> = {
  first_name: 'firstName',
  firstname: 'firstName',
  last_name: 'lastName',
  lastname: 'lastName',
  phone_number: 'phone',
  phoneNumber: 'phone',
  mobile: 'phone',
  date_of_birth: 'birthday',
  dateOfBirth: 'birthday',
  birthdate: 'birthday',
  time_zone: 'timezone',
  timeZone: 'timezone',
  language: 'locale',
  created_at: 'createdAt',
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const normalizeEmail = (v: unknown): string | undefined => {
  if (typeof v !== 'string') return undefined;
  const email = v.trim().toLowerCase();
  return EMAIL.test(email) ? email : undefined;
};

function normalizeDate(v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v).trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (m) return `${m[1]}-${m[2]}-${m[3]}`;
  const ms = typeof v === 'number' ? v : Date.parse(s);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : undefined;
}

/** True when `tz` is an IANA time zone the runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function normalizeLocale(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{2}|\d{3}))?$/.exec(v.trim());
  if (!m) return undefined;
  return m[2] ? `${m[1]!.toLowerCase()}-${m[2].toUpperCase()}` : m[1]!.toLowerCase();
}

/**
 * Canonical traits: aliases folded, email lower-cased, phone in E.164 (using `country` for national
 * numbers), birthday as `yyyy-mm-dd`, locale as a BCP 47 tag, country upper-cased, `name` split into
 * first and last name when those are absent. `nested` keeps `address.country` / `address.city` reachable.
 * @example normalizeTraits({ Email: 'A@B.com' }) // { Email: 'A@B.com' } (trait names are case-sensitive)
 * @example normalizeTraits({ email: ' A@B.com ', first_name: 'Ada' }) // { email: 'a@b.com', firstName: 'Ada' }
 */
export function normalizeTraits(input: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const traits: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    traits[ALIASES[key] ?? key] = value;
  }
  const address = traits.address as Record<string, unknown> | undefined;
  if (address && typeof address === 'object') {
    if (traits.country === undefined && typeof address.country === 'string') traits.country = address.country;
    if (traits.city === undefined && typeof address.city === 'string') traits.city = address.city;
  }
  if (typeof traits.country === 'string' && /^[a-zA-Z]{2}$/.test(traits.country.trim())) {
    traits.country = traits.country.trim().toUpperCase();
  }
  if (traits.email !== undefined) traits.email = normalizeEmail(traits.email) ?? traits.email;
  if (typeof traits.phone === 'string' || typeof traits.phone === 'number') {
    const country = typeof traits.country === 'string' ? traits.country : undefined;
    traits.phone = toE164(String(traits.phone), country) ?? traits.phone;
  }
  if (traits.birthday !== undefined) traits.birthday = normalizeDate(traits.birthday) ?? traits.birthday;
  if (traits.locale !== undefined) traits.locale = normalizeLocale(traits.locale) ?? traits.locale;
  if (typeof traits.name === 'string' && traits.firstName === undefined && traits.lastName === undefined) {
    const [first, ...last] = traits.name.trim().split(/\s+/);
    if (first) traits.firstName = first;
    if (last.length > 0) traits.lastName = last.join(' ');
  }
  return traits;
}
