import { createZodDto } from 'nestjs-zod';
import { DepositRequestSchema, TransferRequestSchema, WithdrawalRequestSchema } from '@bank/contracts/ledger';
import { PageQuerySchema } from '@bank/contracts/pagination';
import { HistoryQuerySchema } from '@bank/contracts/history';

export class DepositDto extends createZodDto(DepositRequestSchema) {}
export class WithdrawalDto extends createZodDto(WithdrawalRequestSchema) {}
export class TransferDto extends createZodDto(TransferRequestSchema) {}
export class PageQueryDto extends createZodDto(PageQuerySchema) {}
export class HistoryQueryDto extends createZodDto(HistoryQuerySchema) {}
