import { beforeEach, describe, expect, it, vi } from 'vitest'

import { createApi, ok, readCookie } from './client'
import { ApiError } from './errors'

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function setup(answer: (request: Request) => Response | Promise<Response>, language = 'zh-hans') {
  const requests: Request[] = []
  const onError = vi.fn()
  const fetch = vi.fn(async (input: Request) => {
    requests.push(input)
    return answer(input)
  }) as unknown as typeof globalThis.fetch
  const api = createApi({ baseUrl: 'http://testserver', language: () => language, onError, fetch })
  return { api, requests, onError }
}

beforeEach(() => {
  document.cookie = 'csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT'
})

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    expect(readCookie('csrftoken', 'a=1; csrftoken=x%2By; b=2')).toBe('x+y')
    expect(readCookie('csrftoken', 'a=1')).toBeNull()
  })
})

describe('the API client', () => {
  it('sends the language, and the CSRF header only on unsafe methods', async () => {
    document.cookie = 'csrftoken=secret-token'
    const { api, requests } = setup(() => json(200, { active: true, count: 1 }), 'en')

    await api.GET('/api/v1/stats/')
    await api.POST('/api/v1/demands/{id}/like/', { params: { path: { id: '7' } } })

    const [get, post] = requests
    expect(get!.headers.get('Accept-Language')).toBe('en')
    expect(get!.headers.get('X-CSRFToken')).toBeNull()
    expect(get!.credentials).toBe('same-origin')
    expect(post!.method).toBe('POST')
    expect(post!.url).toBe('http://testserver/api/v1/demands/7/like/')
    expect(post!.headers.get('X-CSRFToken')).toBe('secret-token')
  })

  it('returns the body of a success', async () => {
    const stats = { as_of: '2026-06-04T23:59:59+08:00', zones: [] }
    const { api } = setup(() => json(200, stats))
    await expect(ok(api.GET('/api/v1/stats/'))).resolves.toEqual(stats)
  })

  it("maps the API's error body to ApiError and tells the handler", async () => {
    const body = { code: 'invalid', detail: '输入有误', fields: { reason: '必填' } }
    const { api, onError } = setup(() => json(400, body))

    const error = await api
      .POST('/api/v1/demands/{id}/reports/', { params: { path: { id: '1' } }, body: { reason: '' } })
      .catch((e: unknown) => e)

    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 400, code: 'invalid', detail: '输入有误', fields: { reason: '必填' } })
    expect(onError).toHaveBeenCalledWith(error)
  })

  it('knows a password change and a lost session apart', async () => {
    const forbidden = setup(() => json(403, { code: 'password_change_required', detail: '请先修改初始密码' }))
    const change = await forbidden.api.GET('/api/v1/me/').catch((e: ApiError) => e)
    expect(change).toMatchObject({ needsPasswordChange: true, needsLogin: false })

    const anonymous = setup(() => json(401, { code: 'not_authenticated', detail: '未登录' }))
    const login = await anonymous.api.GET('/api/v1/me/').catch((e: ApiError) => e)
    expect(login).toMatchObject({ needsPasswordChange: false, needsLogin: true })
  })

  it('names a failure that is not JSON by its status', async () => {
    const { api } = setup(() => new Response('<html>Bad gateway</html>', { status: 502 }))
    const error = await api.GET('/api/v1/stats/').catch((e: ApiError) => e)
    expect(error).toMatchObject({ status: 502, code: 'server_error' })
  })

  it('turns a network failure into ApiError with status 0', async () => {
    const { api, onError } = setup(() => {
      throw new TypeError('Failed to fetch')
    })
    const error = await api.GET('/api/v1/stats/').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 0, code: 'network_error' })
    expect(onError).toHaveBeenCalledOnce()
  })
})
