import { describe, expect, it } from 'vitest'
import { createLogger, type LogFields, REDACTED } from './logger.ts'

function capture(level: Parameters<typeof createLogger>[0]['level'] = 'debug') {
  const lines: string[] = []
  const logger = createLogger({ level, write: (l) => lines.push(l), clock: () => Date.UTC(2026, 5, 1, 10) })
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

describe('createLogger', () => {
  it('writes one JSON object per line: ISO time, level name, event, fields, nothing else', () => {
    const { logger, lines, parsed } = capture()
    logger.info('login', { userId: 'u1', sessionId: 's1', clientIp: null, skipped: undefined })
    expect(lines).toHaveLength(1)
    expect(lines[0]!.endsWith('}\n')).toBe(true)
    expect(parsed()[0]).toEqual({
      time: '2026-06-01T10:00:00.000Z',
      level: 'info',
      event: 'login',
      userId: 'u1',
      sessionId: 's1',
      clientIp: null,
    })
  })

  it('logs security events at warn with security: true', () => {
    const { logger, parsed } = capture()
    logger.security('refresh_reuse_detected', { userId: 'u1' })
    expect(parsed()[0]).toMatchObject({
      level: 'warn',
      event: 'refresh_reuse_detected',
      security: true,
      userId: 'u1',
    })
  })

  it('drops lines below the level, and everything when silent', () => {
    const warn = capture('warn')
    warn.logger.debug('d')
    warn.logger.info('i')
    warn.logger.warn('w')
    warn.logger.error('e')
    warn.logger.security('s')
    expect(warn.parsed().map((l) => [l.level, l.event])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
      ['warn', 's'],
    ])
    const silent = capture('silent')
    silent.logger.error('e')
    silent.logger.security('s')
    expect(silent.lines).toEqual([])
  })

  it('redacts fields named like a secret, at the top level and one level down', () => {
    const { logger, lines, parsed } = capture()
    logger.info('oops', { password: 'hunter2', token: 'rt_secret', refreshToken: 'rt_x', userId: 'u1' })
    // The type allows no nested field; a cast could still bring one.
    const nested = {
      request: { authorization: 'Bearer eyJsecret', cookie: 'tokensmith_rt=rt_y', path: '/a' },
    }
    logger.warn('oops_nested', nested as unknown as LogFields)
    expect(parsed()).toEqual([
      expect.objectContaining({ password: REDACTED, token: REDACTED, refreshToken: REDACTED, userId: 'u1' }),
      expect.objectContaining({ request: { authorization: REDACTED, cookie: REDACTED, path: '/a' } }),
    ])
    expect(lines.join('')).not.toMatch(/hunter2|rt_secret|rt_x|eyJsecret|rt_y/)
  })
})
