import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A signed-in moderator's session. The id is the cookie; the CSRF token is sent with every POST. */
export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

export interface SessionStoreOptions {
  /** A session unused this long is gone. */
  idleMs: number;
  /** A session older than this is gone, however active. */
  maxAgeMs: number;
  /** Most sessions held; the least recently used one is dropped beyond it. */
  maxSessions?: number;
  now?: () => number;
}

/** 256 random bits, base64url: session ids and CSRF tokens. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison of a token with what a request sent (any type: a form field may be an array). */
export function tokensMatch(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given === '') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Sessions in memory (one review instance; a restart signs everyone out). Bounded: expired sessions are
 * dropped when met or swept, and the least recently used one when `maxSessions` is reached.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #idleMs: number;
  readonly #maxAgeMs: number;
  readonly #maxSessions: number;
  readonly #now: () => number;

  constructor(options: SessionStoreOptions) {
    this.#idleMs = options.idleMs;
    this.#maxAgeMs = options.maxAgeMs;
    this.#maxSessions = options.maxSessions ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** A new session (new id and CSRF token) for `userId`. */
  create(userId: string): Session {
    const now = this.#now();
    while (this.#sessions.size >= this.#maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const session: Session = {
      id: newToken(),
      userId,
      csrfToken: newToken(),
      createdAt: now,
      lastSeenAt: now,
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, marked as used now; undefined when unknown or expired. */
  get(id: string | undefined): Session | undefined {
    if (id === undefined || id === '') return undefined;
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    const now = this.#now();
    if (this.#expired(session, now)) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = now;
    // Map order is use order: the first key is the least recently used.
    this.#sessions.delete(id);
    this.#sessions.set(id, session);
    return session;
  }

  delete(id: string | undefined): void {
    if (id !== undefined) this.#sessions.delete(id);
  }

  /** Drops expired sessions; returns how many. */
  sweep(): number {
    const now = this.#now();
    let dropped = 0;
    for (const [id, session] of this.#sessions) {
      if (!this.#expired(session, now)) continue;
      this.#sessions.delete(id);
      dropped++;
    }
    return dropped;
  }

  #expired(session: Session, now: number): boolean {
    return now - session.lastSeenAt >= this.#idleMs || now - session.createdAt >= this.#maxAgeMs;
  }
}
