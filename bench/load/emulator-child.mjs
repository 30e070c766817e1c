// Child process hosting the token service emulator. It has its own event loop, so the emulator's
// work (and its latency timers) is neither slowed by nor slows the load generator, which lives in
// the runner process. Configuration: BENCH_LATENCY_MS (fixed delay of the M2M routes).
import { startEmulator } from '@m2m-auth/emulator'
import { failStartup, serveCommands } from './child-ipc.mjs'

try {
  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? '2')
  const emulator = await startEmulator({ port: 0, latencyMs })
  const ready = serveCommands(
    {
      stats: () => emulator.stats(),
      resetStats: () => emulator.resetStats(),
      cpu: () => process.cpuUsage(),
    },
    () => emulator.close(),
  )
  // The keys cross the IPC channel only; the runner never prints them.
  ready({ url: emulator.url, secretKey: emulator.secretKey, machines: emulator.machines, latencyMs })
} catch (error) {
  failStartup(error)
}
