import { MS_PER_DAY, type EpochMs, type ProfileId } from '../core/brand.js';
import { ORDER_COMPLETED, readOrder } from '../core/computed/order.js';
import { applyPredictedValue } from '../core/computed/predicted-value.js';
import { asEpochDay } from '../core/stats/civil-date.js';
import type { BgNbdParams } from '../core/stats/bgnbd.js';
import { buildClvReport, type CustomerValue } from '../core/stats/clv-report.js';
import { summarizeCustomers } from '../core/stats/customer-summary.js';
import type { GammaGammaParams } from '../core/stats/gamma-gamma.js';
import type { Transaction } from '../core/stats/transactions.js';
import type { Store } from '../store/store.js';
import { writeComputed } from './computed-writer.js';
import type { JobBoard } from './job-board.js';
import type { EngineHandle } from './profile-engine.js';

export interface ClvServiceOptions {
  readonly store: Store;
  readonly engine: EngineHandle;
  readonly clock: () => EpochMs;
  /** Where a refit is listed while it runs (`GET /api/jobs`). */
  readonly jobs?: JobBoard;
  /** Prediction horizon in weeks (default 52). */
  readonly horizonWeeks?: number;
  /** Discount rate per month (4.345 weeks), as `orkestra clv fit` (default 0.01). */
  readonly discountRate?: number;
  /** Fewer customers than this is too little to fit on (default 20). */
  readonly minCustomers?: number;
  /** Fewer repeat customers than this is too little for the spend model (default 10). */
  readonly minRepeatCustomers?: number;
  /**
   * Value of one unit of each currency in the reporting currency (which has rate 1), so that spend in
   * several currencies is one quantity: Gamma-Gamma on a mix of lira and dollars fits nonsense. Orders
   * in a currency without a rate are left out of the fit (and counted in the warnings). Default: USD only.
   */
  readonly currencyRates?: Readonly<Record<string, number>>;
}

/** Why no fit was made; `message` says it for people. */
export type ClvNoFitReason =
  | 'too-few-customers'
  | 'too-few-repeat-customers'
  | 'no-customers'
  | 'no-repeat-customers'
  | 'spend-mean-undefined'
  | 'fit-failed';

/** The outcome of a refit: the fitted parameters and how many profiles were scored, or why not. */
export type ClvRefitResult =
  | {
      readonly fitted: true;
      readonly computedAt: string;
      readonly customers: number;
      readonly repeatCustomers: number;
      readonly bgnbd: BgNbdParams;
      readonly gammaGamma: GammaGammaParams;
      readonly horizonWeeks: number;
      readonly discountRate: number;
      /** Profiles whose predicted value changed. */
      readonly updated: number;
      readonly warnings: readonly string[];
      readonly ms: number;
    }
  | {
      readonly fitted: false;
      readonly computedAt: string;
      readonly customers: number;
      readonly repeatCustomers: number;
      readonly reason: ClvNoFitReason;
      readonly message: string;
    };

const SETTING = 'clv_fit';

/**
 * The predicted-value job: refits BG/NBD and Gamma-Gamma (`core/stats`) on the shop's own order
 * history (every `Order Completed` event, one transaction per order, calibration ending today) and
 * writes `expectedPurchases`, `pAlive`, `expectedOrderValue` and `predictedClv` into each customer's
 * profile through the engine's exclusive lane. Too little data is a result saying why, not an error.
 * @example const clv = new ClvService({ store, engine, clock }); await clv.refit({ horizonWeeks: 26 });
 */
export class ClvService {
  private running: Promise<ClvRefitResult> | undefined;

  constructor(private readonly options: ClvServiceOptions) {}

  /** Refits and rescores; a call while a refit is under way gets that refit's result. */
  refit(overrides: { horizonWeeks?: number; discountRate?: number } = {}): Promise<ClvRefitResult> {
    const jobs = this.options.jobs;
    this.running ??= (jobs ? jobs.run('clv', () => this.run(overrides)) : this.run(overrides)).finally(
      () => (this.running = undefined),
    );
    return this.running;
  }

  /** The result of the last refit, if any. */
  async lastResult(): Promise<ClvRefitResult | undefined> {
    const saved = await this.options.store.getSetting(SETTING);
    return saved === undefined ? undefined : (JSON.parse(saved) as ClvRefitResult);
  }

  private async run(overrides: { horizonWeeks?: number; discountRate?: number }): Promise<ClvRefitResult> {
    const { store, clock } = this.options;
    const started = performance.now();
    const now = clock();
    const horizonWeeks = overrides.horizonWeeks ?? this.options.horizonWeeks ?? 52;
    const discountRate = overrides.discountRate ?? this.options.discountRate ?? 0.01;
    const transactions: Transaction[] = [];
    const rates = this.options.currencyRates ?? { USD: 1 };
    const unconverted = new Map<string, number>();
    await store.scanEvents([ORDER_COMPLETED], (e) => {
      const order = readOrder(e.message.properties);
      const rate = rates[order.currency];
      if (rate === undefined) {
        unconverted.set(order.currency, (unconverted.get(order.currency) ?? 0) + 1);
        return;
      }
      const amount = order.amount * rate;
      transactions.push({
        customerId: e.profileId,
        day: asEpochDay(Math.floor(e.timestamp / MS_PER_DAY)),
        amount,
      });
    });
    const summaries = summarizeCustomers(transactions, {
      calibrationEnd: asEpochDay(Math.floor(now / MS_PER_DAY)),
    });
    const repeatCustomers = summaries.filter((c) => c.frequency > 0 && c.monetary > 0).length;
    const base = { computedAt: new Date(now).toISOString(), customers: summaries.length, repeatCustomers };
    const noFit = async (reason: ClvNoFitReason, message: string): Promise<ClvRefitResult> =>
      this.save({ fitted: false, ...base, reason, message });
    const minCustomers = this.options.minCustomers ?? 20;
    const minRepeat = this.options.minRepeatCustomers ?? 10;
    if (summaries.length < minCustomers) {
      return noFit(
        'too-few-customers',
        `${summaries.length} customers with orders; at least ${minCustomers} are needed to fit`,
      );
    }
    if (repeatCustomers < minRepeat) {
      return noFit(
        'too-few-repeat-customers',
        `${repeatCustomers} repeat customers; at least ${minRepeat} are needed to fit the spend model`,
      );
    }
    let report: ReturnType<typeof buildClvReport>;
    try {
      report = buildClvReport(summaries, { horizonWeeks, discountRate });
    } catch (error) {
      return noFit('fit-failed', `the fit failed: ${String(error)}`);
    }
    if (!report.ok) return noFit(report.error.code, report.error.message);
    const { bgnbd, gammaGamma, perCustomer } = report.value;
    const warnings = [
      ...report.value.warnings,
      ...[...unconverted].map(([c, n]) => `${n} orders in ${c} left out: no rate for ${c} (currencyRates)`),
    ];
    const params = [bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b, gammaGamma.p, gammaGamma.q, gammaGamma.gamma];
    if (!params.every((x) => Number.isFinite(x) && x > 0)) {
      return noFit('fit-failed', 'the fit did not give finite positive parameters');
    }
    const values = new Map<string, CustomerValue>(perCustomer.map((c) => [c.id, c]));
    const updated = await writeComputed(this.options, [...values.keys()] as ProfileId[], (profile) => {
      const v = values.get(profile.id);
      const next = v && applyPredictedValue(profile, { ...v, predictedClv: v.clv });
      return next ? { profile: next } : undefined;
    });
    const ms = Math.round(performance.now() - started);
    return this.save({
      fitted: true,
      ...base,
      bgnbd,
      gammaGamma,
      horizonWeeks,
      discountRate,
      updated,
      warnings,
      ms,
    });
  }

  private async save(result: ClvRefitResult): Promise<ClvRefitResult> {
    await this.options.store.setSetting(SETTING, JSON.stringify(result));
    return result;
  }
}
