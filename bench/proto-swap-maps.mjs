// Why a property on an Express request costs microseconds on some Node versions: Express swaps the
// prototype of every request and response (`Object.setPrototypeOf(req, app.request)` in
// `app.handle`). Two objects of one shape whose prototypes were swapped to the same object should
// share a hidden class (V8 "map") after the same property is added to both, so that the add is a
// cached transition. On Node 20 and 22 (V8 11.3, 12.4) they do not: every add after the swap builds a
// new map, for every request. This prints, per kind of object, whether the two share their map, and
// the time of one such add measured on Express's own objects.
//
//   node --allow-natives-syntax bench/proto-swap-maps.mjs
import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import express from 'express'
import { median } from './perf/stats.mjs'

let haveSameMap
try {
  haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)')
} catch {
  console.error('run with: node --allow-natives-syntax bench/proto-swap-maps.mjs')
  process.exit(2)
}

const app = express()
class Plain {
  constructor() {
    this.a = 1
    this.b = 2
  }
}
const swappedTo = Object.create(Plain.prototype)
const socket = new Socket()
/** A fresh request as Express's `app.handle` leaves it (or as Node made it, unswapped). */
function expressRequest(swap) {
  const o = new IncomingMessage(socket)
  if (swap) Object.setPrototypeOf(o, app.request)
  return o
}
const kinds = {
  'a class instance': (swap) => {
    const o = new Plain()
    if (swap) Object.setPrototypeOf(o, swappedTo)
    return o
  },
  'a node:http IncomingMessage, prototype set to Express app.request': expressRequest,
}

console.log(`node ${process.version} (V8 ${process.versions.v8})`)
console.log('| object | prototype swapped | share a map after `o.m2m = v` |')
console.log('|---|---|---|')
for (const [name, make] of Object.entries(kinds)) {
  for (const swap of [false, true]) {
    const first = make(swap)
    const second = make(swap)
    first.m2m = 1
    second.m2m = 1
    console.log(
      `| ${name} | ${swap ? 'yes' : 'no'} | ${haveSameMap(first, second) ? 'yes' : 'no: a new map per object'} |`,
    )
  }
}

// The add itself, on fresh Express-swapped requests (the median of 15 batches of 2,000).
const batches = []
for (let batch = 0; batch < 15; batch++) {
  const objects = Array.from({ length: 2000 }, () => expressRequest(true))
  const started = process.hrtime.bigint()
  for (const o of objects) o.m2m = o
  batches.push(Number(process.hrtime.bigint() - started) / objects.length)
}
console.log(
  `\n\`req.m2m = v\` on a fresh Express-swapped IncomingMessage: ${median(batches).toFixed(0)} ns (median of 15 x 2,000)`,
)
