"""The home page: what the platform holds now, and where to go."""

from django.views.generic import TemplateView

from . import selectors


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            zones=selectors.zone_counts(), demands=selectors.demand_list_public(), **kwargs
        )
