// What one wake-up of an idle Node process costs in CPU time on this machine, against a baseline
// measured in the same run: a loop of `setTimeout(ms)` sleeps (the process goes idle and is woken
// by the kernel each time) against a loop of `setImmediate` hops (the same promise and callback work,
// the process never idle), in alternating rounds. On a virtual machine the first figure can be many
// times the second; it is what every event costs a server that would otherwise sleep (an upstream
// answer arriving at an idle moment, say), and why a server's CPU per request under a closed-loop
// load depends on how often it goes idle, not only on the work it does.
//
//   node bench/wakeup-cost.mjs [--rounds N] [--seconds S] [--sleep MS]
import { parseArgs } from 'node:util'
import { cpuMicros, median } from './perf/stats.mjs'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '1' },
    sleep: { type: 'string', default: '1,2' },
  },
})
const rounds = Number(values.rounds)
const windowMs = Number(values.seconds) * 1000
const sleeps = values.sleep.split(',').map(Number)

const viaTimeout = (ms) => () => new Promise((resolve) => setTimeout(resolve, ms))
const viaImmediate = () => new Promise((resolve) => setImmediate(resolve))

/** Runs `step` in a loop for the window; resolves the CPU microseconds per step. */
async function perStep(step) {
  const [cpuStart, start] = [cpuMicros(), performance.now()]
  let steps = 0
  while (performance.now() - start < windowMs) {
    await step()
    steps++
  }
  return (cpuMicros() - cpuStart) / steps
}

const loops = {
  immediate: viaImmediate,
  ...Object.fromEntries(sleeps.map((ms) => [`sleep ${ms} ms`, viaTimeout(ms)])),
}
const samples = Object.fromEntries(Object.keys(loops).map((name) => [name, []]))
for (let round = 0; round < rounds; round++) {
  const names = Object.keys(loops)
  for (const name of round % 2 === 0 ? names : names.reverse()) samples[name].push(await perStep(loops[name]))
}
console.log(`node ${process.version}, ${rounds} alternating rounds of ${windowMs} ms per loop`)
const base = median(samples.immediate)
for (const [name, values] of Object.entries(samples)) {
  const us = median(values)
  const over =
    name === 'immediate'
      ? '(baseline: never idle)'
      : `${(us - base).toFixed(1)} µs more than a hop that never sleeps`
  console.log(`${name.padEnd(14)} ${us.toFixed(2).padStart(8)} µs CPU per step, ${over}`)
}
