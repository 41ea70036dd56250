"""Forms of the operator UI's task views; the rules themselves are checked by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.validation import REASON_MAX


class ReviewForm(forms.Form):
    """同意, or 退回 with a reason (≤ REASON_MAX characters; the service checks it again).

    The reason box has no `maxlength`: a browser would cut a pasted text short without a word;
    the page counts the characters as they are typed and the form says what is too long.
    """

    APPROVE, REJECT = "approve", "reject"
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[(APPROVE, _("同意")), (REJECT, _("退回"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择同意或退回")},
    )
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": _(
                "退回原因最多%(limit_value)d个字，现在是%(show_value)d个字，请删减后再提交"
            )
        },
    )
    reason_max = REASON_MAX

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs.pop("maxlength", None)

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.APPROVE:
            # An approval has no reason: whatever the hidden box holds is not sent on.
            data["reason"] = ""
            self.errors.pop("reason", None)
        elif (
            data.get("decision") == self.REJECT and "reason" in data and not data["reason"].strip()
        ):
            self.add_error("reason", _("请填写退回原因"))
        return data


class FollowUpForm(forms.Form):
    """待跟进: when the review comes back to the default queue (a date and a time, Asia/Shanghai).

    `review_follow_up_set` checks the rules (in the future, at most REVIEW_FOLLOW_UP_MAX_DAYS
    ahead); the page's input carries them as `min` / `max` for the browser's picker.
    """

    SET, CLEAR = "set", "clear"
    INPUT_FORMAT = "%Y-%m-%dT%H:%M"
    follow_up_at = forms.DateTimeField(
        label=_("跟进时间"),
        required=False,
        input_formats=[INPUT_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=INPUT_FORMAT),
        error_messages={"invalid": _("请输入有效的日期和时间")},
    )

    def __init__(self, *args, action: str = SET, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action

    def clean(self):
        data = super().clean()
        if self.action == self.CLEAR:
            data["follow_up_at"] = None
            self.errors.pop("follow_up_at", None)
        elif "follow_up_at" in data and data["follow_up_at"] is None:
            self.add_error("follow_up_at", _("请选择跟进时间"))
        return data
