from django.urls import path

from .views import calendar, compose, library, posts, queue, slots, uploads

workspace_patterns = [
    path("posts/", posts.post_list, name="post_list"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("posts/new/", compose.new_post, name="post_new"),
    path("posts/check/", compose.check, name="post_check"),
    path("posts/<int:pk>/", posts.post_detail, name="post_detail"),
    path("posts/<int:pk>/edit/", compose.edit_post, name="post_edit"),
    path("posts/<int:pk>/submit/", posts.submit, name="post_submit"),
    path("posts/<int:pk>/schedule/", posts.schedule, name="post_schedule"),
    path("posts/<int:pk>/unschedule/", posts.unschedule, name="post_unschedule"),
    path("posts/<int:pk>/post-now/", posts.post_now, name="post_now"),
    path("posts/<int:pk>/duplicate/", posts.duplicate, name="post_duplicate"),
    path("posts/<int:pk>/approve/", posts.approve, name="post_approve"),
    path("posts/<int:pk>/reject/", posts.reject, name="post_reject"),
    path("posts/<int:pk>/comment/", posts.comment, name="post_comment"),
    path("posts/<int:pk>/delete/", posts.delete_post, name="post_delete"),
    path("posts/<int:pk>/move/", calendar.move, name="post_move"),
    path("posts/queue/", queue.queue_page, name="post_queue"),
    path("posts/queue/swap/", queue.swap, name="post_queue_swap"),
    path("posts/queue/pause/", queue.pause, name="post_queue_pause"),
    path(
        "posts/<int:pk>/targets/<int:target_pk>/retry/",
        posts.retry_target,
        name="post_target_retry",
    ),
    path("posts/slots/", slots.posting_slots, name="posting_slots"),
    path("posts/slots/<int:pk>/delete/", slots.delete_slot, name="posting_slot_delete"),
    path("media/", library.library, name="media_library"),
    path("media/upload/", uploads.upload, name="media_upload"),
    path("media/<int:pk>/delete/", library.delete_media, name="media_delete"),
]
