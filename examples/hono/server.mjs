/**
 * Node entry: `node examples/hono/server.mjs`. Reads CLERK_MACHINE_SECRET_KEY (or
 * CLERK_SECRET_KEY with MACHINE_ID) and CLERK_API_URL from the environment, ADMIN_SCOPE for
 * `/admin/reports`, and PORT (0 picks a free port; default 3000).
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { serve } from '@hono/node-server'
import { createApp, optionsFromEnv } from './src/app.mjs'

/**
 * Starts the example API on loopback with @hono/node-server.
 *
 * @param {Parameters<typeof createApp>[0] & { port?: number }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function startServer({ port = 0, ...appOptions } = {}) {
  const app = createApp(appOptions)
  return new Promise((resolveStart, reject) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, (info) => {
      resolveStart({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done())
            server.closeAllConnections()
          }),
      })
    })
    server.once('error', reject)
  })
}

// Started as a script (not imported by demo.mjs or a test): listen, say where, stop on a signal.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { url, close } = await startServer({
    port: Number(process.env.PORT ?? 3000),
    ...optionsFromEnv((name) => process.env[name]),
  })
  console.log(`listening on ${url}`)
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => close().then(() => process.exit(0)))
}
