import type { RequestStatus } from '@bank/contracts/requests';
import { Session } from '../session/session';
import { LiveConnection } from './live-connection';

/**
 * `on(type, handler)` is typed by the contract's event map: `tsc -p apps/web/tsconfig.json` fails
 * unless every `@ts-expect-error` line below is an error.
 */
describe('LiveConnection.on', () => {
  it('gives each handler its type’s payload and refuses unknown types', () => {
    const live = new LiveConnection(new Session());
    const statuses: RequestStatus[] = [];
    const unsubscribe = [
      live.on('queue.changed', ({ data }) => statuses.push(data.status)),
      live.on('balance.updated', ({ data }) => data.balance.toFixed()),
      // @ts-expect-error a misspelt event type does not compile
      live.on('balance.update', () => undefined),
      // @ts-expect-error a balance update carries no request status
      live.on('balance.updated', ({ data }) => statuses.push(data.status)),
    ];
    expect(unsubscribe.every((off) => typeof off === 'function')).toBe(true);
    expect(statuses).toEqual([]);
  });
});
