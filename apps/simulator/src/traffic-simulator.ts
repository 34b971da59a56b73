import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { ApiProblem } from '@bank/contracts/client/api-problem';
import { SOCKET_PATH } from '@bank/contracts/events';
import type { CustomerRequestType, RequestStatus, RequestType, RequestView } from '@bank/contracts/requests';
import { OPEN_REQUEST_STATUSES } from '@bank/contracts/requests';
import { codeOf, SimulatedClient, sleep, withRetries } from './simulated-client';

export interface SimulatorOptions {
  baseUrl: string;
  /** Customers who move money and file requests. */
  customers: number;
  /** Customer actions per second, across all of them (an open loop: slow answers do not slow it). */
  actionsPerSecond: number;
  employees: number;
  /** Wrong-password logins per second against a few victims' emails. */
  guessesPerSecond: number;
  /** How many customers keep a live socket open (what the sockets gauge counts). */
  sockets: number;
  /** The platform's admin, who creates the employees and unlocks the victims; without it no one decides requests. */
  admin: { email: string; password: string; key: string };
}

/** What the simulation has done so far: the progress line and the soak test read it. */
export class SimulationTotals {
  deposits = 0;
  withdrawals = 0;
  transfers = 0;
  /** Money calls the bank refused for a business reason (INSUFFICIENT_FUNDS, …), by code. */
  readonly refused = new Map<string, number>();
  requestsFiled = 0;
  requestsFinal = 0;
  decisions = 0;
  guesses = 0;
  guessesThrottled = 0;
  lockouts = 0;
  unlocks = 0;
  liveEvents = 0;
  /** Calls repeated after a transient failure (restarting api, 429). */
  retries = 0;
  /** Calls that failed for good: the soak allows none for money. */
  readonly failures: string[] = [];

  refuse(code: string): void {
    this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
  }
}

/** A transfer the bank confirmed (201), with the key it was sent under; its description carries the key too. */
export interface AcceptedTransfer {
  idempotencyKey: string;
  transactionId: string;
  amount: number;
}

interface SimulatedCustomer {
  client: SimulatedClient;
  userId: string;
  email: string;
  password: string;
  pin: string;
  accountId: string;
  accountNumber: string;
  socket?: Socket;
  /** Ids of the live events this customer's socket received, in arrival order. */
  readonly receivedEventIds: string[];
  /** Why its socket dropped, each time (it reconnects after each). */
  readonly disconnects: string[];
}

const REQUEST_MIX: CustomerRequestType[] = ['kyc_update', 'limit_increase', 'card_pin_reset'];
const FINAL = (status: RequestStatus) => !OPEN_REQUEST_STATUSES.includes(status);
const INITIAL_BALANCE = 2_000_00;
const MAX_IN_FLIGHT = 64;

/** An address in one of the documentation ranges (RFC 5737): never a real client. */
const documentationIp = (range: '198.51.100' | '203.0.113') => `${range}.${randomInt(1, 255)}`;

/**
 * Traffic for a running platform: customers depositing, withdrawing, transferring to each other
 * and filing service requests (and answering them when asked); employees claiming and deciding
 * the queue; an attacker guessing passwords of a few victims, whom the admin unlocks again. Every
 * money call carries an Idempotency-Key and is repeated with the same key after a transient
 * failure, so a restart of any process costs a retry, never a double or a loss.
 */
export class TrafficSimulator {
  readonly totals = new SimulationTotals();
  readonly acceptedTransfers: AcceptedTransfer[] = [];
  /** Every request the customers filed, and its last known status. */
  readonly filedRequests = new Map<string, { owner: SimulatedCustomer; status: RequestStatus }>();
  private readonly customers: SimulatedCustomer[] = [];
  private readonly victims: SimulatedCustomer[] = [];
  private readonly employees: SimulatedClient[] = [];
  private admin: SimulatedClient | null = null;
  private running = false;
  private inFlight = 0;
  private readonly loops: Promise<void>[] = [];
  private readonly runId = randomBytes(4).toString('hex');

  constructor(private readonly options: SimulatorOptions) {}

  get hasAdmin(): boolean {
    return this.admin !== null;
  }

  /** The customers with a live socket: who they are and which event ids reached them. */
  liveStreams(): Array<{ userId: string; eventIds: readonly string[]; connected: boolean; disconnects: readonly string[] }> {
    return this.customers
      .filter((customer) => customer.socket)
      .map((customer) => ({ userId: customer.userId, eventIds: customer.receivedEventIds, connected: customer.socket!.connected, disconnects: customer.disconnects }));
  }

  /** Registers the people (each from an address of their own) and signs them in. */
  async prepare(onProgress: (what: string) => void = () => undefined): Promise<void> {
    this.admin = await this.signInAdmin();
    for (let i = 0; i < this.options.customers; i++) {
      this.customers.push(await this.registerCustomer(`customer-${i + 1}`));
      onProgress(`registered ${i + 1}/${this.options.customers} customers`);
    }
    for (let i = 0; i < 3 && this.options.guessesPerSecond > 0; i++) this.victims.push(await this.registerCustomer(`victim-${i + 1}`));
    if (this.admin) {
      for (let i = 0; i < this.options.employees; i++) this.employees.push(await this.createEmployee(i + 1));
    }
    for (const customer of this.customers.slice(0, this.options.sockets)) this.openSocket(customer);
  }

  /** Starts every actor; `stop()` ends them. */
  start(): void {
    this.running = true;
    this.loops.push(this.every(1000 / this.options.actionsPerSecond, () => this.customerAction(), true));
    this.loops.push(this.every(1_000, () => this.followRequests()));
    for (const employee of this.employees) this.loops.push(this.every(300, () => this.workQueue(employee)));
    if (this.options.guessesPerSecond > 0) this.loops.push(this.every(1000 / this.options.guessesPerSecond, () => this.guessPassword(), true));
    if (this.admin && this.victims.length > 0) this.loops.push(this.every(3_000, () => this.unlockVictims()));
  }

  /** Stops starting new work and waits for what is in flight; the sockets stay open. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    while (this.inFlight > 0) await sleep(20);
  }

  closeSockets(): void {
    for (const customer of this.customers) customer.socket?.close();
  }

  /** Keeps following the filed requests until every one is final (or the deadline passes). */
  async settleRequests(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    this.running = true;
    const employees = this.employees.map((employee) => this.every(300, () => this.workQueue(employee)));
    while (this.openRequests().length > 0 && Date.now() < deadline) await this.followRequests().then(() => sleep(300));
    this.running = false;
    await Promise.all(employees);
    return this.openRequests().length;
  }

  /** A call that may be repeated safely, repeated after transient failures (each one counted). */
  private retried<T>(call: () => Promise<T>): Promise<T> {
    return withRetries(call, () => this.totals.retries++);
  }

  /** Calls `work` every `periodMs`; with `openLoop`, without waiting for it (bounded by MAX_IN_FLIGHT). */
  private async every(periodMs: number, work: () => Promise<void>, openLoop = false): Promise<void> {
    let next = Date.now();
    while (this.running) {
      if (openLoop) {
        if (this.inFlight < MAX_IN_FLIGHT) {
          this.inFlight++;
          void work()
            .catch((error: unknown) => this.totals.failures.push(codeOf(error)))
            .finally(() => this.inFlight--);
        }
      } else {
        await work().catch((error: unknown) => this.totals.failures.push(codeOf(error)));
      }
      next += periodMs;
      await sleep(Math.max(0, next - Date.now()));
    }
  }

  private async signInAdmin(): Promise<SimulatedClient | null> {
    const admin = new SimulatedClient(this.options.baseUrl, documentationIp('198.51.100'));
    try {
      await admin.signIn(this.options.admin.email, this.options.admin.password);
      return admin;
    } catch {
      return null;
    }
  }

  private async registerCustomer(label: string): Promise<SimulatedCustomer> {
    const client = new SimulatedClient(this.options.baseUrl, documentationIp('198.51.100'));
    const email = `sim-${this.runId}-${label}@simulator.bankingcore.local`;
    const password = `sim-${randomBytes(9).toString('base64url')}`;
    const pin = String(randomInt(1000, 10_000));
    const registered = await this.retried(() => client.api.register({ email, password, fullName: `Simulated ${label}`, pin, initialDeposit: INITIAL_BALANCE }));
    await this.retried(() => client.signIn(email, password));
    return { client, userId: registered.user.id, email, password, pin, accountId: registered.account.id, accountNumber: registered.account.number, receivedEventIds: [], disconnects: [] };
  }

  private async createEmployee(n: number): Promise<SimulatedClient> {
    const employee = new SimulatedClient(this.options.baseUrl, documentationIp('198.51.100'));
    const email = `sim-${this.runId}-employee-${n}@simulator.bankingcore.local`;
    const password = `sim-${randomBytes(9).toString('base64url')}`;
    await this.retried(() => this.admin!.api.createStaff({ email, password, fullName: `Simulated Employee ${n}`, role: 'employee' }));
    await this.retried(() => employee.signIn(email, password));
    return employee;
  }

  private openSocket(customer: SimulatedCustomer): void {
    // From event 0: the customer is new, so the socket is owed everything since registration.
    let lastEventId = '0';
    const auth = (callback: (auth: object) => void) => callback({ token: customer.client.token, lastEventId });
    const socket = io(this.options.baseUrl, { path: SOCKET_PATH, transports: ['websocket', 'polling'], auth, reconnectionDelay: 250, reconnectionDelayMax: 2_000 });
    socket.onAny((_type: string, envelope: { id?: string }) => {
      if (typeof envelope?.id !== 'string') return;
      lastEventId = envelope.id;
      customer.receivedEventIds.push(envelope.id);
      this.totals.liveEvents++;
    });
    socket.on('disconnect', (reason) => {
      customer.disconnects.push(reason);
      if (reason === 'io server disconnect') socket.connect(); // e.g. the access token expired: the next one is used
    });
    socket.on('connect_error', (error) => customer.disconnects.push(`connect_error: ${error.message}`));
    customer.socket = socket;
  }

  private pick<T>(items: readonly T[]): T {
    return items[randomInt(items.length)];
  }

  private async customerAction(): Promise<void> {
    const customer = this.pick(this.customers);
    await customer.client.keepSignedIn();
    const roll = randomInt(100);
    if (roll < 60 && this.customers.length > 1) return this.transfer(customer);
    if (roll < 72) return this.moveMoney(customer, 'deposit');
    if (roll < 84) return this.moveMoney(customer, 'withdrawal');
    if (roll < 92) return this.fileRequest(customer);
    await this.retried(() => customer.client.api.history(customer.accountId, { limit: 20 }));
  }

  private async transfer(from: SimulatedCustomer): Promise<void> {
    let to = this.pick(this.customers);
    while (to === from) to = this.pick(this.customers);
    const key = `sim-${this.runId}-${randomUUID()}`;
    const amount = randomInt(100, 5_000);
    try {
      const moved = await this.retried(() => from.client.api.transfer({ fromAccountId: from.accountId, toAccountNumber: to.accountNumber, amount, description: key }, key));
      this.totals.transfers++;
      this.acceptedTransfers.push({ idempotencyKey: key, transactionId: moved.transaction.id, amount });
    } catch (error) {
      this.refusedOrFailed(error, `transfer ${key}`);
    }
  }

  private async moveMoney(customer: SimulatedCustomer, kind: 'deposit' | 'withdrawal'): Promise<void> {
    const key = `sim-${this.runId}-${randomUUID()}`;
    const amount = randomInt(100, 10_000);
    try {
      if (kind === 'deposit') {
        await this.retried(() => customer.client.api.deposit(customer.accountId, { amount, description: key }, key));
        this.totals.deposits++;
      } else {
        await this.retried(() => customer.client.api.withdraw(customer.accountId, { amount, pin: customer.pin, description: key }, key));
        this.totals.withdrawals++;
      }
    } catch (error) {
      this.refusedOrFailed(error, `${kind} ${key}`);
    }
  }

  /** A refusal with a problem code (4xx) is the bank doing its job; anything else is a failure. */
  private refusedOrFailed(error: unknown, what: string): void {
    if (error instanceof ApiProblem && error.status >= 400 && error.status < 500) this.totals.refuse(error.code);
    else this.totals.failures.push(`${what}: ${codeOf(error)}`);
  }

  private async fileRequest(customer: SimulatedCustomer): Promise<void> {
    const type = this.pick(REQUEST_MIX);
    const body =
      type === 'kyc_update'
        ? { type, details: { address: `${randomInt(1, 200)} Simulation Street, Leeds`, phone: `0113 ${randomInt(100_000, 999_999)}` } }
        : type === 'limit_increase'
          ? { type, accountId: customer.accountId, details: { dailyLimit: randomInt(1_000_000, 2_000_000) } }
          : { type, details: {} };
    try {
      // Idempotent: a call cut by a dying api is repeated with the same key, and files once.
      const key = randomUUID();
      const filed = await this.retried(() => customer.client.api.fileRequest(body, key));
      this.totals.requestsFiled++;
      this.filedRequests.set(filed.id, { owner: customer, status: filed.status });
    } catch (error) {
      this.refusedOrFailed(error, `file ${type}`);
    }
  }

  private openRequests(): string[] {
    return [...this.filedRequests].filter(([, request]) => !FINAL(request.status)).map(([id]) => id);
  }

  /** Customers look at their open requests: a PIN reset waiting for them gets its new PIN. */
  private async followRequests(): Promise<void> {
    for (const id of this.openRequests()) {
      const entry = this.filedRequests.get(id)!;
      const request = await this.retried(() => entry.owner.client.api.serviceRequest(id));
      entry.status = request.status;
      if (FINAL(request.status)) {
        this.totals.requestsFinal++;
        continue;
      }
      if (request.status === 'awaiting_customer' && request.type === 'card_pin_reset') {
        // The same PIN again: withdrawals in flight keep working whichever PIN they meet.
        await entry.owner.client.api.submitRequestInput(id, { pin: entry.owner.pin }).catch((error: unknown) => this.refusedOrFailed(error, `submit ${id}`));
      }
    }
  }

  /** An employee claims what waits for review (the simulation's own requests only) and decides it. */
  private async workQueue(employee: SimulatedClient): Promise<void> {
    await employee.keepSignedIn();
    // The simulation's customers' requests, also those whose filing answer a restarting api cut off.
    const ours = (request: RequestView) => this.customers.some((customer) => customer.userId === request.ownerId);
    const waiting = (await this.retried(() => employee.api.serviceRequests({ status: 'pending_review', limit: 20 }))).items.filter(ours);
    for (const request of waiting) {
      try {
        await employee.api.claimRequest(request.id);
      } catch (error) {
        if (error instanceof ApiProblem && error.status === 409) continue; // a colleague was quicker
        throw error;
      }
    }
    // Also what this employee holds from before (a decision cut by a restarting api).
    const mine = (await this.retried(() => employee.api.serviceRequests({ status: 'in_review', limit: 20 }))).items.filter(ours);
    for (const request of mine) {
      const decide = randomInt(10) === 0 ? () => employee.api.rejectRequest(request.id, 'Simulated: not enough evidence') : () => employee.api.approveRequest(request.id, 'Simulated approval');
      await decide().then(
        () => this.totals.decisions++,
        (error: unknown) => {
          if (!(error instanceof ApiProblem && (error.status === 409 || error.status === 403))) throw error;
        },
      );
    }
  }

  /** One wrong password for a victim, from a random address (a botnet: per-IP limits alone do not stop it). */
  private async guessPassword(): Promise<void> {
    const victim = this.pick(this.victims);
    const attacker = new SimulatedClient(this.options.baseUrl, documentationIp('203.0.113'));
    this.totals.guesses++;
    try {
      await attacker.api.login(victim.email, `guess-${randomBytes(6).toString('hex')}`);
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      if (error.status === 429) this.totals.guessesThrottled++;
      else if (error.status !== 401 && error.status !== 423) throw error; // 423: the victim is locked already
    }
  }

  private async unlockVictims(): Promise<void> {
    await this.admin!.keepSignedIn();
    const locked = (await this.retried(() => this.admin!.api.users({ status: 'locked', limit: 100 }))).items;
    for (const victim of this.victims.filter((v) => locked.some((user) => user.id === v.userId))) {
      this.totals.lockouts++;
      await this.admin!.api.unlockUser(victim.userId, this.options.admin.key);
      this.totals.unlocks++;
    }
  }
}
