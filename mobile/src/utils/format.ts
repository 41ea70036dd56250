// Formatting of what the API sends: dates in Guangdong's time, mobiles as given or masked.

/** 188****0174: the API masks a mobile the viewer may not see; this is how it looks. */
export function maskMobile(mobile: string): string {
  if (mobile.length < 7) return '*'.repeat(mobile.length)
  return `${mobile.slice(0, 3)}****${mobile.slice(-4)}`
}

/** Whether the API sent this mobile masked (the viewer is not allowed the whole number). */
export function isMasked(mobile: string | null | undefined): boolean {
  return !!mobile && mobile.includes('*')
}

/** An 11-digit mobile spaced for reading (188 2648 0174); a masked one as the API gave it. */
export function displayMobile(mobile: string | null | undefined): string {
  if (!mobile) return ''
  if (isMasked(mobile) || !/^\d{11}$/.test(mobile)) return mobile
  return `${mobile.slice(0, 3)} ${mobile.slice(3, 7)} ${mobile.slice(7)}`
}

const SHANGHAI = 'Asia/Shanghai'

/** YYYY-MM-DD of a date ("2026-06-05") or an instant ("2026-06-05T01:00:00Z"), in Shanghai. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return ''
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return ''
  // en-CA writes ISO-like dates (2026-06-05) whatever the user's language.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: SHANGHAI,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date)
}

/** YYYY-MM-DD HH:mm of an instant, in Shanghai ("2026-06-05 09:30"). */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return ''
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return ''
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: SHANGHAI,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  )
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`
}
