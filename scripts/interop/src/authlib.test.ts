// Authlib (Debian's python3-authlib, its requests integration) as a confidential client that
// holds a key pair instead of a secret: the authorization code flow with PKCE S256 and
// private_key_jwt (RFC 7523; Authlib's assertions live an hour, exp = iat + 3600), the ID token
// validated by Authlib, userinfo, then client_credentials with the same key, and a replayed
// assertion refused. The script is python/authlib_flow.py; this test plays the browser.
import { generateKeyPairSync } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addClient, addUser } from './testing/admin-cli.ts'
import { runPythonFlow } from './testing/python-flow.ts'
import { startTlsIssuer, type TlsIssuer } from './testing/tls-issuer.ts'

const USER = { username: 'alice', password: 'correct horse battery staple' }
const PROFILE = {
  email: 'alice@example.com',
  name: 'Alice Liddell',
  given_name: 'Alice',
  family_name: 'Liddell',
}
const CLIENT_ID = 'py-authlib'
const REDIRECT_URI = 'https://app.example/callback'
let issuer: TlsIssuer | undefined
let privateKeyFile: string
let privateKeyPem: string

beforeAll(async () => {
  issuer = await startTlsIssuer({
    prepare: async ({ databaseUrl, dir }) => {
      // The application's key pair: the private key stays with it, the issuer gets a JWKS file
      // of the public key alone (`--jwks-file`), so the client has no secret at all.
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
      privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
      privateKeyFile = join(dir, 'py-authlib.key')
      await writeFile(privateKeyFile, privateKeyPem, { mode: 0o600 })
      const jwksFile = join(dir, 'py-authlib.jwks.json')
      const jwk = { ...publicKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig' }
      await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }))
      await addUser(
        databaseUrl,
        `${USER.username} --role user --email ${PROFILE.email} --email-verified --name "${PROFILE.name}" --given-name ${PROFILE.given_name} --family-name ${PROFILE.family_name}`,
        USER.password,
      )
      const printed = await addClient(
        databaseUrl,
        `${CLIENT_ID} --type confidential --name "Python app" --jwks-file ${jwksFile} --pkce required --grant authorization_code --grant client_credentials --scope openid --scope profile --scope email --redirect-uri ${REDIRECT_URI}`,
      )
      // A client with keys gets no secret.
      expect(printed).not.toMatch(/^cs_/)
    },
  })
})

afterAll(async () => {
  const leaked = (await issuer?.stop([USER.password])) ?? []
  expect(leaked).toEqual([])
})

describe('Authlib OAuth2Session with private_key_jwt', () => {
  it('code flow with PKCE S256: ID token and userinfo; client_credentials; a replayed assertion refused', async () => {
    if (issuer === undefined) throw new Error('not started')
    const tls = issuer
    const { authorizationUrl, result } = await runPythonFlow({
      script: 'authlib_flow.py',
      env: {
        ISSUER: tls.url,
        CLIENT_ID,
        REDIRECT_URI,
        PRIVATE_KEY_FILE: privateKeyFile,
        REQUESTS_CA_BUNDLE: tls.tls.caFile,
      },
      browse: async (url) => (await tls.signIn(url, USER)).href,
    })

    const asked = new URL(authorizationUrl).searchParams
    expect(asked.get('code_challenge_method')).toBe('S256')
    expect(asked.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(asked.get('scope')).toBe('openid profile email')

    expect(result.token).toMatchObject({ token_type: 'Bearer', scope: 'openid profile email' })
    const idToken = result.id_token_claims as Record<string, unknown>
    expect(idToken).toMatchObject({ iss: tls.url, aud: CLIENT_ID, nonce: result.nonce })
    expect(typeof idToken.sub).toBe('string')
    expect(result.userinfo).toMatchObject({
      sub: idToken.sub,
      preferred_username: USER.username,
      ...PROFILE,
      email_verified: true,
    })

    const service = result.service_token as {
      token_type: string
      access_token_claims: Record<string, unknown>
    }
    expect(service.token_type).toBe('Bearer')
    expect(service.access_token_claims).toMatchObject({ iss: tls.url, sub: CLIENT_ID, client_id: CLIENT_ID })
    expect(service.access_token_claims.sid).toBeUndefined()

    // Authlib's assertions: an hour (the issuer accepts exp up to an hour ahead), used once.
    expect(result.assertion_lifetime).toBe(3600)
    const [first, replay] = result.replays as { status: number; body: Record<string, unknown> }[]
    expect(first?.status, JSON.stringify(first?.body)).toBe(200)
    expect(first?.body.token_type).toBe('Bearer')
    expect(replay?.status).toBe(401)
    expect(replay?.body.error).toBe('invalid_client')
  })
})
