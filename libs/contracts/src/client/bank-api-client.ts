import type { AccountList, AccountLookup, AccountView, OpenAccountRequest } from '../accounts';
import type { AdminStats, AdminUserDetail } from '../admin';
import type { ChangePasswordRequest, RefreshResponse, RegisterRequest, RegisterResponse, SessionList, TokenResponse } from '../auth';
import type { LoginResponse, MfaStatus, TotpConfirmResponse, TotpSetupResponse } from '../mfa';
import type { EventEnvelope } from '../events';
import type { HoldStatus, HoldView, ReviewedHoldView, TransferHeld } from '../holds';
import { IDEMPOTENCY_KEY_HEADER, type DepositRequest, type EntryView, type LedgerCheck, type MoneyMoved, type TransactionView, type TransferRequest, type WithdrawalRequest } from '../ledger';
import type { Page, PageRequest } from '../pagination';
import type { HistoryFilter } from '../history';
import type { CreateRequest, RequestAssigneeFilter, RequestStatus, RequestType, RequestView } from '../requests';
import type { DisputeRequest } from '../disputes';
import type { CreateSchedule, ScheduleView } from '../schedules';
import type { MarkNotificationsRead, NotificationPage, NotificationView, UnreadCount } from '../notifications';
import { ADMIN_KEY_HEADER, type SecurityEventType, type SecurityEventView } from '../security';
import type { CreateStaffRequest, Role, UserStatus, UserView } from '../users';
import { STATEMENT_MEDIA_TYPES, type StatementFormat, type StatementPeriods } from '../statements';
import { ApiProblem } from './api-problem';
import type { CreatePayeeRequest, PayeeList, PayeeView } from '../payees';

export const API_BASE_PATH = '/api/v1';

export interface BankApiClientOptions {
  /** Origin of the api; empty for the page's own origin (the browser app). */
  baseUrl?: string;
  /** The current access token, if signed in. */
  accessToken?: () => string | null;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | undefined | null>;

interface RequestOptions {
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  auth?: boolean;
}

/** A body that is not JSON (a proxy's HTML error page, say) reads as nothing. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function queryString(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The public REST contract (API.md) as typed calls, for the browser app and for any TypeScript
 * client. Every refusal is thrown as an ApiProblem carrying the problem document.
 */
export class BankApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: BankApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const text = await (await this.send(method, path, options)).text();
    return (text ? parseJson(text) : undefined) as T;
  }

  /** The answer of a call that succeeded; any other status is thrown as an ApiProblem. */
  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const token = options.auth === false ? null : this.options.accessToken?.();
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${API_BASE_PATH}${path}${queryString(options.query)}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        credentials: 'same-origin',
      });
    } catch (error) {
      throw new ApiProblem(0, { title: 'Network error', detail: `The bank could not be reached (${(error as Error).message}).` });
    }
    if (!response.ok) {
      const text = await response.text();
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new ApiProblem(response.status, ((text && parseJson(text)) as object | undefined) ?? { title: response.statusText }, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
    }
    return response;
  }

  // Auth
  register(body: RegisterRequest): Promise<RegisterResponse> {
    return this.request('POST', '/auth/register', { body, auth: false });
  }
  /** Tokens, or — with two-factor sign-in on — the challenge of the second step (`isMfaChallenge`), answered by `mfaVerify`. */
  login(email: string, password: string): Promise<LoginResponse> {
    return this.request('POST', '/auth/login', { body: { email, password }, auth: false });
  }
  /** Without a token, the browser's HttpOnly refresh cookie is used. */
  refresh(refreshToken?: string): Promise<RefreshResponse> {
    return this.request('POST', '/auth/refresh', { body: refreshToken ? { refreshToken } : {}, auth: false });
  }
  logout(refreshToken?: string): Promise<void> {
    return this.request('POST', '/auth/logout', { body: refreshToken ? { refreshToken } : {} });
  }
  /** The caller's open sessions; `current` marks this one. */
  sessions(): Promise<SessionList> {
    return this.request('GET', '/auth/sessions');
  }
  revokeSession(sessionId: string): Promise<void> {
    return this.request('DELETE', `/auth/sessions/${encodeURIComponent(sessionId)}`);
  }
  revokeOtherSessions(): Promise<void> {
    return this.request('POST', '/auth/sessions/revoke-others');
  }
  changePassword(body: ChangePasswordRequest): Promise<void> {
    return this.request('POST', '/auth/password', { body });
  }
  me(): Promise<UserView> {
    return this.request('GET', '/me');
  }

  // Two-factor sign-in (API.md "Sessions, password, two-factor sign-in")
  mfaStatus(): Promise<MfaStatus> {
    return this.request('GET', '/auth/mfa');
  }
  totpSetup(): Promise<TotpSetupResponse> {
    return this.request('POST', '/auth/mfa/totp/setup');
  }
  totpConfirm(code: string): Promise<TotpConfirmResponse> {
    return this.request('POST', '/auth/mfa/totp/confirm', { body: { code } });
  }
  /** `code`: the authenticator's code or a recovery code. */
  totpDisable(password: string, code: string): Promise<void> {
    return this.request('DELETE', '/auth/mfa/totp', { body: { password, code } });
  }
  mfaVerify(body: { mfaToken: string; code: string } | { mfaToken: string; recoveryCode: string }): Promise<TokenResponse> {
    return this.request('POST', '/auth/mfa/verify', { body, auth: false });
  }

  // Accounts and money
  accounts(): Promise<AccountList> {
    return this.request('GET', '/accounts');
  }
  openAccount(body: Partial<OpenAccountRequest> = {}): Promise<AccountView> {
    return this.request('POST', '/accounts', { body });
  }
  account(id: string): Promise<AccountView> {
    return this.request('GET', `/accounts/${encodeURIComponent(id)}`);
  }
  /** Who an account number belongs to, masked (`Bob B.`): the payee to confirm before a transfer. */
  lookupAccount(number: string): Promise<AccountLookup> {
    return this.request('GET', '/accounts/lookup', { query: { number } });
  }
  history(accountId: string, page: PageRequest & HistoryFilter = {}): Promise<Page<EntryView>> {
    return this.request('GET', `/accounts/${encodeURIComponent(accountId)}/transactions`, { query: page });
  }
  deposit(accountId: string, body: DepositRequest, idempotencyKey: string): Promise<MoneyMoved> {
    return this.request('POST', `/accounts/${encodeURIComponent(accountId)}/deposits`, { body, headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } });
  }
  withdraw(accountId: string, body: WithdrawalRequest, idempotencyKey: string): Promise<MoneyMoved> {
    return this.request('POST', `/accounts/${encodeURIComponent(accountId)}/withdrawals`, { body, headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } });
  }
  transfer(body: TransferRequest, idempotencyKey: string): Promise<MoneyMoved> {
    return this.request('POST', '/transfers', { body, headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } });
  }
  /**
   * POST /transfers where a review rule may hold it (API.md "Holds"): 201 the posted transfer, or
   * 202 `{hold, account}` with the amount reserved; `'hold' in answer` tells them apart.
   */
  transferOrHold(body: TransferRequest, idempotencyKey: string): Promise<MoneyMoved | TransferHeld> {
    return this.request('POST', '/transfers', { body, headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } });
  }

  // Holds (API.md "Holds")
  holds(query: PageRequest & { status?: HoldStatus } = {}): Promise<Page<HoldView>> {
    return this.request('GET', '/holds', { query });
  }
  hold(id: string): Promise<HoldView> {
    return this.request('GET', `/holds/${encodeURIComponent(id)}`);
  }
  /** GET /holds/:id as an employee or admin: the hold with the facts to decide it on. */
  holdReview(id: string): Promise<ReviewedHoldView> {
    return this.request('GET', `/holds/${encodeURIComponent(id)}`);
  }
  cancelHold(id: string): Promise<HoldView> {
    return this.request('POST', `/holds/${encodeURIComponent(id)}/cancel`);
  }

  // Disputes (API.md "Disputes and reversals")
  /** The sender disputes a posted transfer: 202 the `transaction_dispute` request. */
  disputeTransaction(transactionId: string, body: DisputeRequest, idempotencyKey?: string): Promise<RequestView> {
    return this.request('POST', `/transactions/${encodeURIComponent(transactionId)}/disputes`, { body, headers: idempotencyKey ? { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } : {} });
  }

  // Service requests
  serviceRequests(query: PageRequest & { status?: RequestStatus; type?: RequestType; assignee?: RequestAssigneeFilter } = {}): Promise<Page<RequestView>> {
    return this.request('GET', '/service-requests', { query });
  }
  serviceRequest(id: string): Promise<RequestView> {
    return this.request('GET', `/service-requests/${encodeURIComponent(id)}`);
  }
  /** With an Idempotency-Key, filing again (a retry after a timeout) answers the first request instead of filing another. */
  fileRequest(body: CreateRequest, idempotencyKey?: string): Promise<RequestView> {
    return this.request('POST', '/service-requests', { body, headers: idempotencyKey ? { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } : {} });
  }
  cancelRequest(id: string): Promise<RequestView> {
    return this.request('POST', `/service-requests/${encodeURIComponent(id)}/cancel`);
  }
  claimRequest(id: string): Promise<RequestView> {
    return this.request('POST', `/service-requests/${encodeURIComponent(id)}/claim`);
  }
  approveRequest(id: string, note?: string): Promise<RequestView> {
    return this.request('POST', `/service-requests/${encodeURIComponent(id)}/approve`, { body: note ? { note } : {} });
  }
  rejectRequest(id: string, reason: string): Promise<RequestView> {
    return this.request('POST', `/service-requests/${encodeURIComponent(id)}/reject`, { body: { reason } });
  }
  /** The assignee hands the request back to the queue. */
  releaseRequest(id: string, note?: string): Promise<RequestView> {
    return this.request('POST', `/service-requests/${encodeURIComponent(id)}/release`, { body: note ? { note } : {} });
  }
  /** Admin: the active employee who reviews the request from now on. */
  reassignRequest(id: string, employeeId: string): Promise<RequestView> {
    return this.request('POST', `/service-requests/${encodeURIComponent(id)}/reassign`, { body: { employeeId } });
  }
  submitRequestInput(id: string, input: Record<string, string>, idempotencyKey?: string): Promise<RequestView> {
    return this.request('POST', `/service-requests/${encodeURIComponent(id)}/submit`, { body: input, headers: idempotencyKey ? { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } : {} });
  }

  // Notifications (API.md "Notifications")
  notifications(query: PageRequest & { unread?: boolean } = {}): Promise<NotificationPage> {
    return this.request('GET', '/notifications', { query: { ...query, unread: query.unread ? 'true' : undefined } });
  }
  notification(id: string): Promise<NotificationView> {
    return this.request('GET', `/notifications/${encodeURIComponent(id)}`);
  }
  /** `{upTo: id}`: that one and every older one; `{ids}`: those. Answers the unread count after it. */
  markNotificationsRead(body: MarkNotificationsRead): Promise<UnreadCount> {
    return this.request('POST', '/notifications/read', { body });
  }

  // Live events, REST fallback
  events(after: string, limit = 100): Promise<Page<EventEnvelope>> {
    return this.request('GET', '/events', { query: { after, limit } });
  }

  // Admin
  securityEvents(query: PageRequest & { type?: SecurityEventType } = {}): Promise<Page<SecurityEventView>> {
    return this.request('GET', '/admin/security-events', { query });
  }
  /** `q`: a part of the email or name, or a whole account number; `role` and `status` narrow it. */
  users(query: PageRequest & { q?: string; role?: Role; status?: UserStatus } = {}): Promise<Page<UserView>> {
    return this.request('GET', '/admin/users', { query });
  }
  user(id: string): Promise<AdminUserDetail> {
    return this.request('GET', `/admin/users/${encodeURIComponent(id)}`);
  }
  lockUser(id: string, reason: string): Promise<UserView> {
    return this.request('POST', `/admin/users/${encodeURIComponent(id)}/lock`, { body: { reason } });
  }
  /** The admin key goes in one header of one request; nothing keeps it. */
  unlockUser(id: string, adminKey: string): Promise<UserView> {
    return this.request('POST', `/admin/users/${encodeURIComponent(id)}/unlock`, { headers: { [ADMIN_KEY_HEADER]: adminKey } });
  }
  /** A new admin (`role: "admin"`) needs the admin key, sent like unlockUser's. */
  createStaff(body: CreateStaffRequest, adminKey?: string): Promise<UserView> {
    return this.request('POST', '/admin/staff', { body, headers: adminKey === undefined ? {} : { [ADMIN_KEY_HEADER]: adminKey } });
  }
  allTransactions(page: PageRequest = {}): Promise<Page<TransactionView>> {
    return this.request('GET', '/admin/transactions', { query: page });
  }
  ledgerCheck(): Promise<LedgerCheck> {
    return this.request('GET', '/admin/ledger/check');
  }
  stats(): Promise<AdminStats> {
    return this.request('GET', '/admin/stats');
  }
  /** Sets the HttpOnly cookie that lets a link open the queue board at /admin/queues. */
  openQueueBoard(): Promise<void> {
    return this.request('POST', '/admin/queues/session');
  }

  // Statements
  statementPeriods(accountId: string): Promise<StatementPeriods> {
    return this.request('GET', `/accounts/${encodeURIComponent(accountId)}/statements`);
  }
  /** A month's statement (`YYYY-MM`, UTC) as a file: CSV or PDF, by `Accept`. */
  async statement(accountId: string, month: string, format: StatementFormat): Promise<Blob> {
    const response = await this.send('GET', `/accounts/${encodeURIComponent(accountId)}/statements/${encodeURIComponent(month)}`, { headers: { accept: STATEMENT_MEDIA_TYPES[format] } });
    return response.blob();
  }

  // Payees (issue 20): the caller's own, newest first; saving names the holder (masked) and counts against the lookup limit.
  payees(): Promise<PayeeList> {
    return this.request('GET', '/payees');
  }
  savePayee(body: CreatePayeeRequest): Promise<PayeeView> {
    return this.request('POST', '/payees', { body });
  }
  deletePayee(id: string): Promise<void> {
    return this.request('DELETE', `/payees/${encodeURIComponent(id)}`);
  }

  // Scheduled transfers
  /** `GET /scheduled-transfers`: the caller's schedules, newest first. */
  scheduledTransfers(page: PageRequest = {}): Promise<Page<ScheduleView>> {
    return this.request('GET', '/scheduled-transfers', { query: page });
  }
  createScheduledTransfer(body: CreateSchedule): Promise<ScheduleView> {
    return this.request('POST', '/scheduled-transfers', { body });
  }
  cancelScheduledTransfer(id: string): Promise<ScheduleView> {
    return this.request('POST', `/scheduled-transfers/${encodeURIComponent(id)}/cancel`);
  }
}
