import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daysFromCivil } from './civil-date.js';
import { parseTransactionLog, splitCsvLine } from './transactions.js';

test('reads the CDNOW master layout and skips its header', () => {
  const text =
    ' customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n 00002 19970112  5   77.00\n';
  const result = parseTransactionLog(text, { kind: 'cdnow' });
  assert.deepEqual(result, {
    ok: true,
    value: [
      { customerId: '00001', day: daysFromCivil(1997, 1, 1), amount: 11.77 },
      { customerId: '00002', day: daysFromCivil(1997, 1, 12), amount: 77 },
    ],
  });
});

test('reads the CDNOW sample layout, with the sample id as the customer id on request', () => {
  const text = ' 00004 0001 19970101  2   29.33\r\n\n 00004 0001 19970118  2   29.73\r\n';
  const byMaster = parseTransactionLog(text, { kind: 'cdnow' });
  const bySample = parseTransactionLog(text, { kind: 'cdnow', idColumn: 2 });
  assert.ok(byMaster.ok && bySample.ok);
  assert.deepEqual(
    byMaster.value.map((t) => t.customerId),
    ['00004', '00004'],
  );
  assert.deepEqual(
    bySample.value.map((t) => [t.customerId, t.day, t.amount]),
    [
      ['0001', daysFromCivil(1997, 1, 1), 29.33],
      ['0001', daysFromCivil(1997, 1, 18), 29.73],
    ],
  );
});

test('reads a CSV with ISO dates by column mapping', () => {
  const text =
    'order,customer,when,total\n1,"Smith, Ann",2024-02-29,"12.50"\n2,bob , 2024-03-01T10:00:00Z, 3\n';
  const result = parseTransactionLog(text, {
    kind: 'delimited',
    separator: 'comma',
    idColumn: 2,
    dateColumn: 3,
    amountColumn: 4,
    dateFormat: 'iso',
    header: true,
  });
  assert.deepEqual(result, {
    ok: true,
    value: [
      { customerId: 'Smith, Ann', day: daysFromCivil(2024, 2, 29), amount: 12.5 },
      { customerId: 'bob', day: daysFromCivil(2024, 3, 1), amount: 3 },
    ],
  });
});

test('a bad row is an error with its line number, not a silent skip', () => {
  const layout = {
    kind: 'delimited',
    separator: 'whitespace',
    idColumn: 1,
    dateColumn: 2,
    amountColumn: 3,
    dateFormat: 'yyyymmdd',
    header: false,
  } as const;
  assert.deepEqual(parseTransactionLog('a 19970101 1\nb 19970231 2\n', layout), {
    ok: false,
    error: { line: 2, message: 'not a yyyymmdd date: "19970231"' },
  });
  assert.deepEqual(parseTransactionLog('a 19970101 x\n', layout), {
    ok: false,
    error: { line: 1, message: 'not an amount: "x"' },
  });
  assert.deepEqual(parseTransactionLog('a 19970101\n', layout), {
    ok: false,
    error: { line: 1, message: 'expected columns 1, 2 and 3, found 2 fields' },
  });
  // With header: false the first line is data, so a header there is an error.
  assert.equal(parseTransactionLog('id date amount\n', layout).ok, false);
  assert.equal(parseTransactionLog('id date amount\n', { ...layout, header: 'auto' }).ok, true);
});

test('splitCsvLine handles quotes, escaped quotes and empty fields', () => {
  assert.deepEqual(splitCsvLine('a,"b, c",d'), ['a', 'b, c', 'd']);
  assert.deepEqual(splitCsvLine('"say ""hi""",,x '), ['say "hi"', '', 'x']);
  assert.deepEqual(splitCsvLine(''), ['']);
});

test('a quantity is read only when the layout asks for it', () => {
  const line = ' 00004 0001 19970101  2   29.33\n';
  const plain = parseTransactionLog(line, { kind: 'cdnow' });
  assert.ok(plain.ok && plain.value[0]!.quantity === undefined);
  assert.deepEqual(parseTransactionLog(line, { kind: 'cdnow', withQuantity: true }), {
    ok: true,
    value: [{ customerId: '00004', day: 9862, amount: 29.33, quantity: 2 }],
  });
  const csv = { kind: 'delimited', separator: 'comma', idColumn: 1, dateColumn: 2, amountColumn: 3 } as const;
  assert.deepEqual(
    parseTransactionLog('c1,1997-01-01,10,3\n', { ...csv, dateFormat: 'iso', quantityColumn: 4 }),
    { ok: true, value: [{ customerId: 'c1', day: 9862, amount: 10, quantity: 3 }] },
  );
  assert.deepEqual(
    parseTransactionLog('c1,1997-01-01,10,x\n', { ...csv, dateFormat: 'iso', quantityColumn: 4 }),
    {
      ok: false,
      error: { line: 1, message: 'not a quantity: "x"' },
    },
  );
});
