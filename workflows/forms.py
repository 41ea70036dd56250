"""Forms of the operator UI's task views; the rules themselves are checked by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.validation import REASON_MAX


class ReviewForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[(APPROVE, _("同意")), (REJECT, _("退回"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("退回原因"), max_length=REASON_MAX, required=False, widget=forms.Textarea
    )
