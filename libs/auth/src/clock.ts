import { Injectable } from '@nestjs/common';

/**
 * "Now" for the rules a test must be able to move through time: the TOTP time step a code is
 * checked against, and the expiry of a sign-in's mfaToken. Tests provide their own.
 */
export abstract class Clock {
  abstract nowMs(): number;
}

@Injectable()
export class SystemClock extends Clock {
  nowMs(): number {
    return Date.now();
  }
}
