/**
 * Bun entry: `bun run examples/hono/src/bun.mjs`. Reads CLERK_MACHINE_SECRET_KEY (or
 * CLERK_SECRET_KEY with MACHINE_ID), CLERK_API_URL and ADMIN_SCOPE from Bun's environment, and
 * PORT (0 picks a free port; default 3000).
 */
import { createApp, optionsFromEnv } from './app.mjs'

const app = createApp(optionsFromEnv((name) => Bun.env[name]))
const server = Bun.serve({ hostname: '127.0.0.1', port: Number(Bun.env.PORT ?? 3000), fetch: app.fetch })
console.log(`listening on http://127.0.0.1:${server.port}`)
