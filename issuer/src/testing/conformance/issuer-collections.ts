// The issuer's own five collections (users, clients, consents, login sessions, authorization codes)
// through the records port, every field of each: their tables were made by numbered migrations with
// column types of their own, not laid out from the declarations as a new collection's are, so the
// generic records suite (records-conformance.ts) does not prove them.
import { describe, expect, it } from 'vitest'
import { AUTHORIZATION_CODES } from '../../core/authorization/authorization-code-collection.ts'
import { CONSENTS } from '../../core/authorization/consent-collection.ts'
import { LOGIN_SESSIONS } from '../../core/authorization/login-session-collection.ts'
import { CLIENTS } from '../../core/clients/client-collection.ts'
import { type ClientRecord, firstPartyPublicClient } from '../../core/clients/client-record.ts'
import { listAll } from '../../core/records/list-all.ts'
import { StoreConflictError, StoreError } from '../../core/store-error.ts'
import { createUser } from '../../core/users/create-user.ts'
import { findUserByUsername } from '../../core/users/find-user-by-username.ts'
import { USERS } from '../../core/users/user-collection.ts'
import { authorizationCode, issued, LOGIN_ABSOLUTE, loginSession } from './authorization-fixtures.ts'
import { addUser, DAY, NO_PROFILE, newHash, T0 } from './fixtures.ts'
import { type ConformanceTarget, useStoreUnderTest } from './store-under-test.ts'

export function describeIssuerCollections(target: ConformanceTarget): void {
  describe('issuer collections', () => {
    const t = useStoreUnderTest(target)

    it('migrates again and again without losing a record, and answers ping', async () => {
      const user = await addUser(t.store)
      await t.store.migrate()
      await t.store.migrate()
      await expect(t.store.ping()).resolves.toBeUndefined()
      expect(await t.store.records.get(USERS, { id: user.id })).toEqual(user)
    })

    describe('users', () => {
      it('creates a user and finds it by id and by username, case-insensitively', async () => {
        const { records } = t.store
        const created = await createUser(records, {
          id: 'u-1',
          username: 'Alice',
          passwordHash: 'scrypt$abc',
          roles: ['admin', 'reader'],
          createdAt: T0,
        })
        const expected = {
          id: 'u-1',
          username: 'alice',
          passwordHash: 'scrypt$abc',
          roles: ['admin', 'reader'],
          disabled: false,
          mfaEnrolled: false,
          ...NO_PROFILE,
          createdAt: T0,
          updatedAt: T0,
        }
        expect(created).toEqual(expected)
        expect(await records.get(USERS, { id: 'u-1' })).toEqual(expected)
        expect(await findUserByUsername(records, 'alice')).toEqual(expected)
        expect(await findUserByUsername(records, 'ALICE')).toEqual(expected)
        expect(await records.get(USERS, { id: 'nobody' })).toBeNull()
        expect(await findUserByUsername(records, 'nobody')).toBeNull()
      })

      it('keeps an empty role list', async () => {
        const { records } = t.store
        await createUser(records, {
          id: 'u-0',
          username: 'zero',
          passwordHash: 'h',
          roles: [],
          createdAt: T0,
        })
        expect((await records.get(USERS, { id: 'u-0' }))?.roles).toEqual([])
      })

      it('refuses a duplicate username, whatever its case, with a conflict error naming it', async () => {
        const { records } = t.store
        await addUser(t.store, 'bob')
        const dup = createUser(records, {
          id: 'u-2',
          username: 'BOB',
          passwordHash: 'h',
          roles: [],
          createdAt: T0,
        })
        await expect(dup).rejects.toBeInstanceOf(StoreConflictError)
        await expect(dup).rejects.toBeInstanceOf(StoreError)
        await expect(dup).rejects.toMatchObject({ code: 'conflict', field: 'username' })
        expect(await records.get(USERS, { id: 'u-2' })).toBeNull()
      })

      it('refuses a duplicate user id with a conflict error naming it', async () => {
        const { records } = t.store
        await createUser(records, {
          id: 'same',
          username: 'carol',
          passwordHash: 'h',
          roles: [],
          createdAt: T0,
        })
        const dup = createUser(records, {
          id: 'same',
          username: 'dave',
          passwordHash: 'h',
          roles: [],
          createdAt: T0,
        })
        await expect(dup).rejects.toMatchObject({ code: 'conflict', field: 'id' })
        expect(await findUserByUsername(records, 'dave')).toBeNull()
        expect(await findUserByUsername(records, 'carol')).toMatchObject({ id: 'same' })
      })

      it('updates only the given fields and answers null for an unknown id', async () => {
        const { records } = t.store
        const user = await addUser(t.store, 'erin')
        const disabled = await records.update(USERS, { id: user.id }, { disabled: true, updatedAt: T0 + 1 })
        expect(disabled).toEqual({ ...user, disabled: true, updatedAt: T0 + 1 })
        const rehashed = await records.update(
          USERS,
          { id: user.id },
          { passwordHash: 'scrypt$new', updatedAt: T0 + 2 },
        )
        expect(rehashed).toEqual({ ...user, disabled: true, passwordHash: 'scrypt$new', updatedAt: T0 + 2 })
        const reroled = await records.update(
          USERS,
          { id: user.id },
          {
            roles: ['admin'],
            disabled: false,
            updatedAt: T0 + 3,
          },
        )
        expect(reroled).toEqual({ ...user, passwordHash: 'scrypt$new', roles: ['admin'], updatedAt: T0 + 3 })
        expect(await records.get(USERS, { id: user.id })).toEqual(reroled)
        expect(await records.update(USERS, { id: 'nobody' }, { disabled: true, updatedAt: T0 })).toBeNull()
      })

      it('keeps the profile a user is created with, and reads one created without as having none', async () => {
        const { records } = t.store
        const profile = {
          email: 'grace@example.com',
          emailVerified: true,
          name: 'Grace Hopper',
          givenName: 'Grace',
          familyName: 'Hopper',
        }
        const grace = await createUser(records, {
          id: 'u-grace',
          username: 'Grace',
          passwordHash: 'h',
          roles: [],
          createdAt: T0,
          ...profile,
        })
        expect(grace).toMatchObject(profile)
        expect(await records.get(USERS, { id: 'u-grace' })).toEqual(grace)
        expect(await findUserByUsername(records, 'GRACE')).toEqual(grace)
        // Part of a profile: the rest is absent, the address unverified.
        const half = await createUser(records, {
          id: 'u-half',
          username: 'half',
          passwordHash: 'h',
          roles: [],
          createdAt: T0,
          email: 'half@example.com',
          givenName: 'Half',
        })
        expect(half).toMatchObject({ ...NO_PROFILE, email: 'half@example.com', givenName: 'Half' })
        expect(await records.get(USERS, { id: 'u-half' })).toEqual(half)
        const plain = await createUser(records, {
          id: 'u-plain',
          username: 'plain',
          passwordHash: 'h',
          roles: ['reader'],
          createdAt: T0,
        })
        expect(plain).toMatchObject(NO_PROFILE)
        expect(await records.get(USERS, { id: plain.id })).toEqual(plain)
        expect(await listAll(records, USERS)).toEqual([grace, half, plain])
      })

      it('patches the profile: sets, changes, clears with null, and keeps what a patch leaves out', async () => {
        const { records } = t.store
        const user = await addUser(t.store, 'ida')
        const set = await records.update(
          USERS,
          { id: user.id },
          {
            email: 'ida@example.com',
            name: 'Ida',
            givenName: 'Ida',
            updatedAt: T0 + 1,
          },
        )
        expect(set).toEqual({
          ...user,
          email: 'ida@example.com',
          name: 'Ida',
          givenName: 'Ida',
          updatedAt: T0 + 1,
        })
        const changed = await records.update(
          USERS,
          { id: user.id },
          {
            email: 'ida@example.org',
            emailVerified: true,
            familyName: 'Rhodes',
            updatedAt: T0 + 2,
          },
        )
        expect(changed).toEqual({
          ...set,
          email: 'ida@example.org',
          emailVerified: true,
          familyName: 'Rhodes',
          updatedAt: T0 + 2,
        })
        // A patch without profile fields leaves every one of them as it was.
        const reroled = await records.update(
          USERS,
          { id: user.id },
          {
            roles: ['admin'],
            disabled: true,
            updatedAt: T0 + 3,
          },
        )
        expect(reroled).toEqual({ ...changed, roles: ['admin'], disabled: true, updatedAt: T0 + 3 })
        // null clears a field; the fields the patch does not name stay.
        const cleared = await records.update(
          USERS,
          { id: user.id },
          {
            email: null,
            emailVerified: false,
            name: null,
            updatedAt: T0 + 4,
          },
        )
        expect(cleared).toEqual({
          ...reroled,
          email: null,
          emailVerified: false,
          name: null,
          updatedAt: T0 + 4,
        })
        expect(cleared).toMatchObject({ givenName: 'Ida', familyName: 'Rhodes' })
        expect(await records.get(USERS, { id: user.id })).toEqual(cleared)
        expect(await findUserByUsername(records, 'ida')).toEqual(cleared)
        const none = await records.update(
          USERS,
          { id: user.id },
          { givenName: null, familyName: null, updatedAt: T0 + 5 },
        )
        expect(none).toEqual({ ...cleared, ...NO_PROFILE, updatedAt: T0 + 5 })
        expect(await listAll(records, USERS)).toEqual([none])
      })
    })

    describe('clients', () => {
      const confidential = (id: string, at = T0): ClientRecord => ({
        id,
        name: `Service ${id}`,
        type: 'confidential',
        grants: ['client_credentials', 'refresh_token'],
        scopes: ['orders:read', 'orders:write'],
        audiences: ['orders', 'billing'],
        firstParty: false,
        accessTokenTtlSec: 300,
        secretHash: 'a'.repeat(64),
        previousSecretHash: 'b'.repeat(64),
        previousSecretExpiresAt: at + DAY,
        jwks: {
          keys: [
            { kty: 'EC', crv: 'P-256', x: 'xx', y: 'yy', kid: 'k1', key_ops: ['verify'] },
            { kty: 'OKP', crv: 'Ed25519', x: 'zz', ext: true, extra: { nested: [1, null, 'two'] } },
          ],
        },
        jwksUri: 'https://svc.example/jwks.json',
        redirectUris: ['https://svc.example/callback', 'http://127.0.0.1/cb'],
        postLogoutRedirectUris: ['https://svc.example/bye'],
        // Not the default policy, so a store that forgot it would answer the default instead.
        pkce: 'required',
        webOrigins: ['https://app.svc.example', 'http://localhost:3000'],
        // Not the default either.
        requireMfa: true,
        disabled: false,
        createdAt: at,
        updatedAt: at,
      })

      it('creates, reads and patches a client, lists, JWKS, nulls and the disabled flag included', async () => {
        const { records } = t.store
        const full = confidential('svc')
        await records.insert(CLIENTS, full)
        expect(await records.get(CLIENTS, { id: 'svc' })).toEqual(full)
        // Every nullable field null, every list empty.
        const bare = firstPartyPublicClient('web', T0)
        const empty: ClientRecord = { ...bare, grants: [], firstParty: false }
        await records.insert(CLIENTS, empty)
        expect(await records.get(CLIENTS, { id: 'web' })).toEqual(empty)
        expect(await records.get(CLIENTS, { id: 'nobody' })).toBeNull()

        const patch = {
          secretHash: 'c'.repeat(64),
          previousSecretHash: null,
          previousSecretExpiresAt: null,
          jwks: null,
          accessTokenTtlSec: null,
          scopes: [],
          disabled: true,
          updatedAt: T0 + 10,
        }
        const expected: ClientRecord = { ...full, ...patch }
        expect(await records.update(CLIENTS, { id: 'svc' }, patch)).toEqual(expected)
        expect(await records.get(CLIENTS, { id: 'svc' })).toEqual(expected)
        // And back from null, the other fields untouched.
        const unpatch = {
          name: 'Web app',
          grants: ['password' as const, 'refresh_token' as const],
          firstParty: true,
          jwks: full.jwks,
          jwksUri: 'http://127.0.0.1:8080/jwks',
          accessTokenTtlSec: 60,
          disabled: false,
          updatedAt: T0 + 20,
        }
        const back = await records.update(CLIENTS, { id: 'web' }, unpatch)
        expect(back).toEqual({ ...empty, ...unpatch })
        expect(await records.get(CLIENTS, { id: 'web' })).toEqual(back)
      })

      it('replaces the redirect URI lists by patch (RFC 6749 §3.1.2), leaving the other fields', async () => {
        const { records } = t.store
        const full = confidential('app')
        await records.insert(CLIENTS, full)
        const patch = {
          redirectUris: ['com.example.app:/cb'],
          postLogoutRedirectUris: [],
          updatedAt: T0 + 1,
        }
        expect(await records.update(CLIENTS, { id: 'app' }, patch)).toEqual({ ...full, ...patch })
        expect(await records.get(CLIENTS, { id: 'app' })).toEqual({ ...full, ...patch })
      })

      it('keeps the PKCE policy and web origins, replaces them by patch, and keeps them through other patches', async () => {
        const { records } = t.store
        const full = confidential('spa-api')
        await records.insert(CLIENTS, full)
        expect(await records.get(CLIENTS, { id: 'spa-api' })).toEqual(full)
        const relaxed = {
          pkce: 'openid-optional' as const,
          webOrigins: ['https://other.example'],
          updatedAt: T0 + 1,
        }
        expect(await records.update(CLIENTS, { id: 'spa-api' }, relaxed)).toEqual({ ...full, ...relaxed })
        const noOrigins = { webOrigins: [], updatedAt: T0 + 2 }
        expect(await records.update(CLIENTS, { id: 'spa-api' }, noOrigins)).toEqual({
          ...full,
          ...relaxed,
          ...noOrigins,
        })
        const renamed = await records.update(
          CLIENTS,
          { id: 'spa-api' },
          { name: 'Renamed', updatedAt: T0 + 3 },
        )
        expect(renamed).toEqual({ ...full, ...relaxed, ...noOrigins, name: 'Renamed', updatedAt: T0 + 3 })
        const strict = { pkce: 'required' as const, webOrigins: ['https://spa.example'], updatedAt: T0 + 4 }
        const back = await records.update(CLIENTS, { id: 'spa-api' }, strict)
        expect(back).toEqual({ ...renamed, ...strict })
        expect(await listAll(records, CLIENTS)).toEqual([back])
      })

      it('refuses a taken client id with a conflict error naming it, keeping the first', async () => {
        const { records } = t.store
        const first = confidential('svc')
        await records.insert(CLIENTS, first)
        const dup = records.insert(CLIENTS, { ...confidential('svc'), name: 'impostor', secretHash: null })
        await expect(dup).rejects.toBeInstanceOf(StoreConflictError)
        await expect(dup).rejects.toMatchObject({ code: 'conflict', field: 'id' })
        expect(await records.get(CLIENTS, { id: 'svc' })).toEqual(first)
      })

      it('answers null when patching a client that does not exist, creating nothing', async () => {
        const { records } = t.store
        expect(await records.update(CLIENTS, { id: 'ghost' }, { disabled: true, updatedAt: T0 })).toBeNull()
        expect(await records.get(CLIENTS, { id: 'ghost' })).toBeNull()
        expect(await listAll(records, CLIENTS)).toEqual([])
      })

      it('deletes a client once; its id can then be registered again', async () => {
        const { records } = t.store
        await records.insert(CLIENTS, confidential('svc'))
        await records.insert(CLIENTS, confidential('other'))
        expect(await records.delete(CLIENTS, { id: 'svc' })).toBe(true)
        expect(await records.delete(CLIENTS, { id: 'svc' })).toBe(false)
        expect(await records.delete(CLIENTS, { id: 'never' })).toBe(false)
        expect(await records.get(CLIENTS, { id: 'svc' })).toBeNull()
        expect((await listAll(records, CLIENTS)).map((c) => c.id)).toEqual(['other'])
        const again = { ...confidential('svc', T0 + 5), name: 'reborn' }
        await records.insert(CLIENTS, again)
        expect(await records.get(CLIENTS, { id: 'svc' })).toEqual(again)
      })

      it('lists every client by id, in code-point order', async () => {
        const { records } = t.store
        for (const id of ['b.svc', '~x', 'a_web', 'Zed', 'a-web'])
          await records.insert(CLIENTS, confidential(id))
        const listed = await listAll(records, CLIENTS)
        expect(listed.map((c) => c.id)).toEqual(['Zed', 'a-web', 'a_web', 'b.svc', '~x'])
        expect(listed[0]).toEqual(confidential('Zed'))
      })
    })

    describe('consents', () => {
      it('stores, replaces, lists by user and deletes consent per user and client', async () => {
        const { records } = t.store
        const alice = await addUser(t.store)
        const bob = await addUser(t.store)
        const byAlice = { where: { field: 'userId', value: alice.id } } as const
        expect(await records.get(CONSENTS, { userId: alice.id, clientId: 'crm' })).toBeNull()
        expect(await listAll(records, CONSENTS, byAlice)).toEqual([])
        const crm = { userId: alice.id, clientId: 'crm', scope: ['openid', 'profile'], grantedAt: T0 }
        await records.insert(CONSENTS, crm)
        await records.insert(CONSENTS, { userId: alice.id, clientId: 'Wiki', scope: [], grantedAt: T0 + 1 })
        await records.insert(CONSENTS, {
          userId: bob.id,
          clientId: 'crm',
          scope: ['openid'],
          grantedAt: T0 + 2,
        })
        expect(await records.get(CONSENTS, { userId: alice.id, clientId: 'crm' })).toEqual(crm)
        // A second consent to the same client is a conflict (the core then updates the first).
        await expect(records.insert(CONSENTS, { ...crm, grantedAt: T0 + 5 })).rejects.toBeInstanceOf(
          StoreConflictError,
        )
        const wider = { scope: ['openid', 'profile', 'email'], grantedAt: T0 + 10 }
        const more = { ...crm, ...wider }
        expect(await records.update(CONSENTS, { userId: alice.id, clientId: 'crm' }, wider)).toEqual(more)
        expect(await records.get(CONSENTS, { userId: alice.id, clientId: 'crm' })).toEqual(more)
        expect(await listAll(records, CONSENTS, byAlice)).toEqual([
          { userId: alice.id, clientId: 'Wiki', scope: [], grantedAt: T0 + 1 },
          more,
        ])
        expect(await records.delete(CONSENTS, { userId: alice.id, clientId: 'crm' })).toBe(true)
        expect(await records.delete(CONSENTS, { userId: alice.id, clientId: 'crm' })).toBe(false)
        expect(await records.delete(CONSENTS, { userId: alice.id, clientId: 'never' })).toBe(false)
        expect(await records.get(CONSENTS, { userId: alice.id, clientId: 'crm' })).toBeNull()
        expect((await listAll(records, CONSENTS, byAlice)).map((c) => c.clientId)).toEqual(['Wiki'])
        expect(await records.get(CONSENTS, { userId: bob.id, clientId: 'crm' })).toMatchObject({
          scope: ['openid'],
        })
      })
    })

    describe('login sessions', () => {
      it('finds a login session by its secret hash, with every instant its liveness is judged by', async () => {
        const { records } = t.store
        const user = await addUser(t.store)
        const live = loginSession(user.id)
        await records.insert(LOGIN_SESSIONS, live)
        expect(await records.findBy(LOGIN_SESSIONS, 'secretHash', live.secretHash)).toEqual(live)
        expect(await records.get(LOGIN_SESSIONS, { id: live.id })).toEqual(live)
        expect(await records.findBy(LOGIN_SESSIONS, 'secretHash', newHash())).toBeNull()
        expect(await records.get(LOGIN_SESSIONS, { id: 'nobody' })).toBeNull()
        // Whether it is live is the core's judgment (create-authorization.ts): until purged, an
        // ended or idled-out login session reads back as it is, every instant exact.
        const long = loginSession(user.id, T0, { idleExpiresAt: T0 + LOGIN_ABSOLUTE })
        await records.insert(LOGIN_SESSIONS, long)
        expect(await records.findBy(LOGIN_SESSIONS, 'secretHash', long.secretHash)).toEqual(long)
        const ended = loginSession(user.id, T0, { endedAt: T0, idleExpiresAt: T0 })
        await records.insert(LOGIN_SESSIONS, ended)
        expect(await records.findBy(LOGIN_SESSIONS, 'secretHash', ended.secretHash)).toEqual(ended)
        expect(await records.get(LOGIN_SESSIONS, { id: ended.id })).toEqual(ended)
      })

      it('refuses a login session whose id or secret hash is taken with a conflict error naming it', async () => {
        const { records } = t.store
        const user = await addUser(t.store)
        const login = loginSession(user.id)
        await records.insert(LOGIN_SESSIONS, login)
        const sameId = { ...loginSession(user.id), id: login.id }
        await expect(records.insert(LOGIN_SESSIONS, sameId)).rejects.toMatchObject({
          name: 'StoreConflictError',
          field: 'id',
        })
        const sameSecret = { ...loginSession(user.id), secretHash: login.secretHash }
        await expect(records.insert(LOGIN_SESSIONS, sameSecret)).rejects.toMatchObject({
          code: 'conflict',
          field: 'secretHash',
        })
        expect(await records.get(LOGIN_SESSIONS, { id: sameSecret.id })).toBeNull()
        expect(await records.findBy(LOGIN_SESSIONS, 'secretHash', login.secretHash)).toEqual(login)
      })
    })

    describe('authorization codes', () => {
      it('stores a code and reads it back by hash, nonce or not', async () => {
        const { records } = t.store
        const { user, login, code } = await issued(t.store)
        expect(await records.get(AUTHORIZATION_CODES, { hash: code.hash })).toEqual(code)
        const bare = authorizationCode(user.id, login.id, T0, { nonce: null, scope: [] })
        await records.insert(AUTHORIZATION_CODES, bare)
        expect(await records.get(AUTHORIZATION_CODES, { hash: bare.hash })).toEqual(bare)
        expect(await records.get(AUTHORIZATION_CODES, { hash: newHash() })).toBeNull()
      })

      it('keeps a code without a PKCE challenge, its requested claims, and its redemption', async () => {
        const { records } = t.store
        const claims = { idToken: ['email', 'name'], userinfo: ['given_name', 'email'] }
        const { user, login, code } = await issued(t.store, { codeChallenge: null, claims })
        expect(code).toMatchObject({ codeChallenge: null, claims })
        expect(await records.get(AUTHORIZATION_CODES, { hash: code.hash })).toEqual(code)
        // Claims for one place of release only.
        const idTokenOnly = authorizationCode(user.id, login.id, T0, {
          claims: { idToken: ['sub'], userinfo: [] },
        })
        await records.insert(AUTHORIZATION_CODES, idTokenOnly)
        expect(await records.get(AUTHORIZATION_CODES, { hash: idTokenOnly.hash })).toEqual(idTokenOnly)
        // When and into which session it was redeemed, as the redemption step writes them.
        const redeemed = authorizationCode(user.id, login.id, T0, {
          consumedAt: T0 + 1000,
          sessionId: 'sid-1',
        })
        await records.insert(AUTHORIZATION_CODES, redeemed)
        expect(await records.get(AUTHORIZATION_CODES, { hash: redeemed.hash })).toEqual(redeemed)
      })

      it('refuses a code whose hash is taken with a conflict error naming it, keeping the first', async () => {
        const { records } = t.store
        const { user, login, code } = await issued(t.store)
        const dup = records.insert(AUTHORIZATION_CODES, {
          ...authorizationCode(user.id, login.id),
          hash: code.hash,
        })
        await expect(dup).rejects.toBeInstanceOf(StoreConflictError)
        await expect(dup).rejects.toMatchObject({ code: 'conflict', field: 'hash' })
        expect(await records.get(AUTHORIZATION_CODES, { hash: code.hash })).toEqual(code)
      })
    })
  })
}
