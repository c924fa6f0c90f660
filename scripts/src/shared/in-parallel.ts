/** Runs `fn` over `items` a few at a time, results in order: for tests whose every case is a Node start-up. */
export async function inParallel<T, R>(items: T[], fn: (item: T) => Promise<R>, width = 3): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T)
  }
  await Promise.all(Array.from({ length: width }, worker))
  return results
}
