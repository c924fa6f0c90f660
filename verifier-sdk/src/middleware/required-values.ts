/** Validates the `...values` of requireRole/requireScope once, at route definition. */
export function requiredValues(factory: string, values: readonly unknown[]): readonly string[] {
  if (values.length === 0) throw new TypeError(`${factory}: name at least one value`)
  for (const value of values) {
    if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value) || /["\\]/.test(value)) {
      throw new TypeError(`${factory}: each value must be a non-empty string without spaces or quotes`)
    }
  }
  return Object.freeze([...(values as string[])])
}
