// The generic records suite (core/records/records.ts), run once per backend family over
// collections declared here and nowhere in the issuer: that a collection declared in one file
// works on SQLite, PostgreSQL and Redis with no adapter, migration or script is what it proves.
// `makeStore` gets the collections to lay out and answers a fresh, not yet migrated store.
import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AnyCollection } from '../core/records/collection.ts'
import { defineCollection } from '../core/records/collection.ts'
import { f } from '../core/records/field-spec.ts'
import { listAll } from '../core/records/list-all.ts'
import type { Records } from '../core/records/records.ts'
import type { Store } from '../core/store.ts'
import { StoreConflictError } from '../core/store-error.ts'

interface Widget {
  id: string
  owner: string
  slug: string
  tags: string[]
  data: unknown
  count: number
  active: boolean
  note: string | null
  expiresAt: number
}

/** A record of every field type, unique and indexed fields, and an expiry. */
export const WIDGETS = defineCollection<Widget>({
  name: 'test_widgets',
  redisKey: 'test-widget',
  key: ['id'],
  unique: ['slug'],
  indexes: ['owner'],
  listAll: true,
  expiry: { field: 'expiresAt' },
  fields: {
    id: f.text(),
    owner: f.text(),
    slug: f.text(),
    tags: f.words(),
    data: f.json({ nullable: true }),
    count: f.int(),
    active: f.bool(),
    note: f.text({ nullable: true }),
    expiresAt: f.int(),
  },
})

interface Membership {
  groupId: string
  userId: string
  role: string
}

/** A composite key, listed by its first part. */
export const MEMBERSHIPS = defineCollection<Membership>({
  name: 'test_memberships',
  redisKey: 'test-membership',
  key: ['groupId', 'userId'],
  indexes: ['groupId'],
  fields: { groupId: f.text(), userId: f.text(), role: f.text({ oneOf: ['member', 'admin'] }) },
})

/** WIDGETS as a later release declares it: one more (nullable) field. */
const WIDGETS_V2 = defineCollection<Widget & { colour: string | null }>({
  ...WIDGETS,
  fields: { ...WIDGETS.fields, colour: f.text({ nullable: true }) },
})

export const TEST_COLLECTIONS: readonly AnyCollection[] = [WIDGETS, MEMBERSHIPS]

export interface RecordsUnderTest {
  store: Store
  /** Another store over the same data, laying out `collections` (as a later release would). */
  reopen(collections: readonly AnyCollection[]): Store
  cleanup(): Promise<void>
}

const T0 = 1_700_000_000_000
const HOUR = 3_600_000

export function runRecordsConformance(
  name: string,
  makeStore: (collections: readonly AnyCollection[]) => Promise<RecordsUnderTest>,
): void {
  describe(`${name} records`, () => {
    let store: Store
    let records: Records
    let cleanup: () => Promise<void>
    let reopen: RecordsUnderTest['reopen']
    const widget = (over: Partial<Widget> = {}): Widget => ({
      id: randomUUID(),
      owner: 'ann',
      slug: `w-${randomUUID()}`,
      tags: ['a', 'b'],
      data: { nested: [1, 'two', null], ok: true },
      count: 0,
      active: true,
      note: null,
      expiresAt: T0 + HOUR,
      ...over,
    })

    beforeEach(async () => {
      ;({ store, cleanup, reopen } = await makeStore(TEST_COLLECTIONS))
      await store.migrate()
      records = store.records
    })
    afterEach(() => cleanup())

    it('stores and reads back every field type, nulls and empty lists included', async () => {
      const full = widget({ note: 'hello', count: 9_007_199_254_740 })
      const empty = widget({ tags: [], data: null, active: false, note: null })
      await records.insert(WIDGETS, full)
      await records.insert(WIDGETS, empty)
      expect(await records.get(WIDGETS, { id: full.id })).toEqual(full)
      expect(await records.get(WIDGETS, { id: empty.id })).toEqual(empty)
      expect(await records.get(WIDGETS, { id: 'nobody' })).toBeNull()
    })

    it('refuses a taken key or unique value with StoreConflictError naming it, and keeps the first', async () => {
      const first = widget()
      await records.insert(WIDGETS, first)
      const sameId = await records.insert(WIDGETS, widget({ id: first.id })).catch((e: unknown) => e)
      expect(sameId).toBeInstanceOf(StoreConflictError)
      expect((sameId as StoreConflictError).field).toContain('id')
      const sameSlug = await records.insert(WIDGETS, widget({ slug: first.slug })).catch((e: unknown) => e)
      expect(sameSlug).toBeInstanceOf(StoreConflictError)
      expect((sameSlug as StoreConflictError).field).toBe('slug')
      expect(await records.get(WIDGETS, { id: first.id })).toEqual(first)
      expect((await listAll(records, WIDGETS)).length).toBe(1)
    })

    it('finds by a unique field', async () => {
      const w = widget()
      await records.insert(WIDGETS, w)
      expect(await records.findBy(WIDGETS, 'slug', w.slug)).toEqual(w)
      expect(await records.findBy(WIDGETS, 'slug', 'missing')).toBeNull()
    })

    it('lists all and by an index, in key order, a page at a time with a cursor', async () => {
      const ids = ['a1', 'a2', 'b1', 'b2', 'c1']
      for (const id of ids)
        await records.insert(WIDGETS, widget({ id, owner: id.startsWith('b') ? 'bob' : 'ann' }))
      const first = await records.list(WIDGETS, { limit: 2 })
      expect(first.records.map((w) => w.id)).toEqual(['a1', 'a2'])
      expect(first.next).not.toBeNull()
      const second = await records.list(WIDGETS, { limit: 2, after: first.next })
      expect(second.records.map((w) => w.id)).toEqual(['b1', 'b2'])
      const third = await records.list(WIDGETS, { limit: 2, after: second.next })
      expect(third).toEqual({ records: [expect.objectContaining({ id: 'c1' })], next: null })
      expect(
        (await listAll(records, WIDGETS, { where: { field: 'owner', value: 'bob' } })).map((w) => w.id),
      ).toEqual(['b1', 'b2'])
      const annFirst = await records.list(WIDGETS, { where: { field: 'owner', value: 'ann' }, limit: 1 })
      const annRest = await records.list(WIDGETS, {
        where: { field: 'owner', value: 'ann' },
        after: annFirst.next,
      })
      expect([...annFirst.records, ...annRest.records].map((w) => w.id)).toEqual(['a1', 'a2', 'c1'])
      expect(await records.list(WIDGETS, { where: { field: 'owner', value: 'nobody' } })).toEqual({
        records: [],
        next: null,
      })
    })

    it('updates the fields a patch names, clears with null, and keeps the rest', async () => {
      const w = widget({ note: 'old' })
      await records.insert(WIDGETS, w)
      const updated = await records.update(WIDGETS, { id: w.id }, { count: 3, note: null, tags: ['x'] })
      expect(updated).toEqual({ ...w, count: 3, note: null, tags: ['x'] })
      expect(await records.get(WIDGETS, { id: w.id })).toEqual(updated)
      expect(await records.update(WIDGETS, { id: 'nobody' }, { count: 1 })).toBeNull()
    })

    it('moves unique and indexed values with the record, and refuses a taken unique value', async () => {
      const w = widget({ owner: 'ann' })
      const other = widget()
      await records.insert(WIDGETS, w)
      await records.insert(WIDGETS, other)
      await records.update(WIDGETS, { id: w.id }, { slug: 'renamed', owner: 'bob' })
      expect(await records.findBy(WIDGETS, 'slug', w.slug)).toBeNull()
      expect((await records.findBy(WIDGETS, 'slug', 'renamed'))?.id).toBe(w.id)
      expect(
        (await listAll(records, WIDGETS, { where: { field: 'owner', value: 'bob' } })).map((x) => x.id),
      ).toEqual([w.id])
      const taken = await records.update(WIDGETS, { id: w.id }, { slug: other.slug }).catch((e: unknown) => e)
      expect(taken).toBeInstanceOf(StoreConflictError)
      expect((await records.get(WIDGETS, { id: w.id }))?.slug).toBe('renamed')
      expect((await records.findBy(WIDGETS, 'slug', other.slug))?.id).toBe(other.id)
    })

    it('compare-and-set: the update happens only when the guard holds, and once under a race', async () => {
      const w = widget({ count: 0, note: null })
      await records.insert(WIDGETS, w)
      expect(await records.update(WIDGETS, { id: w.id }, { count: 5 }, { count: 1 })).toBeNull()
      expect(await records.update(WIDGETS, { id: w.id }, { note: 'set' }, { note: null })).toMatchObject({
        note: 'set',
      })
      expect(await records.update(WIDGETS, { id: w.id }, { note: 'again' }, { note: null })).toBeNull()
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          records.update(WIDGETS, { id: w.id }, { count: i + 1 }, { count: 0 }),
        ),
      )
      const winners = results.filter((r) => r !== null)
      expect(winners.length).toBe(1)
      expect((await records.get(WIDGETS, { id: w.id }))?.count).toBe(winners[0]?.count)
    })

    it('takes one of twenty concurrent inserts of one key', async () => {
      const id = randomUUID()
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, () => records.insert(WIDGETS, widget({ id }))),
      )
      expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBe(1)
      for (const o of outcomes)
        if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(StoreConflictError)
    })

    it('deletes a record with its unique and index entries', async () => {
      const w = widget()
      await records.insert(WIDGETS, w)
      expect(await records.delete(WIDGETS, { id: w.id })).toBe(true)
      expect(await records.delete(WIDGETS, { id: w.id })).toBe(false)
      expect(await records.get(WIDGETS, { id: w.id })).toBeNull()
      expect(await records.findBy(WIDGETS, 'slug', w.slug)).toBeNull()
      expect(await listAll(records, WIDGETS, { where: { field: 'owner', value: w.owner } })).toEqual([])
      // Its unique value is free again.
      await records.insert(WIDGETS, widget({ slug: w.slug }))
    })

    it('composite keys: get, list by the first part, delete', async () => {
      await records.insert(MEMBERSHIPS, { groupId: 'g1', userId: 'u2', role: 'member' })
      await records.insert(MEMBERSHIPS, { groupId: 'g1', userId: 'u1', role: 'admin' })
      await records.insert(MEMBERSHIPS, { groupId: 'g2', userId: 'u1', role: 'member' })
      expect(await records.get(MEMBERSHIPS, { groupId: 'g2', userId: 'u1' })).toEqual({
        groupId: 'g2',
        userId: 'u1',
        role: 'member',
      })
      const g1 = await listAll(records, MEMBERSHIPS, { where: { field: 'groupId', value: 'g1' } })
      expect(g1.map((m) => m.userId)).toEqual(['u1', 'u2'])
      const conflict = await records
        .insert(MEMBERSHIPS, { groupId: 'g1', userId: 'u1', role: 'member' })
        .catch((e: unknown) => e)
      expect(conflict).toBeInstanceOf(StoreConflictError)
      expect(await records.delete(MEMBERSHIPS, { groupId: 'g1', userId: 'u1' })).toBe(true)
      expect((await listAll(records, MEMBERSHIPS, { where: { field: 'groupId', value: 'g1' } })).length).toBe(
        1,
      )
    })

    it('purges records past their expiry, and no others', async () => {
      const old = widget({ expiresAt: T0 })
      const live = widget({ expiresAt: T0 + HOUR })
      await records.insert(WIDGETS, old)
      await records.insert(WIDGETS, live)
      expect(await store.purgeExpired(T0 - 1)).toBe(0)
      expect(await store.purgeExpired(T0)).toBeGreaterThanOrEqual(1)
      expect(await records.get(WIDGETS, { id: old.id })).toBeNull()
      expect(await records.findBy(WIDGETS, 'slug', old.slug)).toBeNull()
      expect(await records.get(WIDGETS, { id: live.id })).toEqual(live)
      // An update that moves the expiry moves what purge does.
      await records.update(WIDGETS, { id: live.id }, { expiresAt: T0 + 10 })
      await store.purgeExpired(T0 + 10)
      expect(await records.get(WIDGETS, { id: live.id })).toBeNull()
    })

    it('a field declared later reads back as null on records stored before it', async () => {
      const w = widget()
      await records.insert(WIDGETS, w)
      const later = reopen([WIDGETS_V2, MEMBERSHIPS])
      try {
        await later.migrate()
        expect(await later.records.get(WIDGETS_V2, { id: w.id })).toEqual({ ...w, colour: null })
        const updated = await later.records.update(WIDGETS_V2, { id: w.id }, { colour: 'green' })
        expect(updated?.colour).toBe('green')
      } finally {
        await later.close()
      }
    })
  })
}
