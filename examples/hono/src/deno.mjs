/**
 * Deno entry: `deno run --allow-net --allow-env --allow-read examples/hono/src/deno.mjs`. Reads
 * CLERK_MACHINE_SECRET_KEY (or CLERK_SECRET_KEY with MACHINE_ID), CLERK_API_URL and ADMIN_SCOPE
 * from `Deno.env`, and PORT (0 picks a free port; default 3000).
 */
import { createApp, optionsFromEnv } from './app.mjs'

const app = createApp(optionsFromEnv((name) => Deno.env.get(name)))
Deno.serve(
  {
    hostname: '127.0.0.1',
    port: Number(Deno.env.get('PORT') ?? 3000),
    onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
  },
  app.fetch,
)
