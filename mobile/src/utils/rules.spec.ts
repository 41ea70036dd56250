import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'

import { useCountdown } from '@/composables/useCountdown'

import {
  activityErrors,
  demandContactErrors,
  demandContentErrors,
  demandFieldStep,
  localInput,
  reasonError,
  shanghaiInstant,
  titleError,
  withZonePrefix,
  type ActivityForm,
  type DemandContent,
} from './rules'

describe('the title prefix', () => {
  it('is filled in for the zone and replaces another zone’s', () => {
    expect(withZonePrefix('colorful_holiday', '')).toBe('【七彩假期】')
    expect(withZonePrefix('cloud_teaching', '【七彩假期】补习数学')).toBe('【云支教】补习数学')
    expect(withZonePrefix('cloud_teaching', '【乡村云支教】补习数学')).toBe('【乡村云支教】补习数学')
    expect(withZonePrefix('general', '【七彩假期】陪伴')).toBe('陪伴')
  })

  it('is required by the zone, and the title is more than its prefix', () => {
    expect(titleError('colorful_holiday', '招募志愿服务团队')).toBe('rules.titlePrefix')
    expect(titleError('colorful_holiday', '【七彩假期】')).toBe('rules.required')
    expect(titleError('colorful_holiday', '【七彩假期】招募志愿服务团队')).toBeNull()
    expect(titleError('cloud_teaching', '【乡村云支教】补习')).toBeNull()
    expect(titleError('general', '社区环保')).toBeNull()
    expect(titleError('general', 'x'.repeat(51))).toBe('rules.tooLong')
  })
})

const content = (overrides: Partial<DemandContent> = {}): DemandContent => ({
  zone: 'colorful_holiday',
  title: '【七彩假期】陪伴',
  type: 'care_for_minors',
  type_other: '',
  volunteers_needed: 8,
  content: '陪伴孩子',
  start_date: '2026-07-01',
  end_date: '2026-07-10',
  guarantees: [],
  ...overrides,
})

describe('发布需求, step 1', () => {
  it('passes a complete form', () => {
    expect(demandContentErrors(content())).toEqual({})
  })

  it('wants the 其他 text (≤20) when the type is 其他', () => {
    expect(demandContentErrors(content({ type: 'other' }))).toEqual({ type_other: 'rules.otherRequired' })
    expect(demandContentErrors(content({ type: 'other', type_other: 'x'.repeat(21) }))).toEqual({ type_other: 'rules.tooLong' })
    expect(demandContentErrors(content({ type: 'other', type_other: '小学生' }))).toEqual({})
  })

  it('checks the count, the content length and the period', () => {
    const errors = demandContentErrors(
      content({ volunteers_needed: 0, content: 'x'.repeat(201), start_date: '2026-07-10', end_date: '2026-07-01' }),
    )
    expect(errors).toEqual({ volunteers_needed: 'rules.atLeastOne', content: 'rules.tooLong', period: 'rules.endBeforeStart' })
    expect(demandContentErrors(content({ type: '', end_date: '' }))).toEqual({ type: 'rules.chooseOne', period: 'rules.required' })
  })
})

describe('发布需求, step 2', () => {
  const contact = {
    city: '深圳市',
    district: '罗湖区',
    contact_name: '李雷',
    contact_landline: '0755-88889999',
    contact_mobile: '18826480174',
    sms_code: '',
    service_content: '',
  }

  it('wants the SMS code only when the mobile is new or changed', () => {
    expect(demandContactErrors(contact, false)).toEqual({})
    expect(demandContactErrors(contact, true)).toEqual({ sms_code: 'rules.smsCode' })
    expect(demandContactErrors({ ...contact, sms_code: '821660' }, true)).toEqual({})
  })

  it('checks the mobile and the landline', () => {
    expect(demandContactErrors({ ...contact, contact_mobile: '1882648017', contact_landline: 'abc' }, false)).toEqual({
      contact_mobile: 'rules.mobile',
      contact_landline: 'rules.landline',
    })
  })

  it('knows which step a field of the API’s answer is on', () => {
    expect(demandFieldStep('title')).toBe(0)
    expect(demandFieldStep('sms_code')).toBe(1)
  })
})

describe('the reason of 退回', () => {
  it('is required and at most 200 characters', () => {
    expect(reasonError('')).toBe('rules.reasonRequired')
    expect(reasonError('   ')).toBe('rules.reasonRequired')
    expect(reasonError('x'.repeat(201))).toBe('rules.reasonTooLong')
    expect(reasonError('x'.repeat(200))).toBeNull()
    expect(reasonError('', false)).toBeNull()
  })
})

const activity = (overrides: Partial<ActivityForm> = {}): ActivityForm => ({
  title: '【七彩假期】招募8位数学老师',
  attendance_method: 'qr_or_card',
  activity_type: 'volunteer_service',
  category: 'education',
  recruit_count: 8,
  contact_name: '李雷',
  contact_phone: '18826480174',
  recruit_start_at: '2026-07-01T09:00',
  start_at: '2026-07-02T09:00',
  end_at: '2026-07-02T17:00',
  address: '深圳市罗湖区',
  longitude: '114.057868',
  latitude: '22.543099',
  checkin_radius_km: '3',
  signup_scope: 'all',
  suitability: [],
  service_objects: ['teenagers'],
  guarantees: [],
  description: '辅导数学',
  service_content: '',
  certificate_consent: true,
  ...overrides,
})

describe('发布活动', () => {
  it('passes a complete form', () => {
    expect(activityErrors(activity(), 'colorful_holiday')).toEqual({})
  })

  it('orders the times: recruiting ≤ start < end', () => {
    expect(activityErrors(activity({ end_at: '2026-07-02T09:00' }), 'colorful_holiday')).toEqual({ end_at: 'rules.endNotAfterStart' })
    expect(activityErrors(activity({ recruit_start_at: '2026-07-03T09:00' }), 'colorful_holiday')).toEqual({
      recruit_start_at: 'rules.recruitAfterStart',
    })
  })

  it('checks coordinates (both or neither, in range) and the radius', () => {
    expect(activityErrors(activity({ longitude: '190' }), 'colorful_holiday')).toEqual({ longitude: 'rules.coordinateRange' })
    expect(activityErrors(activity({ latitude: 'north' }), 'colorful_holiday')).toEqual({ latitude: 'rules.coordinate' })
    expect(activityErrors(activity({ latitude: '' }), 'colorful_holiday')).toEqual({ latitude: 'rules.bothCoordinates' })
    expect(activityErrors(activity({ longitude: '', latitude: '' }), 'colorful_holiday')).toEqual({})
    expect(activityErrors(activity({ checkin_radius_km: '-1' }), 'colorful_holiday')).toEqual({ checkin_radius_km: 'rules.radius' })
  })

  it('wants the zone’s prefix, the count and the description', () => {
    const errors = activityErrors(activity({ title: '招募老师', recruit_count: null, description: '' }), 'cloud_teaching')
    expect(errors).toEqual({ title: 'rules.titlePrefix', recruit_count: 'rules.atLeastOne', description: 'rules.required' })
  })

  it('sends Guangdong time', () => {
    expect(shanghaiInstant('2026-07-02T09:00')).toBe('2026-07-02T09:00:00+08:00')
    expect(localInput(new Date('2026-07-02T01:00:00Z'))).toBe('2026-07-02T09:00')
  })
})

describe('the SMS countdown', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('counts 60 seconds down, then may be started again', () => {
    const scope = effectScope()
    const countdown = scope.run(() => useCountdown(60))!
    countdown.start()
    expect(countdown.remaining.value).toBe(60)
    expect(countdown.running.value).toBe(true)
    vi.advanceTimersByTime(59_000)
    expect(countdown.remaining.value).toBe(1)
    vi.advanceTimersByTime(1_000)
    expect(countdown.running.value).toBe(false)
    countdown.start()
    expect(countdown.remaining.value).toBe(60)
    scope.stop()
    expect(countdown.running.value).toBe(false)
  })
})
