import { requestJson } from '@tokensmith/issuer/testing'

/**
 * Live refresh tokens for the refresh benchmark. Every refresh consumes the token it presents, so
 * each request takes one token out and its 200 response puts the successor back: the load is
 * real rotation, never a replay (which would only measure the grace-window or reuse paths).
 * A request that fails, or is cut off when a run ends, loses its token; `topUp` logs in again.
 */
export class RefreshTokenPool {
  private readonly tokens: string[] = []
  /** Requests that found the pool empty and sent a malformed token (they answer 401 and count as failures). */
  starved = 0

  constructor(
    private readonly issuerUrl: string,
    private readonly credentials: { username: string; password: string },
  ) {}

  get size(): number {
    return this.tokens.length
  }

  take(): string {
    const token = this.tokens.pop()
    if (token !== undefined) return token
    this.starved += 1
    return 'rt_pool_was_empty'
  }

  put(token: string): void {
    this.tokens.push(token)
  }

  /** Hands every token over (to a load generator in another process); the pool is left empty. */
  drain(): string[] {
    return this.tokens.splice(0)
  }

  /** Logs in (a few at a time: each login is a scrypt hash) until the pool holds `count` tokens. */
  async topUp(count: number, concurrency = 4): Promise<void> {
    const worker = async () => {
      while (this.tokens.length < count) {
        const res = await requestJson(`${this.issuerUrl}/auth/login`, { body: this.credentials })
        const token = res.body.refreshToken
        if (res.status !== 200 || typeof token !== 'string') {
          throw new Error(`login for the token pool failed: ${res.status} ${JSON.stringify(res.body)}`)
        }
        this.tokens.push(token)
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
  }
}
