// Test fixtures: a `turbo localnet` node serving the built app, a wallet that exists only in
// tests (registered through the Wallet Standard in the page, signing in Node with a local
// keypair), and the `turbo` CLI as an independent reader of the same chain.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, type Page } from '@playwright/test';
import {
  createSolanaRpc,
  generateKeyPair,
  getAddressFromPublicKey,
  getTransactionDecoder,
  getTransactionEncoder,
  partiallySignTransaction,
  type Address,
} from '@solana/kit';
import { findAssociatedTokenPda } from '@solana-program/token';
import { TURBO_PROGRAM_ADDRESS } from '../src/generated';

const REPO = resolve(import.meta.dirname, '../../..');

/** The `turbo` binary cargo built (the README's test command builds it first). */
export function turboBin(): string {
  const candidates = [
    process.env.TURBO_BIN,
    process.env.CARGO_TARGET_DIR && join(process.env.CARGO_TARGET_DIR, 'debug', 'turbo'),
    join(REPO, 'target', 'debug', 'turbo'),
    // scripts/test's default target dir.
    process.env.HOME && join(process.env.HOME, '.cache', 'turbo-target', 'debug', 'turbo'),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no turbo binary in ${candidates.join(', ')}: run cargo build -p turbo-cli first`);
  return found;
}

/** The `turbo-indexer` binary, built beside `turbo`. */
function indexerBin(): string {
  return join(resolve(turboBin(), '..'), 'turbo-indexer');
}

export interface Node {
  url: string;
  /** The `turbo-indexer` following the node, which the page reads history from. */
  indexer: string;
  proc: ChildProcess;
  call<T>(method: string, params?: unknown[]): Promise<T>;
  /** Wait until the indexer holds the program's newest transaction. */
  synced(): Promise<void>;
  stop(): void;
}

/** Start `turbo localnet --web` on a free port and wait until it serves. */
export async function startNode(port: number): Promise<Node> {
  const url = `http://127.0.0.1:${port}`;
  const indexer = `http://127.0.0.1:${port + 1}`;
  const proc = spawn(turboBin(), ['localnet', '--bind', `127.0.0.1:${port}`, '--web', join(REPO, 'app/web/dist'), '--quiet', '--indexer', indexer], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d));
  proc.stderr?.on('data', (d: Buffer) => (out += d));
  const call = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
    const body = await res.json();
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  };
  const db = join(mkdtempSync(join(tmpdir(), 'turbo-web-index-')), 'index.db');
  const idx = spawn(indexerBin(), ['--url', url, '--db', `sqlite://${db}`, '--bind', `127.0.0.1:${port + 1}`, '--poll-ms', '200', '--quote-every', '0'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  idx.stdout?.on('data', (d: Buffer) => (out += d));
  idx.stderr?.on('data', (d: Buffer) => (out += d));
  const synced = async () => {
    const newest = await call<{ signature: string }[]>('getSignaturesForAddress', [TURBO_PROGRAM_ADDRESS, { limit: 1 }]);
    await expect
      .poll(async () => {
        const res = await fetch(`${indexer}/v1/status`).catch(() => null);
        return res?.ok ? ((await res.json()) as { cursor: { signature: string } | null }).cursor?.signature : null;
      }, { timeout: 30_000, intervals: [200] })
      .toBe(newest[0]?.signature);
  };
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`turbo localnet exited:\n${out}`);
    if (out.includes('web app on')) {
      try {
        await call('getHealth');
        return {
          url,
          indexer,
          proc,
          call,
          synced,
          stop: () => {
            idx.kill('SIGKILL');
            proc.kill('SIGINT');
          },
        };
      } catch {
        /* not yet */
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill();
  idx.kill();
  throw new Error(`turbo localnet did not start:\n${out}`);
}

/** `turbo --url <node> …`, its stdout. */
export function turbo(node: Node, ...args: string[]): string {
  return execFileSync(turboBin(), ['--url', node.url, ...args], { cwd: REPO, encoding: 'utf8' });
}

export interface TestWallet {
  address: Address;
  keys: CryptoKeyPair;
  /** A Solana CLI keypair file for the same key (for `turbo -k`). */
  file: string;
}

/** A funded key: SOL for fees and USDC to trade. */
export async function fundedWallet(node: Node, usdc = 100_000): Promise<TestWallet> {
  const keys = await generateKeyPair(true);
  const address = await getAddressFromPublicKey(keys.publicKey);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  const pub = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
  const file = join(mkdtempSync(join(tmpdir(), 'turbo-web-')), 'id.json');
  writeFileSync(file, JSON.stringify([...pkcs8.slice(-32), ...pub]));
  await node.call('requestAirdrop', [address, 10_000_000_000]);
  if (usdc > 0) await node.call('turboAirdropUsdc', [address, usdc * 1_000_000]);
  return { address, keys, file };
}

/**
 * Register the test wallet in the page through the Wallet Standard's own events, before the
 * app loads; it signs in Node with the wallet's key.
 */
export async function installTestWallet(page: Page, w: TestWallet): Promise<void> {
  await page.exposeFunction('turboTestSign', async (bytes: number[]) => {
    const tx = getTransactionDecoder().decode(new Uint8Array(bytes));
    const signed = await partiallySignTransaction([w.keys], tx);
    return Array.from(getTransactionEncoder().encode(signed));
  });
  const publicKey = Array.from(new Uint8Array(await crypto.subtle.exportKey('raw', w.keys.publicKey)));
  await page.addInitScript(
    ({ address, publicKey }) => {
      const account = { address, publicKey: new Uint8Array(publicKey), chains: ['solana:localnet'], features: ['solana:signTransaction'] };
      let accounts: (typeof account)[] = [];
      const wallet = {
        version: '1.0.0',
        name: 'Turbo test wallet',
        icon: 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=',
        chains: ['solana:localnet'],
        get accounts() {
          return accounts;
        },
        features: {
          'standard:connect': {
            version: '1.0.0',
            connect: async () => {
              accounts = [account];
              return { accounts };
            },
          },
          'standard:events': { version: '1.0.0', on: () => () => {} },
          'solana:signTransaction': {
            version: '1.0.0',
            supportedTransactionVersions: ['legacy', 0],
            signTransaction: async (...inputs: { transaction: Uint8Array }[]) =>
              Promise.all(
                inputs.map(async (i) => ({
                  signedTransaction: new Uint8Array(await (window as unknown as { turboTestSign(b: number[]): Promise<number[]> }).turboTestSign(Array.from(i.transaction))),
                })),
              ),
          },
        },
      };
      const register = ({ register }: { register(w: unknown): void }) => register(wallet);
      window.addEventListener('wallet-standard:app-ready', (e) => register((e as CustomEvent).detail));
      try {
        window.dispatchEvent(new CustomEvent('wallet-standard:register-wallet', { detail: register }));
      } catch {
        /* the app is not listening yet; app-ready will come */
      }
    },
    { address: w.address, publicKey },
  );
}

export async function connectTestWallet(page: Page): Promise<void> {
  // A page of a context that connected before reconnects silently on load (the page remembers
  // the last wallet): nothing to choose then.
  if (await page.locator('#connected').isVisible()) return;
  await page.getByLabel('Wallet').selectOption({ label: 'Turbo test wallet' });
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await expect(page.locator('#connected')).toBeVisible();
  // Connecting re-reads the page for the wallet: wait for that render.
  await expect(page.locator('body')).toHaveAttribute('data-ready', /.+/);
}

/** A token account's balance as the node reports it, raw and UI. */
export async function balanceOf(node: Node, owner: Address, mint: Address, tokenProgram: Address): Promise<{ raw: bigint; ui: string }> {
  const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram });
  const rpc = createSolanaRpc(node.url);
  try {
    const { value } = await rpc.getTokenAccountBalance(ata).send();
    return { raw: BigInt(value.amount), ui: value.uiAmountString ?? '0' };
  } catch {
    return { raw: 0n, ui: '0' };
  }
}
