from django.urls import path

from .views import analytics, best_times

workspace_patterns = [
    path("analytics/", analytics.analytics, name="analytics"),
    path("analytics/export.csv", analytics.export_csv, name="analytics_export"),
    path("analytics/posts/<int:pk>/", analytics.post_metrics, name="analytics_post"),
    path("analytics/best-times/", best_times.best_times, name="analytics_best_times"),
]
