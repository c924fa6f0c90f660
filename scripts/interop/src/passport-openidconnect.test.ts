// passport-openidconnect (Jared Hanson's strategy) with express-session, as its README sets it
// up: the endpoints given one by one, a client secret, `scope: ['profile', 'email']`, and the
// `verify(issuer, profile, cb)` callback, plus its `nonce` option (in its source and type
// definitions, not its README). It cannot send PKCE, so it works only because a confidential
// client's OpenID request may go without (`--pkce openid-optional`, the default); the nonce is
// then what binds the code to this browser's login (RFC 9700 §2.1.1 allows it instead of PKCE
// for OpenID Connect clients). It sends `state`, posts the secret in the body
// (client_secret_post) and reads the profile from the ID token.
import { randomBytes } from 'node:crypto'
import express from 'express'
import session from 'express-session'
import passport from 'passport'
import OpenIDConnectStrategy, { type Profile } from 'passport-openidconnect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADA } from './testing/ada.ts'
import { authorizationRequestOf, pageJson, signInAtIssuer } from './testing/hosted-pages.ts'
import { type InteropRig, openRig } from './testing/interop-rig.ts'

const CLIENT_ID = 'forum'

let rig: InteropRig
/** What the verify callback was given, call by call. */
const verified: { issuer: string; profile: Profile }[] = []

beforeAll(async () => {
  rig = await openRig()
  const issuer = rig.issuer.url
  // docs/oidc.md, "passport-openidconnect": third-party (so the consent page shows); no --pkce
  // flag, openid-optional being the default.
  const clientSecret = await rig.addClient(
    `${CLIENT_ID} --type confidential --name Forum
     --grant authorization_code --scope openid --scope profile --scope email
     --redirect-uri ${rig.appOrigin}/oauth2/redirect`,
  )
  expect(clientSecret).toMatch(/^cs_/)

  passport.use(
    new OpenIDConnectStrategy(
      {
        issuer,
        authorizationURL: `${issuer}/oauth/authorize`,
        tokenURL: `${issuer}/oauth/token`,
        userInfoURL: `${issuer}/oauth/userinfo`,
        clientID: CLIENT_ID,
        clientSecret,
        callbackURL: `${rig.appOrigin}/oauth2/redirect`,
        scope: ['profile', 'email'],
        // Any truthy value: the strategy then sends a fresh nonce and checks the ID token's.
        nonce: 'true',
      },
      function verify(iss: string, profile: Profile, cb: (err: Error | null, user?: Express.User) => void) {
        verified.push({ issuer: iss, profile })
        cb(null, { id: profile.id, name: profile.displayName })
      },
    ),
  )
  passport.serializeUser((user, cb) => cb(null, user))
  passport.deserializeUser((user: Express.User, cb) => cb(null, user))

  const app = express()
  app.use(session({ secret: randomBytes(32).toString('hex'), resave: false, saveUninitialized: false }))
  app.use(passport.authenticate('session'))
  app.get('/login', passport.authenticate('openidconnect'))
  app.get(
    '/oauth2/redirect',
    passport.authenticate('openidconnect', { successRedirect: '/', failureRedirect: '/login' }),
  )
  app.get('/', (req, res) => {
    res.json({ user: req.user ?? null })
  })
  await rig.start(app)
}, 60_000)

afterAll(async () => {
  if (rig !== undefined) expect(await rig.close()).toEqual([])
})

describe('passport-openidconnect with express-session (confidential client, no PKCE)', () => {
  it('logs in through the hosted pages; the verify callback gets the profile from the ID token', async () => {
    const issuer = rig.issuer.url
    const page = await rig.newPage()
    const asked = await authorizationRequestOf(page, issuer, () => page.goto(`${rig.appOrigin}/login`))
    expect(Object.fromEntries(asked)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${rig.appOrigin}/oauth2/redirect`,
      scope: 'openid profile email',
    })
    expect(asked.get('state')).toBeTruthy()
    expect(asked.get('nonce')).toHaveLength(20)
    expect(asked.has('code_challenge')).toBe(false)
    await signInAtIssuer(page, issuer, ADA, { consent: true })
    await page.waitForURL(`${rig.appOrigin}/`)

    expect(verified).toHaveLength(1)
    expect(verified[0]?.issuer).toBe(issuer)
    const profile = verified[0]?.profile
    expect(profile).toEqual({
      id: expect.any(String),
      displayName: ADA.name,
      username: ADA.username,
      name: { familyName: ADA.familyName, givenName: ADA.givenName },
      emails: [{ value: ADA.email }],
    })
    expect(await pageJson(page)).toEqual({ user: { id: profile?.id, name: ADA.name } })
  })
})
