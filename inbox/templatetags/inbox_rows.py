"""The inbox's rows as markup made in Python: a thread's messages (50 on the conversation
page, sent again by its poll) and the list's conversations (50, polled every 4 s). The same
markup through {% include %} and a template cost several times more (issue 15).
`{% load inbox_rows %}`."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from django import template
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from ..models import Message
    from ..views.pages import ListRow

register = template.Library()


def _attachments(m: Message, participant: str) -> str:
    parts = []
    for a in m.shown_attachments:  # queries.with_parts
        if a.kind == "image":
            parts.append(
                f'<img class="bubble__image" src="{escape(a.file.url)}"'
                f' alt="Image from {escape(participant)}">'
            )
        else:
            parts.append(
                f'<a href="{escape(a.file.url)}">Attachment ({escape(filesizeformat(a.size))})</a>'
            )
    return "".join(parts)


def _status(m: Message, context: template.Context) -> str:
    """The footer: an outbound message's delivery, or an inbound one's error."""
    if m.direction != "outbound":
        if m.error:
            return (
                f'<footer class="bubble__status bubble__status--failed">{escape(m.error)}</footer>'
            )
        return ""
    said = ""
    if m.status == "sending":
        said = "Sending…"
    elif m.status == "sent":
        said = "Sent · human agent tag" if m.tag else "Sent"
    elif m.status == "failed":
        retry = ""
        if context.get("can", {}).get("INBOX_REPLY"):
            url = reverse("inbox_retry", args=[context["current_workspace"].slug, m.pk])
            retry = (
                f'<form method="post" action="{escape(url)}">{CsrfTokenNode().render(context)}'
                '<button class="btn btn--secondary btn--sm" type="submit">Retry</button></form>'
            )
        said = f"Failed: {escape(m.error)}\n      {retry}"
    return (
        f'\n  <footer class="bubble__status bubble__status--{escape(m.status)}">\n'
        f"    {said}\n"
        "  </footer>\n  "
    )


@register.simple_tag(takes_context=True)
def message(context: template.Context, m: Message) -> SafeString:
    """What inbox/partials/message.html drew: the bubble, who and when, the text, the
    attachments, the delivery status (with Retry for those who may reply). `oob` in the
    context marks it for htmx's out-of-band swap."""
    participant = context["conversation"].participant_name
    who = m.sender_name or participant or "Customer"
    footer = _status(m, context)
    return mark_safe(  # noqa: S308 (every value is escaped; linebreaksbr escapes the text)
        f'<article class="bubble bubble--{escape(m.direction)}" id="message-{m.pk}"'
        f' data-message="{m.pk}"{' hx-swap-oob="true"' if context.get("oob") else ""}>\n'
        f"  <header><strong>{'Note · ' if m.direction == 'note' else ''}{escape(who)}</strong>\n"
        f'    <time datetime="{m.sent_at.isoformat()}">'
        f"{date_format(timezone.localtime(m.sent_at), 'j M H:i')}</time></header>\n"
        f"  <p>{linebreaksbr(m.text, autoescape=True)}</p>\n"
        f"  {_attachments(m, participant)}\n"
        f"  {footer}\n"
        "</article>\n"
    )


@register.simple_tag(takes_context=True)
def conversation_row(context: template.Context, row: ListRow) -> SafeString:
    """One conversation of the list (50 a page, and the list is polled every 4 s): a link to
    it with who, when, the preview, account, assignee, labels and status, and "Done" for those
    who may reply."""
    c = row.c
    selected = context.get("selected")
    active = selected is not None and selected.pk == c.pk
    avatar = (
        f'<img class="avatar avatar--sm" src="{escape(row.avatar_url)}" alt="">'
        if row.avatar_url
        else f'<span class="avatar avatar--sm" aria-hidden="true">{escape(row.initial)}</span>'
    )
    assignee = f" · {escape(c.assignee.display_name)}" if c.assignee else ""
    labels = "".join(f' <span class="badge">{escape(label.name)}</span>' for label in row.labels)
    status = (
        f' <span class="status status--{escape(c.status)}">{escape(str(row.status_label))}</span>'
        if c.status != "open"
        else ""
    )
    done = ""
    if context.get("can_reply") and c.status != "resolved":
        done = (
            f'\n      <form method="post" action="{escape(row.done_url)}" class="convo__done">'
            f"{CsrfTokenNode().render(context)}\n"
            f'        <input type="hidden" name="query" value="{escape(context.get("query", ""))}">'
            f'<input type="hidden" name="open" value="{selected.pk if selected else ""}">\n'
            '        <button class="btn btn--secondary btn--sm" type="submit"'
            f' aria-label="Mark done: {escape(row.name)}"><span aria-hidden="true">✓</span>'
            " Done</button>\n"
            "      </form>\n      "
        )
    when = c.last_message_at.isoformat() if c.last_message_at else ""
    return mark_safe(  # noqa: S308 (as message)
        f'<a class="convo{" convo--unread" if c.unread else ""}{" is-active" if active else ""}"'
        f' href="{escape(row.url)}" data-conversation="{c.pk}">\n'
        f'        <span class="convo__avatar">{avatar}\n'
        f'<span class="platform-mark platform-mark--{escape(c.account.platform)}'
        f' platform-mark--dot">{row.icon}</span></span>\n'
        '        <span class="convo__main">\n'
        f'          <span class="convo__top"><strong class="convo__name">{escape(row.name)}'
        f'</strong><time datetime="{when}">{escape(row.when)}</time></span>\n'
        f'          <span class="convo__preview">{"💬 " if c.kind == "comment" else ""}'
        f"{escape(c.preview or '—')}</span>\n"
        f'          <span class="convo__meta">{escape(c.account.display_name)}{assignee}{labels}'
        f"{status}</span>\n"
        "        </span>\n"
        f"        {'<span class="convo__dot" aria-label="Unread"></span>' if c.unread else ''}\n"
        "      </a>\n"
        f"      {done}"
    )
