// The form rules a person should hear about before the API does: the same limits as the
// services (demands/models.py, workflows/validators.py, orgs/models.py). Each check answers
// an i18n key under `rules.` (or null), so the message follows the language; the API's own
// 400 `fields` still win when it disagrees.
import type { InitialDemandWrite, Zone } from '@/api'

export const MOBILE_RE = /^1[3-9]\d{9}$/
export const REASON_MAX = 200

/** demands.choices.ZONE_TITLE_PREFIXES: the zone's title prefixes, the first the one to fill in. */
export const ZONE_TITLE_PREFIXES: Record<Zone, readonly string[]> = {
  colorful_holiday: ['【七彩假期】'],
  cloud_teaching: ['【云支教】', '【乡村云支教】'],
  general: [],
}

export type Errors = Record<string, string>

/** The title with the zone's prefix: another zone's prefix is replaced, an own one kept. */
export function withZonePrefix(zone: Zone, title: string): string {
  const own = ZONE_TITLE_PREFIXES[zone]
  if (own.some((prefix) => title.startsWith(prefix))) return title
  let rest = title
  for (const prefixes of Object.values(ZONE_TITLE_PREFIXES)) {
    const found = prefixes.find((prefix) => rest.startsWith(prefix))
    if (found) rest = rest.slice(found.length)
  }
  return (own[0] ?? '') + rest
}

export function titleError(zone: Zone, title: string, max = 50): string | null {
  const value = title.trim()
  const prefixes = ZONE_TITLE_PREFIXES[zone]
  if (!value || prefixes.includes(value)) return 'rules.required'
  if (value.length > max) return 'rules.tooLong'
  if (prefixes.length && !prefixes.some((prefix) => value.startsWith(prefix))) return 'rules.titlePrefix'
  return null
}

export function mobileError(mobile: string, required = true): string | null {
  if (!mobile.trim()) return required ? 'rules.required' : null
  return MOBILE_RE.test(mobile.trim()) ? null : 'rules.mobile'
}

/** 退回 needs a reason (≤200); 采用/不采用 and 撤销认领 take an optional one. */
export function reasonError(reason: string, required = true): string | null {
  const value = reason.trim()
  if (!value) return required ? 'rules.reasonRequired' : null
  return value.length > REASON_MAX ? 'rules.reasonTooLong' : null
}

// -- 发布需求 --------------------------------------------------------------------------------

export interface DemandContent {
  zone: Zone
  title: string
  type: string
  type_other: string
  volunteers_needed: number | null
  content: string
  start_date: string
  end_date: string
  guarantees: string[]
}

export interface DemandContact {
  city: string
  district: string
  contact_name: string
  contact_landline: string
  contact_mobile: string
  sms_code: string
  service_content: string
}

/** Step 1 (填写需求内容), as publishing needs it. */
export function demandContentErrors(form: DemandContent): Errors {
  const errors: Errors = {}
  const title = titleError(form.zone, form.title)
  if (title) errors.title = title
  if (!form.type) errors.type = 'rules.chooseOne'
  if (form.type === 'other') {
    if (!form.type_other.trim()) errors.type_other = 'rules.otherRequired'
    else if (form.type_other.trim().length > 20) errors.type_other = 'rules.tooLong'
  }
  if (form.volunteers_needed === null || !Number.isInteger(form.volunteers_needed) || form.volunteers_needed < 1)
    errors.volunteers_needed = 'rules.atLeastOne'
  if (!form.content.trim()) errors.content = 'rules.required'
  else if (form.content.length > 200) errors.content = 'rules.tooLong'
  if (!form.start_date || !form.end_date) errors.period = 'rules.required'
  else if (form.end_date < form.start_date) errors.period = 'rules.endBeforeStart'
  return errors
}

/**
 * Step 2 (确认组织信息). `codeNeeded`: the mobile is new or changed since it was last saved,
 * so the API wants the SMS code with it.
 */
export function demandContactErrors(form: DemandContact, codeNeeded: boolean): Errors {
  const errors: Errors = {}
  if (!form.city) errors.city = 'rules.chooseOne'
  if (!form.contact_name.trim()) errors.contact_name = 'rules.required'
  if (!form.contact_landline.trim()) errors.contact_landline = 'rules.required'
  else if (!/^[\d\-+ ]{6,20}$/.test(form.contact_landline.trim())) errors.contact_landline = 'rules.landline'
  const mobile = mobileError(form.contact_mobile)
  if (mobile) errors.contact_mobile = mobile
  if (codeNeeded && !/^\d{4,6}$/.test(form.sms_code.trim())) errors.sms_code = 'rules.smsCode'
  if (form.service_content.length > 200) errors.service_content = 'rules.tooLong'
  return errors
}

/** Where a field of the demand form lives: 0 = 填写需求内容, 1 = 确认组织信息. */
export function demandFieldStep(field: string): 0 | 1 {
  const contact = ['city', 'district', 'contact_name', 'contact_landline', 'contact_mobile', 'sms_code', 'service_content']
  return contact.includes(field) ? 1 : 0
}

// -- 发布活动 --------------------------------------------------------------------------------

export interface ActivityForm {
  title: string
  attendance_method: string
  activity_type: string
  category: string
  recruit_count: number | null
  contact_name: string
  contact_phone: string
  /** datetime-local values, Guangdong time: 2026-06-05T13:28 */
  recruit_start_at: string
  start_at: string
  end_at: string
  address: string
  longitude: string
  latitude: string
  checkin_radius_km: string
  signup_scope: string
  suitability: string[]
  service_objects: string[]
  guarantees: string[]
  description: string
  service_content: string
  certificate_consent: boolean
}

const DECIMAL = /^-?\d+(\.\d{1,6})?$/

export function coordinateError(value: string, limit: 90 | 180): string | null {
  if (!value.trim()) return null
  if (!DECIMAL.test(value.trim())) return 'rules.coordinate'
  return Math.abs(Number(value)) <= limit ? null : 'rules.coordinateRange'
}

export function activityErrors(form: ActivityForm, zone: Zone): Errors {
  const errors: Errors = {}
  const title = titleError(zone, form.title)
  if (title) errors.title = title
  for (const field of ['attendance_method', 'activity_type', 'category', 'signup_scope'] as const) {
    if (!form[field]) errors[field] = 'rules.chooseOne'
  }
  if (form.recruit_count === null || !Number.isInteger(form.recruit_count) || form.recruit_count < 1)
    errors.recruit_count = 'rules.atLeastOne'
  if (!form.contact_name.trim()) errors.contact_name = 'rules.required'
  if (!form.contact_phone.trim()) errors.contact_phone = 'rules.required'
  else if (!/^[\d\-+ ]{6,20}$/.test(form.contact_phone.trim())) errors.contact_phone = 'rules.phone'
  for (const field of ['recruit_start_at', 'start_at', 'end_at'] as const) {
    if (!form[field]) errors[field] = 'rules.required'
  }
  if (form.start_at && form.end_at && form.end_at <= form.start_at) errors.end_at = 'rules.endNotAfterStart'
  if (form.recruit_start_at && form.start_at && form.recruit_start_at > form.start_at)
    errors.recruit_start_at = 'rules.recruitAfterStart'
  if (!form.address.trim()) errors.address = 'rules.required'
  else if (form.address.length > 100) errors.address = 'rules.tooLong'
  const longitude = coordinateError(form.longitude, 180)
  if (longitude) errors.longitude = longitude
  const latitude = coordinateError(form.latitude, 90)
  if (latitude) errors.latitude = latitude
  if (!form.longitude.trim() !== !form.latitude.trim()) errors[form.longitude.trim() ? 'latitude' : 'longitude'] = 'rules.bothCoordinates'
  const radius = form.checkin_radius_km.trim()
  if (!radius) errors.checkin_radius_km = 'rules.required'
  else if (!/^\d{1,3}(\.\d{1,2})?$/.test(radius)) errors.checkin_radius_km = 'rules.radius'
  if (!form.description.trim()) errors.description = 'rules.required'
  else if (form.description.length > 500) errors.description = 'rules.tooLong'
  if (form.service_content.length > 500) errors.service_content = 'rules.tooLong'
  return errors
}

/** A datetime-local value (Guangdong time) as the API's ISO instant. */
export function shanghaiInstant(local: string): string {
  return `${local.length === 16 ? `${local}:00` : local}+08:00`
}

/** An API instant as a datetime-local value in Guangdong time (2026-06-05T13:28). */
export function localInput(instant: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`
}

/** 市中心: a map-free way to fill in coordinates, then adjust by hand. */
export const CITY_CENTRES: Record<string, { longitude: string; latitude: string }> = {
  广州市: { longitude: '113.264385', latitude: '23.129112' },
  韶关市: { longitude: '113.597522', latitude: '24.810403' },
  深圳市: { longitude: '114.057868', latitude: '22.543099' },
  珠海市: { longitude: '113.576726', latitude: '22.270715' },
  汕头市: { longitude: '116.681972', latitude: '23.354091' },
  佛山市: { longitude: '113.121416', latitude: '23.021548' },
  江门市: { longitude: '113.081901', latitude: '22.578738' },
  湛江市: { longitude: '110.359377', latitude: '21.270707' },
  茂名市: { longitude: '110.925456', latitude: '21.662999' },
  肇庆市: { longitude: '112.465091', latitude: '23.047191' },
  惠州市: { longitude: '114.416196', latitude: '23.111847' },
  梅州市: { longitude: '116.122238', latitude: '24.288615' },
  汕尾市: { longitude: '115.375279', latitude: '22.786211' },
  河源市: { longitude: '114.700447', latitude: '23.743686' },
  阳江市: { longitude: '111.982232', latitude: '21.857958' },
  清远市: { longitude: '113.056031', latitude: '23.681763' },
  东莞市: { longitude: '113.751765', latitude: '23.020536' },
  中山市: { longitude: '113.392782', latitude: '22.517645' },
  潮州市: { longitude: '116.622603', latitude: '23.65695' },
  揭阳市: { longitude: '116.372831', latitude: '23.549993' },
  云浮市: { longitude: '112.044439', latitude: '22.915094' },
}

// -- 登录 / 注册 / 找回密码 ---------------------------------------------------------------------

/** AUTH_PASSWORD_VALIDATORS as far as a client can tell: ≥ 8, not all digits, never 000000. */
export const PASSWORD_MIN = 8

export function passwordError(password: string): string | null {
  if (!password) return 'rules.required'
  if (password.length < PASSWORD_MIN) return 'rules.passwordShort'
  if (/^\d+$/.test(password)) return 'rules.passwordNumeric'
  return null
}

/** The password typed twice: its own rules, then the repeat must match. */
export function passwordPairErrors(password: string, repeat: string): Errors {
  const errors: Errors = {}
  const own = passwordError(password)
  if (own) errors.password = own
  if (!repeat) errors.password2 = 'rules.required'
  else if (repeat !== password) errors.password2 = 'rules.passwordMismatch'
  return errors
}

/** The API's codes are 6 digits. */
export function smsCodeError(code: string): string | null {
  return /^\d{6}$/.test(code.trim()) ? null : 'rules.smsCode'
}

/** 注册: mobile, code, password twice, display name (≤ 50, optional). */
export function registerErrors(form: { mobile: string; sms_code: string; password: string; password2: string; display_name: string }): Errors {
  const errors: Errors = { ...passwordPairErrors(form.password, form.password2) }
  const mobile = mobileError(form.mobile)
  if (mobile) errors.mobile = mobile
  const code = smsCodeError(form.sms_code)
  if (code) errors.sms_code = code
  if (form.display_name.trim().length > 50) errors.display_name = 'rules.tooLong'
  return errors
}

/** 找回密码: mobile, code, the new password twice. */
export function resetErrors(form: { mobile: string; sms_code: string; password: string; password2: string }): Errors {
  const errors: Errors = { ...passwordPairErrors(form.password, form.password2) }
  const mobile = mobileError(form.mobile)
  if (mobile) errors.mobile = mobile
  const code = smsCodeError(form.sms_code)
  if (code) errors.sms_code = code
  return errors
}

/** How long a lockout lasts, in whole minutes (at least one): "请 N 分钟后再试". */
export function waitMinutes(seconds: number | null): number {
  if (seconds === null || !Number.isFinite(seconds)) return 15
  return Math.max(1, Math.ceil(seconds / 60))
}

/** Only a path of this site (never another origin) is a place to go after login. */
export function safeNext(next: unknown, fallback = '/mine'): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : fallback
}

// -- 求助 (initial demand) ------------------------------------------------------------------

/** demands.choices: MAX_COURSES, MAX_INTERESTS, MAX_SCORE. */
export const MAX_COURSES = 3
export const MAX_INTERESTS = 3
export const MAX_SCORE = 150

export interface CourseScore {
  course: string
  /** As typed: a number 0–150 (at most one decimal). */
  score: string
}

export interface StudentForm {
  name: string
  gender: string
  grade: string
  school: string
  city: string
  address: string
  courses: CourseScore[]
  interests: string[]
  remarks: string
}

export interface HelpForm {
  kind: 'ordinary' | 'cloud_teaching'
  title: string
  description: string
  league_org: { id: number; name: string } | null
  contact_name: string
  contact_mobile: string
  sms_code: string
  student: StudentForm
}

export function scoreError(score: string): string | null {
  const value = score.trim()
  if (!value) return 'rules.scoreRequired'
  if (!/^\d{1,3}(\.\d)?$/.test(value)) return 'rules.score'
  return Number(value) <= MAX_SCORE ? null : 'rules.score'
}

/** 需所需辅导课程: one to three, no course twice, each with last term's score 0–150. */
export function coursesError(courses: CourseScore[]): string | null {
  if (courses.length === 0) return 'rules.courseRequired'
  if (courses.length > MAX_COURSES) return 'rules.tooManyCourses'
  if (new Set(courses.map((c) => c.course)).size !== courses.length) return 'rules.courseTwice'
  for (const item of courses) {
    const invalid = scoreError(item.score)
    if (invalid) return invalid
  }
  return null
}

export function interestsError(interests: string[]): string | null {
  return interests.length > MAX_INTERESTS ? 'rules.tooManyInterests' : null
}

/** The whole 求助 form; student fields are named as the API names them (`student.courses`). */
export function helpErrors(form: HelpForm): Errors {
  const errors: Errors = {}
  const cloud = form.kind === 'cloud_teaching'
  const title = titleError(cloud ? 'cloud_teaching' : 'general', form.title)
  if (title) errors.title = title
  if (form.description.length > 200) errors.description = 'rules.tooLong'
  if (!form.league_org) errors.league_org = 'rules.chooseOne'
  if (!form.contact_name.trim()) errors.contact_name = 'rules.required'
  else if (form.contact_name.trim().length > 50) errors.contact_name = 'rules.tooLong'
  const mobile = mobileError(form.contact_mobile)
  if (mobile) errors.contact_mobile = mobile
  const code = smsCodeError(form.sms_code)
  if (code) errors.sms_code = code
  if (!cloud) return errors
  const s = form.student
  const text: [keyof StudentForm, number][] = [['name', 50], ['school', 50], ['address', 100]]
  for (const [field, max] of text) {
    const value = String(s[field]).trim()
    if (!value) errors[`student.${field}`] = 'rules.required'
    else if (value.length > max) errors[`student.${field}`] = 'rules.tooLong'
  }
  for (const field of ['gender', 'grade', 'city'] as const) {
    if (!s[field]) errors[`student.${field}`] = 'rules.chooseOne'
  }
  const courses = coursesError(s.courses)
  if (courses) errors['student.courses'] = courses
  const interests = interestsError(s.interests)
  if (interests) errors['student.interests'] = interests
  if (s.remarks.length > 200) errors['student.remarks'] = 'rules.tooLong'
  return errors
}

type Student = NonNullable<InitialDemandWrite['student']>
type Course = Student['courses'][number]['course']

/** The API's body for a form that passed `helpErrors`. */
export function helpBody(form: HelpForm): InitialDemandWrite {
  const cloud = form.kind === 'cloud_teaching'
  const s = form.student
  return {
    kind: form.kind,
    league_org: form.league_org?.id ?? 0,
    title: form.title.trim(),
    description: form.description.trim(),
    contact_name: form.contact_name.trim(),
    contact_mobile: form.contact_mobile.trim(),
    sms_code: form.sms_code.trim(),
    student: cloud
      ? {
          name: s.name.trim(),
          gender: s.gender as Student['gender'],
          grade: s.grade as Student['grade'],
          school: s.school.trim(),
          city: s.city,
          address: s.address.trim(),
          courses: s.courses.map((c) => ({ course: c.course as Course, score: Number(c.score.trim()) })),
          interests: s.interests as NonNullable<Student['interests']>,
          remarks: s.remarks.trim(),
        }
      : null,
  }
}
