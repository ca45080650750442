import type { IncomingMessage, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { EventSource } from '@modstream/events';
import { sourceKey } from '@modstream/review';
import type { Logger } from '@modstream/telemetry';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Assets } from './assets.js';
import {
  loginPage,
  messagePage,
  overviewPage,
  queuePage,
  type Notice,
  type PageUser,
  type PrecisionRow,
  type QueuePageItem,
} from './pages.js';
import { newToken, tokensMatch, type Session, type SessionStore } from './sessions.js';
import type { UserDirectory } from './users.js';

export const SESSION_COOKIE = 'modstream_review_session';
export const LOGIN_COOKIE = 'modstream_review_login';

/** What the pages show of a queue item (@modstream/review's QueueItem). */
export interface BoardItem {
  id: string;
  queue: string;
  priority: number;
  labels: string[];
  scores: Record<string, number>;
  modelVersion: string;
  thresholdsVersion: string;
  source: EventSource;
  flaggedAt: number;
}

/** The parts of @modstream/review's ReviewBoard the server reads. */
export interface BoardView {
  queue(name: string, limit?: number): BoardItem[];
  queues(): { name: string; depth: number }[];
}

export type Decision = 'approve' | 'remove' | 'relabel';

export type DecideOutcome =
  | { status: 'decided'; event: { moderator: string; decision: string } }
  | { status: 'already_decided'; event: { moderator: string; decision: string } }
  | { status: 'unknown_comment' }
  | { status: 'invalid'; message: string }
  | { status: 'unavailable'; message: string };

/** @modstream/review's DecisionDesk. */
export interface DecisionMaker {
  decide(request: {
    id: string;
    decision: Decision;
    labels: string[];
    moderator: string;
  }): Promise<DecideOutcome>;
}

/** @modstream/review's TextLookup: texts keyed by `sourceKey`; with `id`, a record of another comment is gone. */
export interface TextSource {
  get(sources: (EventSource & { id?: string })[]): Promise<Map<string, { text: string } | { gone: true }>>;
}

export interface ReviewServerOptions {
  board: BoardView;
  precision: () => PrecisionRow[];
  desk: DecisionMaker;
  texts: TextSource;
  users: UserDirectory;
  sessions: SessionStore;
  /** Configured queue topics, in tab order (shown even while empty). */
  queueTopics: readonly string[];
  queuePageSize: number;
  cookieSecure: boolean;
  assets: Assets;
  logger: Logger;
  /** /readyz: true once the feed caught up with the topics. */
  ready: () => boolean;
  metricsHandler: (request: IncomingMessage, response: ServerResponse) => void;
  /** Counts a decision request by its outcome. */
  onDecision?: (decision: string, outcome: string) => void;
  /** The /api/overview document (charts). */
  overview: () => unknown;
  workerMetricsConfigured: boolean;
  /** Sign-ins verified at once; more are answered 429 (scrypt costs memory and CPU). */
  maxConcurrentLogins?: number;
  now?: () => number;
}

const CSRF_MESSAGE = 'Missing or invalid CSRF token: reload the page and try again.';
const WRONG_LOGIN = 'Wrong user name or password.';
const MAX_ID_CHARS = 256;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Paths open without a session. */
function isPublic(path: string): boolean {
  return (
    path === '/login' ||
    path === '/healthz' ||
    path === '/readyz' ||
    path === '/metrics' ||
    path.startsWith('/assets/')
  );
}

function wantsJson(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  const accept = request.headers.accept ?? '';
  return (
    type.startsWith('application/json') ||
    (accept.includes('application/json') && !accept.includes('text/html'))
  );
}

/** A local path to return to after sign-in; anything else (other hosts, `//x`, `/\x`) is dropped. */
function safeNext(value: unknown): string | undefined {
  if (
    typeof value !== 'string' ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.startsWith('/\\')
  ) {
    return undefined;
  }
  return value.length > 512 ? undefined : value;
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value as string[];
  return undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    session?: Session;
  }
}

/** The review web app: sign-in, queues, decisions, overview, health and metrics. */
export async function createReviewServer(options: ReviewServerOptions) {
  const now = options.now ?? Date.now;
  const maxLogins = options.maxConcurrentLogins ?? 4;
  let loginsInFlight = 0;
  const app = Fastify({
    loggerInstance: options.logger,
    // Per-request lines would log every page view; decisions and sign-ins are logged by the routes.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    trustProxy: false,
  });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 64 * 1024 });

  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: options.cookieSecure,
  };

  const pageUser = (session: Session): PageUser => ({
    id: session.userId,
    name: options.users.get(session.userId)?.name ?? session.userId,
    csrfToken: session.csrfToken,
  });

  const sendHtml = (reply: FastifyReply, status: number, body: string) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(body);

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    return payload;
  });

  // Every path but the public ones needs a live session; pages redirect to the sign-in, the rest get 401.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const session = options.sessions.get(request.cookies[SESSION_COOKIE]);
    if (session !== undefined && options.users.get(session.userId) !== undefined) request.session = session;
    if (request.session !== undefined || isPublic(path)) return;
    if (request.method === 'GET' && !path.startsWith('/api/')) {
      const next = path === '/' ? '' : `?next=${encodeURIComponent(request.url)}`;
      return reply.redirect(`/login${next}`, 303);
    }
    if (wantsJson(request) || path.startsWith('/api/')) {
      return reply.code(401).send({ error: 'unauthenticated', message: 'Sign in first.' });
    }
    return sendHtml(reply, 401, messagePage('Signed out', 'Your session ended: sign in again.'));
  });

  // Every POST of a signed-in user carries the session's CSRF token (form field `csrf` or x-csrf-token).
  const requireCsrf = async (request: FastifyRequest, reply: FastifyReply) => {
    const session = request.session;
    const given = request.headers['x-csrf-token'] ?? field(request.body, 'csrf');
    if (session !== undefined && tokensMatch(session.csrfToken, given)) return;
    request.log.warn(
      { path: request.url.split('?')[0], user: session?.userId },
      'csrf token missing or invalid',
    );
    if (wantsJson(request)) return reply.code(403).send({ error: 'csrf', message: CSRF_MESSAGE });
    return sendHtml(reply, 403, messagePage('Forbidden', CSRF_MESSAGE, session && pageUser(session)));
  };

  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', async (_request, reply) =>
    options.ready()
      ? reply.type('text/plain').send('ready\n')
      : reply.code(503).type('text/plain').send('not ready\n'),
  );
  app.get('/metrics', (request, reply) => {
    reply.hijack();
    options.metricsHandler(request.raw, reply.raw);
  });

  for (const [name, asset] of Object.entries(options.assets)) {
    app.get(`/assets/${name}`, async (_request, reply) =>
      reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body),
    );
  }

  // Sign-in: the form carries a token that must match the login cookie (double submit), so another site
  // cannot sign a browser in to an account of its choosing.
  app.get('/login', async (request, reply) => {
    if (request.session !== undefined)
      return reply.redirect(safeNext(field(request.query, 'next')) ?? '/queue', 303);
    const token = request.cookies[LOGIN_COOKIE] || newToken();
    reply.setCookie(LOGIN_COOKIE, token, cookieOptions);
    return sendHtml(
      reply,
      200,
      loginPage({ csrfToken: token, next: safeNext(field(request.query, 'next')) }),
    );
  });

  app.post('/login', async (request, reply) => {
    const loginToken = request.cookies[LOGIN_COOKIE];
    const next = safeNext(field(request.body, 'next'));
    if (loginToken === undefined || !tokensMatch(loginToken, field(request.body, 'csrf'))) {
      request.log.warn('sign-in without a valid csrf token');
      const token = newToken();
      reply.setCookie(LOGIN_COOKIE, token, cookieOptions);
      return sendHtml(reply, 403, loginPage({ csrfToken: token, next, error: CSRF_MESSAGE }));
    }
    const username = field(request.body, 'username');
    const password = field(request.body, 'password');
    if (typeof username !== 'string' || typeof password !== 'string' || username === '' || password === '') {
      return sendHtml(
        reply,
        400,
        loginPage({ csrfToken: loginToken, next, error: 'Enter a user name and a password.' }),
      );
    }
    if (loginsInFlight >= maxLogins) {
      return sendHtml(
        reply,
        429,
        loginPage({ csrfToken: loginToken, next, error: 'Too many sign-ins at once: try again.' }),
      );
    }
    loginsInFlight++;
    let user;
    try {
      user = await options.users.authenticate(username.slice(0, 256), password.slice(0, 1024));
    } finally {
      loginsInFlight--;
    }
    if (user === undefined) {
      request.log.info(
        { user: options.users.get(username) === undefined ? undefined : username },
        'sign-in refused',
      );
      return sendHtml(reply, 401, loginPage({ csrfToken: loginToken, next, error: WRONG_LOGIN }));
    }
    // A fresh session id at every sign-in (no fixation); the old one, if any, ends.
    options.sessions.delete(request.cookies[SESSION_COOKIE]);
    const session = options.sessions.create(user.id);
    request.log.info({ user: user.id }, 'signed in');
    reply.clearCookie(LOGIN_COOKIE, cookieOptions);
    reply.setCookie(SESSION_COOKIE, session.id, cookieOptions);
    return reply.redirect(next ?? '/queue', 303);
  });

  app.post('/logout', { preHandler: requireCsrf }, async (request, reply) => {
    options.sessions.delete(request.session?.id);
    request.log.info({ user: request.session?.userId }, 'signed out');
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return reply.redirect('/login', 303);
  });

  app.get('/', async (_request, reply) => reply.redirect('/queue', 303));

  /** Configured queues first (in order, even when empty), then any other queue the topics hold. */
  const queueList = () => {
    const depths = new Map(options.board.queues().map((queue) => [queue.name, queue.depth]));
    const names = [...new Set([...options.queueTopics, ...depths.keys()])];
    return names.map((name) => ({ name, depth: depths.get(name) ?? 0 }));
  };

  const renderQueue = async (
    session: Session,
    name: string,
    status: number,
    reply: FastifyReply,
    notice?: Notice,
  ) => {
    const queues = queueList();
    const items = options.board.queue(name, options.queuePageSize);
    let texts: Map<string, { text: string } | { gone: true }> | undefined;
    try {
      texts = await options.texts.get(items.map((item) => ({ ...item.source, id: item.id })));
    } catch (error) {
      options.logger.error({ err: error, queue: name }, 'comment texts could not be fetched');
    }
    const pageItems = items.map((item): QueuePageItem => {
      const key = sourceKey(item.source);
      return {
        ...item,
        text: texts?.get(key) ?? (texts === undefined ? { unavailable: true } : { gone: true }),
      };
    });
    const depth = queues.find((queue) => queue.name === name)?.depth ?? items.length;
    return sendHtml(
      reply,
      status,
      queuePage({
        user: pageUser(session),
        queues,
        active: name,
        items: pageItems,
        now: now(),
        notice,
        depth,
      }),
    );
  };
  app.get('/queue', async (request, reply) => {
    const session = request.session!;
    const queues = queueList();
    const requested = field(request.query, 'name');
    const name = typeof requested === 'string' && requested !== '' ? requested : queues[0]?.name;
    if (name === undefined || !queues.some((queue) => queue.name === name)) {
      return sendHtml(
        reply,
        404,
        messagePage('No such queue', `There is no queue named ${String(name)}.`, pageUser(session)),
      );
    }
    return renderQueue(session, name, 200, reply);
  });

  app.post('/decisions', { preHandler: requireCsrf }, async (request, reply) => {
    const session = request.session!;
    const json = wantsJson(request);
    const id = field(request.body, 'id');
    const decision = field(request.body, 'decision');
    const labels = stringList(field(request.body, 'labels'));
    const requestedQueue = field(request.body, 'queue');
    const queue =
      typeof requestedQueue === 'string' && queueList().some((q) => q.name === requestedQueue)
        ? requestedQueue
        : (queueList()[0]?.name ?? '');

    const answer = (status: number, body: Record<string, unknown>, notice: Notice) =>
      json ? reply.code(status).send(body) : renderQueue(session, queue, status, reply, notice);

    if (typeof id !== 'string' || id === '' || id.length > MAX_ID_CHARS) {
      options.onDecision?.('unknown', 'invalid');
      const message = 'The decision names no comment id.';
      return answer(400, { status: 'invalid', message }, { kind: 'error', message });
    }
    if (decision !== 'approve' && decision !== 'remove' && decision !== 'relabel') {
      options.onDecision?.('unknown', 'invalid');
      const message = 'The decision must be approve, remove or relabel.';
      return answer(400, { status: 'invalid', id, message }, { kind: 'error', message });
    }
    if (labels === undefined) {
      options.onDecision?.(decision, 'invalid');
      const message = 'labels must be a list of label names.';
      return answer(400, { status: 'invalid', id, message }, { kind: 'error', message });
    }

    let outcome: DecideOutcome;
    try {
      outcome = await options.desk.decide({ id, decision, labels, moderator: session.userId });
    } catch (error) {
      request.log.error({ err: error, id, user: session.userId }, 'decision failed');
      outcome = { status: 'unavailable', message: (error as Error).message };
    }
    options.onDecision?.(decision, outcome.status);
    switch (outcome.status) {
      case 'unavailable': {
        request.log.error({ id, user: session.userId, reason: outcome.message }, 'decision not published');
        const message =
          'The decision could not be recorded (Kafka did not acknowledge it): nothing was decided, try again.';
        return answer(503, { status: 'unavailable', id, message }, { kind: 'error', message });
      }
      case 'decided':
        request.log.info({ id, decision, user: session.userId }, 'decided');
        return json
          ? reply.send({ status: 'decided', id, decision, moderator: session.userId })
          : reply.redirect(`/queue?name=${encodeURIComponent(queue)}`, 303);
      case 'already_decided': {
        const message = `already decided by ${outcome.event.moderator}`;
        return answer(
          409,
          {
            status: 'already_decided',
            id,
            moderator: outcome.event.moderator,
            decision: outcome.event.decision,
            message,
          },
          { kind: 'info', message: `Comment ${id}: ${message}.` },
        );
      }
      case 'unknown_comment': {
        const message = `There is no comment ${id} in the review queues.`;
        return answer(404, { status: 'unknown_comment', id, message }, { kind: 'error', message });
      }
      case 'invalid':
        return answer(
          400,
          { status: 'invalid', id, message: outcome.message },
          { kind: 'error', message: outcome.message },
        );
    }
  });

  app.get('/overview', async (request, reply) => {
    const session = request.session!;
    return sendHtml(
      reply,
      200,
      overviewPage({
        user: pageUser(session),
        queues: queueList(),
        precision: options.precision(),
        workerMetrics: options.workerMetricsConfigured,
      }),
    );
  });

  app.get('/api/overview', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({
      now: now(),
      queues: queueList(),
      precision: options.precision(),
      ...(options.overview() as object),
    }),
  );

  app.setNotFoundHandler(async (request, reply) => {
    if (wantsJson(request)) return reply.code(404).send({ error: 'not_found' });
    return sendHtml(
      reply,
      404,
      messagePage('Not found', 'There is no such page.', request.session && pageUser(request.session)),
    );
  });

  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status === 500) request.log.error({ err: error, path: request.url.split('?')[0] }, 'request failed');
    const message =
      status === 500 ? 'Something went wrong on our side; try again.' : `Bad request: ${error.message}`;
    if (wantsJson(request))
      return reply.code(status).send({ error: status === 500 ? 'internal' : 'bad_request', message });
    return sendHtml(
      reply,
      status,
      messagePage(
        status === 500 ? 'Error' : 'Bad request',
        message,
        request.session && pageUser(request.session),
      ),
    );
  });

  return app;
}
