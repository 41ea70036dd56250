// The one client of the API: typed by the schema (schema.d.ts, generated), same-origin session
// cookie, Django's CSRF header on unsafe methods, the chosen language, and one place where
// failures become ApiError (so `data` of a call that returned is always there).
import createClient, { type Client, type Middleware } from 'openapi-fetch'

import { ApiError, networkError, toApiError } from './errors'
import type { paths } from './schema'

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return decodeURIComponent(value.join('='))
  }
  return null
}

export interface ApiOptions {
  baseUrl?: string
  /** The Accept-Language to send, read at each request (the language store's). */
  language: () => string
  /** Told of every failure before the call rejects: the place for 401 / password change. */
  onError?: (error: ApiError) => void
  fetch?: typeof globalThis.fetch
}

export type Api = Client<paths>

export function createApi(options: ApiOptions): Api {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? window.location.origin,
    credentials: 'same-origin',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })
  const report = (error: ApiError): ApiError => {
    options.onError?.(error)
    return error
  }
  const middleware: Middleware = {
    onRequest({ request }) {
      request.headers.set('Accept', 'application/json')
      request.headers.set('Accept-Language', options.language())
      if (UNSAFE.has(request.method)) {
        const token = readCookie('csrftoken')
        if (token) request.headers.set('X-CSRFToken', token)
      }
      return request
    },
    async onResponse({ response }) {
      if (response.ok) return response
      let body: unknown = null
      try {
        body = await response.clone().json()
      } catch {
        // not JSON: toApiError names it by status
      }
      throw report(toApiError(response.status, body, response.headers.get('Retry-After')))
    },
    onError({ error }) {
      if (error instanceof ApiError) return error
      return report(networkError(error))
    },
  }
  client.use(middleware)
  return client
}

/** The body of a call that succeeded (failures reject with ApiError before this). */
export async function ok<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  const { data, response } = await call
  if (data === undefined) throw toApiError(response.status, null)
  return data
}
