// What the page reads from a `turbo-indexer` (docs/clients.md, "The indexer"): the pool's
// history with the LP share's APR, and a wallet's positions with cost and PnL. Amounts arrive as
// JSON integers (micro-USD, raw units) and become bigints here.

export interface PoolHistory {
  /** The LP share's value change over the window, annualized, bps; null under two points. */
  aprBps: number | null;
  /** The seconds the APR is measured over. */
  measuredSecs: number;
  points: number;
}

export interface LpPosition {
  shares: bigint;
  deposited: bigint;
  withdrawn: bigint;
  value: bigint;
  pnl: bigint;
}

export interface VaultPosition {
  vault: string;
  tokens: bigint;
  cost: bigint;
  proceeds: bigint;
  value: bigint;
  pnl: bigint;
}

export interface Positions {
  vaults: VaultPosition[];
  lp: LpPosition | null;
}

async function get<T>(indexer: string, path: string): Promise<T> {
  const res = await fetch(`${indexer}${path}`);
  if (!res.ok) throw new Error(`the indexer refused ${path} (${res.status}): ${await res.text()}`);
  return (await res.json()) as T;
}

const big = (v: unknown): bigint => BigInt(Number(v ?? 0));

export async function poolHistory(indexer: string, window = 'All'): Promise<PoolHistory> {
  const b = await get<{ apr_bps: number | null; measured_secs: number; points: unknown[] }>(indexer, `/v1/pool/history?window=${window}`);
  return { aprBps: b.apr_bps, measuredSecs: b.measured_secs, points: b.points.length };
}

export async function positions(indexer: string, wallet: string): Promise<Positions> {
  type Raw = Record<string, unknown>;
  const b = await get<{ vaults: Raw[]; lp: Raw | null }>(indexer, `/v1/wallets/${wallet}/positions`);
  return {
    vaults: b.vaults.map((v) => ({
      vault: String(v.vault),
      tokens: big(v.tokens),
      cost: big(v.cost),
      proceeds: big(v.proceeds),
      value: big(v.value),
      pnl: big(v.pnl),
    })),
    lp: b.lp && { shares: big(b.lp.shares), deposited: big(b.lp.deposited), withdrawn: big(b.lp.withdrawn), value: big(b.lp.value), pnl: big(b.lp.pnl) },
  };
}
