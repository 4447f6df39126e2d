// Display formatting only: raw integers from the chain to text, the same way the `turbo` CLI
// prints them (app/sdk/src/text.rs), so the page and `turbo vaults` read alike. No protocol math.

/** Group thousands with commas. */
function group(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A raw amount with `decimals`, trailing zeros trimmed but at least `min` decimals. */
export function amount(raw: bigint, decimals: number, min = 2): string {
  const neg = raw < 0n;
  const s = (neg ? -raw : raw).toString().padStart(decimals + 1, '0');
  const int = s.slice(0, s.length - decimals);
  let frac = s.slice(s.length - decimals).replace(/0+$/, '');
  while (frac.length < min) frac += '0';
  return `${neg ? '-' : ''}${group(int)}${frac ? `.${frac}` : ''}`;
}

/** Micro-USD as dollars and cents (floored, as the CLI prints). */
export function usd(micro: bigint): string {
  const neg = micro < 0n;
  const m = neg ? -micro : micro;
  return `${neg ? '-' : ''}$${amount(m / 10_000n, 2, 2)}`;
}

/** An 8-decimal price: cents from $1 up, more digits below. */
export function price(p: bigint): string {
  return p >= 100_000_000n ? `$${amount(p / 1_000_000n, 2, 2)}` : `$${amount(p / 100n, 6, 4)}`;
}

const I64_MAX = 9_223_372_036_854_775_807n;

/** Signed leverage at 6 decimals ("∞" without positive equity). */
export function lev(l: bigint | number): string {
  const v = BigInt(l);
  if (v === I64_MAX) return '∞';
  return `${v < 0n ? '-' : ''}${(Number(v < 0n ? -v : v) / 1e6).toFixed(3)}x`;
}

/** A band on |L| as the vault's side reads it, as `turbo` prints it (`text::band`): "2.900x to
 * 3.000x" for a long, "-2.000x to -2.500x" for a short. */
export function band(lo: bigint, hi: bigint, short: boolean): string {
  return `${lev(short ? -lo : lo)} to ${lev(short ? -hi : hi)}`;
}

/** Basis points as a percentage. */
export function bps(b: bigint | number): string {
  return `${amount(BigInt(b), 2, 0)}%`;
}

/** A ratio as a signed percentage with two decimals. */
export function pct(r: number): string {
  if (!Number.isFinite(r)) return '—';
  if (Math.abs(r) < 0.00005) return '0.00%';
  return `${r >= 0 ? '+' : ''}${(r * 100).toFixed(2)}%`;
}

/**
 * A Token-2022 raw amount as the wallet shows it: scaled by the mint's ScaledUiAmount
 * multiplier, then by its decimals. The multiplier is a power of two (a reverse split halves
 * it), so the product is exact in a double for the amounts a page shows.
 */
export function uiAmount(raw: bigint, decimals: number, multiplier = 1, digits = 2): string {
  // Token-2022's ScaledUiAmount truncates the scaled amount to whole raw units, as the node's
  // `uiAmountString` does.
  const scaled = Math.trunc(Number(raw) * multiplier);
  const ui = scaled / 10 ** decimals;
  return ui.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: Math.max(digits, 6) });
}

/**
 * Parse a UI amount typed by the user into raw units, dividing out the multiplier; `null` when
 * it is not a positive number with at most `decimals` decimals.
 */
export function parseUi(text: string, decimals: number, multiplier = 1): bigint | null {
  const t = text.trim().replace(/,/g, '');
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(t)) return null;
  const [int, frac = ''] = t.split('.');
  if (frac.length > decimals) return null;
  const raw = BigInt((int || '0') + frac.padEnd(decimals, '0'));
  if (multiplier === 1) return raw > 0n ? raw : null;
  const unscaled = BigInt(Math.floor(Number(raw) / multiplier));
  return unscaled > 0n ? unscaled : null;
}

/** A slippage bound: `amount` less `slippageBps`, rounded down (as the CLI's). */
export function minOut(amount: bigint, slippageBps: bigint): bigint {
  return (amount * (10_000n - slippageBps)) / 10_000n;
}

export function short(addr: string): string {
  return `${addr.slice(0, 4)}…${addr.slice(-4)}`;
}

export function ago(seconds: number): string {
  if (seconds < 90) return `${Math.max(0, Math.round(seconds))} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 129600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

/** The program's bounds on exit pauses (docs/decisions.md, "Pauses have one clock"): one pause
 * lasts at most 72 h, a stretch of them at most 7 days, and a new stretch starts only 72 h after
 * the last ended. Display only: the program enforces them. */
const EXIT_PAUSE_SECS = 72 * 3600;

function utc(secs: bigint): string {
  return `${new Date(Number(secs) * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** An exit's pause state: paused until `until` (the scope's end), or open, and from when the
 * one clock of every exit pause (`clockUntil`, the config's `exitPauseUntil`) lets anyone pause
 * one again. */
export function exitPause(until: bigint, clockUntil: bigint, now: number): string {
  const t = BigInt(Math.floor(now));
  if (t < until) return `paused until ${utc(until)} (exits are paused at most 72 h at a time, 7 days in a row)`;
  if (t < clockUntil) return `open; an exit pause elsewhere ends ${utc(clockUntil)}`;
  const next = clockUntil === 0n ? 0n : clockUntil + BigInt(EXIT_PAUSE_SECS);
  return t < next ? `open; no exit pause may start before ${utc(next)}` : 'open';
}
