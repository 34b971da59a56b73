import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/** Argon2id at OWASP's recommended floor (19 MiB, 2 passes): strong, yet cheap enough for 2 cores. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes passwords and card PINs. */
@Injectable()
export class SecretHasher {
  private readonly dummyHash: Promise<string> = argon2.hash('no-such-user-password', ARGON2_OPTIONS);

  hash(secret: string): Promise<string> {
    return argon2.hash(secret, ARGON2_OPTIONS);
  }

  async verify(hash: string, secret: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, secret);
    } catch {
      return false;
    }
  }

  /** Spends the same time as a real verification, so an unknown email is not faster than a wrong password. */
  async verifyNothing(secret: string): Promise<false> {
    await this.verify(await this.dummyHash, secret);
    return false;
  }
}
