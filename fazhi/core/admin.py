"""Django admin for system administrators (系统管理员).

Users go through Django's UserAdmin, so a password is only ever set through the hashing,
validated forms (never typed into the raw hash field).
"""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.forms.models import model_to_dict

from . import audit
from .models import CalendarDay, CalendarYear, ClockRule, Membership, Unit, User

# Never copied into the audit trail: a hash is a secret too.
_SECRET_FIELDS = {"password"}


def _snapshot(obj) -> dict:
    data = model_to_dict(obj)
    for name in _SECRET_FIELDS & data.keys():
        data[name] = "（已隐藏）"
    return data


class AuditedAdmin(admin.ModelAdmin):
    """Admin changes are changes too: each save and delete writes an audit record."""

    def save_model(self, request, obj, form, change):
        model = type(obj)
        before = _snapshot(model._default_manager.get(pk=obj.pk)) if change and obj.pk else {}
        password_changed = change and "password" in getattr(form, "changed_data", ())
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changes = audit.diff(before, _snapshot(obj))
            if password_changed:
                changes["密码"] = ["（已隐藏）", "（已修改）"]
            audit.record("admin_change" if change else "admin_create", actor=request.user, obj=obj,
                         unit=obj if isinstance(obj, Unit) else getattr(obj, "unit", None), changes=changes)

    def delete_model(self, request, obj):
        with transaction.atomic():
            before = _snapshot(obj)
            label = audit.object_label(obj)
            unit = obj if isinstance(obj, Unit) else getattr(obj, "unit", None)
            super().delete_model(request, obj)
            audit.record("admin_delete", actor=request.user, object_type=label[0], object_id=label[1],
                         object_repr=label[2], unit=None if isinstance(obj, Unit) else unit,
                         changes=audit.diff(before, {}))

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                self.delete_model(request, obj)
            for obj in instances:
                self.save_model(request, obj, None, obj.pk is not None)
            formset.save_m2m()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("unit",)


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "parent", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name")
    ordering = ("path",)


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login")
    search_fields = ("username", "display_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("display_name", "phone", "email")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    inlines = [MembershipInline]

    def user_change_password(self, request, id, form_url=""):
        # Django saves this form itself (not through save_model); audit it here.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                audit.record("admin_set_password", actor=request.user, obj=user,
                             changes={"密码": ["（已隐藏）", "（已修改）"]})
        return response


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "unit", "role", "title")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name", "unit__name", "unit__code")
    autocomplete_fields = ("user", "unit")




class ReadOnlyAdmin(admin.ModelAdmin):
    """Calendar rows change only through the calendar page / `fazhi calendar load`
    (fazhi.core.calendar_services), which also recomputes the due dates of open clocks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(ClockRule, AuditedAdmin)
admin.site.register(CalendarYear, ReadOnlyAdmin)
admin.site.register(CalendarDay, ReadOnlyAdmin)
admin.site.site_header = "法治政府建设工作平台 · 系统管理"
admin.site.site_title = "系统管理"
admin.site.index_title = "系统管理"
