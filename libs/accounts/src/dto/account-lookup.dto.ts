import { createZodDto } from 'nestjs-zod';
import { AccountLookupQuerySchema } from '@bank/contracts/accounts';

export class AccountLookupQueryDto extends createZodDto(AccountLookupQuerySchema) {}
