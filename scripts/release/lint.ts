/**
 * The two linters of a packed tarball, run in this process on the .tgz itself: publint (package.json
 * against the files) and arethetypeswrong (types for every module resolution mode). Any message at
 * all, suggestions included, counts: the release check passes with zero warnings.
 */
import { readFileSync } from 'node:fs'
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'

/** publint's messages for the tarball, each formatted as publint prints it. */
export async function publintProblems(tarballFile: string): Promise<string[]> {
  const data = readFileSync(tarballFile)
  const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer
  const { messages, pkg } = await publint({ pack: { tarball }, level: 'suggestion', strict: true })
  return messages.map((m) => `publint ${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`)
}

/**
 * arethetypeswrong's problems for the tarball in every resolution mode (node16 from CJS and from
 * ESM, bundler, and node10 for the root entry point). The @arethetypeswrong/core API is
 * what the CLI runs; in-process it loads TypeScript once for all packages instead of once each.
 */
export async function attwProblems(tarballFile: string): Promise<string[]> {
  const pkg = createPackageFromTarballData(new Uint8Array(readFileSync(tarballFile)))
  const result = await checkPackage(pkg)
  if (result.types === false) return ['attw: the package ships no types']
  // node10 resolution knows no `exports` map, so it cannot see subpath entry points (`./vitest`);
  // every package needs Node >= 20.19, so only the root entry point must resolve under node10.
  const relevant = result.problems.filter(
    (p) => !('entrypoint' in p && p.entrypoint !== '.' && p.resolutionKind === 'node10'),
  )
  return relevant.map((p) => {
    const where = 'entrypoint' in p ? ` (${p.entrypoint}, ${p.resolutionKind})` : ''
    return `attw ${p.kind}${where}`
  })
}
