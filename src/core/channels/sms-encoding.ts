/**
 * SMS encoding and segment count, per 3GPP TS 23.038 (formerly GSM 03.38) §6.2.1 "GSM 7 bit Default
 * Alphabet" and §6.2.1.1 "GSM 7 bit default alphabet extension table", and 3GPP TS 23.040 §9.2.3.24.1
 * for concatenation (a 6-octet user data header leaves 153 septets or 67 UCS-2 characters per part).
 *
 * Position 0x09 is CAPITAL C with cedilla `Ç` in 3GPP TS 23.038; the Unicode Consortium's GSM0338.TXT
 * maps it to small `ç` instead ("a correction of 0x09 to small c-cedilla"). We follow the 3GPP table,
 * as do ICU's gsm-03.38-2009 mapping and Perl's Encode::GSM0338 (which cites TS 23.038 v16): so for
 * Turkish, `Ç Ö Ü ö ü` are GSM-7 but `ç ğ Ğ ı İ ş Ş` force UCS-2. The Turkish national language
 * shift tables (TS 23.038 Annex A) would cover them, but need a UDH that many routes drop; not used here.
 */

/** Characters of the default alphabet (one septet each), in table order 0x00–0x7F, ESC (0x1B) left out. */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Characters of the extension table: sent as ESC + code, so each takes two septets. */
const EXTENSION = '\f^{}\\[~]|€';

const basicSet = new Set(BASIC);
const extensionSet = new Set(EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** How a text travels as SMS. `units` are septets (GSM-7) or UTF-16 code units (UCS-2). */
export interface SmsInfo {
  readonly encoding: SmsEncoding;
  readonly units: number;
  readonly segments: number;
  /** Units one segment holds at this length: 160/70 for a single part, 153/67 when concatenated. */
  readonly perSegment: number;
  /** Units still free in the last segment. */
  readonly remaining: number;
  /** Distinct characters that forced UCS-2 (empty for GSM-7), for the template editor to point at. */
  readonly nonGsmCharacters: readonly string[];
}

const LIMITS = {
  'GSM-7': { single: 160, multi: 153 },
  'UCS-2': { single: 70, multi: 67 },
} as const;

/** Septets `ch` takes in GSM-7 (1 or 2), or 0 when it is not in the GSM-7 alphabet. */
export function gsmSeptets(ch: string): 0 | 1 | 2 {
  if (basicSet.has(ch)) return 1;
  if (extensionSet.has(ch)) return 2;
  return 0;
}

/** True when every character of `text` is in the GSM-7 default alphabet or its extension table. */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (gsmSeptets(ch) === 0) return false;
  return true;
}

/**
 * Counts segments without splitting a character across two parts: an escaped GSM-7 character (2
 * septets) or a UTF-16 surrogate pair (an emoji) that does not fit moves whole into the next part.
 */
function countSegments(sizes: readonly number[], perPart: number): { segments: number; last: number } {
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > perPart) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return { segments, last: used };
}

/**
 * Detects the encoding of an SMS body and counts its segments.
 *
 * @example smsInfo('Merhaba Ömer') // { encoding: 'GSM-7', units: 12, segments: 1, ... }
 * @example smsInfo('Günaydın')      // { encoding: 'UCS-2', ... } because of dotless ı
 */
export function smsInfo(text: string): SmsInfo {
  const chars = [...text];
  const nonGsm = [...new Set(chars.filter((ch) => gsmSeptets(ch) === 0))];
  const encoding: SmsEncoding = nonGsm.length === 0 ? 'GSM-7' : 'UCS-2';
  const sizes = chars.map((ch) => (encoding === 'GSM-7' ? gsmSeptets(ch) : ch.length));
  const units = sizes.reduce((a, b) => a + b, 0);
  const limit = LIMITS[encoding];
  if (units === 0)
    return {
      encoding,
      units,
      segments: 0,
      perSegment: limit.single,
      remaining: limit.single,
      nonGsmCharacters: [],
    };
  if (units <= limit.single)
    return {
      encoding,
      units,
      segments: 1,
      perSegment: limit.single,
      remaining: limit.single - units,
      nonGsmCharacters: nonGsm,
    };
  const { segments, last } = countSegments(sizes, limit.multi);
  return {
    encoding,
    units,
    segments,
    perSegment: limit.multi,
    remaining: limit.multi - last,
    nonGsmCharacters: nonGsm,
  };
}
