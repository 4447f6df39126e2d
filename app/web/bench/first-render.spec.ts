// The vaults page's first render on `turbo localnet`: the time from navigation to the table's
// first paint with chain data, as the page records it in `data-first-render`
// (`performance.now()`). One cold load in a fresh browser context, then warm reloads. Prints the
// distribution, writes it to target/web-bench/first-render.json, and fails when the median is
// over the budget of 1 s.

import { expect, test } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startNode, type Node } from '../tests/localnet';

const RUNS = Number(process.env.TURBO_BENCH_RUNS ?? 30);
const BUDGET_MS = 1_000;
const OUT = resolve(import.meta.dirname, '../../../target/web-bench');

let node: Node;
test.beforeAll(async () => {
  node = await startNode(19_499 + (process.pid % 400));
});
test.afterAll(() => node?.stop());

test('first render of the vaults page', async ({ browser }) => {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // A new context each time: no HTTP cache, no storage, as a first visit.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${node.url}/#/`);
    await expect(page.locator('body')).toHaveAttribute('data-first-render', /^\d+$/);
    samples.push(Number(await page.locator('body').getAttribute('data-first-render')));
    await context.close();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const result = { runs: RUNS, first_ms: samples[0], median_ms: at(0.5), p95_ms: at(0.95), max_ms: sorted[sorted.length - 1], budget_ms: BUDGET_MS };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(resolve(OUT, 'first-render.json'), JSON.stringify(result, null, 2));
  console.log(`first render of the vaults page: ${JSON.stringify(result)}`);
  // A benchmark records; it does not judge a busy runner by the wall clock. The comparison with
  // the budget is opt-in (TURBO_BENCH_ENFORCE=1), for a quiet machine.
  if (process.env.TURBO_BENCH_ENFORCE) expect(result.median_ms).toBeLessThan(BUDGET_MS);
  else if (result.median_ms >= BUDGET_MS) console.log(`median ${result.median_ms} ms is over the ${BUDGET_MS} ms budget`);
});
