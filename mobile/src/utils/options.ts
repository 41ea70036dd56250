// The API's code lists (DESIGN.md) in the order the seeds show them; labels come from i18n.
export const ZONES = ['colorful_holiday', 'cloud_teaching', 'general'] as const
export const SERVICE_AREAS = [
  'psychological_health',
  'environmental_protection',
  'culture_sports',
  'medical_aid',
  'drug_aids_prevention',
  'care_for_minors',
  'disability_service',
  'elderly_service',
  'legal_education',
  'poverty_alleviation',
  'other',
] as const
export const GUARANTEES = ['meals', 'transport_subsidy', 'shuttle', 'insurance', 'other'] as const
export const SERVICE_OBJECTS = ['teenagers', 'infants', 'elderly_alone', 'disabled', 'extreme_poverty', 'other'] as const
export const ATTENDANCE_METHODS = ['qr_code', 'volunteer_card', 'qr_or_card'] as const
export const ACTIVITY_TYPES = ['volunteer_service', 'other'] as const
export const ACTIVITY_CATEGORIES = [
  'civilization_practice',
  'community_service',
  'education',
  'culture_sports',
  'elderly_disabled',
  'environment',
  'medical',
  'legal',
  'emergency',
  'other',
] as const
export const SIGNUP_SCOPES = ['all', 'org_members'] as const
export const SUITABILITY = ['family', 'students', 'seniors', 'disabled'] as const
export const CLAIM_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn', 'activity_published', 'completed'] as const
export const DEMAND_STATUSES = ['draft', 'open', 'claimed', 'in_service', 'completed', 'closed', 'expired'] as const
export const INITIAL_STATUSES = ['pending', 'adopted', 'declined'] as const

/** Chip options: each code with its label under `group.` */
export function options(codes: readonly string[], group: string, t: (key: string) => string) {
  return codes.map((value) => ({ value, label: t(`${group}.${value}`) }))
}

/** YYYY-MM-DD of a Date as the person's calendar shows it. */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

// 求助 (cloud teaching): demands.choices Grade, Course, INTEREST_CATEGORIES, in the seed form's order.
export const GENDERS = ['male', 'female'] as const
export const GRADES = [
  'primary_1',
  'primary_2',
  'primary_3',
  'primary_4',
  'primary_5',
  'primary_6',
  'junior_1',
  'junior_2',
  'junior_3',
  'senior_1',
  'senior_2',
  'senior_3',
] as const
export const COURSES = ['chinese', 'math', 'english', 'history', 'geography', 'politics', 'biology', 'chemistry', 'physics'] as const
export const INTEREST_CATEGORIES = {
  art: ['painting', 'calligraphy', 'handicraft'],
  sports: ['chess', 'badminton', 'basketball'],
  tech: ['robotics', 'rubiks_cube', 'drone'],
  language: ['recitation', 'hosting', 'speech'],
  music: ['dance', 'solo_singing', 'chorus'],
} as const
