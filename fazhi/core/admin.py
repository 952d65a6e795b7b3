from django.contrib import admin

from .models import CalendarDay, CalendarYear, ClockRule, Membership, Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "active")
    search_fields = ("code", "name")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("username", "display_name", "is_active")
    search_fields = ("username", "display_name")


admin.site.register(Membership)
admin.site.register(ClockRule)
admin.site.register(CalendarYear)
admin.site.register(CalendarDay)
admin.site.site_header = "Fazhi 系统管理"
