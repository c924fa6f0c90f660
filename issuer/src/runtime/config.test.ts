import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors.ts'
import { loadConfig } from './config.ts'

describe('loadConfig', () => {
  it('has embedded defaults for every setting', () => {
    const c = loadConfig({}, '/srv')
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      issuerUrl: 'http://localhost:3000',
      audience: ['api'],
      keysDir: '/srv/keys',
      databaseUrl: 'sqlite:./data/issuer.db',
      accessTokenTtlSec: 900,
      refreshIdleTtlSec: 7 * 86400,
      sessionAbsoluteTtlSec: 30 * 86400,
      refreshGraceSec: 10,
      loginSessionIdleTtlSec: 3600,
      loginSessionAbsoluteTtlSec: 12 * 3600,
      scryptLogN: 15,
      cookieSecure: true,
      trustProxy: false,
      helperThreadNice: 5,
      databasePoolSize: null,
      tls: null,
      tlsReloadSec: 5,
    })
  })

  it('serves TLS with both files, resolved against the working directory, and defaults to an https URL', () => {
    const c = loadConfig(
      { PORT: '8443', TLS_CERT_FILE: 'tls/fullchain.pem', TLS_KEY_FILE: '/etc/tokensmith/key.pem' },
      '/srv',
    )
    expect(c.tls).toEqual({ certFile: '/srv/tls/fullchain.pem', keyFile: '/etc/tokensmith/key.pem' })
    expect(c.issuerUrl).toBe('https://localhost:8443')
    expect(
      loadConfig({ TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem', TLS_RELOAD_INTERVAL: '0' }).tlsReloadSec,
    ).toBe(0)
    expect(
      loadConfig({ TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem', TLS_RELOAD_INTERVAL: '1m' }).tlsReloadSec,
    ).toBe(60)
    const behind = loadConfig({
      TLS_CERT_FILE: 'c.pem',
      TLS_KEY_FILE: 'k.pem',
      ISSUER_URL: 'https://id.example.com',
    })
    expect(behind.issuerUrl).toBe('https://id.example.com')
  })

  it('reads durations, lists and URLs', () => {
    const c = loadConfig({
      PORT: '8080',
      AUDIENCE: 'orders, billing',
      ACCESS_TOKEN_TTL: '5m',
      REFRESH_GRACE: '0',
      LOGIN_SESSION_IDLE_TTL: '30m',
      LOGIN_SESSION_ABSOLUTE_TTL: '1d',
      ISSUER_URL: 'https://id.example.com/',
      DATABASE_POOL_SIZE: '24',
    })
    expect(c).toMatchObject({
      port: 8080,
      audience: ['orders', 'billing'],
      accessTokenTtlSec: 300,
      refreshGraceSec: 0,
      loginSessionIdleTtlSec: 1800,
      loginSessionAbsoluteTtlSec: 86400,
      issuerUrl: 'https://id.example.com',
      databasePoolSize: 24,
    })
  })

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ ISSUER_URL: 'id.example.com' }, 'ISSUER_URL'],
    [{ ISSUER_URL: 'ftp://id.example.com' }, 'ISSUER_URL'],
    [{ ACCESS_TOKEN_TTL: 'soon' }, 'ACCESS_TOKEN_TTL'],
    [{ ACCESS_TOKEN_TTL: '5' }, 'ACCESS_TOKEN_TTL'],
    [{ REFRESH_IDLE_TTL: '30d', SESSION_ABSOLUTE_TTL: '7d' }, 'SESSION_ABSOLUTE_TTL'],
    [{ REFRESH_GRACE: '1h' }, 'REFRESH_GRACE'],
    [{ LOGIN_SESSION_IDLE_TTL: '10s' }, 'LOGIN_SESSION_IDLE_TTL'],
    [{ LOGIN_SESSION_IDLE_TTL: '2h', LOGIN_SESSION_ABSOLUTE_TTL: '1h' }, 'LOGIN_SESSION_ABSOLUTE_TTL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ SCRYPT_LOG_N: '8' }, 'SCRYPT_LOG_N'],
    [{ HELPER_THREAD_NICE: '20' }, 'HELPER_THREAD_NICE'],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE'],
    [{ DATABASE_POOL_SIZE: 'many' }, 'DATABASE_POOL_SIZE'],
    [{ DATABASE_POOL_SIZE: '1001' }, 'DATABASE_POOL_SIZE'],
    [{ HELPER_THREAD_NICE: '-5' }, 'HELPER_THREAD_NICE'],
    [{ AUDIENCE: ' , ' }, 'AUDIENCE'],
    [{ COOKIE_SECURE: 'maybe' }, 'COOKIE_SECURE'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ NODE_ENV: 'production' }, 'ISSUER_URL'],
    [{ NODE_ENV: 'production', TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem' }, 'ISSUER_URL'],
    [{ TLS_CERT_FILE: 'c.pem' }, 'TLS_KEY_FILE'],
    [{ TLS_KEY_FILE: 'k.pem' }, 'TLS_CERT_FILE'],
    [{ TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: ' ' }, 'TLS_KEY_FILE'],
    [{ TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem', ISSUER_URL: 'http://id.example.com' }, 'ISSUER_URL'],
    [{ TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem', TLS_RELOAD_INTERVAL: 'often' }, 'TLS_RELOAD_INTERVAL'],
  ])('refuses %o naming %s', (env, variable) => {
    let err: unknown
    try {
      loadConfig(env)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).variable).toBe(variable)
    expect((err as ConfigError).message.startsWith(`${variable}: `)).toBe(true)
  })

  it('never echoes a database password in its message', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' })).toThrow(/mysql:\/\/\*\*\*@db/)
  })
})
