// The Turbo web app: the vaults, one vault's history, mint and redeem, and the liquidity pool,
// on any Solana RPC URL, with any Wallet Standard wallet.

import './style.css';
import type { Address } from '@solana/kit';
import { findAssociatedTokenPda, getCreateAssociatedTokenIdempotentInstructionAsync } from '@solana-program/token';
import {
  connect,
  eventOf,
  fundLocal,
  loadDeployment,
  noop,
  quoteAll,
  simulate,
  TOKEN_2022_PROGRAM,
  TOKEN_PROGRAM,
  tokenBalance,
  valuationAccounts,
  withRemaining,
  type Deployment,
  type MintInfo,
  type Net,
  type Quotes,
  type VaultInfo,
} from './chain';
import { chart } from './chart';
import { asCards, facts, h, replace } from './dom';
import { flow, LANDED, refusalView, refused, type Context, type Preview } from './flow';
import { ago, amount, band, bps, exitPause, lev, minOut, pct, price, short, uiAmount, usd } from './format';
import {
  getDepositLiquidityInstruction,
  getMintInstruction,
  getRedeemInstruction,
  getWithdrawLiquidityInstruction,
  RebalanceAction,
  type VaultQuotedEvent,
} from './generated';
import { change, decay, ideal, rebalances, type Point, type Sample } from './history';
import { poolHistory, positions } from './indexer';
import { connectWallet, disconnectWallet, onWalletsChanged, reconnect, registerDemoWallet, solanaWallets, type Session } from './wallet';

const PAUSE_MINT = 1;

interface App {
  net: Net | null;
  d: Deployment | null;
  quotes: Quotes | null;
  session: Session | null;
}

const app: App = { net: null, d: null, quotes: null, session: null };
const main = document.getElementById('main') as HTMLElement;
const walletBox = document.getElementById('wallet') as HTMLElement;
const notice = document.getElementById('notice') as HTMLElement;

function rpcUrl(): string {
  const fromQuery = new URLSearchParams(location.search).get('rpc');
  if (fromQuery) return fromQuery;
  const saved = localStorage.getItem('turbo.rpc');
  if (saved) return saved;
  // Served by `turbo localnet --web`, the node is the page's own origin.
  return import.meta.env.DEV ? 'http://127.0.0.1:8899' : location.origin;
}

function explorer(signature: string): string {
  const net = app.net;
  const cluster =
    net?.chain === 'solana:mainnet' ? '' : net?.chain === 'solana:devnet' ? '?cluster=devnet' : `?cluster=custom&customUrl=${encodeURIComponent(net?.url ?? '')}`;
  return `https://explorer.solana.com/tx/${signature}${cluster}`;
}

function ctx(): Context {
  return { net: app.net as Net, signer: app.session, explorer, landed: () => void refresh().then(() => window.dispatchEvent(new Event(LANDED))) };
}

// --- data ---

/** When the numbers on screen were read (ms), for "updated N s ago". */
let updatedAt = 0;

async function refresh(): Promise<void> {
  if (!app.net) return;
  app.d = await loadDeployment(app.net);
  app.quotes = await quoteAll(app.d, app.session?.address);
  updatedAt = Date.now();
}

/** A vault's rebalance history (its last `limit` transactions), kept for a minute: the live
 * re-reads redraw the page every few seconds, and history is hundreds of requests. */
const histories = new Map<string, { at: number; points: Promise<Point[]> }>();
function historyOf(d: Deployment, v: VaultInfo, limit?: number): Promise<Point[]> {
  const key = `${v.address}/${limit ?? ''}`;
  const hit = histories.get(key);
  if (hit && Date.now() - hit.at < 60_000) return hit.points;
  const points = rebalances(d.net, v.address, limit);
  histories.set(key, { at: Date.now(), points });
  points.catch(() => histories.delete(key));
  return points;
}

/** Seconds between live re-reads of the page's numbers while the tab is visible. */
const LIVE_SECS = 5;

/** Keep the numbers live: every second, say how old they are; every LIVE_SECS re-read and redraw
 * the page, unless the tab is hidden, a dialog is open or the user is working inside the page
 * (focus in it), so nothing moves under a hand. */
function live(): void {
  const label = document.getElementById('updated') as HTMLElement;
  setInterval(() => {
    if (updatedAt > 0) label.textContent = `updated ${Math.max(0, Math.round((Date.now() - updatedAt) / 1000))} s ago`;
    const busy = main.querySelector('dialog[open]') !== null || main.contains(document.activeElement);
    if (document.visibilityState === 'visible' && !busy && !routingNow && Date.now() - updatedAt >= LIVE_SECS * 1000) void route(true);
  }, 1000);
}

function quoteOf(v: VaultInfo): VaultQuotedEvent | undefined {
  return app.quotes?.vaults.get(v.address);
}

function stateOf(v: VaultInfo): string {
  if (v.account.retiredAt !== 0n) return 'retired';
  if (((app.d?.config.paused ?? 0) | v.account.paused) & PAUSE_MINT) return 'mint paused';
  return 'open';
}

/** Where a vault's rebalance stands, from the program's quote, in `turbo vaults`' words
 * (`text::vault_state`): in band, trim due, re-lever due, emergency, or the wait before the next
 * step. */
function rebalanceState(q: VaultQuotedEvent, now: number): string {
  switch (q.action) {
    case RebalanceAction.InBand:
      return 'in band';
    case RebalanceAction.Trim:
      return 'trim due';
    case RebalanceAction.Relever:
      return 're-lever due';
    case RebalanceAction.Emergency:
      return 'emergency';
    case RebalanceAction.NoEquity:
      return 'no equity';
    default: {
      const abs = q.leverage < 0n ? -q.leverage : q.leverage;
      const wait = Math.max(0, Number(q.nextStepAt) - Math.floor(now));
      return `${abs > q.bandHi ? 'trim' : 're-lever'} in ${wait}s`;
    }
  }
}

/** A vault's state chip: retired or paused first, else where its rebalance stands. */
function chipOf(v: VaultInfo, q: VaultQuotedEvent | undefined): string {
  const s = stateOf(v);
  return s !== 'open' || !q ? s : rebalanceState(q, app.d?.now ?? Date.now() / 1000);
}

const isShort = (v: VaultInfo) => v.account.params.targetLeverage < 0n;

/** A vault's supply, with its cap only when it is near binding (at 90% or more). */
function supplyText(v: VaultInfo, supply: bigint): string {
  const cap = v.account.params.supplyCap;
  return supply * 10n >= cap * 9n ? `${tokens(supply, v.mint)} of a cap of ${tokens(cap, v.mint)}` : tokens(supply, v.mint);
}

function samplesOf(points: Point[], q?: VaultQuotedEvent): Sample[] {
  const s = points.map((p) => ({ time: p.time, price: p.event.price, token: p.event.uiPrice }));
  if (q) s.push({ time: app.d?.now ?? Date.now() / 1000, price: q.price, token: q.uiPrice });
  return s;
}

/** An asset price and how far it is from the current one. */
function away(at: bigint, now: bigint): string {
  return `${price(at)} (${pct(Number(at) / Number(now) - 1)})`;
}

/** Where the next trim is, in the asset's price, and how far from now. */
function nextTrim(q: VaultQuotedEvent): string {
  if (q.action === RebalanceAction.Trim || q.action === RebalanceAction.Emergency) return 'due now';
  const abs = q.leverage < 0n ? -q.leverage : q.leverage;
  if (q.action === RebalanceAction.Waiting && abs > q.bandHi) return rebalanceState(q, app.d?.now ?? Date.now() / 1000);
  if (q.trimPrice === 0n) return '—';
  return away(q.trimPrice, q.price);
}

function tokens(raw: bigint, m: MintInfo): string {
  return uiAmount(raw, m.decimals, m.multiplier);
}

// --- pages ---

function vaultLink(v: VaultInfo): HTMLElement {
  return h('a', { href: `#/vault/${v.address}` }, v.mint.symbol);
}

function vaultsPage(d: Deployment): HTMLElement {
  const cols = ['Token', 'Token price', '24 h', 'NAV', 'Leverage', 'Band', 'Next trim at', 'Supply', 'Can mint now', 'State', 'Trade'];
  const table = h('table', { id: 'vaults', 'aria-describedby': 'vaults-caption' });
  table.append(h('caption', { id: 'vaults-caption' }, 'Every Turbo vault at the current oracle prices, from the program’s own quote.'));
  const head = table.createTHead().insertRow();
  for (const c of cols) head.append(h('th', { scope: 'col' }, c));
  const body = table.createTBody();
  for (const v of d.vaults) {
    const q = quoteOf(v);
    const row = body.insertRow();
    row.dataset.vault = v.mint.symbol;
    const cell = (field: string, ...c: (Node | string)[]) => row.append(h('td', { 'data-col': field }, ...c));
    row.append(h('th', { scope: 'row', 'data-col': 'token' }, vaultLink(v)));
    cell('price', q ? usd(q.uiPrice) : '—');
    cell('change', '…');
    cell('nav', q ? usd(q.nav) : '—');
    cell('leverage', q ? lev(q.leverage) : '—');
    cell('band', q ? band(q.bandLo, q.bandHi, isShort(v)) : '—');
    cell('trim', q ? nextTrim(q) : '—');
    cell('supply', supplyText(v, v.mint.supply));
    cell('capacity', q ? usd(q.mintCapacityUsdc) : '—');
    cell('state', chipOf(v, q));
    cell(
      'trade',
      stateOf(v) === 'open'
        ? h('a', { href: `#/vault/${v.address}/mint`, class: 'button', 'aria-label': `Mint ${v.mint.symbol}` }, 'Mint')
        : h('button', { type: 'button', disabled: true, 'aria-label': `Mint ${v.mint.symbol} (${stateOf(v)})` }, 'Mint'),
      ' ',
      h('a', { href: `#/vault/${v.address}/redeem`, class: 'button', 'aria-label': `Redeem ${v.mint.symbol}` }, 'Redeem'),
    );
  }
  const page = h('section', { 'aria-labelledby': 'vaults-title' }, h('h1', { id: 'vaults-title' }, 'Vaults'), asCards(table));
  if (app.quotes?.refusal) page.append(refusalView(app.quotes.refusal));
  const wallet = app.session?.address;
  if (wallet && d.net.indexer) page.append(holdings(d, d.net.indexer, wallet));
  // The 24 h change needs each vault's history: fill it in when it arrives.
  void Promise.all(
    d.vaults.map(async (v) => {
      const points = await historyOf(d, v, 100).catch(() => []);
      const c = change(samplesOf(points, quoteOf(v)), d.now);
      const td = table.querySelector(`tr[data-vault="${v.mint.symbol}"] td[data-col="change"]`);
      if (td) td.textContent = c ? `${pct(c.ratio)}${c.span < 86_000 ? ` (${ago(c.span).replace(' ago', '')})` : ''}` : '—';
    }),
  );
  return page;
}

/** The wallet's positions from the indexer: what it minted less what it redeemed, its cost, its
 * value at the vault's newest NAV, and the profit or loss (filled in when the answer arrives). */
function holdings(d: Deployment, indexer: string, wallet: string): HTMLElement {
  const box = h('section', { id: 'positions', 'aria-labelledby': 'positions-title' }, h('h2', { id: 'positions-title' }, 'Your positions'));
  void positions(indexer, wallet)
    .then((mine) => {
      const held = mine.vaults.filter((p) => p.tokens > 0n || p.proceeds > 0n);
      if (held.length === 0) return void box.append(h('p', {}, 'None yet.'));
      const t = h('table', { id: 'positions-table' });
      t.append(h('caption', {}, 'From the indexer: each mint and redeem as the program priced it; value at the newest NAV.'));
      const hr = t.createTHead().insertRow();
      for (const c of ['Token', 'Holding', 'Cost', 'Redeemed for', 'Value', 'Profit and loss']) hr.append(h('th', { scope: 'col' }, c));
      const tb = t.createTBody();
      for (const p of held) {
        const v = d.vaults.find((x) => x.address === p.vault);
        if (!v) continue;
        const r = tb.insertRow();
        r.dataset.position = v.mint.symbol;
        r.append(h('th', { scope: 'row' }, v.mint.symbol));
        for (const [col, text] of [
          ['tokens', `${tokens(p.tokens, v.mint)} ${v.mint.symbol}`],
          ['cost', usd(p.cost)],
          ['proceeds', usd(p.proceeds)],
          ['value', usd(p.value)],
          ['pnl', usd(p.pnl)],
        ]) r.append(h('td', { 'data-col': col }, text));
      }
      box.append(asCards(t));
    })
    .catch((e: Error) => box.append(h('p', { role: 'status' }, `The indexer did not answer: ${e.message}`)));
  return box;
}

/** How the pool backs `v` (docs/design.md §5.6): a long on an asset with a custody is hedged by
 * tokens the pool holds; an asset with no custody (FET) is synthetic, under the risk cap; a
 * short is backed by the pool's stablecoin under the risk cap either way. */
function backing(d: Deployment, v: VaultInfo): string {
  if (d.pool.hedges[v.account.assetIndex].enabled === 0) return 'synthetic: the pool holds none of the asset; its net is under the risk cap';
  if (v.account.params.targetLeverage < 0n) return 'a short: backed by the pool\'s stablecoin, under the risk cap';
  return 'hedged: the pool holds the asset in a custody, locked against the net long';
}

async function vaultPage(d: Deployment, v: VaultInfo, dialog?: 'mint' | 'redeem'): Promise<HTMLElement> {
  const q = quoteOf(v);
  const p = v.account.params;
  const page = h('section', { 'aria-labelledby': 'vault-title' }, h('h1', { id: 'vault-title' }, `${v.mint.symbol}`, h('small', {}, ` ${v.mint.name}`)));
  page.append(
    h('p', {}, h('a', { href: `#/vault/${v.address}/mint`, class: 'button', id: 'open-mint' }, 'Mint'), ' ', h('a', { href: `#/vault/${v.address}/redeem`, class: 'button', id: 'open-redeem' }, 'Redeem')),
  );
  if (q) {
    page.append(
      facts([
        ['Token price', usd(q.uiPrice), 'price'],
        ['Underlying price', price(q.price), 'underlying'],
        ['NAV', usd(q.nav), 'nav'],
        ['Leverage', lev(q.leverage), 'leverage'],
        ['Effective target', lev(q.effectiveTarget), 'target'],
        ['Band', band(q.bandLo, q.bandHi, isShort(v)), 'band'],
        ['Next trim at', nextTrim(q), 'trim'],
        ['Re-leverage at', q.action === RebalanceAction.Relever ? 'due now' : q.releverPrice === 0n ? '—' : away(q.releverPrice, q.price), 'relever'],
        ['Emergency at', q.emergencyPrice === 0n ? '—' : price(q.emergencyPrice), 'emergency'],
        ['Volatility (annualized)', bps(q.volBps), 'vol'],
        ['Supply', supplyText(v, q.supply), 'supply'],
        ['Can mint now', `at most ${usd(q.mintCapacityUsdc)} of USDC (the pool's caps, from the program's quote)`, 'capacity'],
        ['State', chipOf(v, q), 'state'],
        ['Pool side', backing(d, v), 'backing'],
      ]),
    );
  }
  const points = await historyOf(d, v);
  const samples = samplesOf(points);
  const target = Number(p.targetLeverage) / 1e6;
  const times = samples.map((s) => s.time);
  if (samples.length > 0) {
    const base = samples[0];
    const index = (x: number, b: number) => (100 * x) / b;
    const idealPath = ideal(samples, target);
    page.append(
      chart({
        id: 'price-chart',
        title: `${v.mint.symbol} against its underlying and the ideal constant ${target}x (indexed to 100)`,
        times,
        series: [
          { name: v.mint.symbol, kind: 'token', values: samples.map((s) => index(Number(s.token), Number(base.token))) },
          { name: 'Underlying', kind: 'asset', values: samples.map((s) => index(Number(s.price), Number(base.price))) },
          { name: `Ideal ${target}x`, kind: 'ideal', values: idealPath.map((x) => index(x, idealPath[0])) },
        ],
        format: (x) => x.toFixed(1),
      }),
      chart({
        id: 'leverage-chart',
        title: `${v.mint.symbol} leverage after each rebalance, with the band`,
        times,
        series: [{ name: 'Leverage', kind: 'token', values: points.map((pt) => Math.abs(Number(pt.event.leverageAfter)) / 1e6) }],
        band: points.map((pt) => [Number(pt.event.bandLo) / 1e6, Number(pt.event.bandHi) / 1e6]),
        format: (x) => `${x.toFixed(2)}x`,
      }),
    );
  } else {
    page.append(h('p', { id: 'no-history' }, 'No rebalances yet: the charts start with the first one.'));
  }
  // Say where the history came from, and how much of it that is.
  page.append(
    h(
      'p',
      { id: 'history-source', class: 'note', 'data-source': d.net.indexer ? 'indexer' : 'node' },
      d.net.indexer
        ? 'History from the indexer: every rebalance of this vault.'
        : 'History from the node: the rebalances among this vault’s last 300 transactions (no indexer is configured).',
    ),
  );
  const dec = decay(samplesOf(points, q), target, d.now);
  page.append(
    h('h2', {}, 'Realized decay, last 30 days'),
    h(
      'p',
      { id: 'decay' },
      dec
        ? `${pct(dec.value)} against the ideal constant ${target}x over ${ago(dec.span).replace(' ago', '')} of history (the token’s return less the ideal’s).`
        : 'Not enough history yet.',
    ),
  );
  page.append(
    h('h2', {}, 'Parameters'),
    facts([
      ['Target leverage', lev(p.targetLeverage)],
      ['Band', band(p.bandLo, p.bandHi, isShort(v))],
      ['Emergency leverage', lev(p.emergencyLeverage)],
      ['Step limit', bps(p.stepBps)],
      ['Minimum interval', `${p.minIntervalSecs} s + up to ${p.jitterSecs} s jitter`],
      ['Price age (keepers)', `${p.maxPriceAgeSecs} s`],
      ['Confidence limit', bps(p.maxConfBps)],
      ['Mint fee', bps(p.mintFeeBps)],
      ['Redeem fee', bps(p.redeemFeeBps)],
      ['Supply cap', tokens(p.supplyCap, v.mint)],
      ['Volatility budget', bps(p.volBudgetBps)],
      ['Reverse split under', usd(p.splitThreshold)],
      [
        'Redeem',
        exitPause(
          d.config.redeemPausedUntil > v.account.redeemPausedUntil ? d.config.redeemPausedUntil : v.account.redeemPausedUntil,
          d.config.exitPauseUntil,
          d.now,
        ),
        'redeem-pause',
      ],
    ]),
  );
  const last = points.slice(-10).reverse();
  const rows = h('table', { id: 'rebalances' });
  const hr = rows.createTHead().insertRow();
  for (const c of ['When', 'Action', 'Price', 'Leverage', 'NAV', 'Transaction']) hr.append(h('th', { scope: 'col' }, c));
  const tb = rows.createTBody();
  for (const pt of last) {
    const r = tb.insertRow();
    r.append(
      h('td', {}, ago(d.now - pt.time)),
      h('td', {}, RebalanceAction[pt.event.action]),
      h('td', {}, price(pt.event.price)),
      h('td', {}, `${lev(pt.event.leverageBefore)} → ${lev(pt.event.leverageAfter)}`),
      h('td', {}, usd(pt.event.nav)),
      h('td', {}, h('a', { href: explorer(pt.signature), target: '_blank', rel: 'noopener' }, short(pt.signature))),
    );
  }
  page.append(h('h2', {}, 'Last rebalances'), last.length ? asCards(rows) : h('p', {}, 'None yet.'));
  if (dialog) page.append(tradeDialog(d, v, dialog));
  return page;
}

async function ata(owner: Address, mint: Address, program: Address): Promise<Address> {
  const [a] = await findAssociatedTokenPda({ owner, mint, tokenProgram: program });
  return a;
}

/** `owner`'s balance of `mint` in its associated token account. */
async function held(net: Net, owner: Address, mint: Address, program: Address) {
  return tokenBalance(net, await ata(owner, mint, program));
}

/** Create `owner`'s associated token account for `mint` if it is missing (it pays). */
function createAta(owner: Address, mint: Address, program: Address) {
  return getCreateAssociatedTokenIdempotentInstructionAsync({ payer: noop(owner), owner, mint, tokenProgram: program });
}

function tradeDialog(d: Deployment, v: VaultInfo, kind: 'mint' | 'redeem'): HTMLElement {
  const dialog = h('dialog', { id: 'trade', 'aria-labelledby': 'trade-title' }) as HTMLDialogElement;
  const close = () => {
    location.hash = `#/vault/${v.address}`;
  };
  dialog.addEventListener('close', close);
  const c = ctx();
  const usdcUnit = { symbol: 'USDC', decimals: d.usdc.decimals, multiplier: 1 };
  const tokenUnit = { symbol: v.mint.symbol, decimals: v.mint.decimals, multiplier: v.mint.multiplier };
  const accounts = {
    config: d.configAddress,
    pool: d.poolAddress,
    vault: v.address,
    mint: v.account.mint,
    vaultUsdc: v.account.usdcReserve,
    vaultCrt: v.account.crtReserve,
    poolUsdc: d.pool.usdcReserve,
    poolCrt: d.pool.crtReserve,
    priceUpdate: v.price,
    crtPriceUpdate: d.crtPrice,
  };
  const me = () => app.session?.address as Address;
  const tabs = h(
    'nav',
    { 'aria-label': 'Mint or redeem' },
    h('a', { href: `#/vault/${v.address}/mint`, 'aria-current': kind === 'mint' ? 'page' : undefined, id: 'tab-mint' }, 'Mint'),
    ' ',
    h('a', { href: `#/vault/${v.address}/redeem`, 'aria-current': kind === 'redeem' ? 'page' : undefined, id: 'tab-redeem' }, 'Redeem'),
  );
  const body =
    kind === 'mint'
      ? flow(
          {
            id: 'mint',
            title: `Mint ${v.mint.symbol} with USDC`,
            unit: usdcUnit,
            confirm: `Mint ${v.mint.symbol}`,
            balance: async () => held(d.net, me(), d.usdc.address, TOKEN_PROGRAM),
            async preview(raw): Promise<Preview> {
              const user = me();
              const userTokens = await ata(user, v.account.mint, TOKEN_2022_PROGRAM);
              const userUsdc = await ata(user, d.usdc.address, TOKEN_PROGRAM);
              const create = await createAta(user, v.account.mint, TOKEN_2022_PROGRAM);
              const ix = (min: bigint) => getMintInstruction({ ...accounts, user: noop(user), userTokens, userUsdc, usdcAmount: raw, crtAmount: 0n, minTokensOut: min });
              const sim = await simulate(d.net, user, [create, ix(0n)]);
              const e = eventOf(sim.events, 'MintEvent');
              if (sim.refusal || !e) return refused(sim.refusal, 'mint');
              return {
                refusal: null,
                rows: [
                  ['You receive', `${tokens(e.tokensOut, v.mint)} ${v.mint.symbol}`, 'out'],
                  ['Fee', `${usd(e.feeUsdc)}`, 'fee'],
                  ['Price used', `${price(e.confPrice)} (oracle ${price(e.price)})`, 'price-used'],
                ],
                build: (slip) => {
                  const min = minOut(e.tokensOut, slip);
                  return { ixs: [create, ix(min)], minimum: `${tokens(min, v.mint)} ${v.mint.symbol}` };
                },
              };
            },
            after: async () => `New balance: ${(await held(d.net, me(), v.account.mint, TOKEN_2022_PROGRAM)).ui} ${v.mint.symbol}`,
          },
          c,
        )
      : flow(
          {
            id: 'redeem',
            title: `Redeem ${v.mint.symbol} for USDC`,
            unit: tokenUnit,
            confirm: `Redeem ${v.mint.symbol}`,
            balance: async () => held(d.net, me(), v.account.mint, TOKEN_2022_PROGRAM),
            async preview(raw): Promise<Preview> {
              const user = me();
              const userTokens = await ata(user, v.account.mint, TOKEN_2022_PROGRAM);
              const userUsdc = await ata(user, d.usdc.address, TOKEN_PROGRAM);
              const userCrt = await ata(user, d.crt.address, TOKEN_PROGRAM);
              const holdsCrt = v.account.crtBalance > 0n;
              const setup = [await createAta(user, d.usdc.address, TOKEN_PROGRAM)];
              if (holdsCrt) setup.push(await createAta(user, d.crt.address, TOKEN_PROGRAM));
              const ix = (minUsdc: bigint, minCrt: bigint) =>
                getRedeemInstruction({ ...accounts, user: noop(user), userTokens, userUsdc, userCrt: holdsCrt ? userCrt : undefined, amount: raw, minUsdcOut: minUsdc, minCrtOut: minCrt });
              const sim = await simulate(d.net, user, [...setup, ix(0n, 0n)]);
              const e = eventOf(sim.events, 'RedeemEvent');
              if (sim.refusal || !e) return refused(sim.refusal, 'redeem');
              const crt = (x: bigint) => (x > 0n ? ` + ${amount(x, d.crt.decimals, 2)} CRT` : '');
              return {
                refusal: null,
                rows: [
                  ['You receive', `${usd(e.usdcOut)}${crt(e.crtOut)}`, 'out'],
                  ['Fee', usd(e.feeUsdc) + crt(e.feeCrt), 'fee'],
                  ['Price used', `${price(e.confPrice)} (oracle ${price(e.price)})`, 'price-used'],
                ],
                build: (slip) => {
                  const minUsdc = minOut(e.usdcOut, slip);
                  const minCrt = minOut(e.crtOut, slip);
                  return { ixs: [...setup, ix(minUsdc, minCrt)], minimum: `${usd(minUsdc)}${crt(minCrt)}` };
                },
              };
            },
            after: async () => `New balance: ${(await held(d.net, me(), v.account.mint, TOKEN_2022_PROGRAM)).ui} ${v.mint.symbol}`,
          },
          c,
        );
  // What fits before anyone types: the quote's capacity for a mint, in USDC.
  const q = quoteOf(v);
  const capacity = kind === 'mint' && q ? h('p', { id: 'mint-capacity' }, `At most ${usd(q.mintCapacityUsdc)} of USDC can be minted now.`) : '';
  dialog.append(h('h2', { id: 'trade-title' }, `${kind === 'mint' ? 'Mint' : 'Redeem'} ${v.mint.symbol}`), tabs, capacity, body, h('button', { type: 'button', class: 'close', onclick: () => dialog.close() }, 'Close'));
  return dialog;
}

/** The hedged pool (docs/design.md §5.6): per asset, the custody's tokens, what the vaults' net
 * long locks, the hedged notional against its gap cap, and the net notional a mint may still add;
 * an asset with no custody is synthetic, under the risk cap. Every figure is the program's (the
 * pool account and `quote`). */
function hedgeTable(d: Deployment, quotes: (readonly [VaultInfo, VaultQuotedEvent | undefined])[]): HTMLTableElement {
  // Per asset, its vaults' names and a long vault's quote: the capacity a long mint meets.
  const byAsset = new Map<number, { names: string[]; q?: VaultQuotedEvent }>();
  for (const [v, q] of quotes) {
    const e = byAsset.get(v.account.assetIndex) ?? { names: [] };
    e.names.push(v.mint.symbol);
    if (q && v.account.params.targetLeverage > 0n && !e.q) e.q = q;
    byAsset.set(v.account.assetIndex, e);
  }
  const t = h('table', { id: 'hedges' });
  t.append(h('caption', {}, 'The hedge: custodies of the real assets (locked tokens never leave the pool)'));
  const hr = t.createTHead().insertRow();
  for (const c of ['Asset', 'Custody', 'Locked', 'Utilization', 'Hedged / gap cap', 'Mint capacity left']) hr.append(h('th', { scope: 'col' }, c));
  const tb = t.createTBody();
  for (const [i, { names, q }] of byAsset) {
    if (!q) continue;
    const hg = d.pool.hedges[i];
    const r = tb.insertRow();
    r.dataset.asset = names.join(', ');
    r.append(h('th', { scope: 'row' }, names.join(', ')));
    if (hg.enabled === 0) {
      r.append(h('td', { colspan: '4' }, 'synthetic: no custody, under the risk cap'), h('td', {}, usd(q.capacity)));
      continue;
    }
    r.append(
      h('td', {}, amount(hg.owned, hg.decimals)),
      h('td', {}, amount(hg.locked, hg.decimals)),
      // The program's own `locked / owned` (the quote's), never re-derived here.
      h('td', {}, hg.owned === 0n ? '—' : `${amount(q.utilizationBps, 2, 2)}%`),
      h('td', {}, `${usd(q.hedged)} / ${q.gapCap === 0n ? 'no cap' : usd(q.gapCap)}`),
      h('td', {}, usd(q.capacity)),
    );
  }
  return t;
}

/** The LP's risk in plain words, every number the pool account's (docs/design.md §5.5–5.6):
 * what the caps budget for, the bad debt so far, and when a withdrawal can be refused. */
function riskBox(d: Deployment): HTMLElement {
  const c = d.pool.caps;
  const z = (c.riskZCenti / 100).toFixed(2);
  const items = [
    c.maxDailyLossBps === 0
      ? 'The risk cap is off: only the hard caps bound the net exposure the pool carries.'
      : `The risk cap: the pool carries no more net exposure on an asset than a ${z}σ day could cost ${bps(c.maxDailyLossBps)} of its value, with σ never read below ${bps(c.volFloorBps)} a year. A holder's mint past it is refused; existing holders keep their leverage unless the pool can no longer carry them, and then every vault on that side is cut by the same share.`,
    c.gapBudgetBps === 0
      ? 'The gap cap is off.'
      : `The gap cap: on BTC and SOL the pool holds the asset itself; what it can lose is a gap of more than a vault's 1/leverage between two keeper calls. A ${bps(c.stressGapBps)} gap may cost it at most ${bps(c.gapBudgetBps)} of its value.`,
    `Bad debt absorbed so far: ${usd(d.pool.badDebtAbsorbed)}.`,
    `A withdrawal can be refused while withdrawals are paused (${exitPause(d.config.withdrawPausedUntil, d.config.exitPauseUntil, d.now)}; at most 7 days in a row, then open for 72 hours), in a custody's asset beyond its unlocked tokens, and while a vault's price is stale (then \`turbo lp withdraw --unpriced\` values it at the most the pool could owe it).`,
  ];
  return h('section', { class: 'risk', id: 'risk', 'aria-labelledby': 'risk-title' }, h('h2', { id: 'risk-title' }, 'Your risk as an LP'), h('ul', {}, ...items.map((t) => h('li', {}, t))));
}

/** The pool's APR and the connected wallet's LP position, from the indexer (filled in when its
 * answers arrive); without one, a sentence that says what is missing. */
function lpHistory(d: Deployment): HTMLElement {
  const box = h('section', { id: 'lp-history', 'aria-labelledby': 'lp-history-title' }, h('h2', { id: 'lp-history-title' }, 'Return and your position'));
  const indexer = d.net.indexer;
  if (!indexer) {
    box.append(h('p', { class: 'note', 'data-source': 'node' }, 'The APR and your position need an indexer (docs/clients.md); none is configured for this page.'));
    return box;
  }
  const wallet = app.session?.address;
  void Promise.all([poolHistory(indexer), wallet ? positions(indexer, wallet) : Promise.resolve(null)])
    .then(([pool, mine]) => {
      const days = pool.measuredSecs / 86_400;
      const rows: [string, string, string][] = [
        ['LP APR', pool.aprBps === null ? '— (under two points yet)' : `${pct(pool.aprBps / 10_000)} over ${days.toFixed(1)} days`, 'apr'],
      ];
      if (mine?.lp) {
        rows.push(
          ['Your LP shares', `${tokens(mine.lp.shares, d.lp)} LP`, 'lp-shares'],
          ['Deposited', usd(mine.lp.deposited), 'lp-deposited'],
          ['Withdrawn', usd(mine.lp.withdrawn), 'lp-withdrawn'],
          ['Value now', usd(mine.lp.value), 'lp-value'],
          ['Profit and loss', usd(mine.lp.pnl), 'lp-pnl'],
        );
      }
      box.append(facts(rows), h('p', { class: 'note', 'data-source': 'indexer' }, 'From the indexer: every deposit and withdrawal, priced as the program priced it.'));
    })
    .catch((e: Error) => box.append(h('p', { class: 'note', role: 'status' }, `The indexer did not answer: ${e.message}`)));
  return box;
}

function liquidityPage(d: Deployment): HTMLElement {
  const pq = app.quotes?.pool;
  const quotes = d.vaults.map((v) => [v, quoteOf(v)] as const);
  const any = quotes.find(([, q]) => q)?.[1];
  const page = h('section', { 'aria-labelledby': 'liquidity-title' }, h('h1', { id: 'liquidity-title' }, 'Liquidity'));
  page.append(
    h('p', {}, 'LPs fund the counterparty pool: they earn the fees, the utilization fee and the skew funding and take the other side of every vault. The pool holds BTC and SOL as the hedge of their longs; LPs may bring them instead of USDC (turbo lp deposit --asset SOL).'),
    facts([
      ['Pool value', pq ? `${usd(pq.valueLow)} – ${usd(pq.valueHigh)}` : '—', 'pool-value'],
      ['LP share price', pq ? `${usd(pq.sharePriceLow)} (withdraw) / ${usd(pq.sharePriceHigh)} (deposit)` : '—', 'share-price'],
      ['LP shares', tokens(d.lp.supply, d.lp), 'lp-supply'],
      ['Gross notional backed', any ? `${usd(any.grossNotional)} of ${usd(any.grossCap)}` : '—', 'gross'],
      ['Skew funding earned', usd(d.pool.fundingEarned), 'funding'],
      ['Bad debt absorbed', usd(d.pool.badDebtAbsorbed), 'bad-debt'],
      ['Withdrawals', exitPause(d.config.withdrawPausedUntil, d.config.exitPauseUntil, d.now), 'withdraw-pause'],
    ]),
  );
  const caps = h('table', { id: 'caps' });
  caps.append(h('caption', {}, 'Net exposure per asset against its cap (the tighter of the hard and the risk cap)'));
  const hr = caps.createTHead().insertRow();
  for (const c of ['Asset', 'Net notional', 'Cap', 'In use']) hr.append(h('th', { scope: 'col' }, c));
  const byAsset = new Map<number, { names: string[]; q: VaultQuotedEvent }>();
  for (const [v, q] of quotes) {
    if (!q) continue;
    const e = byAsset.get(v.account.assetIndex);
    if (e) {
      e.names.push(v.mint.symbol);
      if (q.netCap < e.q.netCap) e.q = q;
    } else byAsset.set(v.account.assetIndex, { names: [v.mint.symbol], q });
  }
  const tb = caps.createTBody();
  for (const { names, q } of byAsset.values()) {
    const r = tb.insertRow();
    r.append(
      h('th', { scope: 'row' }, names.join(', ')),
      h('td', {}, usd(q.assetNet)),
      h('td', {}, usd(q.netCap)),
      h('td', {}, q.netCap === 0n ? '—' : pct(Number(q.assetNet) / Number(q.netCap)).replace('+', '')),
    );
  }
  page.append(asCards(caps), asCards(hedgeTable(d, quotes)), riskBox(d), lpHistory(d));
  const c = ctx();
  const lpUnit = { symbol: 'LP', decimals: d.lp.decimals, multiplier: 1 };
  const me = () => app.session?.address as Address;
  const remaining = valuationAccounts(d);
  const base = { config: d.configAddress, pool: d.poolAddress, lpMint: d.pool.lpMint, poolUsdc: d.pool.usdcReserve, crtPriceUpdate: d.crtPrice };
  page.append(
    h(
      'div',
      { class: 'forms' },
      flow(
        {
          id: 'deposit',
          title: 'Deposit USDC',
          unit: { symbol: 'USDC', decimals: d.usdc.decimals, multiplier: 1 },
          confirm: 'Deposit',
          balance: async () => held(d.net, me(), d.usdc.address, TOKEN_PROGRAM),
          async preview(raw): Promise<Preview> {
            const user = me();
            const providerLp = await ata(user, d.pool.lpMint, TOKEN_PROGRAM);
            const providerUsdc = await ata(user, d.usdc.address, TOKEN_PROGRAM);
            const create = await createAta(user, d.pool.lpMint, TOKEN_PROGRAM);
            const ix = (min: bigint) => withRemaining(getDepositLiquidityInstruction({ ...base, provider: noop(user), providerUsdc, providerLp, usdcAmount: raw, minSharesOut: min }), remaining);
            const sim = await simulate(d.net, user, [create, ix(0n)]);
            const e = eventOf(sim.events, 'LiquidityDepositedEvent');
            if (sim.refusal || !e) return refused(sim.refusal, 'deposit');
            return {
              refusal: null,
              rows: [
                ['You receive', `${tokens(e.sharesOut, d.lp)} LP`, 'out'],
                ['Pool value used', usd(e.poolValue), 'pool-value-used'],
              ],
              build: (slip) => {
                const min = minOut(e.sharesOut, slip);
                return { ixs: [create, ix(min)], minimum: `${tokens(min, d.lp)} LP` };
              },
            };
          },
          after: async () => `LP balance: ${(await held(d.net, me(), d.pool.lpMint, TOKEN_PROGRAM)).ui} LP`,
        },
        c,
      ),
      flow(
        {
          id: 'withdraw',
          title: 'Withdraw',
          unit: lpUnit,
          confirm: 'Withdraw',
          balance: async () => held(d.net, me(), d.pool.lpMint, TOKEN_PROGRAM),
          async preview(raw): Promise<Preview> {
            const user = me();
            const providerLp = await ata(user, d.pool.lpMint, TOKEN_PROGRAM);
            const providerUsdc = await ata(user, d.usdc.address, TOKEN_PROGRAM);
            const providerCrt = await ata(user, d.crt.address, TOKEN_PROGRAM);
            const setup = [
              await createAta(user, d.usdc.address, TOKEN_PROGRAM),
              await createAta(user, d.crt.address, TOKEN_PROGRAM),
            ];
            const ix = (minUsdc: bigint, minCrt: bigint) =>
              withRemaining(
                getWithdrawLiquidityInstruction({ ...base, poolCrt: d.pool.crtReserve, provider: noop(user), providerLp, providerUsdc, providerCrt, shares: raw, minUsdcOut: minUsdc, minCrtOut: minCrt, allowUnpriced: false }),
                remaining,
              );
            const sim = await simulate(d.net, user, [...setup, ix(0n, 0n)]);
            const e = eventOf(sim.events, 'LiquidityWithdrawnEvent');
            if (sim.refusal || !e) return refused(sim.refusal, 'withdrawal');
            const crt = (x: bigint) => (x > 0n ? ` + ${amount(x, d.crt.decimals, 2)} CRT` : '');
            return {
              refusal: null,
              rows: [
                ['You receive', `${usd(e.usdcOut)}${crt(e.crtOut)}`, 'out'],
                ['Pool value used', usd(e.poolValue), 'pool-value-used'],
              ],
              build: (slip) => {
                const minUsdc = minOut(e.usdcOut, slip);
                const minCrt = minOut(e.crtOut, slip);
                return { ixs: [...setup, ix(minUsdc, minCrt)], minimum: `${usd(minUsdc)}${crt(minCrt)}` };
              },
            };
          },
          after: async () => `LP balance: ${(await held(d.net, me(), d.pool.lpMint, TOKEN_PROGRAM)).ui} LP`,
        },
        c,
      ),
    ),
  );
  return page;
}

// --- the frame: network, wallet, routing ---

function renderWallet(): void {
  const net = app.net;
  if (app.session) {
    const s = app.session;
    const funds = net?.local
      ? h(
          'button',
          {
            type: 'button',
            id: 'get-funds',
            onclick: async () => {
              await fundLocal(net, s.address);
              notice.textContent = 'Added 10 SOL and 10,000 USDC to your wallet.';
              void route();
            },
          },
          'Get test funds',
        )
      : null;
    replace(
      walletBox,
      h('span', { id: 'connected', 'data-address': s.address, title: s.address }, `${s.wallet.name}: ${short(s.address)}`),
      ' ',
      funds,
      ' ',
      h('button', { type: 'button', id: 'disconnect', onclick: async () => { await disconnectWallet(s); app.session = null; renderWallet(); void route(); } }, 'Disconnect'),
    );
    return;
  }
  const wallets = solanaWallets();
  if (wallets.length === 0) {
    replace(walletBox, h('span', {}, 'No Solana wallet found in this browser.'));
    return;
  }
  const select = h('select', { id: 'wallet-choice', 'aria-label': 'Wallet' }, ...wallets.map((w, i) => h('option', { value: String(i) }, w.name)));
  const go = h(
    'button',
    {
      type: 'button',
      id: 'connect',
      onclick: async () => {
        const w = wallets[Number(select.value)];
        try {
          app.session = await connectWallet(w);
          renderWallet();
          void route();
        } catch (e) {
          notice.textContent = `${w.name} did not connect: ${(e as Error).message}`;
        }
      },
    },
    'Connect wallet',
  );
  replace(walletBox, wallets.length > 1 ? select : h('span', {}, wallets[0].name), ' ', go);
}

let routing = 0;
let routingNow = false;

/** Read the chain and draw the page the address names; `again` is a live re-read of the same
 * page, which keeps its ready mark and focus. */
async function route(again = false): Promise<void> {
  routingNow = true;
  try {
    await draw(again);
  } finally {
    routingNow = false;
  }
}

async function draw(again: boolean): Promise<void> {
  const n = ++routing;
  if (!again) {
    delete document.body.dataset.ready;
    // A navigation reads history afresh; only the live re-reads share it.
    histories.clear();
    // Say at once that the page is loading: the old one is dimmed until the new one is drawn.
    main.setAttribute('aria-busy', 'true');
    (document.getElementById('updated') as HTMLElement).textContent = 'loading…';
  }
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  document.querySelectorAll('header nav a').forEach((a) => a.removeAttribute('aria-current'));
  try {
    await refresh();
  } catch (e) {
    main.removeAttribute('aria-busy');
    replace(main, h('p', { class: 'refusal', role: 'alert' }, `Cannot read Turbo from ${app.net?.url}: ${(e as Error).message}`));
    return;
  }
  const d = app.d as Deployment;
  let page: HTMLElement;
  if (parts[0] === 'vault' && parts[1]) {
    const v = d.vaults.find((x) => x.address === parts[1] || x.mint.symbol === parts[1]);
    page = v ? await vaultPage(d, v, parts[2] === 'mint' || parts[2] === 'redeem' ? parts[2] : undefined) : h('p', {}, 'No such vault.');
  } else if (parts[0] === 'liquidity') {
    document.getElementById('nav-liquidity')?.setAttribute('aria-current', 'page');
    page = liquidityPage(d);
  } else {
    document.getElementById('nav-vaults')?.setAttribute('aria-current', 'page');
    page = vaultsPage(d);
  }
  if (n !== routing) return;
  if (again && (main.querySelector('dialog[open]') || main.contains(document.activeElement))) return;
  replace(main, page);
  main.removeAttribute('aria-busy');
  const dialog = main.querySelector('dialog');
  if (dialog && !dialog.open && !again) {
    dialog.showModal();
    dialog.querySelector('input')?.focus();
  }
  document.body.dataset.ready = parts.join('/') || 'vaults';
  if (!document.body.dataset.firstRender) document.body.dataset.firstRender = String(Math.round(performance.now()));
}

async function start(): Promise<void> {
  const url = rpcUrl();
  const field = document.getElementById('rpc') as HTMLInputElement;
  field.value = url;
  (document.getElementById('rpc-form') as HTMLFormElement).addEventListener('submit', (e) => {
    e.preventDefault();
    localStorage.setItem('turbo.rpc', field.value.trim());
    location.reload();
  });
  try {
    app.net = await connect(url);
  } catch (e) {
    replace(main, h('p', { class: 'refusal', role: 'alert' }, `Cannot reach ${url}: ${(e as Error).message}`));
    return;
  }
  await registerDemoWallet(app.net);
  onWalletsChanged(() => {
    if (!app.session) renderWallet();
  });
  // The wallet connected before a reload, reconnected without a prompt where it allows.
  app.session = await reconnect();
  renderWallet();
  window.addEventListener('hashchange', () => void route());
  await route();
  live();
}

void start();
