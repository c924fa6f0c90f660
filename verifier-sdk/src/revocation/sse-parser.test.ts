// The event-stream parser (WHATWG HTML §9.2.6), and a property over any split of any input: it
// never throws but for an over-long line, and a stream cut anywhere parses as the whole.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSseParser, type SseEvent } from './sse-parser.ts'

function parse(chunks: readonly string[], maxLineChars = 1 << 20): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createSseParser((e) => events.push(e), maxLineChars)
  for (const c of chunks) parser.push(c)
  return events
}

describe('SSE parser (WHATWG HTML §9.2.6)', () => {
  it('dispatches on a blank line, joins data lines, keeps the last id, ignores comments and unknown fields', () => {
    const text = ': hi\nevent: feed\ndata: a\ndata:b\nid: 7\nretry: 1000\nfoo: bar\n\ndata: c\n\n'
    expect(parse([text])).toEqual([
      { event: 'feed', data: 'a\nb', id: '7' },
      { event: 'message', data: 'c', id: '7' },
    ])
  })

  it('takes CRLF, LF and CR line ends, also when a CRLF is split across chunks', () => {
    expect(parse(['event: x\r', '\ndata: 1\r\n\r', '\ndata: 2\r\r'])).toEqual([
      { event: 'x', data: '1', id: undefined },
      { event: 'message', data: '2', id: undefined },
    ])
  })

  it('ignores an id with NUL and an event without data', () => {
    expect(parse(['id: 1\u00002\ndata: a\n\nevent: e\n\n'])).toEqual([
      { event: 'message', data: 'a', id: undefined },
    ])
  })

  it('refuses a line longer than the bound', () => {
    expect(() => parse(['data: '.padEnd(100, 'x')], 50)).toThrow(/too long/)
  })

  it('property: any input split anywhere gives the events of the whole', () => {
    const piece = fc.oneof(
      fc.constantFrom('\n', '\r', '\r\n', ':', 'data: ', 'id: ', 'event: feed'),
      fc.string({ maxLength: 8 }),
    )
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (pieces, cuts) => {
          const text = pieces.join('')
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
          const chunks: string[] = []
          let from = 0
          for (const p of points) {
            chunks.push(text.slice(from, p))
            from = p
          }
          chunks.push(text.slice(from))
          expect(parse(chunks)).toEqual(parse([text]))
        },
      ),
      { numRuns: 500 },
    )
  })
})
