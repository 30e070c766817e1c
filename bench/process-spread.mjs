// How much two processes of one and the same server differ: starts several processes of one
// (framework, variant) of the load benchmark, drives each in alternating rounds with the same
// load, and prints each process's median server CPU per request. The spread between processes is
// why `pnpm bench` starts its servers afresh for every round.
//
//   node bench/process-spread.mjs [--framework fastify] [--variant noop] [--processes 6]
//                                 [--rounds 6] [--duration 3]
//
// Needs the packages built (`pnpm build`). Loopback only: the emulator and the servers are children.
import { parseArgs } from 'node:util'
import { createTokens, startEmulatorProcess } from './load/emulator.mjs'
import { runLoad } from './load/measure.mjs'
import { stopAll } from './load/processes.mjs'
import { startServers } from './load/servers.mjs'
import { median } from './load/summary.mjs'

const { values } = parseArgs({
  options: {
    framework: { type: 'string', default: 'fastify' },
    variant: { type: 'string', default: 'noop' },
    processes: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '6' },
    duration: { type: 'string', default: '3' },
  },
})
const processes = Number(values.processes)
const rounds = Number(values.rounds)
const durationS = Number(values.duration)
if (![processes, rounds, durationS].every((n) => Number.isFinite(n) && n > 0)) {
  throw new Error('--processes, --rounds and --duration must be positive numbers')
}

const cpuOf = async (server) => {
  const { user, system } = await server.cpu()
  return user + system
}

try {
  const emulator = await startEmulatorProcess(2)
  const { tokens } = await createTokens(emulator, 1)
  const servers = []
  for (let i = 0; i < processes; i++) {
    const started = await startServers({
      frameworks: [values.framework],
      variants: [values.variant],
      emulator,
      cpuProfDir: undefined,
      round: i,
    })
    servers.push(...started.values())
  }
  const load = (server, extra) => runLoad({ baseUrl: server.baseUrl, tokens, connections: 10, ...extra })
  for (const server of servers) await load(server, { durationS: 1 })
  const perRequest = servers.map(() => [])
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse()
    for (const server of order) {
      const before = await cpuOf(server)
      const result = await load(server, { durationS })
      perRequest[servers.indexOf(server)].push(((await cpuOf(server)) - before) / result.total)
    }
  }
  console.log(
    `${values.framework}/${values.variant}: ${processes} processes, ${rounds} alternating rounds of ${durationS} s, 10 connections`,
  )
  const medians = perRequest.map(median)
  medians.forEach((m, i) => {
    const each = perRequest[i].map((v) => v.toFixed(0)).join(' ')
    console.log(`process ${i + 1}: median ${m.toFixed(1)} µs of server CPU per request (rounds: ${each})`)
  })
  const spread = Math.max(...medians) - Math.min(...medians)
  console.log(`spread between processes: ${spread.toFixed(1)} µs per request`)
} finally {
  await stopAll()
}
