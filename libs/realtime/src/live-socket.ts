import type { Server, Socket } from 'socket.io';
import type { ServerToClientEvents } from '@bank/contracts/events';
import type { ClientToServerEvents } from '@bank/contracts/presence';

/** A live-events socket, its emits typed by the contract's event map. */
export type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents>;
