export { AuthError, type M2MClaims, type VerifiedM2MToken } from '@m2m-auth/core'
export { type M2MAuthMiddleware, m2mAuth, requireM2M, requireScopes } from './middleware.js'
export type { M2MAuthOptions, M2MEnv, M2MRouteOptions, M2MVariables } from './types.js'
