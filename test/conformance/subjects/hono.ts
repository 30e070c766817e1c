import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { m2mAuth, requireScopes } from '@m2m-auth/hono'
import { Hono } from 'hono'
import { listen } from '../../helpers/server.js'
import type { ConformanceSubject } from './types.js'

/**
 * `@m2m-auth/hono` on Node through `@hono/node-server`, with Hono's default error handling (the
 * middleware's `HTTPException` carries the answer). One middleware instance guards `/protected`
 * and `/scoped`, as an app would share it; `/optional` has its own.
 */
export const honoSubject: ConformanceSubject = {
  name: 'hono 4',
  async start({ verifier, realm, scopedRouteScopes }) {
    const auth = m2mAuth({ ...verifier, realm })
    const app = new Hono()
      .get('/public', (c) => c.json({ ok: true }))
      .get('/protected', auth, (c) => c.json({ m2m: c.var.m2m }))
      .get('/scoped', auth, requireScopes(...scopedRouteScopes), (c) => c.json({ m2m: c.var.m2m }))
      .get('/optional', m2mAuth({ ...verifier, realm, optional: true }), (c) => c.json({ m2m: c.var.m2m }))
      .get(
        '/optional-scoped',
        m2mAuth({ ...verifier, realm, optional: true, scope: scopedRouteScopes }),
        (c) => c.json({ m2m: c.var.m2m }),
      )
    // Without `serverOptions`, @hono/node-server creates a plain `http.Server`.
    return listen(createAdaptorServer({ fetch: app.fetch }) as Server)
  },
}
