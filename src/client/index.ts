// The client package (`a2a-registry/client`): what a program needs to talk to a registry.
export { RegistryClient, type RegistryClientOptions, type RegisterOptions, type DeleteOptions, type WriteOptions } from './registry-client.js';
export { RegistryError } from './registry-error.js';
export type { SearchCriteria, ChangesQuery } from './client-requests.js';
export type { WatchOptions } from './change-watch.js';
export type * from './wire-types.js';
