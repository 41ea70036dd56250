import { describe, expect, it, vi } from 'vitest'

import { ApiError } from '@/api/errors'

import { nextQuery, usePagedList, type Page, type PageQuery } from './usePagedList'

const NEXT = 'http://testserver/api/v1/demands/?cursor=abc&zone=cloud_teaching'

function pages(...answers: (Page<number> | Error)[]) {
  const asked: PageQuery[] = []
  const fetchPage = vi.fn(async (query: PageQuery) => {
    asked.push(query)
    const answer = answers.shift()
    if (!answer) throw new Error('no more answers')
    if (answer instanceof Error) throw answer
    return answer
  })
  return { fetchPage, asked }
}

describe('nextQuery', () => {
  it("reads the next link's parameters, keyset or numbered", () => {
    expect(nextQuery(NEXT)).toEqual({ cursor: 'abc', zone: 'cloud_teaching' })
    expect(nextQuery('http://testserver/api/v1/orgs/?page=2')).toEqual({ page: '2' })
    expect(nextQuery(null)).toBeNull()
  })
})

describe('usePagedList', () => {
  it("follows the next links until there is none", async () => {
    const { fetchPage, asked } = pages({ next: NEXT, results: [1, 2] }, { next: null, results: [3] })
    const list = usePagedList(fetchPage)

    await list.loadMore()
    expect(list.items.value).toEqual([1, 2])
    expect(list.finished.value).toBe(false)
    await list.loadMore()
    expect(list.items.value).toEqual([1, 2, 3])
    expect(list.finished.value).toBe(true)
    expect(list.loading.value).toBe(false)
    await list.loadMore() // finished: asks nothing more
    expect(asked).toEqual([{}, { cursor: 'abc', zone: 'cloud_teaching' }])
  })

  it('asks once while a page is on its way', async () => {
    const { fetchPage } = pages({ next: null, results: [1] })
    const list = usePagedList(fetchPage)
    await Promise.all([list.loadMore(), list.loadMore()])
    expect(fetchPage).toHaveBeenCalledOnce()
  })

  it('shows an error, and asks the same page again on retry', async () => {
    const { fetchPage, asked } = pages(
      { next: NEXT, results: [1] },
      new ApiError(0, 'network_error', ''),
      { next: null, results: [2] },
    )
    const list = usePagedList(fetchPage)
    await list.loadMore()
    await list.loadMore()
    expect(list.error.value).toBe(true)
    expect(list.lastError.value?.code).toBe('network_error')
    expect(list.items.value).toEqual([1])

    await list.loadMore()
    expect(list.error.value).toBe(false)
    expect(list.items.value).toEqual([1, 2])
    expect(asked[1]).toEqual(asked[2])
  })

  it('knows an empty list once its first page answered', async () => {
    const { fetchPage } = pages({ next: null, results: [] })
    const list = usePagedList(fetchPage)
    expect(list.loaded.value).toBe(false)
    await list.loadMore()
    expect(list.loaded.value).toBe(true)
    expect(list.finished.value).toBe(true)
    expect(list.items.value).toEqual([])
  })

  it('starts again on refresh and drops the answer of a request made before it', async () => {
    let release: (page: Page<number>) => void = () => {}
    const slow = new Promise<Page<number>>((resolve) => (release = resolve))
    const fetchPage = vi
      .fn<(query: PageQuery) => Promise<Page<number>>>()
      .mockReturnValueOnce(slow)
      .mockResolvedValueOnce({ next: null, results: [9] })
    const list = usePagedList(fetchPage)

    const stale = list.loadMore()
    await list.refresh()
    release({ next: NEXT, results: [1, 2] })
    await stale
    expect(list.items.value).toEqual([9])
    expect(list.finished.value).toBe(true)
    expect(fetchPage).toHaveBeenLastCalledWith({})
  })

  it('keeps the rows until the first page answers when asked to (pull to refresh)', async () => {
    const { fetchPage } = pages({ next: null, results: [1, 2] }, { next: null, results: [3] })
    const list = usePagedList(fetchPage)
    await list.loadMore()
    const refreshing = list.refresh({ keep: true })
    expect(list.items.value).toEqual([1, 2])
    await refreshing
    expect(list.items.value).toEqual([3])
  })
})
