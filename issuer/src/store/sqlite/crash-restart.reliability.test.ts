// The issuer killed with SIGKILL and restarted, several times, while many clients keep
// rotating their refresh tokens. Clients behave like real ones: on a dropped connection they
// retry with the last token they were handed, and the grace window returns the successor of a
// refresh whose answer was lost. Nothing may be lost and nothing duplicated.
import { rm } from 'node:fs/promises'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type DataDir,
  inspectDatabase,
  LOAD_PASSWORD,
  LOAD_USER,
  postJson,
  prepareDataDir,
  sleep,
} from '../../testing/reliability-fixture.ts'
import { type SpawnedIssuer, spawnIssuer } from '../../testing/spawn-issuer.ts'

const CHAINS = 32
const RESTARTS = 5
const SERVED_BETWEEN_KILLS = 250

let data: DataDir | undefined
let issuer: SpawnedIssuer | undefined

afterAll(async () => {
  await issuer?.stop()
  if (data) await rm(data.dir, { recursive: true, force: true })
})

describe('SIGKILL and restart under refresh load', () => {
  it('loses no session, duplicates no successor, and keeps the file intact', async () => {
    data = await prepareDataDir({ REFRESH_GRACE: '60s' })
    issuer = await spawnIssuer(data.env)
    const latest: string[] = []
    for (let i = 0; i < CHAINS; i++) {
      const r = await postJson(`${issuer.url}/auth/login`, { username: LOAD_USER, password: LOAD_PASSWORD })
      expect(r.status).toBe(200)
      latest.push(r.body.refreshToken as string)
    }

    let served = 0
    let retriedAfterDrop = 0
    let stop = false
    const failures: string[] = []
    // Each chain keeps refreshing against whichever process is up now.
    const chain = async (i: number) => {
      while (!stop) {
        const target = issuer
        if (!target) {
          await sleep(20)
          continue
        }
        try {
          const r = await postJson(`${target.url}/auth/refresh`, { refreshToken: latest[i] })
          if (r.status !== 200) {
            failures.push(`chain ${i}: ${r.status} ${String(r.body.code)}`)
            return
          }
          latest[i] = r.body.refreshToken as string
          served++
        } catch {
          // The process died under this request (or is not up yet): retry with the same token.
          retriedAfterDrop++
          await sleep(30)
        }
      }
    }
    const load = Array.from({ length: CHAINS }, (_, i) => chain(i))

    let restarts = 0
    const outputs: string[] = []
    for (; restarts < RESTARTS && failures.length === 0; restarts++) {
      const goal = served + SERVED_BETWEEN_KILLS
      while (served < goal && failures.length === 0) await sleep(10)
      const dying = issuer
      issuer = undefined
      await dying?.crash()
      outputs.push(...(dying?.output ?? []))
      // Between lives, straight from the file: nothing forked, nothing lost, nothing corrupt.
      const between = inspectDatabase(data.dbPath)
      expect(between.integrity).toBe('ok')
      expect(between.doubleLive).toEqual([])
      expect(between.forkedGenerations).toBe(0)
      issuer = await spawnIssuer(data.env)
    }
    const goal = served + SERVED_BETWEEN_KILLS
    while (served < goal && failures.length === 0) await sleep(10)
    stop = true
    await Promise.all(load)
    expect(failures).toEqual([])

    // Every chain's last token still refreshes, on the process that is up now.
    const last = issuer as SpawnedIssuer
    const finals = await Promise.all(
      latest.map((t) => postJson(`${last.url}/auth/refresh`, { refreshToken: t })),
    )
    expect(finals.map((r) => r.status)).toEqual(latest.map(() => 200))
    issuer = undefined
    expect(await last.stop()).toBe(0)
    outputs.push(...last.output)
    // Answers lost with a killed process and recovered by the grace window, as the logs tell.
    const graceRetries = outputs.join('').split('"refresh_grace_retry"').length - 1

    const end = inspectDatabase(data.dbPath)
    console.log(
      `crash-restart: ${served} refreshes served across ${restarts} SIGKILL restarts, ` +
        `${retriedAfterDrop} client retries after dropped connections (${graceRetries} answered by the grace window), ` +
        `${end.sessions} sessions checked ` +
        `(integrity ${end.integrity}, double-live ${end.doubleLive.length}, forked ${end.forkedGenerations}, ` +
        `lost ${end.liveWithoutToken.length}, revoked ${end.revokedSessions})`,
    )
    expect(restarts).toBe(RESTARTS)
    expect(end).toEqual({
      integrity: 'ok',
      sessions: CHAINS,
      revokedSessions: 0,
      doubleLive: [],
      forkedGenerations: 0,
      liveWithoutToken: [],
    })
  })
})
