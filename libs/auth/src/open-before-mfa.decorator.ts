import { SetMetadata } from '@nestjs/common';

export const OPEN_BEFORE_MFA = 'bankingcore:openBeforeMfa';

/**
 * A route staff without TOTP may call while `MFA_REQUIRED_FOR_STAFF` is on: enrolment itself, and
 * what a signed-in session needs to get there (who am I, sign out). Every other route answers
 * 401 `MFA_REQUIRED` to them.
 */
export const OpenBeforeMfa = (): MethodDecorator & ClassDecorator => SetMetadata(OPEN_BEFORE_MFA, true);
