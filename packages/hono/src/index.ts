export { AuthError, type VerifiedM2MToken } from '@m2m-auth/core'
export { type M2MAuthMiddleware, m2mAuth, requireScopes } from './middleware.js'
export type { M2MAuthOptions, M2MEnv, M2MVariables } from './types.js'
