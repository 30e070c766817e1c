/**
 * The example orders API on Express: one public route, one protected route and one route that
 * needs an extra scope. Plain ESM JavaScript, so it runs with `node` once the packages are built.
 */
import { m2mAuth, requireScopes } from '@m2m-auth/express'
import express from 'express'

const ORDERS = [
  { id: 'ord_1001', item: 'keyboard', amountCents: 4900 },
  { id: 'ord_1002', item: 'monitor', amountCents: 18900 },
]

/**
 * Builds the app.
 *
 * @param {object} [options]
 * @param {import('@m2m-auth/express').M2MAuthOptions} [options.auth] Verifier options. Left out,
 *   the secret key and API URL come from the environment (`CLERK_MACHINE_SECRET_KEY`, else
 *   `CLERK_SECRET_KEY`; `CLERK_API_URL`).
 * @param {string} [options.adminScope] The machine id (`mch_...`) a token must also be scoped to
 *   for `GET /admin/reports`. Left out, that route does not exist (404).
 * @returns {import('express').Express}
 */
export function createApp({ auth, adminScope } = {}) {
  const app = express()
  app.disable('x-powered-by')

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' })
  })

  // One middleware instance, so one verifier (and one cache) for every route registered below it.
  app.use(m2mAuth(auth))

  app.get('/orders', (req, res) => {
    res.json({ caller: req.m2m.subject, scopes: req.m2m.scopes, orders: ORDERS })
  })

  if (adminScope) {
    app.get('/admin/reports', requireScopes(adminScope), (req, res) => {
      res.json({ caller: req.m2m.subject, reports: [{ id: 'rep_q1', totalCents: 23800 }] })
    })
  }

  return app
}
