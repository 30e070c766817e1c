/**
 * Client configuration from flags, then the environment, then core's defaults. The secret key is
 * only ever passed to the client: messages name where it came from, never what it is.
 */
import type { M2MClientOptions, PathStyle } from '@m2m-auth/core'
import { choiceFlag, numberFlag, stringFlag, UsageError } from './flags.js'

/** The flags shared by every `token` command. */
export interface ConfigFlags {
  secretKey?: unknown
  apiUrl?: unknown
  pathStyle?: unknown
  timeout?: unknown
}

/** What a `token` command needs to build its client, and what error messages may mention. */
export interface ResolvedConfig {
  client: M2MClientOptions
  /** Where the key came from (`--secret-key`, `CLERK_MACHINE_SECRET_KEY`, ...), for hints. */
  keySource: string
  /** `machine` for `ak_` keys, `instance` for `sk_` keys. */
  keyKind: 'machine' | 'instance' | 'unknown'
}

/**
 * Which key a command can work with: token create only works with a Machine Secret Key, the
 * machine commands only with the instance Secret Key.
 */
export type KeyNeed = 'machine' | 'instance' | 'any'

const PATH_STYLES: readonly PathStyle[] = ['unversioned', 'v1']

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

function kindOf(key: string): ResolvedConfig['keyKind'] {
  if (key.startsWith('ak_')) return 'machine'
  if (key.startsWith('sk_')) return 'instance'
  return 'unknown'
}

/**
 * Flag first; then the machine key, then the instance key (the adapters read them in this order
 * too). Commands that need the instance key read CLERK_SECRET_KEY only.
 */
function pickKey(
  flags: ConfigFlags,
  env: Record<string, string | undefined>,
  need: KeyNeed,
): [string, string] | undefined {
  const flag = nonEmpty(stringFlag(flags.secretKey, '--secret-key'))
  if (flag) return [flag, '--secret-key']
  const machine = nonEmpty(env.CLERK_MACHINE_SECRET_KEY)
  if (machine && need !== 'instance') return [machine, 'CLERK_MACHINE_SECRET_KEY']
  const instance = nonEmpty(env.CLERK_SECRET_KEY)
  if (instance) return [instance, 'CLERK_SECRET_KEY']
  return undefined
}

const INSTANCE_KEY_HINT =
  'set CLERK_SECRET_KEY to the instance Secret Key (sk_...; the emulator prints it), or pass --secret-key sk_...'

function noKeyHint(need: KeyNeed): string {
  if (need === 'machine') return MACHINE_KEY_HINT
  if (need === 'instance') return INSTANCE_KEY_HINT
  return 'set CLERK_MACHINE_SECRET_KEY (ak_...) or CLERK_SECRET_KEY (sk_...), or pass --secret-key'
}

/** A key that cannot do what the command needs: say which key is needed and where it came from. */
function checkKeyKind(need: KeyNeed, keyKind: ResolvedConfig['keyKind'], keySource: string): void {
  if (need === 'machine' && keyKind === 'instance') {
    throw new UsageError(
      `token create needs a Machine Secret Key (ak_...), but the key from ${keySource} is an instance Secret Key (sk_...)`,
      MACHINE_KEY_HINT,
    )
  }
  if (need === 'instance' && keyKind === 'machine') {
    throw new UsageError(
      `machine commands need the instance Secret Key (sk_...), but the key from ${keySource} is a Machine Secret Key (ak_...)`,
      INSTANCE_KEY_HINT,
    )
  }
}

const MACHINE_KEY_HINT =
  'set CLERK_MACHINE_SECRET_KEY to the Machine Secret Key (ak_...) of the machine that sends the token, ' +
  'or pass --secret-key ak_...'

/**
 * Resolves the client options of a `token` command.
 *
 * @throws UsageError when no usable key is configured or a flag value is invalid.
 */
export function resolveConfig(
  flags: ConfigFlags,
  env: Record<string, string | undefined>,
  need: KeyNeed,
): ResolvedConfig {
  const picked = pickKey(flags, env, need)
  if (!picked) {
    const hint = noKeyHint(need)
    if (need === 'instance' && nonEmpty(env.CLERK_MACHINE_SECRET_KEY)) {
      throw new UsageError(
        'machine commands need the instance Secret Key (sk_...), not a Machine Secret Key',
        hint,
      )
    }
    throw new UsageError('no secret key configured', hint)
  }
  const [secretKey, keySource] = picked
  const keyKind = kindOf(secretKey)
  checkKeyKind(need, keyKind, keySource)
  const client: M2MClientOptions = { secretKey }
  const apiUrl = nonEmpty(stringFlag(flags.apiUrl, '--api-url')) ?? nonEmpty(env.CLERK_API_URL)
  if (apiUrl !== undefined) client.apiUrl = apiUrl
  const pathStyle = choiceFlag(flags.pathStyle, '--path-style', PATH_STYLES)
  if (pathStyle !== undefined) client.pathStyle = pathStyle
  const timeoutMs = numberFlag(flags.timeout, '--timeout')
  if (timeoutMs !== undefined) {
    if (timeoutMs <= 0) throw new UsageError('--timeout must be a number of milliseconds > 0')
    client.timeoutMs = timeoutMs
  }
  return { client, keySource, keyKind }
}
