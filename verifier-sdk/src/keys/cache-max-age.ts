/**
 * How long (seconds) a response may be reused according to its `Cache-Control` header, or
 * undefined when the header says nothing usable. `no-store`/`no-cache` count as 0; the caller
 * applies its own bounds.
 */
export function cacheMaxAge(cacheControl: string | null): number | undefined {
  if (cacheControl === null) return undefined
  let maxAge: number | undefined
  for (const part of cacheControl.split(',')) {
    const [rawName = '', rawValue] = part.split('=', 2)
    const name = rawName.trim().toLowerCase()
    if (name === 'no-store' || name === 'no-cache') return 0
    if (name !== 'max-age' || rawValue === undefined) continue
    const value = rawValue.trim().replace(/^"(.*)"$/, '$1')
    if (/^\d{1,10}$/.test(value)) maxAge = Number(value)
  }
  return maxAge
}
