import type { ClientPatch, ClientRecord } from './client-record.ts'

/** The part of the store port that keeps the client registry; every store implements it. */
export interface ClientStore {
  /** Throws StoreConflictError('client id') when the id is taken. */
  createClient(client: ClientRecord): Promise<ClientRecord>
  getClient(id: string): Promise<ClientRecord | null>
  /** Every client, by id. */
  listClients(): Promise<ClientRecord[]>
  /** Returns the updated client, or null when no client has that id. */
  updateClient(id: string, patch: ClientPatch): Promise<ClientRecord | null>
  /** Returns true when a client was removed. Its sessions live on until they end. */
  deleteClient(id: string): Promise<boolean>
  /**
   * Remembers `key` until `until` and answers true, or answers false when it is already
   * remembered and not yet past its `until`: atomic across instances (one use of a client
   * assertion's `jti`, RFC 7523 §3). Purge forgets what has passed.
   */
  rememberOnce(key: string, until: number, now: number): Promise<boolean>
}
