import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * The second secret for unlocking users. Only its SHA-256 digest is kept in memory, and a
 * presented key is compared digest to digest in constant time (equal lengths, whatever it is).
 */
@Injectable()
export class AdminKeyVerifier {
  private readonly expected: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = digest(config.adminKey);
  }

  matches(presented: string | undefined): boolean {
    return timingSafeEqual(digest(presented ?? ''), this.expected) && presented !== undefined;
  }
}
