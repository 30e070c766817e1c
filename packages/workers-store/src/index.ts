export {
  createWorkersStore,
  DEFAULT_WORKERS_STORE_BASE_URL,
  type WorkersCacheLike,
  WorkersCacheUnavailableError,
  type WorkersStoreOptions,
} from './store.js'
