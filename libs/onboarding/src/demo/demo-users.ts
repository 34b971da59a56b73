/** Demo logins for a laptop. Their passwords are published here, so production refuses DEMO_DATA. */
export const DEMO_PASSWORD = 'demo-password-2026';
export const DEMO_PIN = '1234';

export const DEMO_CUSTOMERS = [
  { email: 'alice@demo.bankingcore.local', fullName: 'Alice Archer', initialDeposit: 250_000 },
  { email: 'bob@demo.bankingcore.local', fullName: 'Bob Brennan', initialDeposit: 120_000 },
] as const;

export const DEMO_EMPLOYEE = { email: 'emma@demo.bankingcore.local', fullName: 'Emma Employee' } as const;
