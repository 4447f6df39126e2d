// The web app in a real browser against `turbo localnet`: connect a wallet, read the vaults,
// mint and redeem, a slippage refusal, liquidity in and out, and the charts' points.

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { address, createSolanaRpc, type Address } from '@solana/kit';
import { fetchSysvarClock } from '@solana/sysvars';
import { decodeEvents } from '../src/chain';
import { pct, uiAmount, usd } from '../src/format';
import { balanceOf, connectTestWallet, fundedWallet, installTestWallet, startNode, turbo, type Node, type TestWallet } from './localnet';

const TOKEN = address('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
const TOKEN_2022 = address('TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');
/** Where the README's screenshots go when TURBO_WEB_SCREENSHOTS=1 (the docs), else target/. */
const SHOTS = process.env.TURBO_WEB_SCREENSHOTS ? resolve(import.meta.dirname, '../../../docs/web') : resolve(import.meta.dirname, '../../../target/web-tests/shots');

let node: Node;
let wallet: TestWallet;
let env: { usdcMint: Address };

// One node for the file; every test has its own funded wallet and sets up what it needs, so any
// test runs alone (`--grep`) or in any order.
test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  node = await startNode(18_899 + (process.pid % 500));
  env = await node.call('turboLocalEnv');
});

test.afterAll(() => node?.stop());

test.beforeEach(async ({ page }) => {
  wallet = await fundedWallet(node);
  await installTestWallet(page, wallet);
});

/** The events of the wallet's newest landed transaction. */
async function lastEvents(owner: Address): Promise<ReturnType<typeof decodeEvents>> {
  const rpc = createSolanaRpc(node.url);
  const [newest] = await rpc.getSignaturesForAddress(owner, { limit: 1 }).send();
  const t = await rpc.getTransaction(newest.signature, { encoding: 'json', maxSupportedTransactionVersion: 0 }).send();
  return decodeEvents(t?.meta?.logMessages ?? []);
}

/** Set an asset's price, then wait until the chain's clock has moved past the second it was
 * published in, so a rebalance after it settles at a new publish time (no wall-clock sleep). */
async function movePrice(symbol: string, price: number): Promise<void> {
  const rpc = createSolanaRpc(node.url);
  const t0 = (await fetchSysvarClock(rpc)).unixTimestamp;
  await node.call('turboSetPrice', [symbol, price]);
  await expect.poll(async () => (await fetchSysvarClock(rpc)).unixTimestamp > t0, { timeout: 10_000, intervals: [100] }).toBe(true);
}

async function open(page: Page, hash = '#/'): Promise<void> {
  await page.goto(`${node.url}/${hash}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', /.+/);
}

/** The rows of a `turbo` table (`vaults`, `custodies`), by their first cell: column name → text. */
function cliTable(command: string): Map<string, Record<string, string>> {
  const lines = turbo(node, command).split('\n').filter((l) => l.includes('┆'));
  const cells = (l: string) => l.replace(/^[│\s]+|[│\s]+$/g, '').split('┆').map((c) => c.trim());
  const [head, ...rows] = lines.map(cells);
  return new Map(rows.map((r) => [r[0], Object.fromEntries(head.map((h, i) => [h, r[i]]))]));
}

async function vaultAddress(page: Page, symbol: string): Promise<string> {
  const href = await page.locator(`tr[data-vault="${symbol}"] a`).first().getAttribute('href');
  return (href ?? '').split('/')[2];
}

test('connect a wallet through the Wallet Standard', async ({ page }) => {
  await open(page);
  await expect(page.getByLabel('Wallet')).toContainText('Turbo test wallet');
  await connectTestWallet(page);
  await expect(page.locator('#connected')).toHaveAttribute('data-address', wallet.address);
});

test('a reload keeps the wallet: a silent reconnect, and the demo wallet keeps its key and funds', async ({ page }) => {
  await open(page);
  await connectTestWallet(page);
  await page.reload();
  await expect(page.locator('#connected')).toHaveAttribute('data-address', wallet.address);
  // The local demo wallet: its key lives in the tab's session, funded once.
  await page.locator('#disconnect').click();
  await page.getByLabel('Wallet').selectOption({ label: 'Local demo wallet' });
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  const demo = await page.locator('#connected').getAttribute('data-address');
  expect(demo).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
  const funded = await balanceOf(node, demo as Address, env.usdcMint, TOKEN);
  expect(funded.raw).toBe(10_000_000_000n);
  await page.reload();
  await expect(page.locator('#connected')).toHaveAttribute('data-address', demo ?? '');
  expect((await balanceOf(node, demo as Address, env.usdcMint, TOKEN)).raw).toBe(funded.raw);
});

test('the vaults table shows what turbo vaults reads from the chain', async ({ page }) => {
  await open(page);
  // The page records its first render for the benchmark (bench/first-render.spec.ts); the time
  // itself is measured there, never asserted here.
  await expect(page.locator('body')).toHaveAttribute('data-first-render', /^\d+$/);
  const cli = cliTable('vaults');
  expect([...cli.keys()].sort()).toEqual((await page.locator('#vaults tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.vault))).sort());
  for (const [symbol, row] of cli) {
    const cell = (col: string) => page.locator(`tr[data-vault="${symbol}"] [data-col="${col}"]`);
    await expect(cell('nav')).toHaveText(row['NAV']);
    await expect(cell('price')).toHaveText(row['Token']);
    await expect(cell('leverage')).toHaveText(row['Leverage']);
    await expect(cell('supply')).toHaveText(row['Supply']);
    await expect(cell('capacity')).toHaveText(row['Can mint']);
    // The same words as the CLI's status and band: the program's quote, read by both.
    // A wait ("trim in 12s") counts down between the two reads: the words must match, the
    // seconds need not.
    const status = row['Status'];
    await expect(cell('state')).toHaveText(/\d+s$/.test(status) ? new RegExp(`^${status.replace(/\d+s$/, '')}\\d+s$`) : status);
    await expect(cell('band')).toHaveText(row['Band']);
  }
  await expect(page.locator('tr[data-vault="bSOL"] [data-col="band"]')).toHaveText('-2.000x to -2.500x');
});

test('the numbers stay live: a price move shows without a reload, with their age', async ({ page }) => {
  await open(page);
  await expect(page.locator('#updated')).toHaveText(/^updated \d+ s ago$/);
  const before = cliTable('vaults').get('tSOL')?.['Leverage'];
  await expect(page.locator('tr[data-vault="tSOL"] [data-col="leverage"]')).toHaveText(before ?? '');
  // SOL up 2%: Turbo SOL's leverage falls; the page re-reads the quote by itself.
  const sol = Number(cliTable('vaults').get('tSOL')?.['Price'].replace(/[$,]/g, ''));
  await movePrice('SOL', sol * 1.02);
  const after = cliTable('vaults').get('tSOL')?.['Leverage'];
  expect(after).not.toEqual(before);
  await expect(page.locator('tr[data-vault="tSOL"] [data-col="leverage"]')).toHaveText(after ?? '', { timeout: 15_000 });
});

test('an open mint preview reads itself again when the price moves, without typing', async ({ page }) => {
  await open(page);
  await connectTestWallet(page);
  const tsol = await vaultAddress(page, 'tSOL');
  await page.goto(`${node.url}/#/vault/${tsol}/mint`);
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Amount (USDC)').fill('250');
  const out = dialog.locator('[data-field="out"]');
  await expect(out).toHaveText(/^[\d,.]+ tSOL$/);
  const before = await out.textContent();
  // SOL up 3%: Turbo SOL's NAV rises, and a mint is priced at the worse end of the price window
  // for the minter at once, so 250 USDC buys fewer tokens.
  const sol = Number(cliTable('vaults').get('tSOL')?.['Price'].replace(/[$,]/g, ''));
  await movePrice('SOL', sol * 1.03);
  await expect(out).not.toHaveText(before ?? '', { timeout: 15_000 });
  const tokens = (t: string | null) => Number((t ?? '').replace(/[^\d.]/g, ''));
  expect(tokens(await out.textContent())).toBeLessThan(tokens(before));
  await expect(dialog.getByRole('button', { name: 'Mint tSOL' })).toBeEnabled();
});

test('a navigation says it is loading at once, and stops when the page is drawn', async ({ page }) => {
  await open(page);
  // Hold every RPC answer 400 ms, as a far node would.
  await page.route('**/*', async (r) => {
    if (r.request().method() === 'POST') await new Promise((done) => setTimeout(done, 400));
    await r.continue();
  });
  await page.locator('tr[data-vault="tSOL"] a').first().click();
  await expect(page.locator('#main')).toHaveAttribute('aria-busy', 'true');
  await expect(page.locator('#updated')).toHaveText('loading…');
  await expect(page.locator('body')).toHaveAttribute('data-ready', /^vault\//);
  await expect(page.locator('#main')).not.toHaveAttribute('aria-busy', 'true');
});

test('mint Turbo SOL, see the balance the bank holds and the position through the indexer', async ({ page }) => {
  await open(page);
  await connectTestWallet(page);
  const tsol = await vaultAddress(page, 'tSOL');
  await page.goto(`${node.url}/#/vault/${tsol}/mint`);
  const dialog = page.getByRole('dialog');
  await expect(dialog.locator('#mint-balance')).toHaveText('Balance: 100,000.00 USDC');
  await expect(dialog.locator('#mint-capacity')).toHaveText(`At most ${cliTable('vaults').get('tSOL')?.['Can mint']} of USDC can be minted now.`);
  await dialog.getByLabel('Amount (USDC)').fill('250');
  await expect(dialog.locator('[data-field="out"]')).toHaveText(/^[\d,.]+ tSOL$/);
  await expect(dialog.locator('[data-field="fee"]')).toHaveText(/^\$\d/);
  await expect(dialog.locator('[data-field="price-used"]')).toContainText('oracle $');
  await expect(dialog.locator('[data-field="minimum"]')).toHaveText(/^[\d,.]+ tSOL$/);
  await page.screenshot({ path: resolve(SHOTS, `${test.info().project.name}-mint-dialog.png`) });
  await dialog.getByRole('button', { name: 'Mint tSOL' }).click();
  await expect(dialog.locator('.done')).toBeVisible();
  const vault = await page.evaluate(() => location.hash);
  expect(vault).toContain(tsol);
  const mint = await mintOf(tsol as Address);
  const held = await balanceOf(node, wallet.address, mint, TOKEN_2022);
  expect(held.raw).toBeGreaterThan(0n);
  await expect(dialog.locator('.new-balance')).toHaveText(`New balance: ${held.ui} tSOL`);
  const usdc = await balanceOf(node, wallet.address, env.usdcMint, TOKEN);
  expect(usdc.raw).toBe(99_750_000_000n);
  // The position, read through the indexer once it holds the mint: its cost is what was paid.
  await node.synced();
  await page.evaluate(() => (location.hash = '#/'));
  const row = page.locator('#positions tr[data-position="tSOL"]');
  await expect(row.locator('[data-col="tokens"]')).toHaveText(`${held.ui} tSOL`);
  await expect(row.locator('[data-col="cost"]')).toHaveText('$250.00');
});

/** The vault's mint, read from its account by the app's generated decoder. */
async function mintOf(vault: Address): Promise<Address> {
  const { fetchVault } = await import('../src/generated');
  const v = await fetchVault(createSolanaRpc(node.url), vault);
  return v.data.mint;
}

test('redeem half', async ({ page }) => {
  turbo(node, '-k', wallet.file, 'mint', 'tSOL', '--usdc', '250');
  await open(page);
  await connectTestWallet(page);
  const tsol = (await vaultAddress(page, 'tSOL')) as Address;
  const mint = await mintOf(tsol);
  const before = await balanceOf(node, wallet.address, mint, TOKEN_2022);
  const usdcBefore = await balanceOf(node, wallet.address, env.usdcMint, TOKEN);
  const half = before.raw / 2n;
  await page.goto(`${node.url}/#/vault/${tsol}/redeem`);
  const dialog = page.getByRole('dialog');
  await expect(dialog.locator('#redeem-balance')).toHaveText(`Balance: ${Number(before.ui).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })} tSOL`);
  await dialog.getByLabel('Amount (tSOL)').fill((Number(half) / 1e6).toFixed(6));
  await expect(dialog.locator('[data-field="out"]')).toHaveText(/^\$[\d,.]+$/);
  const previewed = await dialog.locator('[data-field="out"]').textContent();
  await dialog.getByRole('button', { name: 'Redeem tSOL' }).click();
  await expect(dialog.locator('.done')).toBeVisible();
  const after = await balanceOf(node, wallet.address, mint, TOKEN_2022);
  expect(after.raw).toBe(before.raw - half);
  await expect(dialog.locator('.new-balance')).toHaveText(`New balance: ${after.ui} tSOL`);
  // Paid exactly what the RedeemEvent says, and that is what the preview showed.
  const redeemed = (await lastEvents(wallet.address)).find((e) => e.name === 'RedeemEvent');
  const usdcOut = (redeemed?.data as { usdcOut: bigint }).usdcOut;
  expect((await balanceOf(node, wallet.address, env.usdcMint, TOKEN)).raw).toBe(usdcBefore.raw + usdcOut);
  expect(previewed).toBe(usd(usdcOut));
});

test('a slippage refusal shows SlippageExceeded and its sentence, and nothing moves', async ({ page }) => {
  await open(page);
  await connectTestWallet(page);
  const tsol = (await vaultAddress(page, 'tSOL')) as Address;
  await page.goto(`${node.url}/#/vault/${tsol}/mint`);
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Slippage tolerance (%)').fill('0');
  await dialog.getByLabel('Amount (USDC)').fill('100');
  await expect(dialog.locator('[data-field="out"]')).toHaveText(/tSOL$/);
  const usdc = await balanceOf(node, wallet.address, env.usdcMint, TOKEN);
  // SOL rises 5% after the preview: a 3x long's token costs more, so 100 USDC buys fewer. The
  // page holds the minimum it previewed; the click must send that one, so the test checks the
  // dialog still shows it when clicking.
  const minimum = await dialog.locator('[data-field="minimum"]').textContent();
  const sol = Number(cliTable('vaults').get('tSOL')?.['Price'].replace(/[$,]/g, ''));
  await node.call('turboSetPrice', ['SOL', sol * 1.05]);
  await expect(dialog.locator('[data-field="minimum"]')).toHaveText(minimum ?? '');
  await dialog.getByRole('button', { name: 'Mint tSOL' }).click();
  const refusal = dialog.locator('[data-error="SlippageExceeded"]');
  await expect(refusal).toBeVisible();
  await expect(refusal).toContainText('SlippageExceeded');
  await expect(refusal.locator('.sentence')).toHaveText(/^The price moved since the preview: you would receive less than the minimum you accepted\./);
  expect((await balanceOf(node, wallet.address, env.usdcMint, TOKEN)).raw).toBe(usdc.raw);
  // The refused preview is read again at once at the new price (fewer tokens), beside the refusal.
  await expect(dialog.locator('[data-field="minimum"]')).not.toHaveText(minimum ?? '');
  await expect(refusal).toBeVisible();
});

test('a mint the pool cannot back, or the wallet cannot pay, is refused in the preview before any signature', async ({ page, context }) => {
  await open(page);
  await connectTestWallet(page);
  const tsol = await vaultAddress(page, 'tSOL');
  await page.goto(`${node.url}/#/vault/${tsol}/mint`);
  const dialog = page.getByRole('dialog');
  // $10M at 3x is more than the pool's caps allow.
  await dialog.getByLabel('Amount (USDC)').fill('10000000');
  const caps = dialog.locator('[data-error="PoolCapacityExceeded"]');
  await expect(caps).toBeVisible();
  await expect(caps.locator('.sentence')).toHaveText('The liquidity pool cannot back more exposure right now. Try a smaller amount or later.');
  await expect(dialog.getByRole('button', { name: 'Mint tSOL' })).toBeDisabled();

  // A wallet with 1 USDC asks for 5.
  const poor = await fundedWallet(node, 1);
  const other = await context.newPage();
  await installTestWallet(other, poor);
  await other.goto(`${node.url}/`);
  await expect(other.locator('body')).toHaveAttribute('data-ready', /.+/);
  await connectTestWallet(other);
  await other.goto(`${node.url}/#/vault/${tsol}/mint`);
  const d2 = other.getByRole('dialog');
  await expect(d2.locator('#mint-balance')).toHaveText('Balance: 1.00 USDC');
  await d2.getByLabel('Amount (USDC)').fill('5');
  const funds = d2.locator('[data-error="InsufficientFunds"]');
  await expect(funds).toBeVisible();
  await expect(funds.locator('.sentence')).toHaveText('Your wallet does not hold enough for this amount.');
  await expect(d2.getByRole('button', { name: 'Mint tSOL' })).toBeDisabled();
  expect((await balanceOf(node, poor.address, env.usdcMint, TOKEN)).raw).toBe(1_000_000n);
});

test('deposit and withdraw liquidity, and the position and APR through the indexer', async ({ page }) => {
  await open(page, '#/liquidity');
  await connectTestWallet(page);
  await expect(page.locator('[data-field="pool-value"]')).toHaveText(/^\$[\d,.]+ – \$[\d,.]+$/);
  await expect(page.locator('[data-field="share-price"]')).toContainText('(withdraw)');
  const form = page.locator('#deposit');
  await form.getByLabel('Amount (USDC)').fill('1000');
  await expect(form.locator('[data-field="out"]')).toHaveText(/ LP$/);
  await form.getByRole('button', { name: 'Deposit' }).click();
  await expect(form.locator('.done')).toBeVisible();
  const { fetchPool, findPoolPda } = await import('../src/generated');
  const [poolAddress] = await findPoolPda();
  const pool = await fetchPool(createSolanaRpc(node.url), poolAddress);
  // The deposit (with the post of the four signed prices it reads) named the deployment's
  // accounts through its lookup table, and the node indexes what it loaded from the table: the
  // pool's newest transaction is this deposit.
  const rpc = createSolanaRpc(node.url);
  const [newest] = await rpc.getSignaturesForAddress(wallet.address, { limit: 1 }).send();
  const landed = await rpc.getTransaction(newest.signature, { encoding: 'base64', maxSupportedTransactionVersion: 0 }).send();
  expect(landed?.version).toBe(0);
  const loaded = [...(landed?.meta?.loadedAddresses?.writable ?? []), ...(landed?.meta?.loadedAddresses?.readonly ?? [])];
  expect(loaded).toContain(poolAddress);
  expect((await rpc.getSignaturesForAddress(poolAddress, { limit: 1 }).send())[0].signature).toBe(newest.signature);
  const lp = await balanceOf(node, wallet.address, pool.data.lpMint, TOKEN);
  expect(lp.raw).toBeGreaterThan(0n);
  await expect(form.locator('.new-balance')).toHaveText(`LP balance: ${lp.ui} LP`);
  // The withdraw form's balance follows the deposit that landed beside it.
  await expect(page.locator('#withdraw-balance')).toHaveText(`Balance: ${uiAmount(lp.raw, 6)} LP`);
  // The position and the APR, read through the indexer once it holds the deposit.
  await node.synced();
  await page.evaluate(() => (location.hash = '#/'));
  await expect(page.locator('body')).toHaveAttribute('data-ready', /.+/);
  await page.evaluate(() => (location.hash = '#/liquidity'));
  await expect(page.locator('[data-field="lp-deposited"]')).toHaveText('$1,000.00');
  await expect(page.locator('[data-field="lp-shares"]')).toHaveText(`${uiAmount(lp.raw, 6)} LP`);
  const history = (await (await fetch(`${node.indexer}/v1/pool/history`)).json()) as { apr_bps: number | null };
  expect(history.apr_bps).not.toBeNull();
  await expect(page.locator('[data-field="apr"]')).toContainText(`${pct((history.apr_bps ?? 0) / 10_000)} over `);

  const usdc = await balanceOf(node, wallet.address, env.usdcMint, TOKEN);
  const out = page.locator('#withdraw');
  await expect(out.locator('#withdraw-balance')).toContainText(' LP');
  await out.getByLabel('Amount (LP)').fill((Number(lp.raw / 2n) / 1e6).toFixed(6));
  await expect(out.locator('[data-field="out"]')).toHaveText(/^\$/);
  await out.getByRole('button', { name: 'Withdraw' }).click();
  await expect(out.locator('.done')).toBeVisible();
  expect((await balanceOf(node, wallet.address, pool.data.lpMint, TOKEN)).raw).toBe(lp.raw - lp.raw / 2n);
  const withdrawn = (await lastEvents(wallet.address)).find((e) => e.name === 'LiquidityWithdrawnEvent');
  const usdcOut = (withdrawn?.data as { usdcOut: bigint }).usdcOut;
  expect(usdcOut).toBeGreaterThan(0n);
  expect((await balanceOf(node, wallet.address, env.usdcMint, TOKEN)).raw).toBe(usdc.raw + usdcOut);
  // The page states the exit-pause clock (docs/decisions.md, "Pauses have one clock").
  await expect(page.locator('[data-field="withdraw-pause"]')).toHaveText('open');
});

test('the liquidity page states the LP\'s risk with the pool\'s own numbers', async ({ page }) => {
  await open(page, '#/liquidity');
  const risk = page.locator('#risk');
  // migrations/localnet.toml: a 3σ day may cost 1%, σ ≥ 50% a year; a 50% gap at most 10%.
  await expect(risk).toContainText('a 3.00σ day could cost 1% of its value, with σ never read below 50% a year');
  await expect(risk).toContainText('A 50% gap may cost it at most 10% of its value.');
  const pool = turbo(node, 'vaults').split('\n').find((l) => l.startsWith('Pool:')) ?? '';
  const badDebt = pool.match(/bad debt absorbed (\$[\d,]+\.\d\d)/)?.[1];
  await expect(risk).toContainText(`Bad debt absorbed so far: ${badDebt}.`);
  await expect(risk).toContainText('A withdrawal can be refused while withdrawals are paused (open;');
});

test('the liquidity page shows each custody as turbo custodies reads it, and FET as synthetic', async ({ page }) => {
  // An LP brings 10 SOL to the custody through the CLI; the seeds' net long on SOL locks part.
  await node.call('turboAirdropAsset', [wallet.address, 'SOL', 10_000_000_000]);
  turbo(node, '-k', wallet.file, 'lp', 'deposit', '10', '--asset', 'SOL');
  await open(page, '#/liquidity');
  const cli = cliTable('custodies');
  for (const [asset, vaults] of [['SOL', 'tSOL, bSOL'], ['BTC', 'tBTC, bBTC']]) {
    const row = cli.get(asset)!;
    const cells = page.locator(`#hedges tr[data-asset="${vaults}"] td`);
    await expect(cells.nth(0)).toHaveText(row['Owned']);
    await expect(cells.nth(1)).toHaveText(row['Locked']);
    await expect(cells.nth(3)).toHaveText(/^\$[\d,.]+ \/ \$[\d,.]+$/);
  }
  expect(cli.get('SOL')!['Owned']).toBe('10.00');
  await expect(page.locator('#hedges tr[data-asset="tSOL, bSOL"] td').nth(2)).toHaveText(cli.get('SOL')!['Utilization']);
  await expect(page.locator('#hedges tr[data-asset="tBTC, bBTC"] td').nth(2)).toHaveText('—');
  await expect(page.locator('#hedges tr[data-asset="tFET"] td').first()).toHaveText('synthetic: no custody, under the risk cap');
  // Each vault's page says how the pool backs it.
  await open(page);
  for (const [symbol, text] of [
    ['tFET', 'synthetic: the pool holds none of the asset; its net is under the risk cap'],
    ['tSOL', 'hedged: the pool holds the asset in a custody, locked against the net long'],
    ['bSOL', "a short: backed by the pool's stablecoin, under the risk cap"],
  ]) {
    await open(page, `#/vault/${await vaultAddress(page, symbol)}`);
    await expect(page.locator('[data-field="backing"]')).toHaveText(text);
    await open(page);
  }
});

test('the vault chart has the points the events imply, read through the indexer', async ({ page }) => {
  await open(page);
  const tsol = (await vaultAddress(page, 'tSOL')) as Address;
  // A keeper rebalances after each of three moves of SOL.
  let sol = Number(cliTable('vaults').get('tSOL')?.['Price'].replace(/[$,]/g, ''));
  for (const move of [-0.04, 0.03, -0.05]) {
    sol *= 1 + move;
    await movePrice('SOL', sol);
    turbo(node, '-k', wallet.file, 'rebalance', 'tSOL');
  }
  // What the chain says: every RebalanceEvent of the vault in its transactions.
  const rpc = createSolanaRpc(node.url);
  const sigs = await rpc.getSignaturesForAddress(tsol).send();
  let expected = 0;
  for (const s of sigs.filter((x) => x.err === null)) {
    const t = await rpc.getTransaction(s.signature, { encoding: 'json', maxSupportedTransactionVersion: 0 }).send();
    expected += decodeEvents(t?.meta?.logMessages ?? []).filter((e) => e.name === 'RebalanceEvent' && e.data.vault === tsol).length;
  }
  expect(expected).toBeGreaterThanOrEqual(3);
  // The page reads the history from the indexer beside the node, once it holds the newest.
  await node.synced();
  await open(page, `#/vault/${tsol}`);
  await expect(page.locator('#history-source')).toHaveAttribute('data-source', 'indexer');
  await expect(page.locator('#price-chart')).toHaveAttribute('data-points', String(expected));
  await expect(page.locator('#price-chart polyline[data-series="tSOL"]')).toHaveAttribute('data-points', String(expected));
  await expect(page.locator('#leverage-chart polyline')).toHaveAttribute('data-points', String(expected));
  await expect(page.locator('#rebalances tbody tr')).toHaveCount(Math.min(expected, 10));
  await expect(page.locator('#decay')).toContainText('against the ideal constant 3x');
  await page.screenshot({ path: resolve(SHOTS, `${test.info().project.name}-vault-detail.png`), fullPage: true });
  // The vaults page after all that activity, for the docs.
  await open(page, '#/');
  await expect(page.locator('tr[data-vault="tSOL"] [data-col="change"]')).toHaveText(/%/);
  await page.screenshot({ path: resolve(SHOTS, `${test.info().project.name}-vaults.png`), fullPage: true });
});

test('after a reverse split balances and supply show the ScaledUiAmount multiplier', async ({ page }) => {
  turbo(node, '-k', wallet.file, 'mint', 'tFET', '--usdc', '100');
  await open(page);
  const tfet = (await vaultAddress(page, 'tFET')) as Address;
  const mint = await mintOf(tfet);
  const raw = (await balanceOf(node, wallet.address, mint, TOKEN_2022)).raw;
  expect(raw).toBeGreaterThan(0n);
  // FET falls 12% at a time; each fall takes tFET past its emergency leverage and a keeper
  // cuts it back, until the token trades under its $10 split threshold and is reverse split.
  let fet = Number(cliTable('vaults').get('tFET')?.['Price'].replace(/[$,]/g, ''));
  const multiplier = async () => {
    const r = await createSolanaRpc(node.url).getAccountInfo(mint, { encoding: 'jsonParsed' }).send();
    const info = (r.value?.data as { parsed: { info: { extensions: { extension: string; state: { newMultiplier: string } }[] } } }).parsed.info;
    return Number(info.extensions.find((e) => e.extension === 'scaledUiAmountConfig')?.state.newMultiplier);
  };
  for (let i = 0; i < 12 && (await multiplier()) === 1; i++) {
    fet *= 0.88;
    await movePrice('FET', fet);
    turbo(node, '-k', wallet.file, 'rebalance', 'tFET');
  }
  const m = await multiplier();
  expect(m).toBe(0.5);
  // Raw balances did not change; the wallet's UI amount halved, and the page shows that one.
  const held = await balanceOf(node, wallet.address, mint, TOKEN_2022);
  expect(held.raw).toBe(raw);
  expect(Number(held.ui)).toBeCloseTo((Number(raw) * m) / 1e6, 6);
  await open(page, '#/');
  await connectTestWallet(page);
  await page.goto(`${node.url}/#/vault/${tfet}/redeem`);
  const shown = Number(held.ui).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 });
  await expect(page.getByRole('dialog').locator('#redeem-balance')).toHaveText(`Balance: ${shown} tFET`);
  const cli = cliTable('vaults').get('tFET') as Record<string, string>;
  await expect(page.locator('[data-field="supply"]')).toHaveText(cli['Supply']);
  // Redeeming the whole UI balance burns the whole raw balance.
  await page.getByRole('dialog').getByRole('button', { name: 'Max' }).click();
  await expect(page.getByRole('dialog').locator('[data-field="out"]')).toHaveText(/^\$/);
  await page.getByRole('dialog').getByRole('button', { name: 'Redeem tFET' }).click();
  await expect(page.getByRole('dialog').locator('.done')).toBeVisible();
  expect((await balanceOf(node, wallet.address, mint, TOKEN_2022)).raw).toBe(0n);
});

test('every control is reachable by keyboard and labelled', async ({ page }) => {
  await open(page);
  await connectTestWallet(page);
  const tsol = await vaultAddress(page, 'tSOL');
  await page.goto(`${node.url}/#/vault/${tsol}/mint`);
  await expect(page.getByRole('dialog')).toBeVisible();
  for (const hash of ['#/', `#/vault/${tsol}/mint`, '#/liquidity']) {
    await open(page, hash);
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, button, a[href]')]
        .filter((e) => {
          const el = e as HTMLElement;
          const name = el.getAttribute('aria-label') || (el as HTMLInputElement).labels?.[0]?.textContent || el.textContent;
          return !name?.trim() || el.tabIndex < 0;
        })
        .map((e) => e.outerHTML.slice(0, 80)),
    );
    expect(unlabelled, hash).toEqual([]);
  }
  // Tab from the top reaches the RPC field, the wallet and the first vault link (still connected).
  await open(page);
  await expect(page.locator('#connected')).toBeVisible();
  const reached = new Set<string>();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => (document.activeElement?.id || document.activeElement?.textContent || '').trim()));
  }
  expect([...reached]).toEqual(expect.arrayContaining(['rpc', 'disconnect', 'tBTC', 'Mint']));
});
