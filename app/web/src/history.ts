// A vault's history from the program's events, each `RebalanceEvent` a point: from the
// indexer when one is configured (every rebalance the vault ever had, two requests a page), else
// from the node, the vault's last few hundred transactions (`getSignaturesForAddress`, then
// `getTransaction` of each).

import { getBase64Encoder, type Address, type Signature } from '@solana/kit';
import { decodeEvents, type Net } from './chain';
import { getRebalanceEventDecoder, type RebalanceEvent } from './generated';

export interface Point {
  /** Block time, unix seconds. */
  time: number;
  signature: Signature;
  event: RebalanceEvent;
}

/** Run `f` over `items` with at most `n` at a time. */
async function pool<T, R>(items: T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** Where a history came from, for the page to say. */
export type Source = 'indexer' | 'node';

/** The vault's rebalances, oldest first: the indexer's newest `limit` (every one it holds, up to
 * that), else those in the vault's last `limit` transactions on the node. */
export async function rebalances(net: Net, vault: Address, limit = 300): Promise<Point[]> {
  return net.indexer ? indexed(net.indexer, vault, limit) : fromNode(net, vault, limit);
}

/** The indexer's rebalances of `vault`, newest pages first, decoded with the IDL's types. */
async function indexed(indexer: string, vault: Address, limit: number): Promise<Point[]> {
  const decoder = getRebalanceEventDecoder();
  const b64 = getBase64Encoder();
  const points: Point[] = [];
  let before: number | null = null;
  while (points.length < limit) {
    const page = Math.min(200, limit - points.length);
    const res = await fetch(`${indexer}/v1/vaults/${vault}/rebalances?limit=${page}${before === null ? '' : `&before=${before}`}`);
    if (!res.ok) throw new Error(`the indexer refused (${res.status}): ${await res.text()}`);
    const body = (await res.json()) as { rebalances: { signature: Signature; time: number; data: string }[]; next_before: number | null };
    for (const r of body.rebalances) {
      points.push({ time: r.time, signature: r.signature, event: decoder.decode(b64.encode(r.data).slice(8)) });
    }
    if (body.next_before === null) break;
    before = body.next_before;
  }
  return points.sort((a, b) => a.time - b.time);
}

/** The vault's rebalances, oldest first, from its last `limit` transactions on the node. */
async function fromNode(net: Net, vault: Address, limit: number): Promise<Point[]> {
  const sigs = await net.rpc.getSignaturesForAddress(vault, { limit, commitment: 'confirmed' }).send();
  const landed = sigs.filter((s) => s.err === null);
  const txs = await pool(landed, 8, (s) =>
    net.rpc.getTransaction(s.signature, { encoding: 'json', maxSupportedTransactionVersion: 0, commitment: 'confirmed' }).send(),
  );
  const points: Point[] = [];
  landed.forEach((s, i) => {
    const logs = txs[i]?.meta?.logMessages ?? [];
    for (const e of decodeEvents(logs)) {
      if (e.name === 'RebalanceEvent' && e.data.vault === vault) {
        points.push({ time: Number(s.blockTime ?? txs[i]?.blockTime ?? 0), signature: s.signature, event: e.data });
      }
    }
  });
  return points.sort((a, b) => a.time - b.time);
}

// --- reading a history (analytics on the prices the events report) ---

export interface Sample {
  time: number;
  /** Asset price, 8 decimals, and token price, micro-USD. */
  price: bigint;
  token: bigint;
}

/**
 * The change of the token price against the last sample at least 24 h old, or, with less
 * history, against the oldest sample; `span` is the seconds it covers.
 */
export function change(samples: Sample[], now: number, window = 86_400): { ratio: number; span: number } | null {
  if (samples.length < 2) return null;
  const last = samples[samples.length - 1];
  const older = samples.filter((s) => s.time <= now - window);
  const from = older.length > 0 ? older[older.length - 1] : samples[0];
  if (from === last || from.token === 0n) return null;
  return { ratio: Number(last.token) / Number(from.token) - 1, span: last.time - from.time };
}

/**
 * The ideal constant-leverage token over the same samples: it starts at the first token price
 * and compounds `target` times each sample-to-sample return of the asset. A reference line for
 * the chart, not the protocol's rule.
 */
export function ideal(samples: Sample[], target: number): number[] {
  const out: number[] = [];
  samples.forEach((s, i) => {
    if (i === 0) {
      out.push(Number(s.token));
      return;
    }
    const r = Number(s.price) / Number(samples[i - 1].price) - 1;
    out.push(Math.max(0, out[i - 1] * (1 + target * r)));
  });
  return out;
}

/**
 * Realized decay over the last `days`: the token's return minus the ideal constant-leverage
 * token's return over the same samples (negative: the token lagged the ideal). `null` without
 * two samples in the window.
 */
export function decay(samples: Sample[], target: number, now: number, days = 30): { value: number; span: number } | null {
  const window = samples.filter((s) => s.time >= now - days * 86_400);
  if (window.length < 2) return null;
  const first = window[0];
  const last = window[window.length - 1];
  const path = ideal(window, target);
  const token = Number(last.token) / Number(first.token) - 1;
  const idealReturn = path[path.length - 1] / path[0] - 1;
  return { value: token - idealReturn, span: last.time - first.time };
}
