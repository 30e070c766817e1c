// What is measured: the rows of the table and the order in which they run.

/** Server variants: each (framework, variant) is one server process. */
export const VARIANTS = ['none', 'm2m', 'm2m-nocache', 'clerk']

/**
 * The rows measured for each framework. `tokens` is how many distinct tokens the requests rotate
 * through; the many-token rows reuse the servers of their single-token rows.
 *
 * @param {number} manyTokens distinct tokens of the many-token rows
 */
export function rowsFor(manyTokens) {
  const n = manyTokens.toLocaleString('en-US')
  return [
    { key: 'a', label: '(a) no auth (ceiling)', variant: 'none', tokens: 1 },
    { key: 'b', label: '(b) m2m-auth, warm cache', variant: 'm2m', tokens: 1 },
    { key: 'c', label: '(c) m2m-auth, `cache: false`', variant: 'm2m-nocache', tokens: 1 },
    { key: 'd', label: '(d) Clerk middleware', variant: 'clerk', tokens: 1 },
    { key: 'bMany', label: `(b) m2m-auth, warm cache, ${n} tokens`, variant: 'm2m', tokens: manyTokens },
    { key: 'dMany', label: `(d) Clerk middleware, ${n} tokens`, variant: 'clerk', tokens: manyTokens },
  ]
}

/** Clerk's official middleware for each framework, as wired in apps/*.mjs. */
export const CLERK_MIDDLEWARE = {
  express: '`@clerk/express` `clerkMiddleware()` + `getAuth(req, { acceptsToken: "m2m_token" })`',
  fastify: '`@clerk/fastify` `clerkPlugin` + `getAuth(request, { acceptsToken: "m2m_token" })`',
  hono: '`@clerk/hono` `clerkMiddleware()` + `getAuth(c, { acceptsToken: "m2m_token" })`',
}

/**
 * The order of the measurements: every row of every framework once per round, reversed in every
 * other round (A B C D, D C B A, ...), so that a machine getting slower or faster during the run
 * favours no row.
 */
export function schedule(frameworks, rounds, rows) {
  const once = frameworks.flatMap((framework) => rows.map((row) => ({ framework, row })))
  return Array.from({ length: rounds }, (_, round) => (round % 2 === 0 ? once : [...once].reverse()))
}
