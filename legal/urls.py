from django.urls import path

from .models import DocumentKind
from .views import ai, marketing, notices, public

urlpatterns = [
    path("legal/", public.index, name="legal_index"),
    path(
        f"legal/{DocumentKind.PRIVACY_POLICY}/",
        public.document,
        {"kind": DocumentKind.PRIVACY_POLICY.value},
        name="privacy_policy",
    ),
    path("legal/<slug:kind>/", public.document, name="legal_document"),
    path("legal/<slug:kind>/versions/", public.versions, name="legal_versions"),
    path("legal/<slug:kind>/v<int:number>/", public.version, name="legal_version"),
    path("legal/notices/<int:pk>/read/", notices.acknowledge, name="legal_acknowledge"),
    path("legal/notices/<int:pk>/hide/", notices.hide, name="legal_hide_notice"),
    path("account/email-preferences/", marketing.email_preferences, name="email_preferences"),
    path("unsubscribe/<str:token>/", marketing.unsubscribe, name="marketing_unsubscribe"),
    path("w/<slug:slug>/settings/ai/", ai.ai_training_settings, name="ai_training"),
]
