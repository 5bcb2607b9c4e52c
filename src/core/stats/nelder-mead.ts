/**
 * Derivative-free minimisation by the Nelder–Mead simplex method (Nelder & Mead 1965, "A simplex
 * method for function minimization", The Computer Journal 7(4)), with the standard coefficients
 * (reflection 1, expansion 2, contraction ½, shrink ½) and restarts: the simplex can collapse
 * before reaching a minimum (McKinnon 1998), so after convergence it is rebuilt around the best
 * point and run again until a restart no longer improves the value.
 */

/** A function of a parameter vector to minimise; NaN is treated as +Infinity. */
export type Objective = (x: readonly number[]) => number;

/** Tuning for {@link minimizeNelderMead}; the defaults suit a handful of log-parameters. */
export interface NelderMeadOptions {
  /** Edge length of the initial simplex along each axis. Default 0.5. */
  readonly initialStep?: number;
  /** Converged when the simplex values differ by ≤ `tolerance` × (1 + |best|). Default 1e-12. */
  readonly tolerance?: number;
  /** Iteration cap over the first run and all restarts together. Default 2 000 per dimension. */
  readonly maxIterations?: number;
  /** Restarts after the first convergence. Default 10. */
  readonly maxRestarts?: number;
}

/** Outcome of a minimisation: the best point found and whether it met the tolerance. */
export interface NelderMeadResult {
  readonly x: readonly number[];
  readonly value: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
}

interface Vertex {
  x: number[];
  f: number;
}

/**
 * Minimises `f` starting from `x0`.
 * @example minimizeNelderMead(([x = 0, y = 0]) => (x - 1) ** 2 + (y + 2) ** 2, [0, 0]).x; // ≈ [1, −2]
 */
export function minimizeNelderMead(
  f: Objective,
  x0: readonly number[],
  options: NelderMeadOptions = {},
): NelderMeadResult {
  const n = x0.length;
  const step = options.initialStep ?? 0.5;
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 2_000 * Math.max(1, n);
  const maxRestarts = options.maxRestarts ?? 10;
  let evaluations = 0;
  const evaluate = (x: number[]): Vertex => {
    evaluations++;
    const v = f(x);
    return { x, f: Number.isNaN(v) ? Infinity : v };
  };

  let best = evaluate([...x0]);
  let iterations = 0;
  let converged = false;
  for (let run = 0; run <= maxRestarts && iterations < maxIterations; run++) {
    const start = best;
    const outcome = runSimplex(start, { step, tolerance, budget: maxIterations - iterations, evaluate });
    iterations += outcome.iterations;
    best = outcome.best.f <= start.f ? outcome.best : start;
    // A restart that cannot improve on its starting point confirms the minimum.
    if (outcome.converged && run > 0 && start.f - best.f <= tolerance * (1 + Math.abs(best.f))) {
      converged = true;
      break;
    }
  }
  return { x: best.x, value: best.f, iterations, evaluations, converged };
}

interface RunSettings {
  readonly step: number;
  readonly tolerance: number;
  readonly budget: number;
  readonly evaluate: (x: number[]) => Vertex;
}

function runSimplex(
  start: Vertex,
  { step, tolerance, budget, evaluate }: RunSettings,
): { best: Vertex; iterations: number; converged: boolean } {
  const n = start.x.length;
  const simplex: Vertex[] = [start];
  for (let i = 0; i < n; i++) {
    const x = [...start.x];
    x[i] = x[i]! + step;
    simplex.push(evaluate(x));
  }
  const byValue = (p: Vertex, q: Vertex): number => p.f - q.f;
  // Points along the line from the centroid c through the worst vertex w: c + t (c − w).
  const along = (c: readonly number[], w: readonly number[], t: number): number[] =>
    c.map((ci, i) => ci + t * (ci - w[i]!));

  for (let iteration = 0; iteration < budget; iteration++) {
    simplex.sort(byValue);
    const bestV = simplex[0]!;
    const worst = simplex[n]!;
    if (worst.f - bestV.f <= tolerance * (1 + Math.abs(bestV.f))) {
      return { best: bestV, iterations: iteration, converged: true };
    }
    const secondWorst = simplex[n - 1]!;
    const centroid = new Array<number>(n).fill(0);
    for (let v = 0; v < n; v++) for (let i = 0; i < n; i++) centroid[i]! += simplex[v]!.x[i]! / n;

    const reflected = evaluate(along(centroid, worst.x, 1));
    if (reflected.f < bestV.f) {
      const expanded = evaluate(along(centroid, worst.x, 2));
      simplex[n] = expanded.f < reflected.f ? expanded : reflected;
    } else if (reflected.f < secondWorst.f) {
      simplex[n] = reflected;
    } else {
      const outside = reflected.f < worst.f;
      const contracted = evaluate(along(centroid, worst.x, outside ? 0.5 : -0.5));
      if (contracted.f < (outside ? reflected.f : worst.f)) {
        simplex[n] = contracted;
      } else {
        for (let v = 1; v <= n; v++) {
          simplex[v] = evaluate(simplex[v]!.x.map((xi, i) => bestV.x[i]! + 0.5 * (xi - bestV.x[i]!)));
        }
      }
    }
  }
  simplex.sort(byValue);
  return { best: simplex[0]!, iterations: budget, converged: false };
}
