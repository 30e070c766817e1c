// Express 5 app of one variant: no auth, a no-op middleware, m2m-auth (cached or not), or Clerk's clerkMiddleware.
import { createServer } from 'node:http'
import express from 'express'
import {
  ANONYMOUS,
  clerkOptions,
  clerkSubject,
  listenNode,
  m2mOptions,
  ROUTE,
  UNAUTHORIZED,
} from './common.mjs'

async function protect(app, variant, config) {
  if (variant === 'none') {
    app.get(ROUTE, (_req, res) => res.json(ANONYMOUS))
  } else if (variant === 'noop') {
    // The control of the auth rows: a middleware that does nothing, in the same place.
    app.use((_req, _res, next) => next())
    app.get(ROUTE, (_req, res) => res.json(ANONYMOUS))
  } else if (variant === 'clerk') {
    const { clerkMiddleware, getAuth } = await import('@clerk/express')
    app.use(clerkMiddleware(clerkOptions(config)))
    app.get(ROUTE, (req, res) => {
      const subject = clerkSubject(getAuth(req, { acceptsToken: 'm2m_token' }))
      if (subject === null) res.status(401).json(UNAUTHORIZED)
      else res.json({ subject })
    })
  } else {
    const { m2mAuth } = await import('@m2m-auth/express')
    app.use(m2mAuth(m2mOptions(config, variant)))
    app.get(ROUTE, (req, res) => res.json({ subject: req.m2m.subject }))
  }
}

/** Starts the app on a loopback port. */
export async function start(variant, config) {
  const app = express()
  await protect(app, variant, config)
  return listenNode(createServer(app))
}
