/**
 * A real emulator on loopback and tokens issued through the real client: what every test of this
 * package verifies against. Nothing of ours is mocked.
 */
import { createM2MClient } from '@m2m-auth/core'
import { type Emulator, type EmulatorMachine, startEmulator } from '@m2m-auth/emulator'

export interface Fixture {
  emulator: Emulator
  /** Sends tokens (`orders-service`); they are scoped to `receiver`. */
  sender: EmulatorMachine
  /** The API under test (`billing-service`): verifies with its own Machine Secret Key. */
  receiver: EmulatorMachine
  /** Middleware options that point at the emulator with the receiver's key. */
  options: { secretKey: string; apiUrl: string }
  /** A fresh opaque token from `sender`. */
  issue(): Promise<string>
  close(): Promise<void>
}

export async function startFixture(): Promise<Fixture> {
  const emulator = await startEmulator({ port: 0 })
  // Default machines: orders-service and billing-service, each scoped to the other.
  const [sender, receiver] = emulator.machines as [EmulatorMachine, EmulatorMachine]
  const client = createM2MClient({ secretKey: sender.secretKey, apiUrl: emulator.url })
  return {
    emulator,
    sender,
    receiver,
    options: { secretKey: receiver.secretKey, apiUrl: emulator.url },
    issue: async () => (await client.createToken({})).token!,
    close: () => emulator.close(),
  }
}

/** Request init with `Authorization: Bearer <token>`. */
export function bearer(token: string): RequestInit {
  return { headers: { authorization: `Bearer ${token}` } }
}

/** A well-formed opaque token that the emulator never issued. */
export const UNKNOWN_TOKEN = `mt_${'0'.repeat(32)}`
