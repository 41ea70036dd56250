// Errors of the API as one type: the server's JSON `{code, detail, fields?}` (docs/api.md),
// or a network failure (status 0). Screens show `detail` and per-field `fields`.

export interface ErrorBody {
  code: string
  detail: string
  fields?: Record<string, string>
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: Record<string, string>
  /** Seconds from the answer's Retry-After (429: a lockout or an SMS limit), else null. */
  retryAfter: number | null = null

  constructor(status: number, code: string, detail: string, fields: Record<string, string> = {}) {
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
  }

  get detail(): string {
    return this.message
  }

  /** Signed out, or a session that ended: the screen should offer to log in. */
  get needsLogin(): boolean {
    return this.status === 401
  }

  /** An imported account still on its initial password (403 everywhere but the change). */
  get needsPasswordChange(): boolean {
    return this.status === 403 && this.code === 'password_change_required'
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as ErrorBody).code === 'string' &&
    typeof (body as ErrorBody).detail === 'string'
  )
}

/** The ApiError for a failed response's status and (parsed) body, whatever shape it has. */
export function toApiError(status: number, body: unknown, retryAfter: string | null = null): ApiError {
  let error: ApiError
  if (isErrorBody(body)) error = new ApiError(status, body.code, body.detail, body.fields ?? {})
  else {
    // Not the API's shape: a proxy's error page, a server error before DRF (a 500), …
    const code = status >= 500 ? 'server_error' : `http_${status}`
    error = new ApiError(status, code, '')
  }
  const seconds = retryAfter === null ? NaN : Number(retryAfter)
  if (Number.isFinite(seconds) && seconds >= 0) error.retryAfter = Math.ceil(seconds)
  return error
}

export function networkError(cause: unknown): ApiError {
  const error = new ApiError(0, 'network_error', '')
  ;(error as Error).cause = cause
  return error
}
