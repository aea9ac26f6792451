"""The calendar's posts as markup made in Python: a busy week shows 336 of them, and the same
markup from a template (an {% include %} per post, two loops over its targets) cost about a
millisecond each (issue 15). `{% load calendar_tags %}`."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from django import template
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from ..views.calendar import Entry, Slot

register = template.Library()


@register.simple_tag
def cal_post(entry: Entry, can_compose: bool) -> SafeString:
    """One post of a month day or a week hour: a link to its page, draggable when it may
    move, its time, its targets' icons and states, its text."""
    paused = entry.paused
    drag = (
        f' draggable="true" data-move-url="{escape(entry.move_url)}"'
        f' data-seen="{escape(entry.seen)}" data-time="{escape(entry.time)}"'
        if can_compose and entry.movable
        else ""
    )
    marks = "".join(
        f'<span class="platform-mark platform-mark--xs cal-mark cal-mark--{escape(m.state)}"'
        f' title="{escape(m.account)} · {escape(str(m.state_label))}">{m.icon}</span>'
        for m in entry.marks
    )
    said = "".join(f" {escape(m.account)}: {escape(str(m.state_label))}." for m in entry.marks)
    return mark_safe(  # noqa: S308 (every value above is escaped; the icons are our files)
        f'<a class="cal-post cal-post--{escape(entry.post.stage)}'
        f'{" is-paused" if paused else ""}" href="{escape(entry.url)}"{drag}>\n'
        '  <span class="cal-post__top">\n'
        f'    <time class="cal-post__time" datetime="{escape(entry.iso)}">'
        f"{escape(entry.time)}</time>\n"
        f"    {'<span class="cal-post__paused">Paused</span>' if paused else ''}\n"
        f'    <span class="cal-post__marks">{marks}</span>\n'
        "  </span>\n"
        f'  <span class="cal-post__text">{escape(entry.text)}</span>\n'
        f'  <span class="sr-only">{escape(str(entry.stage_label))}.{said}'
        f"{' A queue it is in is paused.' if paused else ''}</span>\n"
        "</a>\n"
    )


@register.simple_tag
def week_slot(slot: Slot, label: str, can_compose: bool, new_url: str) -> SafeString:
    """One hour of one day in the week grid (168 of them): its posts, "+N more", and a "+"
    to compose there when the hour has not begun."""
    day = slot.day
    now = (
        f'<span class="wk__now wk__now--q{slot.now_quarter}" aria-hidden="true"></span>'
        if slot.now_quarter is not None
        else ""
    )
    posts = "".join(cal_post(entry, can_compose) for entry in slot.entries)
    more = (
        f'<span class="cal-day__more">+{slot.more} more<span class="sr-only"> at '
        f"{escape(label)}</span></span>"
        if slot.more
        else ""
    )
    add = (
        f'<a class="wk__add" href="{escape(new_url)}?at={escape(slot.compose_at)}"'
        f' aria-label="New post on {escape(day.long)} at {escape(label)}" tabindex="-1">+</a>'
        if can_compose and slot.compose_at
        else ""
    )
    return mark_safe(  # noqa: S308 (as cal_post)
        f'<td class="wk__slot{"" if slot.compose_at else " is-past"}'
        f'{" is-today" if day.is_today else ""}" data-date="{escape(day.iso)}"'
        f' data-hour="{slot.hour}">\n'
        f"            {now}\n"
        f"            {posts}\n"
        f"            {more}\n"
        f"            {add}\n"
        "          </td>"
    )
