"""Forms of the operator UI's task views."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReviewForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[(APPROVE, _("同意")), (REJECT, _("退回"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("退回原因"), max_length=200, required=False, widget=forms.Textarea
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("退回时须填写原因"))
        return data
