/**
 * Node entry: `node examples/fastify/server.mjs`. Reads CLERK_MACHINE_SECRET_KEY (or
 * CLERK_SECRET_KEY with MACHINE_ID) and CLERK_API_URL from the environment, ADMIN_SCOPE for
 * `/admin/reports`, and PORT (0 picks a free port; default 3000).
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createApp } from './src/app.mjs'

/**
 * Starts the example API on loopback.
 *
 * @param {Parameters<typeof createApp>[0] & { port?: number }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startServer({ port = 0, ...appOptions } = {}) {
  const app = await createApp(appOptions)
  await app.listen({ port, host: '127.0.0.1' })
  return { url: `http://127.0.0.1:${app.server.address().port}`, close: () => app.close() }
}

// Started as a script (not imported by demo.mjs or a test): listen, say where, stop on a signal.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const machineId = process.env.MACHINE_ID || undefined
  const { url, close } = await startServer({
    port: Number(process.env.PORT ?? 3000),
    auth: machineId ? { machineId } : {},
    adminScope: process.env.ADMIN_SCOPE || undefined,
    logger: true,
  })
  console.log(`listening on ${url}`)
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => close())
}
