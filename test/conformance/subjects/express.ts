import { m2mAuth, requireScopes } from '@m2m-auth/express'
import { type ExpressFactory, express4, express5 } from '../../helpers/express.js'
import { listen } from '../../helpers/server.js'
import type { ConformanceSubject } from './types.js'

/** `@m2m-auth/express` on the given Express major, serving the conformance routes. */
export function createExpressSubject(name: string, express: ExpressFactory): ConformanceSubject {
  return {
    name,
    async start({ verifier, realm, scopedRouteScopes }) {
      const app = express()
      const auth = m2mAuth({ ...verifier, realm })
      app.get('/public', (_req, res) => {
        res.json({ ok: true })
      })
      app.get('/protected', auth, (req, res) => {
        res.json({ m2m: req.m2m })
      })
      app.get('/scoped', auth, requireScopes(...scopedRouteScopes), (req, res) => {
        res.json({ m2m: req.m2m })
      })
      app.get('/optional', m2mAuth({ ...verifier, realm, optional: true }), (req, res) => {
        res.json({ m2m: req.m2m })
      })
      // Optional mode next to a requirement, on the middleware itself: never lets anonymous requests in.
      const optionalScoped = m2mAuth({ ...verifier, realm, optional: true, scope: scopedRouteScopes })
      app.get('/optional-scoped', optionalScoped, (req, res) => {
        res.json({ m2m: req.m2m })
      })
      return listen(app)
    },
  }
}

export const express5Subject = createExpressSubject('express 5', express5)
export const express4Subject = createExpressSubject('express 4', express4)
