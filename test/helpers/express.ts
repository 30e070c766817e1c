import { createRequire } from 'node:module'
import type express from 'express'

/** The `express()` factory, whatever its major version. */
export type ExpressFactory = typeof express

const require = createRequire(import.meta.url)

/** Express 5 (the workspace's `express`). */
export const express5 = require('express') as ExpressFactory

/**
 * Express 4 (root devDependency `express4`, i.e. `npm:express@4`). It ships no types of its own;
 * Express 5's typings describe the part tests use (`app.use`, `app.get`, `res.json`).
 */
export const express4 = require('express4') as ExpressFactory
