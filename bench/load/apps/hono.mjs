// Hono 4 app on @hono/node-server, of one variant: no auth, a no-op middleware, m2m-auth (cached or not), or
// @clerk/hono's clerkMiddleware.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { ANONYMOUS, clerkOptions, clerkSubject, m2mOptions, ROUTE, UNAUTHORIZED } from './common.mjs'

async function protect(app, variant, config) {
  if (variant === 'none') {
    app.get(ROUTE, (c) => c.json(ANONYMOUS))
  } else if (variant === 'noop') {
    // The control of the auth rows: a middleware that only awaits next(), where m2m-auth sits.
    app.use(ROUTE, async (_c, next) => {
      await next()
    })
    app.get(ROUTE, (c) => c.json(ANONYMOUS))
  } else if (variant === 'clerk') {
    const { clerkMiddleware, getAuth } = await import('@clerk/hono')
    app.use(ROUTE, clerkMiddleware(clerkOptions(config)))
    app.get(ROUTE, (c) => {
      const subject = clerkSubject(getAuth(c, { acceptsToken: 'm2m_token' }))
      return subject === null ? c.json(UNAUTHORIZED, 401) : c.json({ subject })
    })
  } else {
    const { m2mAuth } = await import('@m2m-auth/hono')
    app.use(ROUTE, m2mAuth(m2mOptions(config, variant)))
    app.get(ROUTE, (c) => c.json({ subject: c.get('m2m').subject }))
  }
}

/** Starts the app on a loopback port. */
export async function start(variant, config) {
  const app = new Hono()
  await protect(app, variant, config)
  const server = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    s.once('error', reject)
  })
  const close = () =>
    new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  return { port: server.address().port, close }
}
