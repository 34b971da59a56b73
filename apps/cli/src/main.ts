import 'reflect-metadata';
import { hostname, userInfo } from 'node:os';
import { NestFactory } from '@nestjs/core';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { loadProcessConfig } from '@bank/config/app-config';
import { exitOnStartupError } from '@bank/logging/startup';
import { AdminKeyDigest } from '@bank/security/admin-key-digest';
import { SecurityEventsService } from '@bank/security/security-events.service';
import { OperatorUnlockService } from '@bank/security/operator-unlock.service';
import { CliModule } from './cli.module';

const USAGE = 'usage: npm run cli -- unlock-user <email>   (with ADMIN_KEY, the platform\'s admin key, in the environment)';

/** Exit codes: 0 done, 1 refused (no or wrong ADMIN_KEY), 2 usage, 3 no such user. */
const EXIT = { done: 0, refused: 1, usage: 2, unknownUser: 3 } as const;

const say = (line: string) => process.stdout.write(`${line}\n`);
const complain = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The operator's break-glass command (docs/operations.md "A sole admin locked out"):
 * `unlock-user <email>` unlocks a user through the service the admin endpoint uses, so every api
 * process hears `user.unlocked`, and audits it as `operator.unlocked`. It needs the platform's
 * ADMIN_KEY in the environment, checked against the digest the api processes record at start.
 */
async function main(args: string[]): Promise<number> {
  const [command, email, ...rest] = args;
  if (command !== 'unlock-user' || !email || rest.length > 0) {
    complain(USAGE);
    return EXIT.usage;
  }
  const config = loadProcessConfig();
  if (config.defaultedSecrets.includes('ADMIN_KEY')) {
    complain('refused: set ADMIN_KEY (the platform\'s admin key) in the environment.');
    return EXIT.refused;
  }
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error'] });
  try {
    const operator = `${userInfo().username}@${hostname()}`;
    return await RequestContext.create(app.get(MikroORM).em, async () => {
      const key = await app.get(AdminKeyDigest).check(config.adminKey);
      if (key !== 'match') {
        if (key === 'mismatch') {
          await app.get(SecurityEventsService).record('admin_key.failed', { detail: { by: 'operator', operator, command: 'unlock-user', email } });
        }
        complain(
          key === 'none'
            ? 'refused: no api process has started against this database yet, so there is no admin key to check ADMIN_KEY against. Start the api once.'
            : 'refused: ADMIN_KEY is not the admin key the api processes run with (recorded as admin_key.failed).',
        );
        return EXIT.refused;
      }
      const outcome = await app.get(OperatorUnlockService).unlock(email, operator);
      if (!outcome) {
        complain(`no user with the email ${email}`);
        return EXIT.unknownUser;
      }
      const { user, wasLocked } = outcome;
      say(
        wasLocked
          ? `unlocked ${user.email} (${user.role}, user ${user.id}): the failure count starts again, every api process was told (user.unlocked), audited as operator.unlocked by ${operator}`
          : `${user.email} (${user.role}, user ${user.id}) was not locked: nothing changed (audited as operator.unlocked by ${operator})`,
      );
      return EXIT.done;
    });
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), exitOnStartupError('cli'));
