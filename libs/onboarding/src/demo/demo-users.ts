/** Demo logins for a laptop. Their passwords are published here, so production refuses DEMO_DATA. */
export const DEMO_PASSWORD = 'demo-password-2026';
export const DEMO_PIN = '1234';

export interface DemoCustomer {
  email: string;
  fullName: string;
  /** The opening deposit, DEMO_HISTORY_DAYS ago. */
  initialDeposit: number;
  /** Paid on the 1st and 15th-ish: every 14 days from the opening. */
  salary: number;
  /** Locked after five failed sign-ins, for the admin to unlock. */
  locked?: true;
}

export const DEMO_CUSTOMERS: readonly DemoCustomer[] = [
  { email: 'alice@demo.bankingcore.local', fullName: 'Alice Archer', initialDeposit: 250_000, salary: 420_000 },
  { email: 'bob@demo.bankingcore.local', fullName: 'Bob Brennan', initialDeposit: 120_000, salary: 265_000 },
  { email: 'carol@demo.bankingcore.local', fullName: 'Carol Chen', initialDeposit: 900_000, salary: 560_000 },
  { email: 'dave@demo.bankingcore.local', fullName: 'Dave Okafor', initialDeposit: 80_000, salary: 310_000 },
  { email: 'erin@demo.bankingcore.local', fullName: 'Erin Walsh', initialDeposit: 150_000, salary: 380_000 },
  { email: 'frank@demo.bankingcore.local', fullName: 'Frank Fischer', initialDeposit: 60_000, salary: 240_000, locked: true },
];

export const DEMO_EMPLOYEE = { email: 'emma@demo.bankingcore.local', fullName: 'Emma Employee' } as const;

/** How far back the demo's history goes. */
export const DEMO_HISTORY_DAYS = 35;
