import { describe, expect, it } from 'vitest'
import { parseCommandStats } from './parse-command-stats.ts'

describe('parseCommandStats (Redis INFO commandstats)', () => {
  it('reads the calls of every command, subcommands included', () => {
    const info =
      '# Commandstats\r\ncmdstat_evalsha:calls=12,usec=30,usec_per_call=2.5,rejected_calls=0,failed_calls=0\r\n' +
      'cmdstat_script|load:calls=3,usec=9,usec_per_call=3.00\r\n'
    expect(parseCommandStats(info)).toEqual({ evalsha: 12, 'script|load': 3 })
  })
})
