// Routes, named after the screens of the operation guides (seeds). Every screen but 首页 is
// loaded when first opened (route-level dynamic imports keep the home page light).
import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'

import { sessionReady, role } from '@/stores/session'
import HomeView from '@/views/HomeView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the screen's title (nav bar and document title). */
    titleKey: string
    /** Whether the bottom tab bar (首页 / 发布 / 我的) shows on this screen. */
    tabbar?: boolean
    /** Signed-in users only: others go to the login route first. */
    auth?: boolean
  }
}

const idProp = (route: RouteLocationNormalized) => ({ id: Number(route.params.id) })

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomeView, meta: { titleKey: 'tab.home', tabbar: true } },
  {
    path: '/demands/:id(\\d+)',
    name: 'demand-detail',
    component: () => import('@/views/DemandDetailView.vue'),
    props: idProp,
    meta: { titleKey: 'detail.title' },
  },
  // 发布 (league org), 求助 (individual), 完善信息 (volunteer org): the tab bar's second item.
  {
    path: '/publish',
    name: 'publish',
    component: () => import('@/views/PublishView.vue'),
    meta: { titleKey: 'tab.publish', tabbar: true, auth: true },
  },
  {
    path: '/help',
    name: 'help',
    component: () => import('@/views/HelpView.vue'),
    meta: { titleKey: 'tab.help', tabbar: true, auth: true },
  },
  {
    path: '/complete-info',
    name: 'complete-info',
    component: () => import('@/views/CompleteInfoView.vue'),
    meta: { titleKey: 'tab.completeInfo', tabbar: true, auth: true },
  },
  { path: '/mine', name: 'mine', component: () => import('@/views/MineView.vue'), meta: { titleKey: 'tab.mine', tabbar: true } },
  {
    path: '/mine/demands',
    name: 'my-demands',
    component: () => import('@/views/MyDemandsView.vue'),
    meta: { titleKey: 'mine.myDemands', auth: true },
  },
  {
    path: '/mine/demands/:id(\\d+)',
    name: 'my-demand',
    component: () => import('@/views/MyDemandView.vue'),
    props: idProp,
    meta: { titleKey: 'mine.myDemands', auth: true },
  },
  {
    path: '/mine/claims',
    name: 'my-claims',
    component: () => import('@/views/ClaimsView.vue'),
    meta: { titleKey: 'mine.myClaims', auth: true },
  },
  {
    path: '/mine/claims/:id(\\d+)',
    name: 'claim-detail',
    component: () => import('@/views/ClaimDetailView.vue'),
    props: idProp,
    meta: { titleKey: 'claimDetail.title', auth: true },
  },
  {
    path: '/mine/claims/:id(\\d+)/activity',
    name: 'publish-activity',
    component: () => import('@/views/ActivityFormView.vue'),
    props: idProp,
    meta: { titleKey: 'activity.title', auth: true },
  },
  {
    path: '/mine/initial-demands',
    name: 'initial-demands',
    component: () => import('@/views/InitialDemandsView.vue'),
    meta: { titleKey: 'mine.initialDemands', auth: true },
  },
  {
    path: '/mine/initial-demands/:id(\\d+)',
    name: 'initial-demand',
    component: () => import('@/views/InitialDemandView.vue'),
    props: idProp,
    meta: { titleKey: 'initial.detailTitle', auth: true },
  },
  {
    path: '/mine/org',
    name: 'org-info',
    component: () => import('@/views/OrgInfoView.vue'),
    meta: { titleKey: 'mine.orgInfo', auth: true },
  },
  {
    path: '/mine/points',
    name: 'points',
    component: () => import('@/views/PointsView.vue'),
    meta: { titleKey: 'mine.points', auth: true },
  },
  {
    path: '/mine/notifications',
    name: 'notifications',
    component: () => import('@/views/NotificationsView.vue'),
    meta: { titleKey: 'notifications.title', auth: true },
  },
  {
    path: '/mine/favorites',
    name: 'favorites',
    component: () => import('@/views/FavoritesView.vue'),
    meta: { titleKey: 'mine.favorites', auth: true },
  },
  {
    path: '/mine/help',
    name: 'my-help',
    component: () => import('@/views/InitialDemandsView.vue'),
    meta: { titleKey: 'mine.myHelp', auth: true },
  },
  {
    path: '/mine/help/:id(\\d+)',
    name: 'my-help-detail',
    component: () => import('@/views/InitialDemandView.vue'),
    props: idProp,
    meta: { titleKey: 'mine.myHelp', auth: true },
  },
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { titleKey: 'auth.title' } },
  { path: '/register', name: 'register', component: () => import('@/views/RegisterView.vue'), meta: { titleKey: 'auth.registerTitle' } },
  {
    path: '/password/reset',
    name: 'password-reset',
    component: () => import('@/views/PasswordResetView.vue'),
    meta: { titleKey: 'auth.resetTitle' },
  },
  {
    path: '/password/change',
    name: 'password-change',
    component: () => import('@/views/PasswordChangeView.vue'),
    meta: { titleKey: 'auth.changeTitle' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/NotFoundView.vue'),
    meta: { titleKey: 'placeholder.notFound' },
  },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior(_to, _from, saved) {
    return saved ?? { top: 0 }
  },
})

router.beforeEach(async (to) => {
  if (!to.meta.auth) return true
  await sessionReady()
  if (role.value !== 'anonymous') return true
  return { name: 'login', query: { next: to.fullPath } }
})
