import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import type { ClaimList } from '@/api'
import { i18n } from '@/i18n'

import ClaimDeadline from './ClaimDeadline.vue'

function claim(fields: Partial<ClaimList>): ClaimList {
  return {
    status: 'approved',
    activity_due_at: null,
    review_due_at: null,
    lapsed_at: null,
    due_state: '',
    ...fields,
  } as ClaimList
}

function render(fields: Partial<ClaimList>, showReview = false) {
  return mount(ClaimDeadline, {
    props: { claim: claim(fields), showReview },
    global: { plugins: [i18n], stubs: { VanTag: { template: '<span class="van-tag"><slot /></span>' } } },
  })
}

describe('ClaimDeadline', () => {
  it("asks an approved claimer to publish by the activity's due time, with its mark", () => {
    const wrapper = render({ activity_due_at: '2026-12-01T10:00:00Z', due_state: 'due_soon' })
    expect(wrapper.text()).toContain('请于 2026-12-01 18:00 前发布活动')
    expect(wrapper.text()).toContain('即将到期')
    expect(render({ activity_due_at: '2026-12-01T10:00:00Z', due_state: 'overdue' }).text()).toContain('已超期')
    expect(render({ activity_due_at: '2026-12-01T10:00:00Z' }).find('[data-testid="claim-due-state"]').exists()).toBe(false)
  })

  it('says when a claim lapsed, and nothing for a claim without a deadline', () => {
    expect(render({ status: 'lapsed', lapsed_at: '2026-12-01T16:00:00Z' }).text()).toContain('2026-12-02 00:00')
    expect(render({ status: 'completed' }).text()).toBe('')
  })

  it("shows the review's due time on the detail page only", () => {
    const pending = { status: 'pending', review_due_at: '2026-12-01T10:00:00Z' } as const
    expect(render(pending).text()).toBe('')
    expect(render(pending, true).text()).toContain('2026-12-01 18:00')
  })
})
