import { Logger } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { EVENT_ID_PATTERN, userRecipient, type EventRecipient, type LiveHandshakeAuth } from '@bank/contracts/events';
import { TokenService } from '@bank/auth/token.service';
import { MfaService } from '@bank/auth/mfa.service';
import type { VerifiedAccessToken } from '@bank/auth/access-token';
import { TokenRevocations, type RevocationChange } from '@bank/auth/token-revocations';
import { isAdminLocked } from '@bank/users/entities/user.entity';
import { AccountLocked } from '@bank/problems/domain-error';
import { OutboxService } from '@bank/outbox/outbox.service';
import { UsersService } from '@bank/users/users.service';
import { LiveEventsHub, SocketStream } from './live-events.hub';
import { throttleInbound } from './socket-throttle';
import { RequestPresence } from './presence/request-presence';
import type { LiveServer, LiveSocket } from './live-socket';

const REPLAY_PAGE = 500;

interface SocketState {
  user: VerifiedAccessToken;
  /** For presence ("Emma is viewing"). */
  fullName: string;
  lastEventId: bigint | null;
  stream?: SocketStream;
  expiry?: NodeJS.Timeout;
}

function handshakeError(code: 'TOKEN_INVALID' | 'ACCOUNT_LOCKED' | 'MFA_REQUIRED' | 'VALIDATION_FAILED', detail: string): Error {
  return Object.assign(new Error(code), { data: { code, detail } });
}

/** The room of one session's sockets on this process (never an event recipient): cut when the session ends. */
export function sessionRoom(sessionId: string): string {
  return `session:${sessionId}`;
}

/** What a user's socket receives: their own events, plus their staff role's. Never chosen by the client. */
export function recipientsOf(user: { id: string; role: string }): EventRecipient[] {
  const recipients: EventRecipient[] = [userRecipient(user.id)];
  if (user.role === 'employee' || user.role === 'admin') recipients.push(`role:${user.role}`);
  return recipients;
}

/**
 * The live-events socket. The handshake must carry a valid access token (else `connect_error`,
 * and the socket never joins anything); the server puts the socket in its rooms, replays what it
 * missed after `lastEventId`, then streams live events. Clients send only presence (staff only,
 * validated: RequestPresence); a disconnected socket leaves what it viewed at once.
 */
@WebSocketGateway()
export class EventsGateway implements OnGatewayInit<LiveServer>, OnGatewayConnection<LiveSocket>, OnGatewayDisconnect<LiveSocket> {
  private readonly logger = new Logger(EventsGateway.name);
  @WebSocketServer() private readonly server!: LiveServer;

  constructor(
    private readonly tokens: TokenService,
    private readonly hub: LiveEventsHub,
    private readonly outbox: OutboxService,
    private readonly users: UsersService,
    private readonly orm: MikroORM,
    private readonly presence: RequestPresence,
    private readonly revocations: TokenRevocations,
    private readonly mfa: MfaService,
  ) {}

  afterInit(server: LiveServer): void {
    this.revocations.onChange((change) => void this.cut(server, change));
    this.hub.onResubscribed((streams) => {
      for (const stream of streams) {
        stream.pause();
        this.replay(stream).then(
          () => stream.goLive(),
          () => stream.socket.disconnect(true),
        );
      }
    });
    server.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (error: Error) => next(error),
      );
    });
  }

  async handleConnection(socket: LiveSocket): Promise<void> {
    const state = socket.data as SocketState;
    throttleInbound(socket);
    this.presence.attach(this.server, socket, { id: state.user.id, role: state.user.role, fullName: state.fullName });
    const recipients = recipientsOf(state.user);
    await socket.join([...recipients, sessionRoom(state.user.sessionId)]);
    state.expiry = setTimeout(() => {
      socket.emit('session.expired', { code: 'TOKEN_INVALID', detail: 'The access token expired; reconnect with a fresh one.' });
      socket.disconnect(true);
    }, Math.max(0, state.user.expiresAtMs - Date.now()));
    // Attach before reading the store: whatever is published meanwhile waits in the buffer,
    // so the seam between replay and live has no gap, and duplicates are dropped by id.
    const stream = new SocketStream(socket, recipients, state.lastEventId ?? 0n);
    state.stream = stream;
    this.hub.attach(stream);
    try {
      if (state.lastEventId !== null) await this.replay(stream);
    } catch (error) {
      this.logger.error({ err: error }, 'replay failed; closing the socket so the client resumes again');
      socket.disconnect(true);
      return;
    }
    stream.goLive();
  }

  handleDisconnect(socket: LiveSocket): void {
    const state = socket.data as Partial<SocketState>;
    clearTimeout(state.expiry);
    if (state.stream) this.hub.detach(state.stream);
    void this.presence.disconnected(socket);
  }

  private async authenticate(socket: LiveSocket): Promise<void> {
    const auth = (socket.handshake.auth ?? {}) as Partial<LiveHandshakeAuth>;
    if (typeof auth.token !== 'string' || auth.token.length === 0) throw handshakeError('TOKEN_INVALID', 'auth.token is required');
    let user: VerifiedAccessToken;
    try {
      user = await this.tokens.verifyAccessToken(auth.token);
    } catch (error) {
      if (error instanceof AccountLocked) throw handshakeError('ACCOUNT_LOCKED', 'This user is locked.');
      throw handshakeError('TOKEN_INVALID', 'The access token is invalid, expired or revoked.');
    }
    // Beyond the revocations every process keeps: an admin's lock in the database refuses the
    // socket too (a lockout after failed sign-ins does not: the user's sessions go on).
    const [current, mustEnrol] = await RequestContext.create(this.orm.em, () => Promise.all([this.users.findById(user.id), this.mfa.enrolmentRequired(user.id, user.role)]));
    if (!current) throw handshakeError('TOKEN_INVALID', 'The user no longer exists.');
    if (isAdminLocked(current)) throw handshakeError('ACCOUNT_LOCKED', 'This user is locked.');
    // Staff who must turn on two-factor sign-in first (MFA_REQUIRED_FOR_STAFF) get no live feed until they have.
    if (mustEnrol) throw handshakeError('MFA_REQUIRED', 'Turn on two-factor sign-in first.');
    const lastEventId = auth.lastEventId === undefined || auth.lastEventId === null ? null : String(auth.lastEventId);
    if (lastEventId !== null && !EVENT_ID_PATTERN.test(lastEventId)) throw handshakeError('VALIDATION_FAILED', 'auth.lastEventId must be an event id');
    const state: SocketState = { user, fullName: current.fullName, lastEventId: lastEventId === null ? null : BigInt(lastEventId) };
    Object.assign(socket.data as object, state);
  }

  /**
   * This process's sockets that a revocation ends: the session's, or the user's authenticated
   * with a token issued before the new `tokens_valid_after`. Told first why (`session.expired`,
   * TOKEN_INVALID), so a client refreshes rather than retrying the dead token.
   */
  private async cut(server: LiveServer, change: RevocationChange): Promise<void> {
    const notice = { code: 'TOKEN_INVALID', detail: 'This session was ended; sign in again.' } as const;
    if (change.kind === 'session') {
      server.local.to(sessionRoom(change.sessionId)).emit('session.expired', notice);
      server.local.in(sessionRoom(change.sessionId)).disconnectSockets(true);
      return;
    }
    for (const socket of await server.local.in(userRecipient(change.userId)).fetchSockets()) {
      const state = socket.data as Partial<SocketState>;
      if (!state.user || state.user.issuedAtMs < change.validAfterMs) {
        socket.emit('session.expired', notice);
        socket.disconnect(true);
      }
    }
  }

  private async replay(stream: SocketStream): Promise<void> {
    await RequestContext.create(this.orm.em, async () => {
      for (;;) {
        const page = await this.outbox.readStream(stream.recipients, stream.lastId, REPLAY_PAGE);
        for (const envelope of page) stream.send(envelope);
        if (page.length < REPLAY_PAGE || !stream.socket.connected) return;
      }
    });
  }
}
