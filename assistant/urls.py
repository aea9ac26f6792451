from django.urls import path

from . import views

workspace_patterns = [
    path("ai/caption/", views.caption, name="ai_caption"),
    path("ai/rewrite/", views.rewrite, name="ai_rewrite"),
    path("ai/hashtags/", views.hashtags, name="ai_hashtags"),
    path("ai/generations/<int:pk>/discard/", views.discard, name="ai_discard"),
]
