from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.views import (
    deletion,
    home,
    invitations,
    members,
    onboarding,
    profile,
    signup,
    workspace,
)
from assistant import urls as assistant_urls
from billing.webhooks import stripe_events
from connections import urls as connections_urls
from home import views as home_views
from inbox import urls as inbox_urls
from insights import urls as insights_urls
from insights import urls_recommendations as recommendation_urls
from notifications import views as notifications
from publishing import urls as publishing_urls
from support.views import contact

from . import dev_mail, media_access
from .health import healthz

admin.site.site_header = "Mixora support"
admin.site.site_title = "Mixora support"
admin.site.index_title = "Support desk"

workspace_patterns = [
    path("", home_views.dashboard, name="workspace_dashboard"),
    path("settings/", workspace.settings_page, name="workspace_settings"),
    path("audit/", workspace.audit_log, name="workspace_audit"),
    path("members/", members.member_list, name="workspace_members"),
    path("members/<int:pk>/role/", members.change_role, name="member_change_role"),
    path("members/<int:pk>/remove/", members.remove_member, name="member_remove"),
    path("members/<int:pk>/transfer/", members.transfer_ownership, name="member_transfer"),
    path("invitations/<int:pk>/revoke/", members.revoke_invitation, name="invitation_revoke"),
    path("leave/", members.leave, name="workspace_leave"),
    path("delete/", deletion.delete_workspace, name="workspace_delete"),
    *connections_urls.workspace_patterns,
    *publishing_urls.workspace_patterns,
    *inbox_urls.workspace_patterns,
    *assistant_urls.workspace_patterns,
    *insights_urls.workspace_patterns,
    *recommendation_urls.workspace_patterns,
]

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", healthz, name="healthz"),
    # Before allauth's own: the same page, with the age gate remembering a refusal.
    path("accounts/signup/", signup.signup, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("account/profile/", profile.profile, name="profile"),
    path("account/privacy/", deletion.privacy_settings, name="privacy_settings"),
    path("account/delete/", deletion.delete_account, name="account_delete"),
    path("account/deleted/", deletion.account_deleted, name="account_deleted"),
    path("workspaces/new/", onboarding.new_workspace, name="onboarding"),
    path("invitations/<str:token>/", invitations.accept, name="invitation_accept"),
    path("support/", contact, name="contact"),
    path("notifications/", notifications.inbox, name="notifications"),
    path("notifications/read/", notifications.mark_all_read, name="notifications_read"),
    path("", include(connections_urls)),
    # Before inbox's /webhooks/<source>/, which would take "stripe" for a network's name.
    path("webhooks/stripe/", stripe_events, name="stripe_webhook"),
    path("", include(inbox_urls)),
    path("", include("consent.urls")),
    path("", include("legal.urls")),
    path("", include("exports.urls")),
    path("", include("privacy.urls")),
    path("w/<slug:slug>/billing/", include("billing.urls")),
    path("w/<slug:slug>/", include(workspace_patterns)),
    path("admin/", admin.site.urls),
    # Local files, each to the people allowed to see it (S3 mode: 404, the bucket serves).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media_access.serve, name="media"),
]

if settings.MIXORA_MODE == "local":
    # The local mode's mail catcher; no other settings have it.
    urlpatterns += dev_mail.urlpatterns
