/**
 * Phone numbers to E.164 (ITU-T E.164: `+` then at most 15 digits, no leading zero in the country code).
 * A number written nationally (`0532 123 45 67`) needs the person's country to get its calling code.
 */
const CALLING_CODES: Readonly<Record<string, string>> = {
  TR: '90',
  US: '1',
  CA: '1',
  GB: '44',
  IE: '353',
  DE: '49',
  AT: '43',
  CH: '41',
  FR: '33',
  BE: '32',
  NL: '31',
  LU: '352',
  ES: '34',
  PT: '351',
  IT: '39',
  GR: '30',
  PL: '48',
  CZ: '420',
  SE: '46',
  NO: '47',
  DK: '45',
  FI: '358',
  RO: '40',
  BG: '359',
  HU: '36',
  UA: '380',
  RU: '7',
  AE: '971',
  SA: '966',
  EG: '20',
  IL: '972',
  IN: '91',
  PK: '92',
  CN: '86',
  JP: '81',
  KR: '82',
  SG: '65',
  AU: '61',
  NZ: '64',
  BR: '55',
  MX: '52',
  AR: '54',
  CL: '56',
  CO: '57',
  ZA: '27',
  NG: '234',
  KE: '254',
  MA: '212',
  AZ: '994',
  KZ: '7',
};

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * @example toE164('0532 123 45 67', 'TR') // '+905321234567'
 * @example toE164('+1 (415) 555-0100') // '+14155550100'
 */
export function toE164(raw: string, country?: string): string | undefined {
  const trimmed = raw.trim();
  let digits = trimmed.replace(/[\s\-().\u00a0/]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  if (digits.startsWith('+')) return E164.test(digits) ? digits : undefined;
  if (!/^\d+$/.test(digits)) return undefined;
  const code = country === undefined ? undefined : CALLING_CODES[country.toUpperCase()];
  if (code === undefined) return undefined;
  const national = digits.replace(/^0+/, '');
  const withCode = national.startsWith(code) && national.length > 10 ? `+${national}` : `+${code}${national}`;
  return E164.test(withCode) ? withCode : undefined;
}

export const isE164 = (s: string): boolean => E164.test(s);
