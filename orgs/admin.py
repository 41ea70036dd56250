"""Admin for master data: users, orgs, cities, memberships; the audit trail is read-only.

Who grants what here: only a superuser grants superuser, staff status, groups, permissions and
the provincial-admin role; only a superuser changes their own roles; every membership change is
an audit record written in the transaction that makes it. Nobody sets another person's password:
an account is reset to a one-time password its owner must change (orgs.services). Mobiles are
shown masked (188****0174), read-only, and cannot be searched or filtered on, as everywhere else.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UsernameField
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .audit import audit
from .choices import Role
from .errors import NotAllowed
from .models import AuditRecord, City, LeagueOrg, Membership, User, VolunteerOrg
from .privacy import mask_mobile
from .services import PasswordReset, user_reset_password

# -- mobiles ------------------------------------------------------------------------------------


def masked_mobile_display(model, field_name: str):
    """A read-only admin field showing `field_name` of `model` masked, under the field's label."""

    @admin.display(description=model._meta.get_field(field_name).verbose_name)
    def display(model_admin, obj):
        return mask_mobile(getattr(obj, field_name))

    return display


class MaskedMobilesAdmin(admin.ModelAdmin):
    """Shows each of `mobile_fields` masked and read-only, as `masked_<field>`, and refuses any
    list filter on them (`?contact_mobile__startswith=188` would reveal a number digit by digit).

    A mobile is verified by an SMS code where it is entered; the admin never changes one. A
    subclass defines `masked_<field> = masked_mobile_display(Model, "<field>")`.
    """

    mobile_fields: tuple[str, ...] = ("contact_mobile",)

    def masked_fields(self, obj) -> tuple[str, ...]:
        """The mobile fields shown masked on this object's page (all of them, unless overridden)."""
        return self.mobile_fields

    def get_readonly_fields(self, request, obj=None):
        return self.with_masked_mobiles(super().get_readonly_fields(request, obj), obj)

    def with_masked_mobiles(self, fields, obj) -> list[str]:
        """`fields` (read-only field names) with each masked mobile in its masked form."""
        masked = self.masked_fields(obj)
        fields = [f"masked_{name}" if name in masked else name for name in fields]
        return [*fields, *(f"masked_{n}" for n in masked if f"masked_{n}" not in fields)]

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), *self.masked_fields(obj)]

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split(LOOKUP_SEP)[0] in self.mobile_fields:
            return False
        return super().lookup_allowed(lookup, value, request)


# -- memberships --------------------------------------------------------------------------------


def _membership_place(m: Membership) -> str:
    if m.league_org_id:
        return f"{m.role}:league_org={m.league_org_id}"
    return f"{m.role}:volunteer_org={m.volunteer_org_id}"


def membership_audit(
    membership: Membership,
    *,
    actor: User,
    action: str,
    before: Membership | None = None,
    after: Membership | None = None,
) -> None:
    """One audit row for a role granted, changed or taken away (call it before a delete)."""
    places = " → ".join(_membership_place(m) for m in (before, after) if m is not None)
    audit(
        membership,
        action=action,
        actor=actor,
        from_state=before.role if before else "",
        to_state=after.role if after else "",
        reason=f"user={membership.user_id} {places}",
    )


class MembershipForm(forms.ModelForm):
    # Set per request by MembershipInline.get_formset.
    may_grant_admin_role = False

    def clean(self):
        cleaned = super().clean()
        if self.may_grant_admin_role or not self.has_changed():
            return cleaned
        roles = {cleaned.get("role"), self.initial.get("role") if self.instance.pk else None}
        if Role.PROVINCIAL_ADMIN in roles:
            self.add_error("role", _("只有超级管理员可以授予或变更团省委管理员角色"))
        return cleaned


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["league_org", "volunteer_org"]

    @staticmethod
    def _own_roles(request, obj) -> bool:
        # Granting oneself a role is how an administrator would reach data its role does not
        # show (a student's record): a superuser may, having every right already.
        return obj is not None and obj.pk == request.user.pk and not request.user.is_superuser

    def has_add_permission(self, request, obj):
        return not self._own_roles(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._own_roles(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._own_roles(request, obj) and super().has_delete_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        form = type(
            "MembershipForm",
            (self.form,),
            {"may_grant_admin_role": request.user.is_superuser},
        )
        return super().get_formset(request, obj, form=form, **kwargs)


# -- users --------------------------------------------------------------------------------------


class PlatformUserChangeForm(UserChangeForm):
    # No password field, not even the hash and its "change password" link (user_reset_password).
    password = None


class UserAddForm(forms.ModelForm):
    """A new account; its password is a one-time password for its owner, never one chosen here."""

    class Meta:
        model = User
        fields = ("username", "display_name", "mobile")
        field_classes = {"username": UsernameField}


# Changes of these are grants of rights (or their end) and are audited.
AUDITED_FLAGS = ("is_active", "is_staff", "is_superuser")
AUDITED_GRANTS = ("groups", "user_permissions")


@admin.register(User)
class UserAdmin(MaskedMobilesAdmin, BaseUserAdmin):
    form = PlatformUserChangeForm
    add_form = UserAddForm
    add_form_template = None
    password_reset_template = "admin/orgs/user/reset_password.html"
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("平台"), {"fields": ("display_name", "mobile", "must_change_password")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "mobile")}),
    )
    readonly_fields = ("own_password", "password_reset", "last_login", "date_joined")
    list_display = ("username", "display_name", "is_staff", "must_change_password", "is_active")
    list_filter = ("must_change_password", "is_staff", "is_active", "memberships__role")
    search_fields = ("username", "display_name")
    inlines = [MembershipInline]
    mobile_fields = ("mobile",)

    masked_mobile = masked_mobile_display(User, "mobile")

    def masked_fields(self, obj):
        # An account without a mobile may be given one (for its notices); a set one stays.
        return self.mobile_fields if obj is not None and obj.mobile else ()

    @admin.display(description=_("密码"))
    def own_password(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("password_change"), _("修改我的密码"))

    @admin.display(description=_("密码"))
    def password_reset(self, obj):
        return format_html(
            '{} <a class="button" href="{}">{}</a>',
            _("管理员不能设置他人的密码。"),
            reverse("admin:orgs_user_password_reset", args=[obj.pk]),
            _("重置为一次性密码"),
        )

    # -- who may change what

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        swap = {"password": "own_password" if obj.pk == request.user.pk else "password_reset"}
        swap |= {name: f"masked_{name}" for name in self.masked_fields(obj)}
        hidden = () if request.user.is_superuser else AUDITED_GRANTS
        return [
            (
                title,
                {
                    **options,
                    "fields": [swap.get(f, f) for f in options["fields"] if f not in hidden],
                },
            )
            for title, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None:
            # The flag is set by a reset and cleared by the owner's own change, not by hand.
            fields.append("must_change_password")
            if not request.user.is_superuser:
                fields += ["is_staff", "is_superuser"]
        return fields

    # -- saving, audited

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()  # until the reset below gives it a one-time password
        super().save_model(request, obj, form, change)
        if not change:
            request.orgs_password_reset = user_reset_password(user=obj, actor=request.user)
            return
        for name in AUDITED_FLAGS:
            if name in form.changed_data:
                audit(
                    obj,
                    action=name,
                    actor=request.user,
                    from_state=str(form.initial.get(name)),
                    to_state=str(getattr(obj, name)),
                )
        for name in AUDITED_GRANTS:
            if name in form.changed_data:
                granted = sorted(str(item) for item in form.cleaned_data[name])
                audit(
                    obj,
                    action=name,
                    actor=request.user,
                    from_state="",
                    to_state=str(len(granted)),
                    reason=", ".join(granted),
                )
        if "mobile" in form.changed_data:
            audit(
                obj,
                action="mobile_set",
                actor=request.user,
                from_state="",
                to_state=mask_mobile(obj.mobile),
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        with transaction.atomic():
            pks = [f.instance.pk for f in formset.initial_forms if f.instance.pk]
            before = {m.pk: m for m in Membership.objects.filter(pk__in=pks)}
            formset.save(commit=False)
            for membership in formset.deleted_objects:
                membership_audit(
                    membership,
                    actor=request.user,
                    action="membership_delete",
                    before=before.get(membership.pk, membership),
                )
                membership.delete()
            for membership in formset.new_objects:
                membership.save()
                membership_audit(
                    membership, actor=request.user, action="membership_add", after=membership
                )
            for membership, _changed in formset.changed_objects:
                membership.save()
                membership_audit(
                    membership,
                    actor=request.user,
                    action="membership_change",
                    before=before[membership.pk],
                    after=membership,
                )
            formset.save_m2m()

    def delete_model(self, request, obj):
        self.delete_queryset(request, User.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        # The account's memberships go with it: each is a role taken away.
        with transaction.atomic():
            for membership in Membership.objects.filter(user__in=queryset).order_by("pk"):
                membership_audit(
                    membership,
                    actor=request.user,
                    action="membership_delete",
                    before=membership,
                )
            super().delete_queryset(request, queryset)

    # -- passwords

    def get_urls(self):
        return [
            path(
                "<id>/reset-password/",
                self.admin_site.admin_view(self.password_reset_view),
                name="orgs_user_password_reset",
            ),
            *super().get_urls(),
        ]

    def user_change_password(self, request, id, form_url=""):
        """Django's "set this user's password" page: only one's own, and then the ordinary one."""
        user = self.get_object(request, unquote(id))
        if user is not None and user.pk == request.user.pk:
            return redirect("password_change")
        raise PermissionDenied

    def password_reset_view(self, request, id):
        """GET: what a reset does and whom it tells. POST: reset; say where the password went."""
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        reset = None
        if request.method == "POST":
            try:
                reset = user_reset_password(user=user, actor=request.user)
            except NotAllowed as exc:
                self.message_user(request, exc.detail, messages.ERROR)
                return redirect("admin:orgs_user_change", user.pk)
            user.refresh_from_db()
        return self._password_reset_response(request, user, reset)

    def _password_reset_response(self, request, user, reset: PasswordReset | None):
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": _("重置为一次性密码"),
            "opts": self.opts,
            "original": user,
            "masked_mobile": mask_mobile(user.mobile),
            "reset": reset,
            "one_time_password": reset.one_time_password if reset else None,
        }
        return TemplateResponse(request, self.password_reset_template, context)

    def response_add(self, request, obj, post_url_continue=None):
        reset = getattr(request, "orgs_password_reset", None)
        if reset is None or IS_POPUP_VAR in request.POST:
            return super().response_add(request, obj, post_url_continue)
        return self._password_reset_response(request, obj, reset)


# -- orgs and reference data --------------------------------------------------------------------


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("name", "code")


@admin.register(LeagueOrg)
class LeagueOrgAdmin(MaskedMobilesAdmin):
    list_display = ("code", "name", "level", "city", "parent")
    list_filter = ("level", "city")
    search_fields = ("code", "name")
    autocomplete_fields = ["parent"]

    masked_contact_mobile = masked_mobile_display(LeagueOrg, "contact_mobile")


@admin.register(VolunteerOrg)
class VolunteerOrgAdmin(MaskedMobilesAdmin):
    list_display = ("code", "name", "registration", "city", "volunteer_count")
    list_filter = ("registration", "city")
    search_fields = ("code", "name", "contact_name")
    autocomplete_fields = ["endorsed_by"]

    masked_contact_mobile = masked_mobile_display(VolunteerOrg, "contact_mobile")


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "content_type", "object_id", "action", "from_state", "to_state")
    list_filter = ("content_type", "action")
    search_fields = ("reason", "actor__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
