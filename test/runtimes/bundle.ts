import { createRequire } from 'node:module'
import { fromRoot } from './process.js'

/** The slice of esbuild's API this suite uses (esbuild is reached through tsup, see below). */
interface EsbuildLike {
  build(options: Record<string, unknown>): Promise<{ outputFiles?: { text: string }[]; warnings: unknown[] }>
}

/**
 * esbuild is not a root dependency but tsup (which is) depends on it: resolving it from tsup's own
 * location uses exactly the esbuild that builds the packages.
 */
function loadEsbuild(): EsbuildLike {
  const fromTsup = createRequire(createRequire(import.meta.url).resolve('tsup'))
  return fromTsup('esbuild') as EsbuildLike
}

/**
 * Bundles a Worker entry the way Wrangler does for workerd: one ES module, browser platform,
 * `workerd`/`worker`/`browser` export conditions, and no Node compatibility layer. A `node:`
 * import anywhere in the graph makes this throw ("Could not resolve"), which is the point: the
 * adapter and core must run on Web APIs alone.
 */
export function bundleWorker(entry: string): Promise<string> {
  return bundle({ entryPoints: [fromRoot(entry)] }, entry)
}

/**
 * Like {@link bundleWorker}, for a Worker written inline; it resolves packages as `examples/hono`
 * does, or from `resolveDir` (relative to the repository root).
 */
export function bundleWorkerSource(source: string, resolveDir = 'examples/hono/src'): Promise<string> {
  return bundle({ stdin: { contents: source, resolveDir: fromRoot(resolveDir), loader: 'js' } }, 'inline')
}

async function bundle(input: Record<string, unknown>, name: string): Promise<string> {
  const result = await loadEsbuild().build({
    ...input,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    logLevel: 'silent',
  })
  const text = result.outputFiles?.[0]?.text
  if (text === undefined) throw new Error(`esbuild produced no output for ${name}`)
  return text
}
