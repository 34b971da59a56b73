import { ParseUUIDPipe } from '@nestjs/common';
import { NotFound } from '@bank/problems/domain-error';

/** A malformed account id in a path is "not found", like a well-formed one that is not yours. */
export const AccountIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new NotFound('The account') });
