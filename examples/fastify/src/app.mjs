/**
 * The example orders API on Fastify: one public route, one protected route and one route that
 * needs an extra scope. Plain ESM JavaScript, so it runs with `node` once the packages are built.
 */
import m2mAuth from '@m2m-auth/fastify'
import Fastify from 'fastify'

const ORDERS = [
  { id: 'ord_1001', item: 'keyboard', amountCents: 4900 },
  { id: 'ord_1002', item: 'monitor', amountCents: 18900 },
]

/**
 * Builds the app (not listening yet). A missing secret key rejects here, at startup.
 *
 * @param {object} [options]
 * @param {import('@m2m-auth/fastify').M2MAuthOptions} [options.auth] Plugin options. Left out, the
 *   secret key and API URL come from the environment (`CLERK_MACHINE_SECRET_KEY`, else
 *   `CLERK_SECRET_KEY`; `CLERK_API_URL`).
 * @param {string} [options.adminScope] The machine id (`mch_...`) a token must also be scoped to
 *   for `GET /admin/reports`. Left out, that route does not exist (404).
 * @param {boolean} [options.logger] Fastify's request logging. @default false
 * @returns {Promise<import('fastify').FastifyInstance>}
 */
export async function createApp({ auth, adminScope, logger = false } = {}) {
  const app = Fastify({ logger })

  // Registered at the root: one verifier (and one cache) protecting every route of the app.
  await app.register(m2mAuth, auth)

  // Route config opts the health check out of authentication.
  app.get('/health', { config: { m2m: false } }, async () => ({ status: 'ok' }))

  app.get('/orders', async (request) => ({
    caller: request.m2m.subject,
    scopes: request.m2m.scopes,
    orders: ORDERS,
  }))

  if (adminScope) {
    // Route scopes are added to the plugin's: the token must also be scoped to adminScope.
    app.get('/admin/reports', { config: { m2m: { scope: adminScope } } }, async (request) => ({
      caller: request.m2m.subject,
      reports: [{ id: 'rep_q1', totalCents: 23800 }],
    }))
  }

  return app
}
