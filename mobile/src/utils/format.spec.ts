import { describe, expect, it } from 'vitest'

import { displayMobile, formatDate, formatDateTime, isMasked, maskMobile } from './format'

describe('mobiles', () => {
  it('masks like the API does (188****0174)', () => {
    expect(maskMobile('18826480174')).toBe('188****0174')
    expect(maskMobile('12345')).toBe('*****')
  })

  it('shows a masked mobile as the API sent it and spaces a whole one', () => {
    expect(isMasked('188****0174')).toBe(true)
    expect(isMasked('18826480174')).toBe(false)
    expect(isMasked('')).toBe(false)
    expect(displayMobile('188****0174')).toBe('188****0174')
    expect(displayMobile('18826480174')).toBe('188 2648 0174')
    expect(displayMobile(null)).toBe('')
  })
})

describe('formatDate', () => {
  it("writes an instant as the day it is in Guangdong", () => {
    // 20:00 UTC on 4 June is 04:00 on 5 June in Shanghai
    expect(formatDate('2026-06-04T20:00:00Z')).toBe('2026-06-05')
    expect(formatDate('2026-06-04T23:59:59.999999+08:00')).toBe('2026-06-04')
  })

  it('keeps a date as it is and leaves out what is missing or wrong', () => {
    expect(formatDate('2026-06-05')).toBe('2026-06-05')
    expect(formatDate(null)).toBe('')
    expect(formatDate('not a date')).toBe('')
  })
})

describe('formatDateTime', () => {
  it('writes an instant as the time it is in Guangdong', () => {
    expect(formatDateTime('2026-06-04T20:05:00Z')).toBe('2026-06-05 04:05')
    expect(formatDateTime('2026-12-01T00:00:00+08:00')).toBe('2026-12-01 00:00')
    expect(formatDateTime('2026-06-05T13:30:00+08:00')).toBe('2026-06-05 13:30')
  })

  it('leaves out what is missing or wrong', () => {
    expect(formatDateTime(null)).toBe('')
    expect(formatDateTime('soon')).toBe('')
  })
})
