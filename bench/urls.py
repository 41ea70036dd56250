"""The platform's URLs plus the baseline endpoint the benchmark compares the workflow with."""

from django.urls import path

from config.urls import urlpatterns as platform_urlpatterns

from .baseline import BaselineClaimUpdateView

urlpatterns = [
    path("bench/baseline/claims/<int:pk>/", BaselineClaimUpdateView.as_view()),
    *platform_urlpatterns,
]
