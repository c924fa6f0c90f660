import { describe, expect, it } from 'vitest'
import { median, quantile } from './stats.ts'

describe('stats', () => {
  it('takes the middle sample, or the mean of the middle two, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNaN()
  })

  it('takes quantiles by nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i)
    expect(quantile(samples, 0.99)).toBe(99)
    expect(quantile(samples, 0.5)).toBe(50)
    expect(quantile([], 0.5)).toBeNaN()
  })
})
