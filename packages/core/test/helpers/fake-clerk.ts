/**
 * A loopback fake of Clerk's Backend API for tests: a small `node:http` server on 127.0.0.1:0
 * whose answer per route is set by the test, recording every request. Generic on purpose: the
 * client and the verifier tests both use it. It implements no Clerk logic; tests script it.
 *
 * @example
 * ```ts
 * const fake = await startFakeClerk()
 * fake.on('POST', '/m2m_tokens/verify', () => ({ status: 200, body: wireToken() }))
 * // ... createM2MClient({ secretKey, apiUrl: fake.url })
 * fake.requests[0].json // { token: '...' }
 * await fake.close()
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request as the fake saw it. Header names are lower-case. */
export interface RecordedRequest {
  method: string
  /** Path without the query string, e.g. `/v1/m2m_tokens/verify`. */
  path: string
  query: Record<string, string>
  headers: Record<string, string>
  /** Raw body text ('' when none). */
  body: string
  /** The body parsed as JSON, or `undefined` when it is empty or not JSON. */
  json: unknown
  /** Values of `:name` segments of the matched route pattern. */
  params: Record<string, string>
}

/** What the fake answers. `body` is sent as JSON, `rawBody` as is. */
export interface FakeReply {
  status?: number
  headers?: Record<string, string>
  body?: unknown
  rawBody?: string
  /** Wait this long before answering (real time; keep it small). */
  delayMs?: number
  /** Never answer (the connection is cut when the fake closes): for timeout tests. */
  hang?: boolean
  /** Destroy the socket without answering: a connection reset. */
  reset?: boolean
}

/** Computes the answer to one request. */
export type FakeHandler = (request: RecordedRequest) => FakeReply | Promise<FakeReply>

/** A running fake. */
export interface FakeClerk {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string
  /** Every request received, in order. */
  requests: RecordedRequest[]
  /** Sets the handler of `method` + `pattern` (`/m2m_tokens/:id/revoke`); replaces an earlier one. */
  on(method: string, pattern: string, handler: FakeHandler): void
  /** Answers from a list, one reply per request, repeating the last one. */
  sequence(method: string, pattern: string, replies: FakeReply[]): void
  /** Forgets routes and recorded requests. */
  reset(): void
  close(): Promise<void>
}

interface Route {
  method: string
  regex: RegExp
  names: string[]
  handler: FakeHandler
}

function compile(method: string, pattern: string, handler: FakeHandler): Route {
  const names: string[] = []
  const source = pattern
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      names.push(segment.slice(1))
      return '([^/]+)'
    })
    .join('/')
  return { method: method.toUpperCase(), regex: new RegExp(`^${source}$`), names, handler }
}

/** Clerk's error body, as the fake answers unknown routes. */
export function notFoundReply(): FakeReply {
  return {
    status: 404,
    body: {
      errors: [{ message: 'not found', long_message: 'No route matches', code: 'resource_not_found' }],
    },
  }
}

async function readRequest(req: IncomingMessage): Promise<Omit<RecordedRequest, 'params'>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks).toString('utf8')
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  let json: unknown
  try {
    json = body ? JSON.parse(body) : undefined
  } catch {
    json = undefined
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
    json,
  }
}

async function answer(res: ServerResponse, reply: FakeReply): Promise<void> {
  if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs))
  if (reply.hang) return
  if (reply.reset) {
    res.socket?.destroy()
    return
  }
  const text = reply.rawBody ?? (reply.body === undefined ? '' : JSON.stringify(reply.body))
  const headers: Record<string, string> = { ...reply.headers }
  if (reply.rawBody === undefined && reply.body !== undefined) headers['content-type'] ??= 'application/json'
  res.writeHead(reply.status ?? 200, headers)
  res.end(text)
}

/** Starts a fake on 127.0.0.1 with a free port. */
export async function startFakeClerk(): Promise<FakeClerk> {
  let routes: Route[] = []
  const requests: RecordedRequest[] = []
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const seen = await readRequest(req)
    const route = routes.find((r) => r.method === seen.method && r.regex.test(seen.path))
    const match = route?.regex.exec(seen.path)
    const params = Object.fromEntries((route?.names ?? []).map((name, i) => [name, match?.[i + 1] ?? '']))
    const recorded: RecordedRequest = { ...seen, params }
    requests.push(recorded)
    await answer(res, route ? await route.handler(recorded) : notFoundReply())
  }
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A client that went away mid-request, or a throwing handler: answer 500 if still possible.
      if (res.headersSent || res.destroyed) return
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(`fake handler failed: ${String(error)}`)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const fake: FakeClerk = {
    url: `http://127.0.0.1:${port}`,
    requests,
    on(method, pattern, handler) {
      const route = compile(method, pattern, handler)
      routes = routes.filter((r) => !(r.method === route.method && r.regex.source === route.regex.source))
      routes.push(route)
    },
    sequence(method, pattern, replies) {
      let next = 0
      fake.on(method, pattern, () => replies[Math.min(next++, replies.length - 1)] ?? {})
    },
    reset() {
      routes = []
      requests.length = 0
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
  return fake
}

/** Machine ids shaped like Clerk's (`^mch_\w{27}$`). */
export const MACHINE_A = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'
export const MACHINE_B = 'mch_2yGkLpQ7Y3rXSwtU24CzTk9I7Em'
/** A token id shaped like Clerk's (`^mt_[0-9A-Fa-f]{32}$`). */
export const TOKEN_ID = 'mt_f7f0ba8c3b4843ce7d85fcdd5e71853e'

/** A wire (snake_case) `machine_to_machine_token` object as Clerk answers verify and revoke. */
export function wireToken(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    object: 'machine_to_machine_token',
    id: TOKEN_ID,
    subject: MACHINE_A,
    claims: { important_metadata: 'Some useful data' },
    scopes: [MACHINE_B],
    revoked: false,
    revocation_reason: null,
    expired: false,
    expiration: 1716883200000,
    last_used_at: null,
    created_at: 1716879600000,
    updated_at: 1716879600000,
    ...overrides,
  }
}

/** Clerk's error body: `{ errors: [{ message, long_message, code }], clerk_trace_id? }`. */
export function clerkErrorBody(code: string, message: string, traceId?: string): Record<string, unknown> {
  const body: Record<string, unknown> = { errors: [{ message, long_message: `${message} (long)`, code }] }
  if (traceId !== undefined) body.clerk_trace_id = traceId
  return body
}
