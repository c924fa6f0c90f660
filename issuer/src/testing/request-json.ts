export interface JsonResponse {
  status: number
  body: Record<string, unknown>
  headers: Headers
}

/** One JSON request to a local service; the body is parsed whatever the status. */
export async function requestJson(
  url: string,
  init: { method?: string; body?: unknown; bearer?: string } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = {}
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  if (init.bearer !== undefined) headers.authorization = `Bearer ${init.bearer}`
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await res.text()
  let body: Record<string, unknown> = {}
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>
  } catch {
    body = { raw: text }
  }
  return { status: res.status, body, headers: res.headers }
}
