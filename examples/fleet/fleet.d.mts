/** Types of `fleet.mjs` for the TypeScript suites that drive the example fleet. */
export interface FleetMember {
  /** `http://127.0.0.1:<port>` of this process. */
  url: string
  pid: number
  /** The verifier's `stats()` in that process. */
  stats(): Promise<Record<string, number>>
  /** `verifier.revokeToken({ m2mTokenId: id })` in that process. */
  revoke(id: string): Promise<unknown>
}

export interface FleetOptions {
  mode?: 'cluster' | 'processes'
  size?: number
  env: Record<string, string>
  startTimeoutMs?: number
}

export function startFleet(options: FleetOptions): Promise<{ members: FleetMember[]; stop(): Promise<void> }>
