import { ContextConsumer } from '@lit/context';
import type { ReactiveControllerHost, ReactiveElement } from 'lit';
import { liveContext } from '../session/session-context';
import type { LiveConnection } from './live-connection';

type Subscribe = (live: LiveConnection) => Array<() => void>;

/**
 * A view's live subscriptions, tied to its life: made whenever the tab's live connection is
 * (re)provided, undone when the view leaves the page. `resync` runs when the connection says what
 * was missed cannot be replayed (the view reloads over REST).
 */
export class LiveSubscriptions {
  private undo: Array<() => void> = [];

  constructor(host: ReactiveControllerHost & ReactiveElement, subscribe: Subscribe, resync: () => void) {
    new ContextConsumer(host, {
      context: liveContext,
      subscribe: true,
      callback: (live) => {
        this.clear();
        if (!live) return;
        const onResync = () => resync();
        live.addEventListener('resync', onResync);
        this.undo = [...subscribe(live), () => live.removeEventListener('resync', onResync)];
      },
    });
    host.addController({ hostDisconnected: () => this.clear() });
  }

  private clear(): void {
    this.undo.forEach((off) => off());
    this.undo = [];
  }
}
