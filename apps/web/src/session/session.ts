import { BankApiClient } from '@bank/contracts/client/bank-api-client';
import { ApiProblem } from '@bank/contracts/client/api-problem';
import type { RefreshResponse, TokenResponse } from '@bank/contracts/auth';
import { isMfaChallenge, type MfaChallengeResponse } from '@bank/contracts/mfa';
import type { UserView } from '@bank/contracts/users';

/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_S = 30;

/**
 * Set while this browser is signed in, so that a load without it does not try the refresh cookie:
 * that cookie is HttpOnly (script cannot see whether it exists), and a refresh without one is a
 * refused request in the console of every cold load. It holds no secret, only "there may be a
 * session"; a browser signed in before it existed signs in once more.
 */
const SIGNED_IN_MARKER = 'bankingcore-signed-in';

function markSignedIn(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(SIGNED_IN_MARKER, '1');
    else localStorage.removeItem(SIGNED_IN_MARKER);
  } catch {
    // Storage refused (a private mode): a reload then asks the cookie every time, as before.
  }
}

function maybeSignedIn(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN_MARKER) !== null;
  } catch {
    return true;
  }
}

/**
 * Who is signed in in this tab. The access token lives in memory only; the refresh token only in
 * the HttpOnly cookie the api sets, so a reload or a silent refresh goes through the cookie.
 * Fires `change` when the user signs in or out.
 */
export class Session extends EventTarget {
  readonly api = new BankApiClient({ accessToken: () => this.accessToken });
  user: UserView | null = null;
  /** Why the session ended, when it ended on its own (shown on the sign-in page). */
  endedBecause: string | null = null;
  private accessToken: string | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<boolean> | null = null;

  get token(): string | null {
    return this.accessToken;
  }

  /** Signs in, or — with two-factor sign-in on — answers the challenge for `verifySecondFactor`. */
  async signIn(email: string, password: string): Promise<MfaChallengeResponse | null> {
    const answer = await this.api.login(email, password);
    if (isMfaChallenge(answer)) return answer;
    this.adopt(answer);
    return null;
  }

  /** The second step of a sign-in: the authenticator's code or a recovery code. */
  async verifySecondFactor(mfaToken: string, secondFactor: { code: string } | { recoveryCode: string }): Promise<void> {
    this.adopt(await this.api.mfaVerify({ mfaToken, ...secondFactor }));
  }

  /** After a reload: the refresh cookie, if there is a live one, signs the tab in again (not tried when this browser signed out). */
  async resume(): Promise<boolean> {
    return maybeSignedIn() ? this.refreshNow() : false;
  }

  /** A new access token through the cookie; false (and signed out) if the cookie is dead. */
  refreshNow(): Promise<boolean> {
    this.refreshing ??= this.refreshSerialised().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  async signOut(reason: string | null = null): Promise<void> {
    if (this.accessToken) await this.api.logout().catch(() => undefined);
    this.end(reason);
  }

  private async refreshSerialised(): Promise<boolean> {
    // Tabs share one refresh cookie and every refresh rotates it: two tabs refreshing at once
    // would look like token reuse, so they take turns (Web Locks, where the browser has them).
    const locks = (navigator as Navigator & { locks?: LockManager }).locks;
    const refresh = async (): Promise<boolean> => {
      try {
        this.adopt(await this.api.refresh());
        return true;
      } catch (error) {
        const wasSignedIn = this.user !== null;
        const code = error instanceof ApiProblem ? error.code : null;
        if (code === 'NETWORK_ERROR' && wasSignedIn) return false; // keep the session; the next try may work
        this.end(wasSignedIn ? (code === 'ACCOUNT_LOCKED' ? 'Your user is locked. An administrator must unlock it.' : 'Your session ended. Please sign in again.') : null);
        return false;
      }
    };
    return locks ? locks.request('bankingcore-refresh', refresh) : refresh();
  }

  private adopt(tokens: RefreshResponse): void {
    this.accessToken = tokens.accessToken;
    const changed = this.user?.id !== tokens.user.id;
    this.user = tokens.user;
    this.endedBecause = null;
    markSignedIn(true);
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshNow(), Math.max(5, tokens.expiresIn - REFRESH_AHEAD_S) * 1000);
    if (changed) this.dispatchEvent(new Event('change'));
  }

  private end(reason: string | null): void {
    clearTimeout(this.refreshTimer);
    const wasSignedIn = this.user !== null;
    this.accessToken = null;
    this.user = null;
    this.endedBecause = reason;
    markSignedIn(false);
    if (wasSignedIn || reason) this.dispatchEvent(new Event('change'));
  }
}
