"""API views: claims (to be filled in)."""


def register(router):
    """Add this module's viewsets to the v1 router."""


urlpatterns: list = []
