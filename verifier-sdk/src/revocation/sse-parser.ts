/** One Server-Sent Event (WHATWG HTML §9.2.6): the fields a feed follower reads. */
export interface SseEvent {
  readonly event: string
  readonly data: string
  readonly id: string | undefined
}

/**
 * The event-stream parser of WHATWG HTML §9.2.6, for text arriving in chunks: lines end in CRLF,
 * LF or CR; `data` lines join with LF; a blank line dispatches; comments and unknown fields are
 * ignored; an id containing NUL is ignored. A line longer than `maxLineChars` is an error: a
 * hostile or broken server cannot make the follower buffer without bound.
 */
export function createSseParser(
  onEvent: (event: SseEvent) => void,
  maxLineChars: number,
): { push(chunk: string): void } {
  let buffer = ''
  let event = ''
  let data: string[] = []
  let id: string | undefined
  let lastId: string | undefined
  let pendingCr = false

  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) {
        lastId = id ?? lastId
        onEvent({ event: event === '' ? 'message' : event, data: data.join('\n'), id: lastId })
      } else if (id !== undefined) {
        lastId = id
      }
      event = ''
      data = []
      id = undefined
      return
    }
    if (text.startsWith(':')) return
    const colon = text.indexOf(':')
    const name = colon < 0 ? text : text.slice(0, colon)
    let value = colon < 0 ? '' : text.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (name === 'event') event = value
    else if (name === 'data') data.push(value)
    else if (name === 'id' && !value.includes('\0')) id = value
  }

  return {
    push(chunk) {
      let text = chunk
      // A CR at the end of the previous chunk may be the first half of a CRLF.
      if (pendingCr && text.startsWith('\n')) text = text.slice(1)
      pendingCr = false
      buffer += text
      let start = 0
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer.charCodeAt(i)
        if (c !== 10 && c !== 13) continue
        line(buffer.slice(start, i))
        if (c === 13) {
          if (i + 1 < buffer.length) {
            if (buffer.charCodeAt(i + 1) === 10) i++
          } else {
            pendingCr = true
          }
        }
        start = i + 1
      }
      buffer = buffer.slice(start)
      if (buffer.length > maxLineChars) throw new Error('event stream line too long')
    },
  }
}
