from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("认领流程")

    def ready(self):
        # The services reach the flow here (services.claim_flow) instead of importing the
        # module that imports them.
        from .flows import ClaimFlow

        self.claim_flow = ClaimFlow
