import { parseArgs } from 'node:util';
import { DEVELOPMENT_SECRETS } from '@bank/config/app-config';
import { progressLine, ProgressPrinter } from './progress-line';
import { TrafficSimulator } from './traffic-simulator';

/**
 * `npm run simulate`: traffic for a running platform (`npm start`, `npm run stack` or compose),
 * so that its dashboards come alive. Prints a progress line; Ctrl+C (or --duration) ends it with
 * a summary.
 *   npm run simulate -- [--url http://localhost:3000] [--duration 60] [--customers 20] [--rate 20]
 *                       [--employees 2] [--guesses 1] [--sockets 10]
 * The admin (who creates the employees and unlocks the attacker's victims) comes from ADMIN_EMAIL,
 * ADMIN_PASSWORD and ADMIN_KEY, with the development defaults of `npm start`.
 */
const usage = 'usage: simulate [--url URL] [--duration S (0 = until Ctrl+C)] [--customers N] [--rate ACTIONS/S] [--employees N] [--guesses GUESSES/S] [--sockets N]';
const { values } = parseArgs({
  options: {
    url: { type: 'string', default: `http://localhost:${process.env.PORT ?? 3000}` },
    duration: { type: 'string', default: '0' },
    customers: { type: 'string', default: '20' },
    rate: { type: 'string', default: '20' },
    employees: { type: 'string', default: '2' },
    guesses: { type: 'string', default: '1' },
    sockets: { type: 'string', default: '10' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const number = (name: keyof typeof values, min: number): number => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < min) {
    process.stderr.write(`--${name} must be a number ≥ ${min}\n${usage}\n`);
    process.exit(2);
  }
  return value;
};
const durationS = number('duration', 0);
const simulator = new TrafficSimulator({
  baseUrl: values.url!.replace(/\/$/, ''),
  customers: Math.max(2, Math.floor(number('customers', 2))),
  actionsPerSecond: number('rate', 0.1),
  employees: Math.floor(number('employees', 0)),
  guessesPerSecond: number('guesses', 0),
  sockets: Math.floor(number('sockets', 0)),
  admin: {
    email: process.env.ADMIN_EMAIL ?? 'admin@bankingcore.local',
    password: process.env.ADMIN_PASSWORD ?? DEVELOPMENT_SECRETS.ADMIN_PASSWORD,
    key: process.env.ADMIN_KEY ?? DEVELOPMENT_SECRETS.ADMIN_KEY,
  },
});

async function main(): Promise<void> {
  const printer = new ProgressPrinter();
  process.stdout.write(`simulating traffic against ${values.url}\n`);
  await simulator.prepare((what) => printer.print(what));
  if (!simulator.hasAdmin) process.stdout.write('\nthe admin could not sign in (ADMIN_EMAIL / ADMIN_PASSWORD): no employees decide requests, victims stay locked\n');
  const started = Date.now();
  simulator.start();
  let stopping = false;
  const ticker = setInterval(() => printer.print(progressLine((Date.now() - started) / 1000, simulator.totals)), 1_000);
  const finish = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(ticker);
    await simulator.stop();
    simulator.closeSockets();
    printer.print(progressLine((Date.now() - started) / 1000, simulator.totals), true);
    const refused = [...simulator.totals.refused].map(([code, n]) => `${code} ${n}`).join(', ');
    if (refused) process.stdout.write(`refused by the bank: ${refused}\n`);
    for (const failure of simulator.totals.failures.slice(0, 10)) process.stdout.write(`failed: ${failure}\n`);
    process.exit(0);
  };
  process.on('SIGINT', () => void finish());
  process.on('SIGTERM', () => void finish());
  if (durationS > 0) setTimeout(() => void finish(), durationS * 1000);
}

main().catch((error: unknown) => {
  process.stderr.write(`\nsimulate could not start: ${(error as Error).message}\nIs the platform running at ${values.url}? (npm start)\n`);
  process.exit(1);
});
