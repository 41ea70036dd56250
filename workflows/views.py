"""Operator UI task views; each one calls the same service as the API."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from orgs.errors import DomainError

from . import services
from .forms import ReviewForm


class ReviewClaimView(FormView):
    """The review task: approve (同意) or return (退回, with a reason) one claim."""

    form_class = ReviewForm
    template_name = "workflows/review.html"

    @property
    def claim(self):
        return self.request.activation.process.claim

    def get_context_data(self, **kwargs):
        return super().get_context_data(claim=self.claim, **kwargs)

    def form_valid(self, form):
        try:
            if form.cleaned_data["decision"] == ReviewForm.APPROVE:
                services.claim_approve(claim=self.claim, actor=self.request.user)
                messages.success(self.request, _("已同意该认领申请"))
            else:
                services.claim_reject(
                    claim=self.claim, actor=self.request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(self.request, _("已退回该认领申请"))
        except DomainError as exc:
            for field, message in exc.fields.items():
                form.add_error(field if field in form.fields else None, message)
            if not exc.fields:
                form.add_error(None, exc.detail)
            return self.form_invalid(form)
        return redirect(self.request.resolver_match.flow_viewset.get_success_url(self.request))
