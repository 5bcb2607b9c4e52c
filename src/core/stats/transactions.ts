import { err, ok, type Result } from '../result.js';
import { parseCivilDate, type DateFormat, type EpochDay } from './civil-date.js';

/** One purchase: who, on which day, for how much. */
export interface Transaction {
  readonly customerId: string;
  readonly day: EpochDay;
  readonly amount: number;
  /** Units bought, only when the layout names a quantity column (CDNOW: the number of CDs). */
  readonly quantity?: number;
}

/** Whether the first line names the columns; `'auto'` skips it when its date does not parse. */
export type HeaderMode = boolean | 'auto';

/**
 * Where the fields sit in each line. Column numbers are 1-based, as a person counts them.
 * - `cdnow`: the CDNOW files of Fader & Hardie, whitespace separated, date `yyyymmdd` in the
 *   third-last column and dollar value in the last: `CDNOW_master.txt` (id, date, CDs, dollars)
 *   and `CDNOW_sample.txt` (id, sample id, date, CDs, dollars). `idColumn` defaults to 1; the
 *   published sample summaries use the sample id, column 2.
 * - `delimited`: any CSV (`comma`, with double-quoted fields) or `whitespace` layout.
 * A quantity is read only when asked for: `withQuantity` (CDNOW's second-last column) or `quantityColumn`.
 */
export type TransactionLayout =
  | {
      readonly kind: 'cdnow';
      readonly idColumn?: number;
      readonly header?: HeaderMode;
      readonly withQuantity?: boolean;
    }
  | {
      readonly kind: 'delimited';
      readonly separator: 'comma' | 'whitespace';
      readonly idColumn: number;
      readonly dateColumn: number;
      readonly amountColumn: number;
      readonly dateFormat: DateFormat;
      readonly header?: HeaderMode;
      readonly quantityColumn?: number;
    };

/** Why a log could not be read, with the 1-based line number. */
export interface TransactionParseError {
  readonly line: number;
  readonly message: string;
}

interface Columns {
  readonly id: number;
  readonly date: number;
  readonly amount: number;
  readonly quantity?: number;
  readonly dateFormat: DateFormat;
}

/**
 * Parses a transaction log into transactions, in file order. Blank lines are skipped; a bad
 * line is returned as an error rather than dropped, so that a wrong layout is noticed.
 * @example parseTransactionLog(' 00001 19970101  1   11.77\n', { kind: 'cdnow' });
 * // { ok: true, value: [{ customerId: '00001', day: 9862, amount: 11.77 }] }
 */
export function parseTransactionLog(
  text: string,
  layout: TransactionLayout,
): Result<readonly Transaction[], TransactionParseError> {
  const lines = text.split(/\r?\n/);
  const split = layout.kind === 'delimited' && layout.separator === 'comma' ? splitCsvLine : splitWhitespace;
  const out: Transaction[] = [];
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const fields = split(line);
    const columns = columnsOf(layout, fields.length);
    const row = readRow(fields, columns);
    const isFirst = first;
    first = false;
    if (isFirst && isHeader(layout.header ?? 'auto', fields, columns)) continue;
    if (typeof row === 'string') return err({ line: i + 1, message: row });
    out.push(row);
  }
  return ok(out);
}

function columnsOf(layout: TransactionLayout, fieldCount: number): Columns {
  switch (layout.kind) {
    case 'cdnow':
      return {
        id: layout.idColumn ?? 1,
        date: fieldCount - 2,
        amount: fieldCount,
        dateFormat: 'yyyymmdd',
        ...(layout.withQuantity === true ? { quantity: fieldCount - 1 } : {}),
      };
    case 'delimited':
      return {
        id: layout.idColumn,
        date: layout.dateColumn,
        amount: layout.amountColumn,
        dateFormat: layout.dateFormat,
        ...(layout.quantityColumn !== undefined ? { quantity: layout.quantityColumn } : {}),
      };
  }
}

function isHeader(mode: HeaderMode, fields: readonly string[], columns: Columns): boolean {
  if (mode !== 'auto') return mode;
  const date = fields[columns.date - 1];
  return date === undefined || parseCivilDate(date, columns.dateFormat) === undefined;
}

/** A transaction, or a message saying what is wrong with the row. */
function readRow(fields: readonly string[], columns: Columns): Transaction | string {
  const field = (column: number): string | undefined => (column >= 1 ? fields[column - 1] : undefined);
  const id = field(columns.id);
  const date = field(columns.date);
  const amountText = field(columns.amount);
  if (id === undefined || date === undefined || amountText === undefined) {
    return `expected columns ${columns.id}, ${columns.date} and ${columns.amount}, found ${fields.length} fields`;
  }
  if (id === '') return 'empty customer id';
  const day = parseCivilDate(date, columns.dateFormat);
  if (day === undefined) return `not a ${columns.dateFormat} date: ${JSON.stringify(date)}`;
  const amount = amountText.trim() === '' ? NaN : Number(amountText);
  if (!Number.isFinite(amount)) return `not an amount: ${JSON.stringify(amountText)}`;
  if (columns.quantity === undefined) return { customerId: id, day, amount };
  const quantityText = field(columns.quantity);
  const quantity = quantityText === undefined || quantityText.trim() === '' ? NaN : Number(quantityText);
  if (!Number.isFinite(quantity)) return `not a quantity: ${JSON.stringify(quantityText ?? '')}`;
  return { customerId: id, day, amount, quantity };
}

/** Fields separated by runs of spaces or tabs; faster than `trim().split(/\s+/)` on large logs. */
function splitWhitespace(line: string): string[] {
  const fields: string[] = [];
  let start = -1;
  for (let i = 0; i <= line.length; i++) {
    const c = i < line.length ? line.charCodeAt(i) : 32;
    const blank = c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
    if (!blank && start < 0) start = i;
    else if (blank && start >= 0) {
      fields.push(line.slice(start, i));
      start = -1;
    }
  }
  return fields;
}

/**
 * Splits one CSV record (RFC 4180: comma separated, `"` quotes, `""` an escaped quote) and trims
 * unquoted fields. Quoted line breaks are not supported: a record is one line.
 * @example splitCsvLine('a,"b, c",d'); // ['a', 'b, c', 'd']
 */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch !== '"') {
        field += ch;
      } else if (line[i + 1] === '"') {
        field += '"';
        i++;
      } else {
        quoted = false;
      }
    } else if (ch === '"') {
      quoted = wasQuoted = true;
    } else if (ch === ',') {
      fields.push(wasQuoted ? field : field.trim());
      field = '';
      wasQuoted = false;
    } else {
      field += ch;
    }
  }
  fields.push(wasQuoted ? field : field.trim());
  return fields;
}
