"""API routes: /api/v1/… and the OpenAPI schema and docs.

Each module of api/views registers its viewsets on the router and may add plain paths.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from .views import account, claims, demands, initial_demands, notifications, orgs, stats, webhooks

MODULES = (account, demands, claims, initial_demands, orgs, stats, notifications, webhooks)

router = DefaultRouter()
v1_paths = []
for module in MODULES:
    module.register(router)
    v1_paths += module.urlpatterns

urlpatterns = [
    path("v1/", include(v1_paths + router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, not inline: the content
    # security policy (SECURE_CSP) allows no inline script. The page is the same for everyone,
    # so it authenticates nobody: a bad token or an account still on its initial password
    # would otherwise fail while the page renders, after the view's error handling.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", authentication_classes=[]),
        name="swagger-ui",
    ),
]
