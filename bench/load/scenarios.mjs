// What is measured: the rows of the table and the order in which they run.

/** Server variants: each (framework, variant) is one server process per round. */
export const VARIANTS = ['none', 'noop', 'm2m', 'm2m-held', 'm2m-nocache', 'clerk']

/**
 * The rows of the many-token goal ((b) / (a) with the first many-token count): no auth under the
 * rotating load, its no-op control, the cached m2m-auth row and its (h) control.
 */
export const GOAL_KEYS = ['aMany', 'nMany', 'bMany', 'hMany']

/**
 * The rows measured for each framework. `tokens` is how many distinct tokens the requests rotate
 * through; the many-token rows reuse the servers of their single-token rows. `baseline` is the
 * no-auth row driven by the same load (for "vs (a)") and `control` the no-op-middleware row (for
 * the CPU m2m-auth adds over it).
 *
 * @param {number[]} manyCounts distinct tokens of each group of many-token rows (the first also
 *   gets a Clerk row, and keeps the keys `bMany`/`dMany` that the targets read)
 * @param {{ quick?: boolean, rate?: number, goal?: boolean }} [mode] --quick leaves out the
 *   many-token no-op rows and the (h) control;
 *   --rate keeps only the no-auth, no-op and cached m2m-auth rows (the others cannot keep up a rate);
 *   --goal keeps only the rows of the many-token goal (GOAL_KEYS)
 */
export function rowsFor(manyCounts, { quick = false, rate, goal = false } = {}) {
  const rows = allRows(manyCounts, quick)
  if (goal) return rows.filter((row) => GOAL_KEYS.includes(row.key))
  return rate === undefined
    ? rows
    : rows.filter((row) => ['none', 'noop', 'm2m', 'm2m-held'].includes(row.variant))
}

function allRows(manyCounts, quick) {
  const rows = [
    { key: 'a', label: '(a) no auth (ceiling)', variant: 'none', tokens: 1 },
    { key: 'n', label: '(n) no-op middleware (control)', variant: 'noop', tokens: 1 },
    { key: 'b', label: '(b) m2m-auth, warm cache', variant: 'm2m', tokens: 1, baseline: 'a', control: 'n' },
    { key: 'c', label: '(c) m2m-auth, `cache: false`', variant: 'm2m-nocache', tokens: 1 },
    { key: 'd', label: '(d) Clerk middleware', variant: 'clerk', tokens: 1 },
  ]
  manyCounts.forEach((tokens, i) => {
    const n = tokens.toLocaleString('en-US')
    const suffix = i === 0 ? 'Many' : `Many${tokens}`
    const [a, nn] = [`a${suffix}`, `n${suffix}`]
    rows.push({ key: a, label: `(a) no auth, ${n} tokens (same rotating load)`, variant: 'none', tokens })
    // --quick (the CI smoke run) leaves out the many-token control, to stay short.
    if (!quick)
      rows.push({ key: nn, label: `(n) no-op middleware, ${n} tokens`, variant: 'noop', tokens, baseline: a })
    const control = quick ? undefined : nn
    rows.push({
      key: `b${suffix}`,
      label: `(b) m2m-auth, warm cache, ${n} tokens`,
      variant: 'm2m',
      tokens,
      baseline: a,
      control,
    })
    // The (b) row without its re-verifications: what the many-token hit costs, and (from the
    // difference) what the re-verifications cost.
    if (i === 0 && !quick)
      rows.push({
        key: 'hMany',
        label: `(h) m2m-auth, ${n} tokens, none re-verified during the run (control)`,
        variant: 'm2m-held',
        tokens,
        baseline: a,
        control: nn,
      })
    if (i === 0)
      rows.push({
        key: 'dMany',
        label: `(d) Clerk middleware, ${n} tokens`,
        variant: 'clerk',
        tokens,
        baseline: a,
      })
  })
  return rows
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

/** The server of a step: one per framework and variant, shared by every row of that variant. */
export function serverKey({ framework, row }) {
  return `${framework}/${row.variant}`
}

/**
 * The index of the last step of a round that uses each server: the runner stops a server there, so
 * that no process that has served load goes idle beside the rows that follow (an idle Node 20
 * process runs a full GC some seconds later, on the same 2 cores as their measurement).
 */
export function lastUses(steps) {
  return new Map(steps.map((step, index) => [serverKey(step), index]))
}
