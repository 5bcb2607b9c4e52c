/**
 * Times the CLV pipeline on the full CDNOW master log (23,570 customers, Fader & Hardie):
 * parse, summarise with the paper's 39-week calibration (to 1997-09-30), fit BG/NBD and
 * Gamma-Gamma, and score every customer over the next 39 weeks. Prints the median of a few runs.
 *
 *   node --import tsx bench/clv-fit.ts [runs]        (data: $ORKESTRA_CDNOW_DIR or /work/shared/data/cdnow)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fitBgnbd, type BgNbdFit } from '../src/core/stats/bgnbd.js';
import { daysFromCivil } from '../src/core/stats/civil-date.js';
import { customerLifetimeValue } from '../src/core/stats/clv.js';
import { summarizeCustomers, type CustomerSummary } from '../src/core/stats/customer-summary.js';
import { fitGammaGamma, type GammaGammaFit } from '../src/core/stats/gamma-gamma.js';
import { parseTransactionLog } from '../src/core/stats/transactions.js';
import { writeResults } from './support/report.js';

const CDNOW = process.env['ORKESTRA_CDNOW_DIR'] ?? '/work/shared/data/cdnow';
const CALIBRATION_END = daysFromCivil(1997, 9, 30);
const HORIZON_WEEKS = 39;

interface Timings {
  parse: number;
  summarize: number;
  bgnbd: number;
  gammaGamma: number;
  clv: number;
  total: number;
}

function time<T>(run: () => T): [T, number] {
  const start = performance.now();
  const value = run();
  return [value, performance.now() - start];
}

function runOnce(text: string): {
  timings: Timings;
  summaries: CustomerSummary[];
  bgnbd: BgNbdFit;
  gammaGamma: GammaGammaFit;
  totalClv: number;
} {
  const [parsed, parse] = time(() => parseTransactionLog(text, { kind: 'cdnow' }));
  if (!parsed.ok) throw new Error(`line ${parsed.error.line}: ${parsed.error.message}`);
  const [summaries, summarize] = time(() =>
    summarizeCustomers(parsed.value, { calibrationEnd: CALIBRATION_END }),
  );
  const [bgnbd, bgnbdMs] = time(() => fitBgnbd(summaries));
  const [gammaGamma, gammaGammaMs] = time(() => fitGammaGamma(summaries));
  const models = { bgnbd: bgnbd.params, gammaGamma: gammaGamma.params };
  const [totalClv, clv] = time(() =>
    summaries.reduce(
      (sum, c) => sum + customerLifetimeValue(models, c, { horizonWeeks: HORIZON_WEEKS, discountRate: 0.01 }),
      0,
    ),
  );
  const total = parse + summarize + bgnbdMs + gammaGammaMs + clv;
  return {
    timings: { parse, summarize, bgnbd: bgnbdMs, gammaGamma: gammaGammaMs, clv, total },
    summaries,
    bgnbd,
    gammaGamma,
    totalClv,
  };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Runs the benchmark and prints the median timings and the fitted parameters. */
export function main(runs = 5): void {
  const text = readFileSync(join(CDNOW, 'CDNOW_master.txt'), 'utf8');
  const results = Array.from({ length: runs }, () => runOnce(text));
  const last = results[results.length - 1]!;
  const { r, alpha, a, b } = last.bgnbd.params;
  const { p, q, gamma } = last.gammaGamma.params;
  const f = (x: number): string => x.toFixed(4);
  const ms = (key: keyof Timings): string =>
    `${median(results.map((x) => x.timings[key])).toFixed(1)} ms`.padStart(10);
  console.log(
    `CDNOW master: ${last.summaries.length} customers, calibration to 1997-09-30, ${runs} runs (median)`,
  );
  console.log(`  parse        ${ms('parse')}`);
  console.log(`  summarize    ${ms('summarize')}`);
  console.log(
    `  BG/NBD fit   ${ms('bgnbd')}   (${last.bgnbd.iterations} iterations, ${last.bgnbd.evaluations} evaluations)`,
  );
  console.log(
    `  Gamma-Gamma  ${ms('gammaGamma')}   (${last.gammaGamma.iterations} iterations, ${last.gammaGamma.evaluations} evaluations)`,
  );
  console.log(`  CLV, ${HORIZON_WEEKS} weeks ${ms('clv')}`);
  console.log(`  total        ${ms('total')}`);
  console.log(
    `BG/NBD       r = ${f(r)}  alpha = ${f(alpha)}  a = ${f(a)}  b = ${f(b)}  ln L = ${last.bgnbd.logLikelihood.toFixed(2)}  converged = ${last.bgnbd.converged}`,
  );
  console.log(
    `Gamma-Gamma  p = ${f(p)}  q = ${f(q)}  gamma = ${f(gamma)}  ln L = ${last.gammaGamma.logLikelihood.toFixed(2)}  ` +
      `(${last.gammaGamma.customers} repeat customers)  converged = ${last.gammaGamma.converged}`,
  );
  console.log(`Total CLV over ${HORIZON_WEEKS} weeks at 1% a month: ${last.totalClv.toFixed(2)}`);
  const totalMs = median(results.map((x) => x.timings.total));
  const converged = last.bgnbd.converged && last.gammaGamma.converged;
  const path = writeResults('clv-fit', {
    // The issue asks for the time and the parameters, with no bound: the goal is a converged fit.
    goals: [
      {
        metric: `BG/NBD + Gamma-Gamma fit, CDNOW master (${last.summaries.length} customers)`,
        value: totalMs,
        unit: 'ms',
        goal: 'reported; both fits converge',
        met: converged,
      },
    ],
    timingsMs: Object.fromEntries(
      (Object.keys(last.timings) as (keyof Timings)[]).map((k) => [
        k,
        median(results.map((x) => x.timings[k])),
      ]),
    ),
    bgnbd: last.bgnbd.params,
    gammaGamma: last.gammaGamma.params,
    runs,
  });
  console.log(`results written to ${path}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(Math.max(1, Math.floor(Number(process.argv[2] ?? 5)) || 5));
}
