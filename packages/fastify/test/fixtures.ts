/**
 * Shared test fixtures: the emulator as token service, token minting through core's client, and two
 * transports (Fastify's `inject()` and real HTTP on loopback) so every behaviour is checked both ways.
 */
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createM2MClient, type M2MToken } from '@m2m-auth/core'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, afterEach, beforeAll } from 'vitest'
// The emulator is not a dependency of this package: its sources are imported by path.
import {
  type Emulator,
  type EmulatorMachine,
  type EmulatorOptions,
  startEmulator,
} from '../../emulator/src/index.js'

export type { Emulator, EmulatorMachine, EmulatorOptions }
export { startEmulator }

/** One request, as the tests describe it. */
export interface Call {
  /** @default 'GET' */
  method?: string
  url: string
  /** An array value is sent as that many header lines. */
  headers?: Record<string, string | string[]>
  payload?: string
}

/** What a test sees of an answer. */
export interface Answer {
  status: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
  json: unknown
}

/** Sends a call to an app and reads the whole answer. */
export type Transport = (app: FastifyInstance, call: Call) => Promise<Answer>

/** Fastify's in-process injection (light-my-request). */
export const viaInject: Transport = async (app, call) => {
  const res = await app.inject({
    method: (call.method ?? 'GET') as 'GET',
    url: call.url,
    headers: call.headers ?? {},
    ...(call.payload === undefined ? {} : { payload: call.payload }),
  })
  return { status: res.statusCode, headers: res.headers, body: res.body, json: parseJson(res.body) }
}

/** Real HTTP on 127.0.0.1: the app listens on a free port the first time it is called. */
export const viaHttp: Transport = async (app, call) => {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: call.url, method: call.method ?? 'GET', agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: parseJson(body) })
        })
      },
    )
    for (const [name, value] of Object.entries(call.headers ?? {})) req.setHeader(name, value)
    req.setTimeout(10_000, () => req.destroy(new Error(`request to ${call.url} timed out`)))
    req.on('error', reject)
    req.end(call.payload)
  })
}

/** `describe.each` table: every behaviour runs through both transports. */
export const transports: [string, Transport][] = [
  ['inject', viaInject],
  ['http', viaHttp],
]

/** A Fastify app without logging; closed by {@link closeAll}. */
export function newApp(): FastifyInstance {
  const app = Fastify({ logger: false })
  opened.push(app)
  return app
}

const opened: FastifyInstance[] = []

/** Closes every app created by {@link newApp} since the last call. */
export async function closeAll(): Promise<void> {
  const apps = opened.splice(0)
  await Promise.all(apps.map((app) => app.close()))
}

/** Creates a token as `sender` (its Machine Secret Key), with core's client. */
export function mintToken(
  emulator: Emulator,
  sender: EmulatorMachine,
  params: Parameters<ReturnType<typeof createM2MClient>['createToken']>[0] = {},
): Promise<M2MToken & { token: string }> {
  const client = createM2MClient({ secretKey: sender.secretKey, apiUrl: emulator.url, retry: false })
  return client.createToken(params) as Promise<M2MToken & { token: string }>
}

/** Revokes a token as the machine that created it. */
export async function revokeToken(emulator: Emulator, sender: EmulatorMachine, id: string): Promise<void> {
  const client = createM2MClient({ secretKey: sender.secretKey, apiUrl: emulator.url, retry: false })
  await client.revokeToken({ m2mTokenId: id })
}

/** `Authorization` header carrying a bearer token. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The token service and the two default machines: `api` receives tokens, `caller` sends them. */
export interface Scenario {
  emulator: Emulator
  /** The machine whose API is under test (`orders-service`); tokens of `caller` are scoped to it. */
  api: EmulatorMachine
  /** The machine that calls the API (`billing-service`). */
  caller: EmulatorMachine
  /** Plugin options verifying with the API machine's own Machine Secret Key. */
  options: { secretKey: string; apiUrl: string }
}

/** Starts an emulator with its default machines (close it with `scenario.emulator.close()`). */
export async function startScenario(options: Omit<EmulatorOptions, 'machines'> = {}): Promise<Scenario> {
  const emulator = await startEmulator({ ...options, port: 0, host: '127.0.0.1' })
  const [api, caller] = emulator.machines
  if (api === undefined || caller === undefined) throw new Error('the emulator has no default machines')
  return { emulator, api, caller, options: { secretKey: api.secretKey, apiUrl: emulator.url } }
}

/**
 * Registers the suite lifecycle every file shares: an emulator started before the suite and closed
 * after it, and every app of a test closed after it. Returns the scenario, filled in `beforeAll`
 * (hooks run in registration order, so a file's own `beforeAll` may already use it).
 */
export function useScenario(options: Omit<EmulatorOptions, 'machines'> = {}): Scenario {
  const scenario = {} as Scenario
  beforeAll(async () => {
    Object.assign(scenario, await startScenario(options))
  })
  afterAll(() => scenario.emulator.close())
  afterEach(closeAll)
  return scenario
}

/** The RFC 6750 error codes an answer may carry. */
export type ErrorCode =
  | 'unauthorized'
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'temporarily_unavailable'
  | 'server_error'

const STATUS: Record<ErrorCode, number> = {
  unauthorized: 401,
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  temporarily_unavailable: 503,
  server_error: 500,
}

/**
 * Checks an error answer against design.md's table: status, JSON body, `Cache-Control: no-store`,
 * and a `WWW-Authenticate` challenge on 4xx only (bare for `unauthorized`). Returns the challenge.
 */
export function errorAnswer(answer: Answer, error: ErrorCode, realm = 'api'): string | undefined {
  const problems: string[] = []
  const challenge = answer.headers['www-authenticate']
  if (answer.status !== STATUS[error]) problems.push(`status ${answer.status}, expected ${STATUS[error]}`)
  if ((answer.json as { error?: unknown } | undefined)?.error !== error) problems.push(`body ${answer.body}`)
  if (answer.headers['cache-control'] !== 'no-store') problems.push('no Cache-Control: no-store')
  if (!String(answer.headers['content-type']).startsWith('application/json')) problems.push('not JSON')
  if (STATUS[error] >= 500) {
    if (challenge !== undefined) problems.push(`unexpected challenge ${String(challenge)}`)
  } else if (typeof challenge !== 'string' || !challenge.startsWith(`Bearer realm="${realm}"`)) {
    problems.push(`challenge ${String(challenge)}`)
  } else if (
    error === 'unauthorized' ? challenge.includes('error=') : !challenge.includes(`error="${error}"`)
  ) {
    problems.push(`challenge ${challenge}`)
  }
  if (problems.length > 0) throw new Error(`not a ${error} answer: ${problems.join('; ')}`)
  return typeof challenge === 'string' ? challenge : undefined
}
