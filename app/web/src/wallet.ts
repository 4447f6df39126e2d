// Wallets through the Wallet Standard: every installed wallet that can sign Solana
// transactions (Phantom, Backpack, Solflare, …) registers itself with the page, and the page
// lists them without any per-wallet code. On a local validator the page also registers a demo
// wallet of its own (a key that lives in this tab's session: a reload keeps it, closing the tab
// loses it), funded by the node on its first connect. The page remembers the wallet it last
// connected and reconnects it silently after a reload, where the wallet allows.

import {
  address,
  createKeyPairFromPrivateKeyBytes,
  getAddressFromPublicKey,
  getTransactionDecoder,
  getTransactionEncoder,
  partiallySignTransaction,
  type Address,
} from '@solana/kit';
import { SolanaSignTransaction, type SolanaSignTransactionFeature } from '@solana/wallet-standard-features';
import { getWallets } from '@wallet-standard/app';
import type { Wallet, WalletAccount } from '@wallet-standard/base';
import {
  StandardConnect,
  StandardEvents,
  type StandardConnectFeature,
  type StandardEventsFeature,
  type StandardEventsListeners,
} from '@wallet-standard/features';
import { fundLocal, type Net, type Signer } from './chain';

type SolanaWallet = Wallet & { features: StandardConnectFeature & SolanaSignTransactionFeature & Partial<StandardEventsFeature> };

function usable(w: Wallet): w is SolanaWallet {
  return StandardConnect in w.features && SolanaSignTransaction in w.features;
}

/** The wallets in the page that can connect and sign Solana transactions. */
export function solanaWallets(): SolanaWallet[] {
  return getWallets().get().filter(usable);
}

/** Call `listener` whenever a wallet registers or leaves. */
export function onWalletsChanged(listener: () => void): void {
  const w = getWallets();
  w.on('register', listener);
  w.on('unregister', listener);
}

export interface Session extends Signer {
  wallet: SolanaWallet;
  account: WalletAccount;
}

/** Where the page remembers the wallet it last connected (its name). */
const LAST_WALLET = 'turbo.wallet';

/** Connect `wallet`; `silent` asks it not to prompt (a reload's reconnect), which a wallet that
 * needs the user's approval refuses. The page remembers it for the next load. */
export async function connectWallet(wallet: SolanaWallet, silent = false): Promise<Session> {
  const { accounts } = await wallet.features[StandardConnect].connect(silent ? { silent: true } : undefined);
  const account = accounts.find((a) => a.features.includes(SolanaSignTransaction)) ?? accounts[0];
  if (!account) throw new Error(`${wallet.name} shared no account`);
  localStorage.setItem(LAST_WALLET, wallet.name);
  return {
    wallet,
    account,
    address: address(account.address),
    async sign(transaction, chain) {
      const [out] = await wallet.features[SolanaSignTransaction].signTransaction({ account, transaction, chain });
      return out.signedTransaction;
    },
  };
}

export async function disconnectWallet(s: Session): Promise<void> {
  localStorage.removeItem(LAST_WALLET);
  const f = (s.wallet.features as Record<string, { disconnect?: () => Promise<void> }>)['standard:disconnect'];
  await f?.disconnect?.();
}

/** The wallet the page connected last, if it is here again: reconnect it without a prompt.
 * `null` when there is none, or it declines to reconnect silently. */
export async function reconnect(): Promise<Session | null> {
  const name = localStorage.getItem(LAST_WALLET);
  const w = name ? solanaWallets().find((x) => x.name === name) : undefined;
  if (!w) return null;
  return connectWallet(w, true).catch(() => null);
}

const DEMO_ICON = ('data:image/svg+xml;base64,' +
  btoa('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b6"/><text x="16" y="22" font-size="16" text-anchor="middle" fill="#fff">D</text></svg>')) as `data:image/svg+xml;base64,${string}`;

/**
 * Register the local demo wallet: a fresh key in this tab, offered only on a `turbo localnet`
 * node, which funds it with SOL and USDC when it connects.
 */
export async function registerDemoWallet(net: Net): Promise<void> {
  if (!net.local) return;
  // The key lives in this tab's session storage, so a reload keeps the wallet and its funds.
  let seed = sessionStorage.getItem('turbo.demo-key');
  if (!seed) {
    seed = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    sessionStorage.setItem('turbo.demo-key', seed);
  }
  const keys = await createKeyPairFromPrivateKeyBytes(Uint8Array.from(atob(seed), (c) => c.charCodeAt(0)), true);
  const addr: Address = await getAddressFromPublicKey(keys.publicKey);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
  const chains = ['solana:localnet'] as const;
  const account: WalletAccount = { address: addr, publicKey, chains, features: [SolanaSignTransaction] };
  let connected: WalletAccount[] = [];
  const listeners: StandardEventsListeners['change'][] = [];
  const wallet: SolanaWallet = {
    version: '1.0.0',
    name: 'Local demo wallet',
    icon: DEMO_ICON,
    chains,
    get accounts() {
      return connected;
    },
    features: {
      [StandardConnect]: {
        version: '1.0.0',
        async connect() {
          if (connected.length === 0) {
            // Funded once per key: a reload's reconnect does not fund it again.
            if (sessionStorage.getItem('turbo.demo-funded') !== addr) {
              await fundLocal(net, addr);
              sessionStorage.setItem('turbo.demo-funded', addr);
            }
            connected = [account];
            listeners.forEach((l) => l({ accounts: connected }));
          }
          return { accounts: connected };
        },
      },
      [StandardEvents]: {
        version: '1.0.0',
        on(_event, listener) {
          listeners.push(listener);
          return () => listeners.splice(listeners.indexOf(listener), 1);
        },
      },
      [SolanaSignTransaction]: {
        version: '1.0.0',
        supportedTransactionVersions: ['legacy', 0],
        async signTransaction(...inputs) {
          return Promise.all(
            inputs.map(async (i) => {
              const tx = getTransactionDecoder().decode(i.transaction);
              const signed = await partiallySignTransaction([keys], tx);
              return { signedTransaction: new Uint8Array(getTransactionEncoder().encode(signed)) };
            }),
          );
        },
      },
    },
  };
  getWallets().register(wallet);
}
