from django.urls import path

from .views import recommendations

workspace_patterns = [
    path("analytics/suggest-time/", recommendations.suggest_time, name="suggest_time"),
    path(
        "analytics/best-times/<int:account_id>/slots/",
        recommendations.add_best_slots,
        name="best_time_slots",
    ),
]
