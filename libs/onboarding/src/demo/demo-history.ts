import { DEMO_HISTORY_DAYS, type DemoCustomer } from './demo-users';

/** One past money movement between demo customers (by their index in DEMO_CUSTOMERS) or with cash. */
export interface DemoMove {
  kind: 'deposit' | 'withdrawal' | 'transfer';
  /** The customer paying (withdrawal, transfer). */
  from: number | null;
  /** The customer paid (deposit, transfer). */
  to: number | null;
  amount: number;
  description: string;
  at: Date;
}

const TRANSFER_REASONS = ['Dinner split', 'Concert tickets', 'Birthday gift', 'Groceries', 'Car share', 'Book club', 'Football tickets', 'Holiday cottage share', 'Paying you back', 'Wedding present'];
const WITHDRAWAL_REASONS = ['ATM withdrawal', 'Cash for the market', 'ATM withdrawal — airport'];
const DEPOSIT_REASONS = ['Cash deposit', 'Sold the old bike', 'Tax refund'];
const DAY_MS = 86_400_000;

/** A small seeded generator (mulberry32): the same history on every laptop. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A few weeks of varied history, oldest first, dated before today (UTC): opening deposits, salaries
 * every two weeks, rent, card withdrawals, cash deposits and transfers among the customers. Every
 * debit fits the payer's balance at that moment, so the whole history posts without a refusal.
 */
export function demoHistory(customers: readonly DemoCustomer[], now = new Date()): DemoMove[] {
  const random = seeded(20_261_130);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const between = (min: number, max: number) => Math.round((min + random() * (max - min)) / 100) * 100;
  const startOfToday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const balances = customers.map(() => 0);
  const moves: DemoMove[] = [];
  const add = (move: Omit<DemoMove, 'at'>, daysAgo: number, minute: number) => {
    if (move.from !== null && balances[move.from] < move.amount) return;
    if (move.from !== null) balances[move.from] -= move.amount;
    if (move.to !== null) balances[move.to] += move.amount;
    moves.push({ ...move, at: new Date(startOfToday - daysAgo * DAY_MS + minute * 60_000) });
  };

  for (let daysAgo = DEMO_HISTORY_DAYS; daysAgo >= 1; daysAgo--) {
    const day = DEMO_HISTORY_DAYS - daysAgo;
    let minute = 7 * 60 + Math.floor(random() * 60);
    const next = () => (minute += 20 + Math.floor(random() * 90));
    customers.forEach((customer, index) => {
      if (day === 0) add({ kind: 'deposit', from: null, to: index, amount: customer.initialDeposit, description: 'Opening deposit' }, daysAgo, next());
      else if (day % 14 === 0) add({ kind: 'deposit', from: null, to: index, amount: customer.salary, description: `Salary — ${customer.fullName.split(' ')[1]} & Co payroll` }, daysAgo, next());
    });
    // Rent on the same day each month-ish: Dave and Erin rent from Alice and Carol.
    if (day === 2 || day === 30) {
      add({ kind: 'transfer', from: 3, to: 0, amount: 95_000, description: 'Rent, flat 2B' }, daysAgo, next());
      add({ kind: 'transfer', from: 4, to: 2, amount: 120_000, description: 'Rent, Elm Street 14' }, daysAgo, next());
    }
    const moveCount = 1 + Math.floor(random() * 3);
    for (let i = 0; i < moveCount && minute < 22 * 60; i++) {
      const who = Math.floor(random() * customers.length);
      const roll = random();
      if (roll < 0.55) {
        let to = Math.floor(random() * (customers.length - 1));
        if (to >= who) to++;
        add({ kind: 'transfer', from: who, to, amount: between(1_500, 30_000), description: pick(TRANSFER_REASONS) }, daysAgo, next());
      } else if (roll < 0.85) {
        add({ kind: 'withdrawal', from: who, to: null, amount: between(2_000, 20_000), description: pick(WITHDRAWAL_REASONS) }, daysAgo, next());
      } else {
        add({ kind: 'deposit', from: null, to: who, amount: between(5_000, 50_000), description: pick(DEPOSIT_REASONS) }, daysAgo, next());
      }
    }
  }
  return moves;
}
