// The console's pages. The board and the incident page load with the app; the rarer admin pages
// load on first visit, so the board's first load stays small.
import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from '@tanstack/react-router';
import { HomePage, IncidentRoutePage, ReportRoutePage } from './home';
import { ConsoleLayout, NotFound } from './layout';

const rootRoute = createRootRoute({ component: ConsoleLayout, notFoundComponent: NotFound });

const routes = [
  createRoute({ getParentRoute: () => rootRoute, path: '/', component: HomePage }),
  createRoute({ getParentRoute: () => rootRoute, path: '/incidents/$key', component: IncidentRoutePage }),
  createRoute({ getParentRoute: () => rootRoute, path: '/report', component: ReportRoutePage }),
  createRoute({ getParentRoute: () => rootRoute, path: '/catalog', component: lazyRouteComponent(() => import('../catalog/catalog-page'), 'CatalogPage') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/clients', component: lazyRouteComponent(() => import('../catalog/clients-page'), 'ClientsPage') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/sla', component: lazyRouteComponent(() => import('../catalog/sla-page'), 'SlaPage') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/users', component: lazyRouteComponent(() => import('../admin/users-page'), 'UsersPage') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/outbox', component: lazyRouteComponent(() => import('../outbox/outbox-page'), 'OutboxPage') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/templates', component: lazyRouteComponent(() => import('../templates/templates-page'), 'TemplatesPage') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/maintenance', component: lazyRouteComponent(() => import('../maintenance/maintenance-page'), 'MaintenancePage') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/account', component: lazyRouteComponent(() => import('../account/account-page'), 'AccountPage') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/triage', component: lazyRouteComponent(() => import('../intake/triage-page'), 'TriagePage') }),
];

export function createConsoleRouter() {
  return createRouter({ routeTree: rootRoute.addChildren(routes), defaultPreload: 'intent', scrollRestoration: true });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createConsoleRouter>;
  }
}
