// A WebAuthn authenticator in software, for tests without a browser: it makes one ES256 passkey
// (attestation "none") and signs assertions with it as a platform authenticator with user
// verification would, and lets a test forge what a browser never would (another origin, RP ID,
// challenge, a counter going backwards). The browser test uses Chromium's own (virtual-authenticator.ts).
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server'

type Cbor = number | string | Uint8Array | Map<number | string, Cbor> | Record<string, never>

/** The CBOR (RFC 8949) of the few shapes an attestation object and a COSE key need. */
function cbor(value: Cbor): Buffer {
  const head = (major: number, n: number): Buffer => {
    if (n < 24) return Buffer.from([(major << 5) | n])
    if (n < 256) return Buffer.from([(major << 5) | 24, n])
    const b = Buffer.alloc(3)
    b[0] = (major << 5) | 25
    b.writeUInt16BE(n, 1)
    return b
  }
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value)
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)])
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value])
  const entries = value instanceof Map ? [...value] : Object.entries(value)
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])])
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest()

export interface CeremonyTweaks {
  /** The origin the "browser" puts in the client data (default: the authenticator's). */
  origin?: string
  /** The RP ID whose hash the authenticator data carries (default: the options'). */
  rpId?: string
  /** The challenge signed (default: the options'). */
  challenge?: string
  /** The user verification flag (default true). */
  userVerified?: boolean
  /** The signature counter to report (default: one more than the last). */
  counter?: number
  /** The userHandle to return (default: the registered user's; null: none). */
  userHandle?: string | null
}

export interface SoftwareAuthenticator {
  /** The credential id (base64url) once created. */
  readonly credentialId: string
  readonly counter: number
  create(options: PublicKeyCredentialCreationOptionsJSON, tweaks?: CeremonyTweaks): RegistrationResponseJSON
  get(options: PublicKeyCredentialRequestOptionsJSON, tweaks?: CeremonyTweaks): AuthenticationResponseJSON
}

export function createSoftwareAuthenticator(opts: {
  origin: string
  backedUp?: boolean
}): SoftwareAuthenticator {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = publicKey.export({ format: 'jwk' })
  const id = randomBytes(16)
  let counter = 0
  let userHandle = ''
  // UP, UV, and the backup flags: BE (eligible) and BS (backed up) for a synced passkey.
  const flagsOf = (uv: boolean, extra: number) => 0x01 | (uv ? 0x04 : 0) | (opts.backedUp ? 0x18 : 0) | extra
  const authData = (rpId: string, flags: number, count: number, attested?: Buffer) => {
    const c = Buffer.alloc(4)
    c.writeUInt32BE(count)
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), c, ...(attested ? [attested] : [])])
  }
  const clientData = (type: string, challenge: string, origin: string) =>
    Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }))

  return {
    get credentialId() {
      return id.toString('base64url')
    },
    get counter() {
      return counter
    },
    create(options, tweaks = {}) {
      userHandle = options.user.id
      counter = tweaks.counter ?? 0
      const coseKey = new Map<number, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x ?? '', 'base64url')],
        [-3, Buffer.from(jwk.y ?? '', 'base64url')],
      ])
      const idLength = Buffer.alloc(2)
      idLength.writeUInt16BE(id.length)
      const attested = Buffer.concat([Buffer.alloc(16), idLength, id, cbor(coseKey)])
      const data = authData(
        tweaks.rpId ?? options.rp.id ?? '',
        flagsOf(tweaks.userVerified ?? true, 0x40),
        counter,
        attested,
      )
      const attestationObject = cbor(
        new Map<string, Cbor>([
          ['fmt', 'none'],
          ['attStmt', {}],
          ['authData', data],
        ]),
      )
      const clientDataJSON = clientData(
        'webauthn.create',
        tweaks.challenge ?? options.challenge,
        tweaks.origin ?? opts.origin,
      )
      return {
        id: id.toString('base64url'),
        rawId: id.toString('base64url'),
        type: 'public-key',
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
        response: {
          clientDataJSON: clientDataJSON.toString('base64url'),
          attestationObject: attestationObject.toString('base64url'),
          transports: ['internal'],
        },
      }
    },
    get(options, tweaks = {}) {
      counter = tweaks.counter ?? counter + 1
      const data = authData(
        tweaks.rpId ?? options.rpId ?? '',
        flagsOf(tweaks.userVerified ?? true, 0),
        counter,
      )
      const clientDataJSON = clientData(
        'webauthn.get',
        tweaks.challenge ?? options.challenge,
        tweaks.origin ?? opts.origin,
      )
      const signature = sign('sha256', Buffer.concat([data, sha256(clientDataJSON)]), privateKey)
      const handle = tweaks.userHandle === undefined ? userHandle : tweaks.userHandle
      return {
        id: id.toString('base64url'),
        rawId: id.toString('base64url'),
        type: 'public-key',
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
        response: {
          clientDataJSON: clientDataJSON.toString('base64url'),
          authenticatorData: data.toString('base64url'),
          signature: signature.toString('base64url'),
          ...(handle === null ? {} : { userHandle: handle }),
        },
      }
    },
  }
}
