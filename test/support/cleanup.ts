import type { TestContext } from 'node:test';

/**
 * Registers cleanups that run after the test, pass or fail, last registered first (a server closes
 * before its data directory is removed). A failing cleanup does not stop the others; the errors are
 * thrown together at the end.
 * @example const defer = cleanupStack(t); defer(() => rt.close());
 */
export function cleanupStack(t: TestContext): (cleanup: () => unknown) => void {
  const stack: (() => unknown)[] = [];
  t.after(async () => {
    const failures: unknown[] = [];
    for (const cleanup of stack.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, 'cleanup failed');
  });
  return (cleanup) => void stack.push(cleanup);
}
