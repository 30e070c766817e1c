// Child process of bench/import-cost.mjs: a Fastify server whose onRequest hook is one of
//   cb      a callback hook that calls done() (the control)
//   ballast the same hook, in a process that keeps 200,000 small objects (a bigger heap, no code)
//   undici  the same hook, in a process that has imported undici and built its global dispatcher
//   m2m     the @m2m-auth/fastify plugin against the emulator (BENCH_API_URL, BENCH_KEY, BENCH_MACHINE)
// Answers the runner's 'cpu' command with its CPU time in µs.
import Fastify from 'fastify'
import { ANONYMOUS, ROUTE } from '../load/apps/common.mjs'
import { failStartup, serveCommands } from '../load/child-ipc.mjs'

const variant = process.env.BENCH_VARIANT
const done = (_request, _reply, next) => next()

try {
  const app = Fastify({ logger: false })
  if (variant === 'cb') app.addHook('onRequest', done)
  else if (variant === 'undici') {
    const { getGlobalDispatcher } = await import('undici')
    globalThis.benchDispatcher = getGlobalDispatcher()
    app.addHook('onRequest', done)
  } else if (variant === 'ballast') {
    globalThis.benchBallast = Array.from({ length: 200000 }, (_, i) => ({ i, s: `x${i}` }))
    app.addHook('onRequest', done)
  } else if (variant === 'm2m') {
    const { m2mAuth } = await import('@m2m-auth/fastify')
    await app.register(m2mAuth, {
      secretKey: process.env.BENCH_KEY,
      machineId: process.env.BENCH_MACHINE,
      apiUrl: process.env.BENCH_API_URL,
      budget: false,
    })
  } else throw new Error(`unknown BENCH_VARIANT ${variant}`)
  app.get(ROUTE, async (request) => (request.m2m ? { subject: request.m2m.subject } : ANONYMOUS))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const ready = serveCommands(
    {
      cpu: () => {
        const { user, system } = process.cpuUsage()
        return user + system
      },
    },
    () => app.close(),
  )
  ready({ port: app.server.address().port })
} catch (error) {
  failStartup(error)
}
