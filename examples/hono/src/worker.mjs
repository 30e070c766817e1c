/**
 * Cloudflare Workers entry. Secrets come from the Worker's bindings (`wrangler secret put
 * CLERK_MACHINE_SECRET_KEY`, or `CLERK_SECRET_KEY` with `MACHINE_ID`; `CLERK_API_URL`
 * optionally), which a Worker only sees per request: the middleware builds its verifier on the
 * first request and reuses it for every later one.
 */
import { createApp, optionsFromEnv } from './app.mjs'

/** @type {import('hono').Hono | undefined} */
let app

export default {
  /**
   * @param {Request} request
   * @param {Record<string, string | undefined>} env
   * @param {unknown} ctx
   */
  fetch(request, env, ctx) {
    // MACHINE_ID and ADMIN_SCOPE are bindings too, known only here: the app is built on first use.
    app ??= createApp(optionsFromEnv((name) => env[name]))
    return app.fetch(request, env, ctx)
  },
}
