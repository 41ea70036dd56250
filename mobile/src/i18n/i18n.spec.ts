import { describe, expect, it } from 'vitest'

import { messages } from './index'

function keys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null ? keys(value, `${prefix}${key}.`) : [`${prefix}${key}`],
  )
}

function leaves(tree: object): string[] {
  return Object.values(tree).flatMap((value) => (typeof value === 'object' && value !== null ? leaves(value) : [value]))
}

describe('messages', () => {
  it('has the same keys in Chinese and English', () => {
    expect(keys(messages.en).sort()).toEqual(keys(messages['zh-CN']).sort())
  })

  it('has no empty message', () => {
    for (const tree of Object.values(messages)) {
      for (const text of leaves(tree)) expect(text).not.toBe('')
    }
  })

  it('uses the terms of the operation guides', () => {
    const zh = messages['zh-CN']
    expect(zh.todo).toEqual({ to_confirm: '待确认', to_claim: '待认领', to_rate: '待评分' })
    expect(zh.detail.actions.claim).toBe('我要认领')
    expect(zh.tab.completeInfo).toBe('完善信息')
    expect(zh.claimStatus.activity_published).toBe('待评分')
  })

  it('has a name for every city in both languages', () => {
    expect(Object.keys(messages['zh-CN'].city)).toHaveLength(21)
    expect(Object.keys(messages.en.city)).toHaveLength(21)
  })
})
