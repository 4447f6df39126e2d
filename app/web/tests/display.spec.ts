// The page's display arithmetic, exactly: amounts with decimals and the ScaledUiAmount
// multiplier, and the history readings (24 h change, the ideal line, realized decay).

import { expect, test } from '@playwright/test';
import { amount, exitPause, lev, parseUi, pct, price, uiAmount, usd } from '../src/format';
import { change, decay, ideal, type Sample } from '../src/history';

test('amounts read as the CLI prints them', () => {
  expect(usd(1_234_567_891n)).toBe('$1,234.56');
  expect(usd(-5_000n)).toBe('-$0.00');
  expect(price(14_341_000_000n)).toBe('$143.41');
  expect(price(149_123_456n)).toBe('$1.49');
  expect(price(12_345_678n)).toBe('$0.123456');
  expect(lev(3_086_000n)).toBe('3.086x');
  expect(lev(-2_000_000n)).toBe('-2.000x');
  expect(lev(9_223_372_036_854_775_807n)).toBe('∞');
  expect(amount(10_000_000n, 6)).toBe('10.00');
  expect(pct(-0.0635)).toBe('-6.35%');
  expect(pct(0.00001)).toBe('0.00%');
});

test('exit pauses read with the one clock of every exit pause', () => {
  const t = 1_800_000_000; // 2027-01-15 08:00 UTC
  expect(exitPause(0n, 0n, t)).toBe('open');
  expect(exitPause(BigInt(t + 3600), BigInt(t + 3600), t)).toBe(
    'paused until 2027-01-15 09:00 UTC (exits are paused at most 72 h at a time, 7 days in a row)',
  );
  // Ended an hour ago: open, and no new pause for the 71 h left of the cool-down.
  expect(exitPause(BigInt(t - 3600), BigInt(t - 3600), t)).toBe('open; no exit pause may start before 2027-01-18 07:00 UTC');
  expect(exitPause(0n, BigInt(t - 72 * 3600), t)).toBe('open');
  expect(exitPause(0n, BigInt(t + 3600), t)).toBe('open; an exit pause elsewhere ends 2027-01-15 09:00 UTC');
});

test('UI amounts apply the multiplier both ways', () => {
  // After one reverse split the multiplier is 0.5: 3 raw tokens show as 1.5.
  expect(uiAmount(3_000_000n, 6, 0.5)).toBe('1.50');
  // An odd raw amount: the half unit is truncated, as Token-2022 and the node show it.
  expect(uiAmount(994_999n, 6, 0.5)).toBe('0.497499');
  expect(parseUi('1.5', 6, 0.5)).toBe(3_000_000n);
  expect(parseUi('1,000.25', 6)).toBe(1_000_250_000n);
  expect(parseUi('0.0000001', 6)).toBeNull();
  expect(parseUi('0', 6)).toBeNull();
  expect(parseUi('-1', 6)).toBeNull();
  expect(parseUi('abc', 6)).toBeNull();
});

const s = (time: number, price: bigint, token: bigint): Sample => ({ time, price, token });

test('24 h change reads against the last sample a day old, or the oldest', () => {
  const day = 86_400;
  const samples = [s(0, 100n, 100n), s(10 * 3600, 100n, 110n), s(day + 3600, 100n, 121n), s(2 * day, 100n, 99n)];
  // Now = 2 days: the last sample at least a day old is at 10 h (110).
  expect(change(samples, 2 * day)).toEqual({ ratio: 99 / 110 - 1, span: 2 * day - 10 * 3600 });
  // Less than a day of history: against the oldest.
  expect(change(samples.slice(0, 2), 10 * 3600)).toEqual({ ratio: 110 / 100 - 1, span: 10 * 3600 });
  expect(change(samples.slice(0, 1), 0)).toBeNull();
});

test('the ideal constant 3x compounds three times each return, and decay is the gap to it', () => {
  const samples = [s(0, 100n, 100n), s(60, 110n, 130n), s(120, 99n, 90n)];
  const path = ideal(samples, 3);
  expect(path[0]).toBe(100);
  expect(path[1]).toBeCloseTo(130, 9);
  expect(path[2]).toBeCloseTo(130 * (1 + 3 * (99 / 110 - 1)), 9);
  const d = decay(samples, 3, 120);
  expect(d?.span).toBe(120);
  expect(d?.value).toBeCloseTo(90 / 100 - 1 - (path[2] / 100 - 1), 9);
  // A window with one sample has no decay.
  expect(decay(samples, 3, 120 + 31 * 86_400)).toBeNull();
});

test('a refusal is named by the program that refused, with a sentence', async () => {
  const { explain } = await import('../src/chain');
  const turbo = 'TurboUm8iSrMA6XvxT8PDZSDB6V8kbL5P5M8rF8v2gX';
  const slippage = explain({ InstructionError: [1, { Custom: 6042n }] }, [`Program ${turbo} failed: custom program error: 0x179a`]);
  expect(slippage.name).toBe('SlippageExceeded');
  expect(slippage.sentence).toMatch(/^The price moved since the preview/);
  // A Turbo error without a plain sentence keeps the program's own message.
  const math = explain({ InstructionError: [0, { Custom: 6063 }] }, [`Program ${turbo} failed: custom program error: 0x17af`]);
  expect(math.name).toBe('MathOverflow');
  expect(math.sentence.endsWith('.')).toBe(true);
  // The token program's own code 1 inside a Turbo instruction is the token's refusal.
  const funds = explain({ InstructionError: [1, { Custom: 1 }] }, [
    'Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA failed: custom program error: 0x1',
    `Program ${turbo} failed: custom program error: 0x1`,
  ]);
  expect(funds).toEqual({ name: 'InsufficientFunds', sentence: 'Your wallet does not hold enough for this amount.' });
  expect(explain('AccountNotFound').name).toBe('InsufficientFundsForFee');
});
