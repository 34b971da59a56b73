import { createContext } from '@lit/context';
import type { Session } from './session';
import type { LiveConnection } from '../live/live-connection';

/** The tab's session (who, and the typed api client), provided by <bank-app>. */
export const sessionContext = createContext<Session>(Symbol('bankingcore-session'));

/** The tab's one live connection, provided by <bank-app> while someone is signed in. */
export const liveContext = createContext<LiveConnection | undefined>(Symbol('bankingcore-live'));
