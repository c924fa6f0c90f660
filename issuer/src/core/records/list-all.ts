import type { Collection } from './collection.ts'
import type { RecordPage, RecordQuery, Records } from './records.ts'

/** Every record of `query` (all pages): for registries small enough to read whole. */
export async function listAll<R>(
  records: Records,
  c: Collection<R>,
  query: NoInfer<RecordQuery<R>> = {},
): Promise<R[]> {
  const out: R[] = []
  let after: string | null = null
  do {
    const page: RecordPage<R> = await records.list(c, { ...query, after })
    out.push(...page.records)
    after = page.next
  } while (after !== null)
  return out
}
