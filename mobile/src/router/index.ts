// Routes, named after the screens of the operation guides (seeds). A screen that a later issue
// builds starts here as a PlaceholderView route; give it its own component when it is built.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'

import HomeView from '@/views/HomeView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the screen's title (nav bar and document title). */
    titleKey: string
    /** Whether the bottom tab bar (首页 / 发布 / 我的) shows on this screen. */
    tabbar?: boolean
  }
}

const Placeholder = () => import('@/views/PlaceholderView.vue')

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomeView, meta: { titleKey: 'tab.home', tabbar: true } },
  {
    path: '/demands/:id(\\d+)',
    name: 'demand-detail',
    component: () => import('@/views/DemandDetailView.vue'),
    props: (route) => ({ id: Number(route.params.id) }),
    meta: { titleKey: 'detail.title' },
  },
  // 发布 (league org), 求助 (individual), 完善信息 (volunteer org): the tab bar's second item.
  { path: '/publish', name: 'publish', component: Placeholder, meta: { titleKey: 'tab.publish', tabbar: true } },
  { path: '/help', name: 'help', component: Placeholder, meta: { titleKey: 'tab.help', tabbar: true } },
  {
    path: '/complete-info',
    name: 'complete-info',
    component: Placeholder,
    meta: { titleKey: 'tab.completeInfo', tabbar: true },
  },
  { path: '/mine', name: 'mine', component: Placeholder, meta: { titleKey: 'tab.mine', tabbar: true } },
  { path: '/login', name: 'login', component: Placeholder, meta: { titleKey: 'placeholder.login' } },
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
