// Wallets through the Wallet Standard: every installed wallet that can sign Solana
// transactions (Phantom, Backpack, Solflare, …) registers itself with the page, and the page
// lists them without any per-wallet code. On a local validator the page also registers a demo
// wallet of its own (a key that lives in this tab only), funded by the node on connect.

import {
  address,
  generateKeyPair,
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

export async function connectWallet(wallet: SolanaWallet): Promise<Session> {
  const { accounts } = await wallet.features[StandardConnect].connect();
  const account = accounts.find((a) => a.features.includes(SolanaSignTransaction)) ?? accounts[0];
  if (!account) throw new Error(`${wallet.name} shared no account`);
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
  const f = (s.wallet.features as Record<string, { disconnect?: () => Promise<void> }>)['standard:disconnect'];
  await f?.disconnect?.();
}

const DEMO_ICON = ('data:image/svg+xml;base64,' +
  btoa('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b6"/><text x="16" y="22" font-size="16" text-anchor="middle" fill="#fff">D</text></svg>')) as `data:image/svg+xml;base64,${string}`;

/**
 * Register the local demo wallet: a fresh key in this tab, offered only on a `turbo localnet`
 * node, which funds it with SOL and USDC when it connects.
 */
export async function registerDemoWallet(net: Net): Promise<void> {
  if (!net.local) return;
  const keys = await generateKeyPair();
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
            await fundLocal(net, addr);
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
