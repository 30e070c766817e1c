import type { VerifierOptions } from '@m2m-auth/core'

/**
 * What the suite asks of a subject when it starts one. A subject passes `verifier` through to its
 * adapter unchanged, so every adapter is checked with the same verifier settings.
 */
export interface SubjectOptions {
  /** Complete verifier options (`secretKey` included): no subject may read the environment. */
  verifier: VerifierOptions
  /** The realm every `WWW-Authenticate` challenge must name. */
  realm: string
  /** The machine ids (`mch_...`) that `GET /scoped` requires, on top of a valid token. */
  scopedRouteScopes: string[]
}

/** A subject that is listening on loopback. */
export interface StartedSubject {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string
  close(): Promise<void>
}

/**
 * One adapter under test. `start` builds an app with the adapter and these routes, all `GET`:
 *
 * | route | protection | 200 body |
 * |---|---|---|
 * | `/public` | none | `{ "ok": true }` |
 * | `/protected` | a valid token | `{ "m2m": <VerifiedM2MToken> }` |
 * | `/scoped` | a valid token scoped to every `scopedRouteScopes` entry | `{ "m2m": <VerifiedM2MToken> }` |
 * | `/optional` | optional mode: no credentials pass with `m2m: null`, bad ones do not | `{ "m2m": <token or null> }` |
 * | `/optional-scoped` | optional mode *and* the `scopedRouteScopes`, in one rule: optional never weakens the requirement | `{ "m2m": <VerifiedM2MToken> }` |
 *
 * Errors are rendered by the adapter's default behaviour (no custom error handler), and it must
 * listen on `127.0.0.1` with port 0.
 *
 * @example
 * ```ts
 * // subjects/fastify.ts
 * export const fastifySubject: ConformanceSubject = { name: 'fastify 5', start: async (o) => ... }
 * // subjects/index.ts: add it to `subjects`
 * ```
 */
export interface ConformanceSubject {
  /** Shown in test names, e.g. `express 5`. */
  name: string
  start(options: SubjectOptions): Promise<StartedSubject>
}
