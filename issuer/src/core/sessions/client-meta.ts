// Where a login came from, kept on the session it starts (the sessions list shows it).
export interface ClientMeta {
  clientIp: string | null
  userAgent: string | null
}
