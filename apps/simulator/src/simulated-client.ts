import { BankApiClient } from '@bank/contracts/client/bank-api-client';
import { ApiProblem } from '@bank/contracts/client/api-problem';
import { isMfaChallenge } from '@bank/contracts/mfa';

/** Statuses after which the same call may simply be made again: nothing happened, or a replay is harmless. */
const TRANSIENT = new Set([0, 502, 503, 504]);
const MAX_ATTEMPTS = 8;
const TOKEN_REFRESH_AFTER_MS = 5 * 60_000;

/**
 * One simulated person's connection to the bank: their own client address (the simulator runs on
 * a trusted proxy's address, loopback, so the api believes X-Forwarded-For and rate limits each
 * person on their own) and their own access token.
 */
export class SimulatedClient {
  token: string | null = null;
  readonly api: BankApiClient;
  private credentials: { email: string; password: string } | null = null;
  private signedInAt = 0;

  constructor(
    baseUrl: string,
    readonly ip: string,
  ) {
    this.api = new BankApiClient({
      baseUrl,
      accessToken: () => this.token,
      fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': ip } }),
    });
  }

  async signIn(email: string, password: string): Promise<void> {
    this.credentials = { email, password };
    const answer = await this.api.login(email, password);
    // The simulator's users never turn two-factor sign-in on.
    if (isMfaChallenge(answer)) throw new Error(`${email} has two-factor sign-in on: the simulator signs in with a password only`);
    this.token = answer.accessToken;
    this.signedInAt = Date.now();
  }

  /** Access tokens live 15 minutes by default: a long simulation signs in again well before. */
  async keepSignedIn(): Promise<void> {
    if (this.credentials && Date.now() - this.signedInAt > TOKEN_REFRESH_AFTER_MS) await this.signIn(this.credentials.email, this.credentials.password);
  }
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * Runs a call that may be repeated safely (a read, or a money POST with its Idempotency-Key) until
 * it gets an answer that is not a transient failure: a restarting api, a cut connection, a 429.
 * `onRetry` counts the repeats. The last failure is thrown.
 */
export async function withRetries<T>(call: () => Promise<T>, onRetry: () => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const transient = error instanceof ApiProblem && (TRANSIENT.has(error.status) || error.status === 429);
      if (!transient || attempt >= MAX_ATTEMPTS) throw error;
      onRetry();
      const waitMs = error.status === 429 && error.retryAfterS ? error.retryAfterS * 1000 : Math.min(2_000, 100 * 2 ** attempt);
      await sleep(waitMs);
    }
  }
}

/** The problem code of a refusal, or `NETWORK_ERROR` / `HTTP_<status>` for what is not a problem document. */
export function codeOf(error: unknown): string {
  if (error instanceof ApiProblem) return error.code;
  return error instanceof Error ? error.message : String(error);
}
