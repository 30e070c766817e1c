/**
 * The Fastify and Hono apps of the conformance subjects, driven in process (`app.inject()`,
 * `app.request()`) instead of over a socket. The adapters run unchanged; only the HTTP parser is
 * skipped, so a fuzz suite can afford many more cases. Express has no such entry point: it is
 * fuzzed over raw sockets only.
 */
import type { VerifierOptions } from '@m2m-auth/core'
import { m2mAuth as fastifyM2MAuth } from '@m2m-auth/fastify'
import { m2mAuth as honoM2MAuth } from '@m2m-auth/hono'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { REALM } from './env.js'

/** An answer as a test reads it. */
export interface InProcessAnswer {
  status: number
  header(name: string): string | undefined
  body: string
}

/** An app under test, driven in process. */
export interface InProcessApp {
  name: string
  /** `GET /protected` with one `Authorization` line per value (none for `[]`). */
  request(values: readonly string[]): Promise<InProcessAnswer>
  close(): Promise<void>
}

/** Builds an in-process app of one adapter with these verifier options. */
export type InProcessFactory = (verifier: VerifierOptions) => Promise<InProcessApp>

/**
 * What the server side sees of a header value: Node trims leading and trailing whitespace, and
 * a NUL never gets past its parser (nor into a `Headers` object), so it is sent as another C0.
 */
export function asReceived(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '').replaceAll('\0', '\x01')
}

export const fastifyInProcess: InProcessFactory = async (verifier) => {
  const app = Fastify({ logger: false })
  await app.register(fastifyM2MAuth, { ...verifier, realm: REALM })
  app.get('/protected', async (request) => ({ m2m: request.m2m }))
  await app.ready()
  return {
    name: 'fastify 5 (inject)',
    async request(values) {
      const received = values.map(asReceived)
      const headers: Record<string, string | string[]> = {}
      if (received.length > 0) headers.authorization = received.length === 1 ? received[0]! : received
      const answer = await app.inject({ method: 'GET', url: '/protected', headers })
      return {
        status: answer.statusCode,
        header: (name) => {
          const value = answer.headers[name]
          return value === undefined ? undefined : String(value)
        },
        body: answer.body,
      }
    },
    close: () => app.close(),
  }
}

export const honoInProcess: InProcessFactory = async (verifier) => {
  const app = new Hono().get('/protected', honoM2MAuth({ ...verifier, realm: REALM }), (c) =>
    c.json({ m2m: c.var.m2m }),
  )
  return {
    name: 'hono 4 (app.request)',
    async request(values) {
      const headers = new Headers()
      for (const value of values) headers.append('authorization', asReceived(value))
      const answer = await app.request('http://api.test/protected', { headers })
      return {
        status: answer.status,
        header: (name) => answer.headers.get(name) ?? undefined,
        body: await answer.text(),
      }
    },
    close: async () => undefined,
  }
}
