// What every interop file sets up the same way: an issuer with Ada registered, a port for the
// relying party (its redirect URIs, registered before it listens, contain it), Chromium, and at
// the end the log scan for her password and every client secret the CLI printed.
import type { RequestListener } from 'node:http'
import { freePort, launchChromium } from '@tokensmith/issuer/testing'
import type { Browser, Page } from 'playwright-core'
import { ADA, addAda } from './ada.ts'
import { addClient } from './admin-cli.ts'
import { type IssuerUnderTest, prepareIssuer } from './issuer-under-test.ts'
import { type Listening, listen } from './listen.ts'

const STEP_TIMEOUT_MS = 10_000

export interface InteropRig {
  readonly issuer: IssuerUnderTest
  /** `http://127.0.0.1:<port>`: where the relying party will listen. */
  readonly appOrigin: string
  /** `pnpm clients add <commandLine>`; answers the last line of its output (a secret, if any). */
  addClient(commandLine: string): Promise<string>
  /** Starts the issuer, then the relying party at `appOrigin`, then Chromium. */
  start(app: RequestListener): Promise<void>
  /** A page in a fresh browser context: no cookie of any earlier test. */
  newPage(): Promise<Page>
  /** Closes everything; answers the issuer's log lines that leak a password or a secret. */
  close(): Promise<string[]>
}

export async function openRig(): Promise<InteropRig> {
  const issuer = await prepareIssuer()
  const appPort = await freePort()
  await addAda(issuer.databaseUrl)
  const secrets: string[] = [ADA.password]
  let app: Listening | undefined
  let browser: Browser | undefined
  return {
    issuer,
    appOrigin: `http://127.0.0.1:${appPort}`,
    async addClient(commandLine) {
      const last = await addClient(issuer.databaseUrl, commandLine)
      if (last.startsWith('cs_')) secrets.push(last)
      return last
    },
    async start(handler) {
      await issuer.start()
      app = await listen(appPort, handler)
      browser = await launchChromium()
    },
    async newPage() {
      if (browser === undefined) throw new Error('start the rig first')
      const context = await browser.newContext()
      // A step that never comes fails in seconds, inside the test's own timeout, saying which.
      context.setDefaultTimeout(STEP_TIMEOUT_MS)
      return context.newPage()
    },
    async close() {
      await browser?.close()
      await app?.close()
      return issuer.stop(secrets)
    },
  }
}
