import type { IncomingMessage, ServerResponse } from 'node:http'
import { ADMIN_PREFIX, type AdminControls, handleAdmin } from './admin.js'
import { parseBearer, type RequestContext, type Services } from './context.js'
import { notFound, rateLimited, serverError } from './errors.js'
import type { FaultInjector, FaultKind } from './faults.js'
import { parseJson, readBody, sendError, sendJson, sendMalformed } from './http.js'
import { traceId } from './ids.js'
import { matchRoute, pathSegments, type RouteMatch } from './router.js'
import { M2M_ROUTES, type RouteName } from './types.js'

/** Request counters behind `stats()`. */
export class StatsCounter {
  requests = 0
  byRoute: Record<string, number> = {}

  /** Counts one request to `route`. */
  count(route: string): void {
    this.requests++
    this.byRoute[route] = (this.byRoute[route] ?? 0) + 1
  }

  /** A copy of the counters. */
  snapshot() {
    return { requests: this.requests, byRoute: { ...this.byRoute }, verify: this.byRoute.verify ?? 0 }
  }

  /** Zeroes every counter. */
  reset(): void {
    this.requests = 0
    this.byRoute = {}
  }
}

/** Everything the request pipeline uses. */
export interface PipelineDeps {
  services: Services
  faults: FaultInjector
  stats: StatsCounter
  admin: AdminControls
  /** A delay that `close()` can cancel. */
  sleep(ms: number): Promise<void>
}

function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://emulator.invalid')
  } catch {
    return undefined // e.g. a request target of `//`
  }
}

function context(req: IncomingMessage, url: URL | undefined, params: Record<string, string>, body: Buffer) {
  let parsed: { value: unknown } | undefined
  const ctx: RequestContext = {
    method: req.method ?? 'GET',
    params,
    query: url?.searchParams ?? new URLSearchParams(),
    bearer: parseBearer(req.headers.authorization),
    json() {
      parsed ??= { value: parseJson(body) }
      return parsed.value
    },
  }
  return ctx
}

function injectFault(
  kind: FaultKind,
  req: IncomingMessage,
  res: ServerResponse,
  faults: FaultInjector,
): void {
  switch (kind) {
    case 'hang':
      return // never answer: the socket stays open until the client or close() ends it
    case 'reset':
      req.socket.destroy()
      return
    case 'malformed':
      sendMalformed(res)
      return
    case 'rateLimit':
      throw rateLimited(faults.retryAfterSeconds())
    case 'error':
      throw serverError(faults.errorStatus())
  }
}

async function runRoute(
  match: RouteMatch,
  ctx: RequestContext,
  req: IncomingMessage,
  res: ServerResponse,
  deps: PipelineDeps,
) {
  const name: RouteName = match.name
  const fault = deps.faults.decide(name)
  const delayMs = deps.faults.delayMs(name, M2M_ROUTES.includes(name))
  if (delayMs > 0) await deps.sleep(delayMs)
  if (fault) return injectFault(fault, req, res, deps.faults)
  const reply = await match.handler(ctx, deps.services)
  sendJson(res, reply.status, reply.body, reply.headers)
}

async function dispatch(req: IncomingMessage, res: ServerResponse, deps: PipelineDeps): Promise<void> {
  const url = requestUrl(req)
  const segments = url ? pathSegments(url.pathname) : []
  const isAdmin = segments[0] === ADMIN_PREFIX
  const match = isAdmin || !url ? undefined : matchRoute(req.method ?? 'GET', segments)
  if (!isAdmin) deps.stats.count(match?.name ?? 'unknown')
  const body = await readBody(req)
  const ctx = context(req, url, match?.params ?? {}, body)
  if (isAdmin) {
    const reply = await handleAdmin(
      segments.length === 2 ? segments[1]! : '',
      ctx,
      deps.services.store,
      deps.admin,
    )
    return sendJson(res, reply.status, reply.body)
  }
  if (!match) throw notFound('No route matches this method and path.')
  await runRoute(match, ctx, req, res, deps)
}

/** Handles one request; never throws (every failure becomes a Clerk-style answer). */
export async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: PipelineDeps,
): Promise<void> {
  try {
    await dispatch(req, res, deps)
  } catch (error) {
    sendError(res, error, traceId())
  }
}
