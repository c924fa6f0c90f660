// The user every recipe signs in as, registered with the profile the `profile` and `email` scopes
// release (OpenID Connect Core §5.4), so each library's view of her can be checked claim by claim.
import { runAdminCli } from './admin-cli.ts'
import { SCRYPT_ENV } from './issuer-under-test.ts'

export const ADA = {
  username: 'ada',
  password: 'analytical engine 1843',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  givenName: 'Ada',
  familyName: 'Lovelace',
} as const

/** The standard claims of her profile, as userinfo and the ID token carry them. */
export const ADA_CLAIMS = {
  preferred_username: ADA.username,
  name: ADA.name,
  given_name: ADA.givenName,
  family_name: ADA.familyName,
  email: ADA.email,
  email_verified: true,
} as const

/** `pnpm users add ada ... --password-stdin`, the password on stdin as an operator pipes it. */
export async function addAda(databaseUrl: string): Promise<void> {
  const args = ['add', ADA.username, '--role', 'user', '--password-stdin']
  const profile = ['--email', ADA.email, '--email-verified', '--name', ADA.name]
  const names = ['--given-name', ADA.givenName, '--family-name', ADA.familyName]
  await runAdminCli('users', [...args, ...profile, ...names], {
    databaseUrl,
    stdin: `${ADA.password}\n`,
    env: SCRYPT_ENV,
  })
}
