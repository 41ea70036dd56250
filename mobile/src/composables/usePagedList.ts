// An endless list on the API's pages: each page's `next` link says how to ask for the one
// after (`?cursor=…` on keyset lists, `?page=…` on numbered ones). The caller turns those query
// parameters into its typed call, so no screen builds a URL or reads a cursor's inside.
import { ref, shallowRef, type Ref } from 'vue'

import { ApiError } from '@/api'

export interface Page<T> {
  next?: string | null
  results: T[]
}

/** The next link's query parameters ({cursor: "…"}, {page: "2", …}); null at the end. */
export type PageQuery = Record<string, string>

export function nextQuery(next: string | null | undefined): PageQuery | null {
  if (!next) return null
  const url = new URL(next, 'http://localhost')
  return Object.fromEntries(url.searchParams.entries())
}

export interface PagedList<T> {
  items: Ref<T[]>
  /** Bound to van-list's v-model:loading (Vant sets it before asking for more). */
  loading: Ref<boolean>
  finished: Ref<boolean>
  /** Bound to van-list's v-model:error (tapping the error text asks again). */
  error: Ref<boolean>
  lastError: Ref<ApiError | null>
  /** Whether the first page has answered (so "empty" is known, not just not loaded yet). */
  loaded: Ref<boolean>
  loadMore: () => Promise<void>
  /** Start again at the first page; `keep` shows the old rows until it answers (pull to refresh). */
  refresh: (options?: { keep?: boolean }) => Promise<void>
}

/**
 * `fetchPage(query)` fetches one page: `query` is {} for the first page, then the parameters of
 * the previous page's next link. A refresh (pull to refresh, a changed filter) starts again at
 * the first page; the answer of a request made before it is dropped.
 */
export function usePagedList<T>(fetchPage: (query: PageQuery) => Promise<Page<T>>): PagedList<T> {
  const items = shallowRef<T[]>([])
  const loading = ref(false)
  const finished = ref(false)
  const error = ref(false)
  const loaded = ref(false)
  const lastError = shallowRef<ApiError | null>(null)
  let query: PageQuery = {}
  let generation = 0
  let inFlight: Promise<void> | null = null
  let replace = false

  function loadMore(): Promise<void> {
    if (inFlight) return inFlight
    if (finished.value) {
      loading.value = false
      return Promise.resolve()
    }
    const mine = generation
    loading.value = true
    error.value = false
    const request = (async () => {
      try {
        const page = await fetchPage(query)
        if (mine !== generation) return
        items.value = replace ? page.results : [...items.value, ...page.results]
        replace = false
        const next = nextQuery(page.next)
        finished.value = next === null
        if (next) query = next
        lastError.value = null
      } catch (caught) {
        if (mine !== generation) return
        if (!(caught instanceof ApiError)) throw caught
        lastError.value = caught
        error.value = true
      } finally {
        if (mine === generation) {
          loaded.value = true
          loading.value = false
          inFlight = null
        }
      }
    })()
    inFlight = request
    return request
  }

  function refresh({ keep = false }: { keep?: boolean } = {}): Promise<void> {
    generation += 1
    inFlight = null
    query = {}
    replace = keep
    if (!keep) {
      items.value = []
      loaded.value = false
    }
    finished.value = false
    error.value = false
    lastError.value = null
    return loadMore()
  }

  return { items, loading, finished, error, lastError, loaded, loadMore, refresh }
}
