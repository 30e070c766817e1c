// Fastify 5 app of one variant: no auth, an empty onRequest hook, m2m-auth (cached or not), or Clerk's clerkPlugin.
import Fastify from 'fastify'
import { ANONYMOUS, clerkOptions, clerkSubject, m2mOptions, ROUTE, UNAUTHORIZED } from './common.mjs'

async function protect(app, variant, config) {
  if (variant === 'none') {
    app.get(ROUTE, async () => ANONYMOUS)
  } else if (variant === 'noop') {
    // The control of the auth rows: an empty onRequest hook, where m2m-auth hooks in.
    app.addHook('onRequest', async () => {})
    app.get(ROUTE, async () => ANONYMOUS)
  } else if (variant === 'clerk') {
    const { clerkPlugin, getAuth } = await import('@clerk/fastify')
    await app.register(clerkPlugin, clerkOptions(config))
    app.get(ROUTE, async (request, reply) => {
      const subject = clerkSubject(getAuth(request, { acceptsToken: 'm2m_token' }))
      if (subject !== null) return { subject }
      reply.code(401)
      return UNAUTHORIZED
    })
  } else {
    const { m2mAuth } = await import('@m2m-auth/fastify')
    await app.register(m2mAuth, m2mOptions(config, variant))
    app.get(ROUTE, async (request) => ({ subject: request.m2m.subject }))
  }
}

/** Starts the app on a loopback port. */
export async function start(variant, config) {
  const app = Fastify({ logger: false })
  await protect(app, variant, config)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { port: app.server.address().port, close: () => app.close() }
}
