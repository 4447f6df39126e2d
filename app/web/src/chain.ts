// The chain as the page sees it: an RPC endpoint, the deployment read from its accounts, the
// program's read-only quotes and previews by simulation, and sending a wallet-signed
// transaction. Every number the page shows about a vault or the pool comes from an account or
// from an event the program emits; nothing here re-implements the protocol's math.

import {
  AccountRole,
  address,
  appendTransactionMessageInstructions,
  compileTransaction,
  compressTransactionMessageUsingAddressLookupTables,
  createNoopSigner,
  createSolanaRpc,
  createTransactionMessage,
  fetchAddressesForLookupTables,
  getBase64Encoder,
  getAddressDecoder,
  getBase64EncodedWireTransaction,
  getProgramDerivedAddress,
  getSignatureFromTransaction,
  getTransactionDecoder,
  getTransactionEncoder,
  getU16Encoder,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
  type Address,
  type AddressesByLookupTableAddress,
  type Instruction,
  type Rpc,
  type Signature,
  type SolanaRpcApi,
} from '@solana/kit';
import { fetchSysvarClock } from '@solana/sysvars';
import {
  fetchAllMaybeSignedFeed,
  fetchAllVault,
  fetchConfig,
  fetchPool,
  findConfigPda,
  findPoolPda,
  getLiquidityDepositedEventDecoder,
  getLiquidityWithdrawnEventDecoder,
  getMintEventDecoder,
  getPoolQuotedEventDecoder,
  getPostSignedPricesInstruction,
  getQuoteInstruction,
  getQuotePoolInstruction,
  getRebalanceEventDecoder,
  getRedeemEventDecoder,
  getTurboErrorMessage,
  getVaultQuotedEventDecoder,
  TURBO_PROGRAM_ADDRESS,
  type Config,
  type Pool,
  type PoolQuotedEvent,
  type TurboError,
  type Vault,
  type VaultQuotedEvent,
} from './generated';
import { ERROR_NAMES, EVENT_DISCRIMINATORS, type EventName } from './generated/idl';

export const PYTH_PUSH_ORACLE = address('pythWSnswVUd12oZpeFP8e9CVaEqJg25g1Vtc2biRsT');
export const TOKEN_PROGRAM = address('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
export const TOKEN_2022_PROGRAM = address('TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');

/** Wallet Standard chain ids by genesis hash; anything else is a local validator. */
const CHAINS: Record<string, `solana:${string}`> = {
  '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d': 'solana:mainnet',
  EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG: 'solana:devnet',
  '4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY': 'solana:testnet',
};

/** What `turbo localnet` adds to the standard methods (absent on other nodes). */
export interface LocalEnv {
  usdcMint: string;
  crtMint: string;
  feeds: Record<string, string>;
  /** The node's Pyth Pro price service, beside its JSON-RPC. */
  priceService?: string;
  /** The deployment's address lookup table, once its deploy made one. */
  lookupTable?: string | null;
  /** A `turbo-indexer` following the node, if one runs beside it. */
  indexer?: string | null;
}

/** The deployment's signed feeds (docs/clients.md, "Signed prices"): where each feed's signed
 * price lives, its Pyth Pro id, and where to fetch a signed update. */
export interface SignedFeeds {
  /** The price service's base URL. */
  service: string;
  treasury: Address;
  feeds: { address: Address; lazerId: number }[];
}

export interface Net {
  url: string;
  rpc: Rpc<SolanaRpcApi>;
  chain: `solana:${string}`;
  local: LocalEnv | null;
  /** A `turbo-indexer` (docs/clients.md, "The indexer"): the page's `<meta name="turbo-indexer">`
   * on a cluster, else the local node's; history, positions and APR come from it when set. */
  indexer: string | null;
  /** Set by `loadDeployment` when every feed the deployment reads has a signed feed and a price
   * service is at hand: every transaction then posts the signed prices it names first. */
  signed?: SignedFeeds;
  /** Set by `loadDeployment`: the deployment's lookup table and what it holds, through which
   * every transaction names the deployment's accounts in a byte each. */
  tables?: AddressesByLookupTableAddress;
}

/** A JSON-RPC call of a method outside the standard set (the local validator's own). */
export async function rpcCall<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) throw new Error(body.error.message);
  return body.result as T;
}

/** On a `turbo localnet` node: give `wallet` 10 SOL and 10,000 USDC. */
export async function fundLocal(net: Net, wallet: Address): Promise<void> {
  await rpcCall(net.url, 'requestAirdrop', [wallet, 10_000_000_000]);
  await rpcCall(net.url, 'turboAirdropUsdc', [wallet, 10_000_000_000]);
}

export async function connect(url: string): Promise<Net> {
  const rpc = createSolanaRpc(url);
  const genesis = await rpc.getGenesisHash().send();
  const local = await rpcCall<LocalEnv>(url, 'turboLocalEnv').catch(() => null);
  const configured = globalThis.document?.querySelector<HTMLMetaElement>('meta[name="turbo-indexer"]')?.content ?? '';
  const indexer = (configured || local?.indexer || '').replace(/\/$/, '') || null;
  return { url, rpc, chain: CHAINS[genesis] ?? 'solana:localnet', local, indexer };
}

export interface MintInfo {
  address: Address;
  decimals: number;
  /** The ScaledUiAmount multiplier in force (1 without the extension). */
  multiplier: number;
  symbol: string;
  name: string;
  supply: bigint;
  program: Address;
}

interface ParsedExtension {
  extension: string;
  state: Record<string, unknown>;
}

/** A mint as the node parses it (`jsonParsed`): decimals, supply, metadata, multiplier. */
export async function mintInfo(net: Net, mint: Address, now: number): Promise<MintInfo> {
  const r = await net.rpc.getAccountInfo(mint, { encoding: 'jsonParsed' }).send();
  const v = r.value;
  if (!v || !('parsed' in (v.data as object))) throw new Error(`mint ${mint} not found`);
  const info = (v.data as { parsed: { info: Record<string, unknown> } }).parsed.info;
  const exts = (info.extensions as ParsedExtension[] | undefined) ?? [];
  const meta = exts.find((e) => e.extension === 'tokenMetadata')?.state ?? {};
  const scaled = exts.find((e) => e.extension === 'scaledUiAmountConfig')?.state;
  let multiplier = 1;
  if (scaled) {
    const effective = Number(scaled.newMultiplierEffectiveTimestamp ?? 0);
    multiplier = Number(now >= effective ? scaled.newMultiplier : scaled.multiplier);
  }
  return {
    address: mint,
    decimals: Number(info.decimals),
    multiplier,
    symbol: String(meta.symbol ?? ''),
    name: String(meta.name ?? ''),
    supply: BigInt(String(info.supply)),
    program: v.owner,
  };
}

export interface VaultInfo {
  address: Address;
  account: Vault;
  mint: MintInfo;
  /** The asset's Pyth price account. */
  price: Address;
}

export interface Deployment {
  net: Net;
  configAddress: Address;
  config: Config;
  poolAddress: Address;
  pool: Pool;
  vaults: VaultInfo[];
  crtPrice: Address;
  /** Each custody's price account, in asset order: the LP instructions' last accounts. */
  custodyPrices: Address[];
  usdc: MintInfo;
  crt: MintInfo;
  lp: MintInfo;
  /** The chain's clock (unix seconds) when it was read: a local node's clock is its own. */
  now: number;
}

function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The deployment's lookup table (docs/decisions.md, "One lookup table per deployment"): the
 * page's `<meta name="turbo-lookup-table" content="ADDRESS">` on a cluster, else the local
 * node's, else none (transactions then name every account in full). */
async function loadLookupTable(net: Net): Promise<AddressesByLookupTableAddress | undefined> {
  const configured = globalThis.document?.querySelector<HTMLMetaElement>('meta[name="turbo-lookup-table"]')?.content ?? '';
  const table = configured || net.local?.lookupTable;
  if (!table) return undefined;
  // A table that cannot be read costs bytes, never money: transactions then name every account.
  return fetchAddressesForLookupTables([address(table)], net.rpc).catch(() => undefined);
}

/** A price service the page names (`<meta name="turbo-price-service" content="URL">`: on a
 * cluster, a proxy that holds the access token), else the local node's own, else none. */
function priceService(net: Net): string | null {
  const configured = globalThis.document?.querySelector<HTMLMetaElement>('meta[name="turbo-price-service"]')?.content ?? '';
  if (configured) return configured;
  return net.local?.priceService !== undefined ? net.url : null;
}

export const LAZER_PROGRAM = address('pytd2yyk641x7ak7mkaasSJVXh6YYZnC7wTmtgAyxPt');
export const LAZER_STORAGE = address('3rdJbqfnagQ4yx9HXJViD4zc4xpiSqmFsKpPuSCQVyQL');
const ED25519_PROGRAM = address('Ed25519SigVerify111111111111111111111111111');

export async function signedFeedAddress(feedId: ArrayLike<number>): Promise<Address> {
  const [pda] = await getProgramDerivedAddress({
    programAddress: TURBO_PROGRAM_ADDRESS,
    seeds: [new TextEncoder().encode('signed_feed'), new Uint8Array(Array.from(feedId))],
  });
  return pda;
}

/** The signed feeds of `feedIds` when each has one and a price service is at hand; else null. */
async function loadSignedFeeds(net: Net, feedIds: ArrayLike<number>[]): Promise<{ signed: SignedFeeds; byFeed: Map<string, Address> } | null> {
  const service = priceService(net);
  if (!service || feedIds.length === 0) return null;
  const addresses = await Promise.all(feedIds.map(signedFeedAddress));
  const accounts = await fetchAllMaybeSignedFeed(net.rpc, addresses);
  if (!accounts.every((a) => a.exists)) return null;
  const storage = await net.rpc.getAccountInfo(LAZER_STORAGE, { encoding: 'base64' }).send();
  if (!storage.value) return null;
  // The Lazer storage: Anchor's 8-byte discriminator, the top authority, then the treasury.
  const raw = getBase64Encoder().encode(storage.value.data[0]);
  const treasury = getAddressDecoder().decode(raw.slice(40, 72));
  const byFeed = new Map<string, Address>();
  feedIds.forEach((f, i) => byFeed.set(hex(f), addresses[i]));
  const feeds = accounts.map((a) => ({ address: a.address, lazerId: a.exists ? a.data.lazerFeedId : 0 }));
  return { signed: { service, treasury, feeds }, byFeed };
}

/** A signed update of `lazerIds` from the price service, in the Solana format the program posts. */
export async function fetchSignedUpdate(service: string, lazerIds: number[]): Promise<Uint8Array> {
  const res = await fetch(`${service.replace(/\/$/, '')}/v1/latest_price`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      priceFeedIds: lazerIds,
      properties: ['price', 'confidence', 'exponent'],
      formats: ['solana'],
      jsonBinaryEncoding: 'hex',
      parsed: false,
      channel: 'fixed_rate@200ms',
    }),
  });
  if (!res.ok) throw new Error(`the price service refused (${res.status}): ${await res.text()}`);
  const body = (await res.json()) as { solana?: { encoding: string; data: string } };
  if (!body.solana || body.solana.encoding !== 'hex') throw new Error('the price service sent no hex Solana-format update');
  const data = body.solana.data;
  return Uint8Array.from({ length: data.length / 2 }, (_, i) => parseInt(data.slice(2 * i, 2 * i + 2), 16));
}

/** The ed25519 precompile's check of a Pyth Pro message that sits at byte 12 of instruction
 * `at` (Turbo's `post_signed_prices`): one signature, its offsets in that instruction's data. */
export function ed25519Check(message: Uint8Array, at: number): Instruction {
  const start = 12;
  const sig = start + 4;
  const key = sig + 64;
  const msg = key + 32 + 2;
  const size = message[100] | (message[101] << 8);
  const data = new Uint8Array(2 + 14);
  const view = new DataView(data.buffer);
  data[0] = 1;
  [sig, at, key, at, msg, size, at].forEach((v, i) => view.setUint16(2 + 2 * i, v, true));
  return { programAddress: ED25519_PROGRAM, accounts: [], data };
}

/** `ixs` with the signed prices of the signed feeds they name posted first, fetched now. */
async function withSignedPrices(net: Net, payer: Address, ixs: readonly Instruction[]): Promise<readonly Instruction[]> {
  const s = net.signed;
  if (!s) return ixs;
  const named = new Set(ixs.flatMap((ix) => (ix.accounts ?? []).map((a) => a.address)));
  const feeds = s.feeds.filter((f, i) => named.has(f.address) && s.feeds.findIndex((g) => g.address === f.address) === i);
  if (feeds.length === 0) return ixs;
  const message = await fetchSignedUpdate(s.service, feeds.map((f) => f.lazerId));
  const post = getPostSignedPricesInstruction({
    payer: createNoopSigner(payer),
    config: (await findConfigPda())[0],
    lazerTreasury: s.treasury,
    message,
    ed25519Index: 0,
  });
  const posted = { ...post, accounts: [...post.accounts, ...feeds.map((f) => ({ address: f.address, role: AccountRole.WRITABLE }))] };
  return [ed25519Check(message, 1), posted, ...ixs];
}

/** The price account of a Pyth feed: the local node's, else Pyth's sponsored feed (shard 0). */
export async function priceAccount(net: Net, feedId: ArrayLike<number>): Promise<Address> {
  const local = net.local?.feeds[hex(feedId)];
  if (local) return address(local);
  const [pda] = await getProgramDerivedAddress({
    programAddress: PYTH_PUSH_ORACLE,
    seeds: [getU16Encoder().encode(0), new Uint8Array(Array.from(feedId))],
  });
  return pda;
}

export async function loadDeployment(net: Net): Promise<Deployment> {
  const [[configAddress], [poolAddress]] = await Promise.all([findConfigPda(), findPoolPda()]);
  const [config, pool] = await Promise.all([fetchConfig(net.rpc, configAddress), fetchPool(net.rpc, poolAddress)]);
  const c = config.data;
  const registered = c.vaults.slice(0, c.vaultCount);
  const vaults = registered.length > 0 ? await fetchAllVault(net.rpc, registered) : [];
  // The chain's clock decides which ScaledUiAmount multiplier is in force.
  const now = Number((await fetchSysvarClock(net.rpc)).unixTimestamp);
  const hedged = pool.data.hedges.map((h, i) => ({ h, i })).filter(({ h, i }) => i < pool.data.assetCount && h.enabled !== 0);
  // Signed prices when the deployment opened a signed feed for every feed it reads.
  const feedIds = [c.crtFeedId, ...pool.data.assets.slice(0, pool.data.assetCount).map((a) => a.feedId)];
  const [signed, tables] = await Promise.all([loadSignedFeeds(net, feedIds), loadLookupTable(net)]);
  net.signed = signed?.signed;
  net.tables = tables;
  const account = (feedId: ArrayLike<number>) => signed?.byFeed.get(hex(feedId)) ?? priceAccount(net, feedId);
  const custodyPrices = await Promise.all(hedged.map(({ i }) => account(pool.data.assets[i].feedId)));
  const [usdc, crt, lp, crtPrice, ...infos] = await Promise.all([
    mintInfo(net, c.usdcMint, now),
    mintInfo(net, c.crtMint, now),
    mintInfo(net, pool.data.lpMint, now),
    account(c.crtFeedId),
    ...vaults.map(async (v) => ({
      address: v.address,
      account: v.data,
      mint: await mintInfo(net, v.data.mint, now),
      price: await account(v.data.feedId),
    })),
  ]);
  return {
    net,
    configAddress,
    config: c,
    poolAddress,
    pool: pool.data,
    vaults: infos as VaultInfo[],
    crtPrice: crtPrice as Address,
    custodyPrices,
    usdc: usdc as MintInfo,
    crt: crt as MintInfo,
    lp: lp as MintInfo,
    now,
  };
}

// --- events and refusals ---

const DECODERS = {
  VaultQuotedEvent: getVaultQuotedEventDecoder(),
  PoolQuotedEvent: getPoolQuotedEventDecoder(),
  MintEvent: getMintEventDecoder(),
  RedeemEvent: getRedeemEventDecoder(),
  RebalanceEvent: getRebalanceEventDecoder(),
  LiquidityDepositedEvent: getLiquidityDepositedEventDecoder(),
  LiquidityWithdrawnEvent: getLiquidityWithdrawnEventDecoder(),
};
type EventData = { [K in keyof typeof DECODERS]: ReturnType<(typeof DECODERS)[K]['decode']> };
export type Decoded = { [K in keyof EventData]: { name: K; data: EventData[K] } }[keyof EventData];

/** The Turbo events in a transaction's logs (`Program data:` lines), in order. */
export function decodeEvents(logs: readonly string[]): Decoded[] {
  const out: Decoded[] = [];
  const b64 = getBase64Encoder();
  for (const line of logs) {
    if (!line.startsWith('Program data: ')) continue;
    const bytes = b64.encode(line.slice('Program data: '.length).split(' ')[0]);
    for (const [name, disc] of Object.entries(EVENT_DISCRIMINATORS) as [EventName, Uint8Array][]) {
      if (!(name in DECODERS) || bytes.length < 8 || !disc.every((b, i) => bytes[i] === b)) continue;
      const decoder = DECODERS[name as keyof typeof DECODERS];
      out.push({ name, data: decoder.decode(bytes.slice(8)) } as Decoded);
    }
  }
  return out;
}

export function eventOf<K extends keyof EventData>(events: Decoded[], name: K): EventData[K] | undefined {
  return events.find((e) => e.name === name)?.data as EventData[K] | undefined;
}

/** Why the chain refused: the program's error name and a sentence a user can act on. */
export interface Refusal {
  name: string;
  sentence: string;
}

/** Sentences for the refusals a wallet user meets; others use the program's own message. */
const PLAIN: Record<string, string> = {
  SlippageExceeded:
    'The price moved since the preview: you would receive less than the minimum you accepted. Nothing was sent; check the new preview and try again.',
  PriceNotFresh: 'The price feed has not updated in the last few seconds. Nothing was sent; try again in a moment.',
  PriceAheadOfClock: 'The price update is ahead of the chain’s clock. Nothing was sent; try again in a few seconds.',
  PriceUpdateOutOfOrder: 'Someone used a newer price than this transaction named. Nothing was sent; try again.',
  MintPaused: 'Minting is paused for this vault. Redeeming stays open.',
  SupplyCapExceeded: 'This mint would take the vault over its supply cap. Try a smaller amount.',
  PoolCapacityExceeded: 'The liquidity pool cannot back more exposure right now. Try a smaller amount or later.',
  RiskCapExceeded: 'The pool is at its risk limit on this side of the market. Try a smaller amount or later.',
  ImbalanceCapExceeded: 'Too much of the pool already backs this side of the market. Try a smaller amount or later.',
  InsufficientFunds: 'Your wallet does not hold enough for this amount.',
};

const TOKEN_ERRORS: Record<number, string> = { 1: 'InsufficientFunds' };

function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : Number(v);
}

/** Name and explain a transaction error from its `err` value and logs. */
export function explain(err: unknown, logs: readonly string[] = []): Refusal {
  const ie = (err as { InstructionError?: [unknown, unknown] } | null)?.InstructionError;
  const custom = ie && typeof ie[1] === 'object' && ie[1] !== null ? (ie[1] as { Custom?: unknown }).Custom : undefined;
  if (custom !== undefined) {
    const code = num(custom);
    const failed = logs.find((l) => / failed: /.test(l)) ?? '';
    if (failed.startsWith(`Program ${TURBO_PROGRAM_ADDRESS} `) || (ERROR_NAMES[code] && !failed.startsWith('Program Token'))) {
      const name = ERROR_NAMES[code] ?? `Error${code}`;
      let message = '';
      try {
        message = getTurboErrorMessage(code as TurboError);
      } catch {
        message = '';
      }
      return { name, sentence: PLAIN[name] ?? `${message}.` };
    }
    const name = TOKEN_ERRORS[code] ?? `TokenError${code}`;
    return { name, sentence: PLAIN[name] ?? 'The token program refused the transfer.' };
  }
  const text = typeof err === 'string' ? err : JSON.stringify(err, (_, v) => (typeof v === 'bigint' ? Number(v) : v));
  if (/AccountNotFound|InsufficientFundsForFee/.test(text)) {
    return { name: 'InsufficientFundsForFee', sentence: 'Your wallet needs a little SOL to pay the network fee.' };
  }
  return { name: text.replace(/[{}"]/g, ''), sentence: 'The network refused the transaction.' };
}

// --- simulation ---

export interface Simulated {
  refusal: Refusal | null;
  events: Decoded[];
  logs: readonly string[];
  units: bigint;
}

async function compile(net: Net, payer: Address, unpriced: readonly Instruction[]) {
  const ixs = await withSignedPrices(net, payer, unpriced);
  const { value: latest } = await net.rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
    (m) => appendTransactionMessageInstructions(ixs, m),
  );
  const compressed = net.tables ? compressTransactionMessageUsingAddressLookupTables(message, net.tables) : message;
  return { tx: compileTransaction(compressed), latest };
}

/** Simulate `ixs` paid by `payer` without any signature and read the events they emit. */
export async function simulate(net: Net, payer: Address, ixs: readonly Instruction[]): Promise<Simulated> {
  const { tx } = await compile(net, payer, ixs);
  const r = await net.rpc
    .simulateTransaction(getBase64EncodedWireTransaction(tx), {
      encoding: 'base64',
      sigVerify: false,
      replaceRecentBlockhash: true,
      commitment: 'confirmed',
    })
    .send();
  const logs = r.value.logs ?? [];
  return {
    refusal: r.value.err ? explain(r.value.err, logs) : null,
    events: decodeEvents(logs),
    logs,
    units: r.value.unitsConsumed ?? 0n,
  };
}

/** Who pays for a read-only simulation: the wallet, else the deployment's admin (it holds SOL). */
export function viewer(d: Deployment, wallet?: Address | null): Address {
  return wallet ?? d.config.admin;
}

export function withRemaining(ix: Instruction, accounts: Address[]): Instruction {
  return { ...ix, accounts: [...(ix.accounts ?? []), ...accounts.map((a) => ({ address: a, role: AccountRole.READONLY }))] };
}

/** Every registered vault followed by its price account, then each custody's price account, as
 * the LP instructions and `quote_pool` want them. */
export function valuationAccounts(d: Deployment): Address[] {
  return [...d.vaults.flatMap((v) => [v.address, v.price]), ...d.custodyPrices];
}

export interface Quotes {
  vaults: Map<Address, VaultQuotedEvent>;
  pool: PoolQuotedEvent | null;
  refusal: Refusal | null;
}

/** One simulation: the `quote` of every vault and `quote_pool`. */
export async function quoteAll(d: Deployment, payer?: Address | null): Promise<Quotes> {
  const ixs: Instruction[] = d.vaults.map((v) =>
    getQuoteInstruction({
      config: d.configAddress,
      pool: d.poolAddress,
      vault: v.address,
      mint: v.account.mint,
      priceUpdate: v.price,
      crtPriceUpdate: d.crtPrice,
    }),
  );
  ixs.push(
    withRemaining(
      getQuotePoolInstruction({ config: d.configAddress, pool: d.poolAddress, lpMint: d.pool.lpMint, crtPriceUpdate: d.crtPrice }),
      valuationAccounts(d),
    ),
  );
  const sim = await simulate(d.net, viewer(d, payer), ixs);
  const vaults = new Map<Address, VaultQuotedEvent>();
  for (const e of sim.events) if (e.name === 'VaultQuotedEvent') vaults.set(e.data.vault, e.data);
  return { vaults, pool: eventOf(sim.events, 'PoolQuotedEvent') ?? null, refusal: sim.refusal };
}

// --- sending ---

export interface Signer {
  address: Address;
  /** Sign a serialized transaction and return it, signed. */
  sign(transaction: Uint8Array, chain: `solana:${string}`): Promise<Uint8Array>;
}

export function noop(a: Address) {
  return createNoopSigner(a);
}

export type Sent = { ok: true; signature: Signature; events: Decoded[] } | { ok: false; refusal: Refusal; signature?: Signature };

/**
 * Check `ixs` by simulation (a refusal costs the user nothing and no signature), then ask the
 * wallet to sign, send, and poll until the node confirms it.
 */
export async function send(net: Net, signer: Signer, ixs: readonly Instruction[], onStage?: (s: string) => void): Promise<Sent> {
  const { tx, latest } = await compile(net, signer.address, ixs);
  const check = await net.rpc
    .simulateTransaction(getBase64EncodedWireTransaction(tx), { encoding: 'base64', sigVerify: false, commitment: 'confirmed' })
    .send();
  if (check.value.err) return { ok: false, refusal: explain(check.value.err, check.value.logs ?? []) };
  onStage?.('Waiting for your wallet to sign…');
  let signedBytes: Uint8Array;
  try {
    signedBytes = await signer.sign(new Uint8Array(getTransactionEncoder().encode(tx)), net.chain);
  } catch (e) {
    return { ok: false, refusal: { name: 'SignatureDeclined', sentence: `The wallet did not sign: ${(e as Error).message}` } };
  }
  const signed = getTransactionDecoder().decode(signedBytes);
  const signature = getSignatureFromTransaction(signed);
  onStage?.('Sending…');
  try {
    await net.rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: 'base64', preflightCommitment: 'confirmed' }).send();
  } catch (e) {
    return { ok: false, refusal: { name: 'SendFailed', sentence: (e as Error).message }, signature };
  }
  onStage?.('Confirming…');
  for (;;) {
    const { value } = await net.rpc.getSignatureStatuses([signature]).send();
    const s = value[0];
    if (s && (s.confirmationStatus === 'confirmed' || s.confirmationStatus === 'finalized')) {
      const t = await net.rpc.getTransaction(signature, { encoding: 'json', maxSupportedTransactionVersion: 0, commitment: 'confirmed' }).send();
      const logs = t?.meta?.logMessages ?? [];
      if (s.err) return { ok: false, refusal: explain(s.err, logs), signature };
      return { ok: true, signature, events: decodeEvents(logs) };
    }
    const height = await net.rpc.getBlockHeight({ commitment: 'confirmed' }).send();
    if (height > latest.lastValidBlockHeight) {
      return { ok: false, refusal: { name: 'BlockhashExpired', sentence: 'The transaction expired before it landed. Nothing moved; try again.' }, signature };
    }
    await new Promise((r) => setTimeout(r, 400));
  }
}

/** A token account's balance, raw and as the node shows it (decimals and multiplier applied). */
export async function tokenBalance(net: Net, account: Address): Promise<{ raw: bigint; ui: string }> {
  try {
    const { value } = await net.rpc.getTokenAccountBalance(account).send();
    return { raw: BigInt(value.amount), ui: value.uiAmountString ?? '0' };
  } catch {
    return { raw: 0n, ui: '0' };
  }
}
