import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minimizeNelderMead } from './nelder-mead.js';

test('finds the minimum of a shifted quadratic bowl', () => {
  const result = minimizeNelderMead(
    ([x = 0, y = 0, z = 0]) => (x - 1) ** 2 + 10 * (y + 2) ** 2 + (z - 0.5) ** 2,
    [0, 0, 0],
  );
  assert.ok(result.converged);
  const [x = NaN, y = NaN, z = NaN] = result.x;
  assert.ok(
    Math.abs(x - 1) < 1e-5 && Math.abs(y + 2) < 1e-5 && Math.abs(z - 0.5) < 1e-5,
    result.x.join(', '),
  );
});

test('follows the Rosenbrock valley to (1, 1)', () => {
  const rosenbrock = ([x = 0, y = 0]: readonly number[]): number => 100 * (y - x * x) ** 2 + (1 - x) ** 2;
  const result = minimizeNelderMead(rosenbrock, [-1.2, 1]);
  assert.ok(result.converged);
  assert.ok(Math.abs(result.x[0]! - 1) < 1e-4 && Math.abs(result.x[1]! - 1) < 1e-4, result.x.join(', '));
  assert.ok(result.value < 1e-8);
});

test('treats NaN as +Infinity and keeps to the feasible side', () => {
  const result = minimizeNelderMead(([x = 0]) => (x < 0 ? NaN : (x - 2) ** 2), [5]);
  assert.ok(Math.abs(result.x[0]! - 2) < 1e-5);
});

test('reports non-convergence when the iteration budget runs out', () => {
  const rosenbrock = ([x = 0, y = 0]: readonly number[]): number => 100 * (y - x * x) ** 2 + (1 - x) ** 2;
  const result = minimizeNelderMead(rosenbrock, [-1.2, 1], { maxIterations: 5 });
  assert.equal(result.converged, false);
  assert.ok(result.iterations <= 5);
  assert.ok(result.value <= rosenbrock([-1.2, 1]));
});
