import type { AddressInfo } from 'node:net'
import { m2mAuth } from '@m2m-auth/fastify'
import Fastify from 'fastify'
import type { ConformanceSubject } from './types.js'

/**
 * `@m2m-auth/fastify` registered once at the root (global protection); the public route opts out
 * and the scoped and optional routes use route `config.m2m`, the plugin's per-route mechanism.
 */
export const fastifySubject: ConformanceSubject = {
  name: 'fastify 5',
  async start({ verifier, realm, scopedRouteScopes }) {
    const app = Fastify({ logger: false })
    await app.register(m2mAuth, { ...verifier, realm })
    app.get('/public', { config: { m2m: false } }, async () => ({ ok: true }))
    app.get('/protected', async (request) => ({ m2m: request.m2m }))
    app.get('/scoped', { config: { m2m: { scope: scopedRouteScopes } } }, async (request) => ({
      m2m: request.m2m,
    }))
    app.get('/optional', { config: { m2m: { optional: true } } }, async (request) => ({ m2m: request.m2m }))
    app.get(
      '/optional-scoped',
      { config: { m2m: { optional: true, scope: scopedRouteScopes } } },
      async (request) => ({ m2m: request.m2m }),
    )
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as AddressInfo
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() }
  },
}
