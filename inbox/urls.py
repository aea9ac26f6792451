from django.urls import path

from .views import actions, ai, avatars, manage, pages, webhooks

workspace_patterns = [
    path("inbox/", pages.inbox, name="inbox"),
    path("inbox/updates/", pages.list_updates, name="inbox_updates"),
    path("inbox/settings/", manage.inbox_settings, name="inbox_settings"),
    path("inbox/saved-replies/", manage.add_saved_reply, name="inbox_saved_reply_add"),
    path("inbox/saved-replies/<int:pk>/", manage.edit_saved_reply, name="inbox_saved_reply_edit"),
    path(
        "inbox/saved-replies/<int:pk>/delete/",
        manage.delete_saved_reply,
        name="inbox_saved_reply_delete",
    ),
    path("inbox/labels/", manage.add_label, name="inbox_label_add"),
    path("inbox/labels/<int:pk>/delete/", manage.delete_label, name="inbox_label_delete"),
    path("inbox/emulate/", manage.emulate_customers, name="inbox_emulate"),
    path("inbox/c/<int:pk>/", pages.conversation, name="inbox_conversation"),
    path("inbox/c/<int:pk>/thread/", pages.thread_updates, name="inbox_thread"),
    path("inbox/c/<int:pk>/reply/", actions.reply, name="inbox_reply"),
    path("inbox/c/<int:pk>/suggest/", ai.suggest_reply, name="inbox_suggest_reply"),
    path("inbox/c/<int:pk>/note/", actions.note, name="inbox_note"),
    path("inbox/c/<int:pk>/assign/", actions.assign, name="inbox_assign"),
    path("inbox/c/<int:pk>/status/", actions.status, name="inbox_status"),
    path("inbox/c/<int:pk>/done/", actions.done, name="inbox_done"),
    path("inbox/c/<int:pk>/undo-done/", actions.undo_done, name="inbox_undo_done"),
    path("inbox/c/<int:pk>/labels/", actions.labels, name="inbox_labels"),
    path("inbox/c/<int:pk>/unread/", actions.mark_unread, name="inbox_unread"),
    path("inbox/c/<int:pk>/delete/", actions.delete, name="inbox_delete"),
    path("inbox/c/<int:pk>/avatar/", avatars.participant_avatar, name="inbox_participant_avatar"),
    path("inbox/messages/<int:pk>/retry/", actions.retry, name="inbox_retry"),
]

urlpatterns = [
    # /webhooks/meta/, /webhooks/x/: one per network package that receives events.
    path("webhooks/<slug:source>/", webhooks.receive_events, name="webhook"),
]
