// The one flow behind mint, redeem, deposit and withdraw: an amount with balance and max, a live
// preview from simulating the real instruction (the event it would emit), a slippage bound,
// then the wallet's signature, the confirmation and the new balance. A refusal shows the
// program's error name and a plain sentence, and nothing is signed.

import type { Instruction } from '@solana/kit';
import { send, type Net, type Refusal, type Signer } from './chain';
import { facts, h, replace } from './dom';
import { parseUi, uiAmount } from './format';

export interface Unit {
  symbol: string;
  decimals: number;
  multiplier: number;
}

export interface Preview {
  refusal: Refusal | null;
  /** What the user gets, fees and prices, each `[label, value, data-field]`. */
  rows: [string, string, string][];
  /** The transaction with its slippage bound, and that bound as text. */
  build(slippageBps: bigint): { ixs: Instruction[]; minimum: string };
}

/** A preview that cannot go on: the chain's refusal, or an instruction that emitted no event. */
export function refused(refusal: Refusal | null, what: string): Preview {
  return {
    refusal: refusal ?? { name: 'NoEvent', sentence: `The program emitted no ${what} event.` },
    rows: [],
    build: () => ({ ixs: [], minimum: '' }),
  };
}

export interface FlowSpec {
  id: string;
  title: string;
  unit: Unit;
  confirm: string;
  balance(): Promise<{ raw: bigint; ui: string }>;
  preview(raw: bigint): Promise<Preview>;
  /** After a landed transaction: the balance line to show. */
  after(): Promise<string>;
}

export interface Context {
  net: Net;
  signer: Signer | null;
  explorer(signature: string): string;
  /** Called after a transaction landed (to refresh the page's numbers). */
  landed(): void;
}

export function refusalView(r: Refusal): HTMLElement {
  return h('div', { class: 'refusal', role: 'alert', 'data-error': r.name }, h('strong', {}, r.name), ': ', h('span', { class: 'sentence' }, r.sentence));
}

export function flow(spec: FlowSpec, ctx: Context): HTMLElement {
  const id = (s: string) => `${spec.id}-${s}`;
  const amount = h('input', { id: id('amount'), name: 'amount', inputmode: 'decimal', autocomplete: 'off', placeholder: '0.00', 'aria-describedby': id('balance') });
  const slippage = h('input', { id: id('slippage'), name: 'slippage', inputmode: 'decimal', value: '0.5', size: 4 });
  const balance = h('span', { id: id('balance'), class: 'balance' }, 'Balance: …');
  const preview = h('div', { class: 'preview', id: id('preview'), 'aria-live': 'polite' });
  const status = h('div', { class: 'status', id: id('status'), role: 'status', 'aria-live': 'polite' });
  const confirm = h('button', { type: 'submit', id: id('confirm'), disabled: true }, spec.confirm);
  let exactMax: bigint | null = null;
  let maxRaw = 0n;
  let current: Preview | null = null;
  let seq = 0;

  const refreshBalance = async () => {
    if (!ctx.signer) {
      balance.textContent = 'Connect a wallet to see your balance.';
      return;
    }
    const b = await spec.balance();
    maxRaw = b.raw;
    balance.textContent = `Balance: ${uiAmount(b.raw, spec.unit.decimals, spec.unit.multiplier)} ${spec.unit.symbol}`;
  };

  const raw = (): bigint | null => exactMax ?? parseUi(amount.value, spec.unit.decimals, spec.unit.multiplier);

  const slippageBps = (): bigint | null => {
    const v = Number(slippage.value);
    if (!Number.isFinite(v) || v < 0 || v > 50) return null;
    return BigInt(Math.round(v * 100));
  };

  /** Preview the amount typed; `keepStatus` keeps a refusal on screen while the preview is
   * re-read after it; `quiet` (the timer's re-read) keeps the shown preview, and what Confirm
   * would send, until the new one arrives. */
  const update = async (keepStatus = false, quiet = false) => {
    const n = ++seq;
    if (!quiet) {
      current = null;
      confirm.disabled = true;
    }
    if (!keepStatus) replace(status);
    const r = raw();
    if (!ctx.signer) {
      replace(preview, h('p', {}, 'Connect a wallet to preview.'));
      return;
    }
    if (r === null) {
      replace(preview, amount.value.trim() ? h('p', {}, `Enter a positive amount with at most ${spec.unit.decimals} decimals.`) : null);
      return;
    }
    if (!quiet) replace(preview, h('p', {}, 'Simulating…'));
    const p = await spec.preview(r).catch((e: Error) => refused({ name: 'PreviewFailed', sentence: e.message }, ''));
    if (n !== seq) return;
    preview.dataset.readAt = String(Date.now());
    if (p.refusal) {
      current = null;
      confirm.disabled = true;
      replace(preview, refusalView(p.refusal));
      return;
    }
    const bps = slippageBps();
    const min = bps === null ? 'slippage must be between 0% and 50%' : p.build(bps).minimum;
    replace(preview, facts([...p.rows, ['Minimum received', min, 'minimum']]));
    current = p;
    confirm.disabled = bps === null;
  };

  // A preview on screen is re-read every few seconds while the tab is visible and nothing is
  // being sent: prices move, and what Confirm sends should be what the page shows.
  let sending = false;
  const every = window.setInterval(() => {
    if (!form.isConnected) return window.clearInterval(every);
    if (!document.hidden && !sending && current !== null) void update(true, true);
  }, REPREVIEW_MS);

  let timer: number | undefined;
  const later = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void update(), 250);
  };
  amount.addEventListener('input', () => {
    exactMax = null;
    later();
  });
  slippage.addEventListener('input', later);
  const max = h('button', {
    type: 'button',
    id: id('max'),
    onclick: () => {
      exactMax = maxRaw > 0n ? maxRaw : null;
      amount.value = uiAmount(maxRaw, spec.unit.decimals, spec.unit.multiplier, 0).replace(/,/g, '');
      void update();
    },
  }, 'Max');

  const form = h(
    'form',
    {
      class: 'flow',
      id: spec.id,
      'aria-labelledby': id('title'),
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const bps = slippageBps();
        if (!current || !ctx.signer || bps === null) return;
        const { ixs } = current.build(bps);
        confirm.disabled = true;
        replace(status, 'Checking…');
        sending = true;
        const sent = await send(ctx.net, ctx.signer, ixs, (s) => replace(status, s)).finally(() => (sending = false));
        if (!sent.ok) {
          replace(status, refusalView(sent.refusal));
          // The preview that was refused is stale: read it again at once, beside the refusal.
          await update(true);
          return;
        }
        const line = await spec.after();
        await refreshBalance();
        replace(
          status,
          h('p', { class: 'done', 'data-signature': sent.signature }, 'Confirmed. ', h('a', { href: ctx.explorer(sent.signature), target: '_blank', rel: 'noopener' }, 'View transaction'), '. ', h('span', { class: 'new-balance' }, line)),
        );
        ctx.landed();
      },
    },
    h('h3', { id: id('title') }, spec.title),
    h('div', { class: 'row' }, h('label', { for: id('amount') }, `Amount (${spec.unit.symbol})`), amount, max),
    balance,
    h('div', { class: 'row' }, h('label', { for: id('slippage') }, 'Slippage tolerance (%)'), slippage),
    preview,
    confirm,
    status,
  );
  // Any landed transaction may change this balance (a deposit changes the withdraw form's).
  const onLanded = () => (document.contains(form) ? void refreshBalance() : window.removeEventListener(LANDED, onLanded));
  window.addEventListener(LANDED, onLanded);
  void refreshBalance();
  return form;
}

/** How often a preview on screen is read again. */
export const REPREVIEW_MS = 5_000;

/** The window event a landed transaction raises, after the page's data is read again. */
export const LANDED = 'turbo:landed';
