import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import type { DepositRequest, MoneyMoved, TransferRequest, WithdrawalRequest } from '@bank/contracts/ledger';
import { SecretHasher } from '@bank/users/secret-hasher';
import { MetricsRegistry } from '@bank/metrics/metrics.registry';
import { ServiceUnavailable } from '@bank/problems/domain-error';
import { GroupCommit } from './money-path/group-commit';
import { HeldTransferScheduler } from './holds/held-transfer-scheduler';
import { answerOf, postedOnly, type MoneyAnswer } from './money-path/money-answer';
import type { OnceResult } from '@bank/idempotency/idempotent-calls';
import { requestFingerprint } from '@bank/idempotency/request-fingerprint';
import type { MoneyCommandRow, MoneyOutcomeRow } from './money-path/money-command';
import { MoneyPathRepository, PIN_CHANGED_SQLSTATE, statementRolledBack } from './money-path/money-path.repository';

/** A PIN reset between the check and the command is rare; after this many the caller gets the error. */
const PIN_CHECK_ATTEMPTS = 3;

function pinChanged(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === PIN_CHANGED_SQLSTATE;
}

/**
 * Deposits, withdrawals and transfers: the money rules of DESIGN.md. Every rule, lock and write
 * of a command happens in PostgreSQL in one call (`money_execute`, see migration MoneyPath);
 * here a command is shaped, queued for group commit, and its outcome turned into the answer.
 * The one rule checked in Node is the card PIN (Argon2, too slow to run under a row lock): it is
 * checked first, and the command carries the result and the hash it was checked against.
 */
@Injectable()
export class LedgerService {
  private readonly commands: GroupCommit<MoneyCommandRow, MoneyOutcomeRow>;

  constructor(
    private readonly moneyPath: MoneyPathRepository,
    private readonly hasher: SecretHasher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsRegistry,
    @Optional() private readonly heldTransfers?: HeldTransferScheduler,
  ) {
    this.commands = new GroupCommit(
      (batch) => this.moneyPath.execute(batch),
      {
        maxInFlight: config.moneyPath.batchesInFlight,
        maxBatch: config.moneyPath.batchMax,
        // Sent by then, a command still has its statement timeout to finish before the request's deadline.
        maxWaitMs: Math.max(100, config.requestDeadlineMs - config.database.statementTimeoutMs - 1_000),
        tooLate: () => new ServiceUnavailable('The bank could not reach its ledger in time; nothing was moved. Try again in a moment.'),
      },
      statementRolledBack,
      (size) => metrics.moneyBatchCommands.observe(size),
    );
  }

  /** Money commands waiting for a batch slot (queued behind the batches in flight). */
  get waitingCommands(): number {
    return this.commands.backlog;
  }

  async deposit(userId: string, accountId: string, request: DepositRequest, idempotencyKey?: string): Promise<OnceResult<MoneyMoved>> {
    return postedOnly(answerOf(await this.commands.submit(this.depositCommand(userId, accountId, request, idempotencyKey))));
  }

  /** A deposit inside the caller's transaction (registration's initial deposit commits with the new user). */
  async depositInTransaction(userId: string, accountId: string, request: DepositRequest): Promise<MoneyMoved> {
    return postedOnly(answerOf(await this.moneyPath.executeInTransaction(this.depositCommand(userId, accountId, request, undefined)))).body;
  }

  async withdraw(userId: string, accountId: string, request: WithdrawalRequest, idempotencyKey?: string): Promise<OnceResult<MoneyMoved>> {
    const { pin, ...withoutPin } = request;
    // The PIN stays out of the request fingerprint: a digest of 4 digits would be trivially reversed.
    const command = this.command('withdrawal', userId, accountId, withoutPin, idempotencyKey, { op: 'withdrawal', accountId, ...withoutPin });
    for (let attempt = 1; ; attempt++) {
      const card = await this.moneyPath.cardToCheck(userId);
      const pinOk = card ? await this.hasher.verify(card.pin_hash, pin) : false;
      try {
        return postedOnly(answerOf(await this.commands.submit({ ...command, card_id: card?.id ?? null, pin_hash: card?.pin_hash ?? null, pin_ok: pinOk })));
      } catch (error) {
        if (!pinChanged(error) || attempt >= PIN_CHECK_ATTEMPTS) throw error;
      }
    }
  }

  /** Posted (201), or held for review (202) when a review rule matches (API.md "Holds"). */
  async transfer(userId: string, request: TransferRequest, idempotencyKey?: string): Promise<MoneyAnswer> {
    const command = this.command('transfer', userId, request.fromAccountId, request, idempotencyKey, { op: 'transfer', ...request });
    const { review } = this.config;
    const answer = answerOf(
      await this.commands.submit({
        ...command,
        to_number: request.toAccountNumber,
        review_amount: review.amount,
        review_new_payee_amount: review.newPayeeAmount,
        review_velocity_count: review.velocity?.count ?? null,
        review_velocity_window_s: review.velocity?.windowS ?? null,
        hold_ttl_s: review.holdTtlS,
      }),
    );
    if (answer.status === 202 && !answer.replayed) await this.heldTransfers?.scheduleExpiry(answer.body.hold);
    return answer;
  }

  private depositCommand(userId: string, accountId: string, request: DepositRequest, idempotencyKey: string | undefined): MoneyCommandRow {
    return this.command('deposit', userId, accountId, request, idempotencyKey, { op: 'deposit', accountId, ...request });
  }

  private command(
    op: MoneyCommandRow['op'],
    userId: string,
    accountId: string,
    request: { amount: number; description?: string },
    idempotencyKey: string | undefined,
    fingerprinted: unknown,
  ): MoneyCommandRow {
    return {
      op,
      user_id: userId,
      key: idempotencyKey ?? null,
      fingerprint: idempotencyKey ? requestFingerprint(fingerprinted) : null,
      account_id: accountId,
      amount: request.amount,
      description: request.description ?? null,
    };
  }
}
