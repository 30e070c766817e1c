// What the idle server processes of one load round cost, second by second after they start: the
// same servers the load benchmark starts for a round (every framework x the goal's variants), none
// of them sent a request, and their summed CPU time per second. On Node 20 each process runs V8's
// memory reducer (a full GC) about 8 s after its start, which is why the load benchmark leaves a
// round's servers alone for a while before its first row (SETTLE_MS in load/index.mjs).
//
//   node bench/idle-cpu.mjs [--seconds S]
import { parseArgs } from 'node:util'
import { startEmulatorProcess } from './load/emulator.mjs'
import { stopAll } from './load/processes.mjs'
import { startServers } from './load/servers.mjs'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } })
const seconds = Number(values.seconds)
const frameworks = ['express', 'fastify', 'hono']
const variants = ['none', 'noop', 'm2m', 'm2m-held']

try {
  const emulator = await startEmulatorProcess(2)
  const servers = [...(await startServers({ frameworks, variants, emulator })).values()]
  const cpuMs = async () =>
    (await Promise.all(servers.map((server) => server.cpu()))).reduce(
      (ms, c) => ms + (c.user + c.system) / 1000,
      0,
    )
  let before = await cpuMs()
  const perSecond = []
  for (let s = 1; s <= seconds; s++) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const now = await cpuMs()
    perSecond.push(`${s}: ${Math.round(now - before)}`)
    before = now
  }
  console.log(`${servers.length} idle servers, Node ${process.version}: ms of CPU in each second after start`)
  console.log(perSecond.join(' | '))
} finally {
  await stopAll()
}
