/** What an inbound SMS asks for. */
export type SmsKeyword = 'stop' | 'start' | 'help';

/**
 * Keywords carriers and Twilio recognise (www.twilio.com/docs/messaging/tutorials/advanced-opt-out),
 * and their Turkish equivalents (İYS practice: DUR, İPTAL to stop; BAŞLA to start; YARDIM for help).
 */
const KEYWORDS: Readonly<Record<string, SmsKeyword>> = {
  STOP: 'stop',
  STOPALL: 'stop',
  UNSUBSCRIBE: 'stop',
  CANCEL: 'stop',
  END: 'stop',
  QUIT: 'stop',
  REVOKE: 'stop',
  OPTOUT: 'stop',
  DUR: 'stop',
  IPTAL: 'stop',
  RET: 'stop',
  START: 'start',
  UNSTOP: 'start',
  YES: 'start',
  BASLA: 'start',
  HELP: 'help',
  INFO: 'help',
  YARDIM: 'help',
};

/** Folds Turkish letters to ASCII capitals: `iptal`, `İptal`, `IPTAL` and `ıptal` all become `IPTAL`. */
function fold(text: string): string {
  return text
    .toLocaleUpperCase('tr-TR')
    .replace(/[İI]/g, 'I')
    .replace(/Ş/g, 'S')
    .replace(/Ğ/g, 'G')
    .replace(/Ü/g, 'U')
    .replace(/Ö/g, 'O')
    .replace(/Ç/g, 'C')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
}

/**
 * The keyword an inbound SMS body is, if it is one: the whole message, one word, case and Turkish
 * diacritics ignored (`Başla` → start). A sentence that merely contains "stop" is not a keyword.
 * @example smsKeyword(' İptal ') // 'stop'
 */
export function smsKeyword(body: string): SmsKeyword | undefined {
  const word = fold(body.trim()).replace(/[.!]+$/, '');
  return /^[A-Z]+$/.test(word) ? KEYWORDS[word] : undefined;
}
