import { describe, expect, it } from 'vitest'

import { toApiError } from '@/api/errors'

import { authFailure } from './authErrors'
import {
  coursesError,
  helpBody,
  helpErrors,
  interestsError,
  passwordError,
  passwordPairErrors,
  registerErrors,
  resetErrors,
  safeNext,
  scoreError,
  smsCodeError,
  waitMinutes,
  type HelpForm,
} from './rules'

const t = (key: string, values?: Record<string, unknown>) => (values ? `${key} ${JSON.stringify(values)}` : key)

describe('passwords', () => {
  it('wants 8 characters, not digits only', () => {
    expect(passwordError('')).toBe('rules.required')
    expect(passwordError('Abc-12')).toBe('rules.passwordShort')
    expect(passwordError('12345678')).toBe('rules.passwordNumeric')
    expect(passwordError('Demo-2026!')).toBeNull()
  })

  it('wants the repeat to match', () => {
    expect(passwordPairErrors('Demo-2026!', 'Demo-2026?')).toEqual({ password2: 'rules.passwordMismatch' })
    expect(passwordPairErrors('Demo-2026!', '')).toEqual({ password2: 'rules.required' })
    expect(passwordPairErrors('Demo-2026!', 'Demo-2026!')).toEqual({})
  })
})

describe('sign-up and recovery', () => {
  const good = { mobile: '13800138000', sms_code: '123456', password: 'Demo-2026!', password2: 'Demo-2026!', display_name: '' }

  it('checks the mobile format and a 6-digit code', () => {
    expect(registerErrors(good)).toEqual({})
    expect(registerErrors({ ...good, mobile: '1380013800' }).mobile).toBe('rules.mobile')
    expect(registerErrors({ ...good, mobile: '23800138000' }).mobile).toBe('rules.mobile')
    expect(registerErrors({ ...good, sms_code: '12345' }).sms_code).toBe('rules.smsCode')
    expect(smsCodeError(' 654321 ')).toBeNull()
    expect(registerErrors({ ...good, display_name: 'x'.repeat(51) }).display_name).toBe('rules.tooLong')
    expect(resetErrors({ ...good, password2: 'other-pass' })).toEqual({ password2: 'rules.passwordMismatch' })
  })

  it('says how long a lockout lasts, in minutes', () => {
    expect(waitMinutes(900)).toBe(15)
    expect(waitMinutes(61)).toBe(2)
    expect(waitMinutes(5)).toBe(1)
    const locked = toApiError(429, { code: 'login_locked', detail: '…' }, '600')
    expect(locked.retryAfter).toBe(600)
    expect(authFailure(locked, t)).toBe('auth.locked {"n":10}')
    expect(authFailure(toApiError(403, { code: 'csrf_failed', detail: 'x' }), t)).toBe('auth.csrf')
  })

  it('goes after login only to a path of this site', () => {
    expect(safeNext('/demands/4')).toBe('/demands/4')
    expect(safeNext('//evil.example/')).toBe('/mine')
    expect(safeNext('https://evil.example/')).toBe('/mine')
    expect(safeNext(undefined)).toBe('/mine')
  })
})

function cloudForm(): HelpForm {
  return {
    kind: 'cloud_teaching',
    title: '【乡村云支教】我需要补习英语',
    description: '',
    league_org: { id: 3, name: '共青团深圳市委员会' },
    contact_name: '赵雷',
    contact_mobile: '18500000001',
    sms_code: '123456',
    student: {
      name: '赵小二',
      gender: 'male',
      grade: 'primary_3',
      school: '李村小学',
      city: '深圳市',
      address: '深圳市李村小学',
      courses: [
        { course: 'english', score: '44' },
        { course: 'math', score: '76.5' },
      ],
      interests: ['painting', 'chess', 'recitation'],
      remarks: '',
    },
  }
}

describe('求助', () => {
  it('takes scores from 0 to 150', () => {
    expect(scoreError('0')).toBeNull()
    expect(scoreError('150')).toBeNull()
    expect(scoreError('98.5')).toBeNull()
    expect(scoreError('150.5')).toBe('rules.score')
    expect(scoreError('151')).toBe('rules.score')
    expect(scoreError('-1')).toBe('rules.score')
    expect(scoreError('abc')).toBe('rules.score')
    expect(scoreError('')).toBe('rules.scoreRequired')
  })

  it('takes one to three courses, each once, each with a score', () => {
    const c = (course: string, score = '80') => ({ course, score })
    expect(coursesError([])).toBe('rules.courseRequired')
    expect(coursesError([c('math'), c('english'), c('chinese')])).toBeNull()
    expect(coursesError([c('math'), c('english'), c('chinese'), c('physics')])).toBe('rules.tooManyCourses')
    expect(coursesError([c('math'), c('math')])).toBe('rules.courseTwice')
    expect(coursesError([c('math', '')])).toBe('rules.scoreRequired')
  })

  it('takes at most three interests', () => {
    expect(interestsError([])).toBeNull()
    expect(interestsError(['painting', 'chess', 'drone'])).toBeNull()
    expect(interestsError(['painting', 'chess', 'drone', 'dance'])).toBe('rules.tooManyInterests')
  })

  it('checks the whole cloud-teaching form and names student fields as the API does', () => {
    expect(helpErrors(cloudForm())).toEqual({})
    const form = cloudForm()
    form.title = '我需要补习英语'
    form.league_org = null
    form.contact_mobile = '1850000000'
    form.student.grade = ''
    form.student.courses = []
    expect(helpErrors(form)).toEqual({
      title: 'rules.titlePrefix',
      league_org: 'rules.chooseOne',
      contact_mobile: 'rules.mobile',
      'student.grade': 'rules.chooseOne',
      'student.courses': 'rules.courseRequired',
    })
  })

  it('asks nothing of the student for an ordinary request', () => {
    const form = cloudForm()
    form.kind = 'ordinary'
    form.title = '需要志愿者陪伴老人'
    form.student.name = ''
    expect(helpErrors(form)).toEqual({})
    expect(helpBody(form).student).toBeNull()
  })

  it('sends the scores as numbers', () => {
    const body = helpBody(cloudForm())
    expect(body.league_org).toBe(3)
    expect(body.student?.courses).toEqual([
      { course: 'english', score: 44 },
      { course: 'math', score: 76.5 },
    ])
  })
})
