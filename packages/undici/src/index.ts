export { createM2MInterceptor, type M2MInterceptorOptions } from './interceptor.js'
