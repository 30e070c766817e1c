/**
 * The example orders API on Hono: one public route, one protected route and one route that needs
 * an extra scope. Shared by every runtime entry: `server.mjs` (Node), `src/worker.mjs` (Cloudflare
 * Workers), `src/bun.mjs` and `src/deno.mjs`. Only the entries know their runtime.
 */
import { m2mAuth, requireScopes } from '@m2m-auth/hono'
import { Hono } from 'hono'
import { getRuntimeKey } from 'hono/adapter'

const ORDERS = [
  { id: 'ord_1001', item: 'keyboard', amountCents: 4900 },
  { id: 'ord_1002', item: 'monitor', amountCents: 18900 },
]

/**
 * Builds the app.
 *
 * @param {object} [options]
 * @param {import('@m2m-auth/hono').M2MAuthOptions} [options.auth] Verifier options. Left out, the
 *   secret key and API URL come from the Worker's bindings or the runtime's environment
 *   (`CLERK_MACHINE_SECRET_KEY`, else `CLERK_SECRET_KEY`; `CLERK_API_URL`).
 * @param {string} [options.adminScope] The machine id (`mch_...`) a token must also be scoped to
 *   for `GET /admin/reports`. Left out, that route does not exist (404).
 * @returns {import('hono').Hono}
 */
export function createApp({ auth, adminScope } = {}) {
  const app = new Hono()

  app.get('/health', (c) => c.json({ status: 'ok', runtime: getRuntimeKey() }))

  // One middleware instance, so one verifier (and one cache) for every protected route.
  const authenticate = m2mAuth(auth)
  app.use('/orders/*', authenticate)
  app.use('/admin/*', authenticate)

  app.get('/orders', (c) => c.json({ caller: c.var.m2m.subject, scopes: c.var.m2m.scopes, orders: ORDERS }))

  if (adminScope) {
    app.get('/admin/reports', requireScopes(adminScope), (c) =>
      c.json({ caller: c.var.m2m.subject, reports: [{ id: 'rep_q1', totalCents: 23800 }] }),
    )
  }

  return app
}

/**
 * The app's options from environment-like values (process.env, Deno.env, Worker bindings):
 * `MACHINE_ID` (this API's machine, needed with an instance key) and `ADMIN_SCOPE`.
 *
 * @param {(name: string) => string | undefined} read
 */
export function optionsFromEnv(read) {
  const machineId = read('MACHINE_ID') || undefined
  return { auth: machineId ? { machineId } : {}, adminScope: read('ADMIN_SCOPE') || undefined }
}
