"""Benchmark of the inbox pages over a million stored messages, and of the list's search.

    .venv/bin/python bench/inbox.py
    .venv/bin/python bench/inbox.py --reuse

Runs on its own PostgreSQL database (kept afterwards so `--reuse` can skip generating the data
again) and its own Redis queue, on 127.0.0.1. The webhook rounds (deliveries accepted by
gunicorn, processed by Celery workers) moved to bench/webhooks.py. bench/README.md says what is
measured. Shares its plumbing with bench/publish.py."""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import redis

# This file is named like the inbox app: the project's packages must come before bench/ on
# sys.path. bench/publish.py (imported next, found in bench/) puts the project first as well.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from publish import (  # in bench/, this script's directory
    drop_database,
    free_port,
    loopback,
    percentile,
    recreate_database,
    say,
    table,
    use_environment,
    with_database,
)

if TYPE_CHECKING:
    from accounts.models import User, Workspace

PSID_BASE = 7_100_000_000_000_000  # people who message the Page: numeric ids, like Meta's
MAIN_SLUG = "bench-inbox"  # the workspace whose pages are timed
DATASET_TABLE = "bench_inbox_dataset"  # what was generated, for --reuse
SLOW_MS = 300  # a page whose p95 is above this gets its slowest query explained

# Message texts: random picks of these words. COMMON_WORD is one of them (in ~7 % of messages),
# RARE_WORD is added to one message in 20,000 (a search that finds almost nothing).
WORDS = """hello hi thanks thank you please order delivery shipping package arrived late today
tomorrow yesterday week refund return exchange size colour color price discount code coupon
store open hours closed address change cancel account password login app website link broken
help question problem issue great love amazing awesome bad wrong missing damaged box item
product coffee beans grinder mug cup espresso latte cappuccino decaf roast blend subscription
monthly invoice receipt payment card paypal charged twice tracking number still waiting when
where why how what can could would should need want like get send sent back new old first
again soon morning evening weekend lisbon porto london paris berlin madrid gift wrap message
photo picture video review stars recommend friend family team support agent reply answer
""".split()  # noqa: SIM905 - prose reads better
COMMON_WORD = "refund"
RARE_WORD = "chargeback"
RARE_ODDS = 20_000
FIRST_NAMES = """Ana Bruno Carla Diego Elena Fatima Gabriel Hana Ivan Julia Kenji Lucia Marco
Nadia Omar Paula Quentin Rosa Samir Tomas Ursula Victor Wendy Xavier Yara Zoe Amir Beatriz
Chen Dara Emeka Freya Goran Ines Jonas Kofi Leila Mateo Noor Oskar""".split()  # noqa: SIM905
LAST_NAMES = """Lima Silva Costa Santos Pereira Oliveira Almeida Ferreira Rodrigues Martins
Smith Jones Brown Taylor Wilson Evans Garcia Martinez Lopez Gonzalez Muller Schmidt Fischer
Weber Meyer Rossi Russo Ferrari Esposito Bianchi Nakamura Tanaka Kim Park Nguyen Okafor Mensah
Haddad Kowalski Novak Jensen Hansen Larsen Dubois Moreau Laurent Ivanova Petrov Popescu
Horvat""".split()  # noqa: SIM905
NAME_QUERY = "Okafor"  # one last name in 49
LABELS = ["Billing", "Bug", "Feedback", "Shipping", "Urgent", "VIP"]
LONG_THREAD, SHORT_THREAD = 500, 5  # the two conversations the page queries are counted on


# --- Command line ------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    data = parser.add_argument_group("the stored inbox the pages are read from")
    data.add_argument(
        "--messages", type=int, default=1_000_000, help="messages in all (default 1,000,000)"
    )
    data.add_argument(
        "--conversations", type=int, default=50_000, help="conversations in all (default 50,000)"
    )
    data.add_argument("--workspaces", type=int, default=5, help="workspaces (default 5)")
    data.add_argument(
        "--share",
        type=float,
        default=0.4,
        help="part of the conversations in the timed workspace (default 0.4)",
    )
    data.add_argument(
        "--reuse", action="store_true", help="keep the data of an earlier run with these sizes"
    )
    pages = parser.add_argument_group("pages")
    pages.add_argument(
        "--requests", type=int, default=50, help="timed requests per page (default 50)"
    )
    pages.add_argument(
        "--page-budget",
        type=float,
        default=60,
        help="seconds one page may take in all; stops early (at least 5 requests) (default 60)",
    )
    parser.add_argument(
        "--database",
        default="mixora_bench_inbox",
        help="kept between runs for --reuse (default mixora_bench_inbox)",
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args(argv)
    if args.messages < 10 * LONG_THREAD or args.conversations < 100:
        parser.error(f"--messages must be at least {10 * LONG_THREAD}, --conversations 100")
    if min(args.requests, args.workspaces) < 1:
        parser.error("--requests, --workspaces: >= 1")
    if not 0 < args.share <= 1:
        parser.error("--share must be in (0, 1]")
    if "bench" not in args.database:
        parser.error("--database may be dropped: its name must contain 'bench'")
    return args


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}" if seconds >= 0.01 else f"{seconds * 1000:.1f}"


# --- The stored inbox: generated in SQL ----------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    workspace_id: int  # the timed workspace
    owner_id: int  # its owner, who reads the pages
    long_id: int  # a conversation of LONG_THREAD messages
    short_id: int  # one of SHORT_THREAD messages


def dataset_key(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "messages": args.messages,
        "conversations": args.conversations,
        "workspaces": args.workspaces,
        "share": args.share,
    }


def stored_dataset(database_url: str, args: argparse.Namespace) -> Dataset | None:
    """The dataset an earlier run generated with the same sizes, if the database holds one."""
    try:
        conn = psycopg.connect(database_url, autocommit=True)
    except psycopg.OperationalError:
        return None  # no such database yet
    with conn:
        if conn.execute("SELECT to_regclass(%s)", [DATASET_TABLE]).fetchone()[0] is None:
            return None
        row = conn.execute(
            "SELECT key, workspace_id, owner_id, long_id, short_id FROM bench_inbox_dataset"
        ).fetchone()
    if row is None or row[0] != dataset_key(args):
        return None
    return Dataset(*row[1:])


def timed(label: str, step: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = step()
    say(f"  {label}: {time.perf_counter() - start:.1f} s")
    return result


def generate(args: argparse.Namespace) -> Dataset:
    """Workspaces, members, accounts and labels through the ORM; conversations, messages, read
    marks and labels in bulk with INSERT … SELECT generate_series; then VACUUM ANALYZE."""
    from django.db import connection

    say(
        f"Generating {args.messages:,} messages in {args.conversations:,} conversations over "
        f"{args.workspaces} workspaces ({args.share:.0%} in {MAIN_SLUG}):"
    )
    begin = time.perf_counter()
    workspaces, users = timed("workspaces, members, accounts, labels", lambda: _orm_rows(args))
    main = workspaces[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")  # the same data every time
        cursor.execute("SET maintenance_work_mem = '512MB'")
        # The search triggers group every new message's words by conversation (migration 0007).
        cursor.execute("SET work_mem = '256MB'")
        long_id, short_id, first, last = timed(
            "conversations", lambda: _conversations(cursor, args, workspaces)
        )
        indexes = _secondary_indexes(cursor, "inbox_message")
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        timed("messages", lambda: _messages(cursor, args, (long_id, short_id), (first, last)))
        timed(
            f"{len(indexes)} message indexes",
            lambda: [cursor.execute(definition) for _, definition in indexes],
        )
        timed("conversation summaries", lambda: _summaries(cursor))
        timed("read marks, labels, assignees", lambda: _team_state(cursor, main, users))
        timed(
            "VACUUM ANALYZE",
            lambda: cursor.execute(
                "VACUUM (ANALYZE) inbox_message, inbox_conversation, inbox_readmark,"
                " inbox_conversation_labels, connections_connectedaccount"
            ),
        )
        dataset = Dataset(main.pk, users[0].pk, long_id, short_id)
        cursor.execute(
            "CREATE TABLE bench_inbox_dataset (key jsonb, workspace_id int, owner_id int,"
            " long_id int, short_id int, generated_at timestamptz DEFAULT now())"
        )
        cursor.execute(
            "INSERT INTO bench_inbox_dataset (key, workspace_id, owner_id, long_id, short_id)"
            " VALUES (%s, %s, %s, %s, %s)",
            [json.dumps(dataset_key(args)), main.pk, users[0].pk, long_id, short_id],
        )
    say(f"  in all: {time.perf_counter() - begin:.1f} s")
    return dataset


def _orm_rows(args: argparse.Namespace) -> tuple[list[Workspace], list[User]]:
    """The timed workspace first (an owner and three teammates who answer the inbox), then the
    others; three accounts each (Facebook, Instagram, X) with made-up ids no webhook names."""
    from accounts.models import Membership, User, Workspace
    from accounts.roles import Role
    from connections.models import ConnectedAccount
    from inbox.models import Label

    workspaces = Workspace.objects.bulk_create(
        [Workspace(name="Bench Inbox", slug=MAIN_SLUG)]
        + [
            Workspace(name=f"Bench Other {i}", slug=f"bench-other-{i}")
            for i in range(1, args.workspaces)
        ]
    )
    users = [
        User.objects.create_user(f"{who}@bench.test", full_name=f"Bench {who.title()}")
        for who in ("owner", "alex", "sam", "kim")
    ]
    roles = [Role.OWNER, Role.EDITOR, Role.EDITOR, Role.APPROVER]
    Membership.objects.bulk_create(
        Membership(workspace=workspaces[0], user=user, role=role)
        for user, role in zip(users, roles, strict=True)
    )
    scopes = {
        "facebook": ["pages_messaging", "pages_manage_engagement"],
        "instagram": ["instagram_manage_messages", "instagram_manage_comments"],
        "x": ["dm.read", "dm.write", "tweet.read", "tweet.write", "users.read"],
    }
    ConnectedAccount.objects.bulk_create(
        ConnectedAccount(
            workspace=workspace,
            platform=platform,
            external_id=f"bench-{workspace.pk}-{platform}",
            display_name=f"{workspace.name} {platform.title()}",
            handle=f"@bench{workspace.pk}{platform}",
            scopes=scopes[platform],
        )
        for workspace in workspaces
        for platform in ("facebook", "instagram", "x")
    )
    Label.objects.bulk_create(
        Label(workspace=workspace, name=name) for workspace in workspaces for name in LABELS
    )
    return workspaces, users


def _conversations(
    cursor: Any, args: argparse.Namespace, workspaces: list[Workspace]
) -> tuple[int, int, int, int]:
    """The long and short threads (open, in the timed workspace), then the rest: spread over
    the workspaces (`share` in the timed one), accounts round-robin, 70 % direct messages,
    35 % open, 10 % pending, 5 % snoozed, 50 % resolved. Summaries come after the messages."""
    cursor.execute(
        "SELECT array_agg(id ORDER BY workspace_id, platform) FROM connections_connectedaccount"
        " WHERE workspace_id = ANY(%s)",
        [[w.pk for w in workspaces]],
    )
    accounts = cursor.fetchone()[0]  # 3 per workspace, the timed workspace's first
    others = len(workspaces) - 1
    insert = """
        INSERT INTO inbox_conversation (workspace_id, account_id, kind, thread_key,
            participant_id, participant_name, participant_handle, participant_avatar_url,
            participant_avatar, search_name, external_post_id, post_target_id, status,
            snoozed_until, assignee_id, last_message_at, last_inbound_at, preview, created_at,
            updated_at)
        SELECT a.workspace_id, a.id, s.kind, 'bench-' || s.g, (%(psid)s + s.g)::text,
            p.name, p.handle, '', '',
            -- inbox.search.participant_key (the names are ASCII: lower-casing is enough)
            lower(trim(p.name || ' ' || p.handle)),
            CASE WHEN s.kind = 'comment' THEN a.external_id || '_' || (s.g %% 400) ELSE '' END,
            NULL, s.status, CASE WHEN s.status = 'snoozed' THEN now() + interval '7 days' END,
            NULL, now() - interval '181 days', NULL, '', now() - interval '200 days', now()
        FROM (
            SELECT g,
                CASE WHEN %(counted)s OR %(others)s = 0 OR (g * 7919) %% 1000 < %(share)s
                    THEN 0 ELSE 1 + g %% GREATEST(%(others)s, 1) END AS slot,
                CASE WHEN %(counted)s OR r2 < 0.7 THEN 'message' ELSE 'comment' END AS kind,
                (ARRAY['open', 'pending', 'snoozed', 'resolved'])[
                    CASE WHEN %(counted)s OR r < 0.35 THEN 1 WHEN r < 0.45 THEN 2
                    WHEN r < 0.5 THEN 3 ELSE 4 END] AS status
            FROM (SELECT g, random() AS r, random() AS r2
                FROM generate_series(%(start)s, %(stop)s) g) n
        ) s
        JOIN connections_connectedaccount a
            ON a.id = (%(accounts)s::int[])[1 + s.slot * 3 + s.g %% 3]
        CROSS JOIN LATERAL (SELECT
            (%(first)s::text[])[1 + s.g %% %(nfirst)s] || ' '
                || (%(last)s::text[])[1 + (s.g / %(nfirst)s) %% %(nlast)s] AS name,
            CASE WHEN a.platform = 'facebook' THEN '' ELSE
                lower((%(first)s::text[])[1 + s.g %% %(nfirst)s]) || s.g END AS handle) p
        ORDER BY s.g
        RETURNING id
    """
    params = {
        "psid": PSID_BASE,
        "first": FIRST_NAMES,
        "nfirst": len(FIRST_NAMES),
        "last": LAST_NAMES,
        "nlast": len(LAST_NAMES),
        "others": others,
        "share": round(args.share * 1000),
        "accounts": accounts,
    }
    # The two counted threads (g = 1, 2): open direct messages in the timed workspace.
    cursor.execute(insert, {**params, "counted": True, "start": 1, "stop": 2})
    long_id, short_id = (row[0] for row in cursor.fetchall())
    cursor.execute(insert, {**params, "counted": False, "start": 3, "stop": args.conversations})
    ids = [row[0] for row in cursor.fetchall()]
    first, last = min(ids), max(ids)
    if last - first + 1 != len(ids):  # messages pick a conversation by id arithmetic
        raise RuntimeError("conversation ids are not contiguous")
    return long_id, short_id, first, last


def _secondary_indexes(cursor: Any, table_name: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX …) of the table's indexes that back no constraint: dropped for the
    bulk load and created again, exactly as the migrations made them."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """,
        [table_name],
    )
    return list(cursor.fetchall())


def _messages(
    cursor: Any, args: argparse.Namespace, counted: tuple[int, int], bulk: tuple[int, int]
) -> None:
    """The counted threads' exact messages, then the rest over the other conversations, skewed
    (conversation = first + n·u^1.5: the first conversations get the most, up to ~40× the
    mean), directions 60 % inbound, 35 % outbound, 5 % notes, sent within 180 days."""
    picks = ", ".join(["w[1 + floor(random() * %(nwords)s)::int]"] * 13)
    insert = """
        WITH v AS (SELECT %(words)s::text[] AS w)
        INSERT INTO inbox_message (conversation_id, account_id, direction, external_id,
            author_id, sender_name, text, search_text, sent_at, status, error, messaging_type,
            tag, in_reply_to, send_started_at, attempts, pending_attachments)
        SELECT c.id, c.account_id, s.direction,
            CASE WHEN s.direction = 'note' THEN '' ELSE 'bm' || s.g END, NULL,
            CASE s.direction WHEN 'inbound' THEN c.participant_name
                WHEN 'outbound' THEN 'Bench account' ELSE 'Bench teammate' END,
            s.text, s.text, now() - s.age, CASE WHEN s.direction = 'inbound' THEN 'received'
                ELSE 'sent' END, '', '', '', '', NULL, 0, '[]'::jsonb
        FROM (
            SELECT g, {conversation} AS cid,
                CASE WHEN d < 0.6 THEN 'inbound' WHEN d < 0.95 THEN 'outbound'
                    ELSE 'note' END AS direction,
                random() * interval '180 days' AS age,
                array_to_string((ARRAY[{picks}])[1:5 + floor(random() * 9)::int], ' ')
                    || CASE WHEN random() * %(rare_odds)s < 1 THEN ' ' || %(rare)s ELSE '' END
                    AS text
            FROM (SELECT g, random() AS d FROM generate_series(%(start)s, %(stop)s) g) n, v
        ) s
        JOIN inbox_conversation c ON c.id = s.cid
    """.replace("{picks}", picks)
    params = {
        "words": WORDS,
        "nwords": len(WORDS),
        "rare": RARE_WORD,
        "rare_odds": RARE_ODDS,
    }
    long_id, short_id = counted
    start = 1
    for conversation, count in ((long_id, LONG_THREAD), (short_id, SHORT_THREAD)):
        stop_at = start + count - 1
        sql = insert.replace("{conversation}", "%(conversation)s")
        cursor.execute(
            sql, {**params, "conversation": conversation, "start": start, "stop": stop_at}
        )
        start = stop_at + 1
    first, last = bulk
    spread = "%(first)s + floor((%(n)s) * power(random(), 1.5))::int"
    cursor.execute(
        insert.replace("{conversation}", spread),
        {**params, "first": first, "n": last - first + 1, "start": start, "stop": args.messages},
    )


def _summaries(cursor: Any) -> None:
    """Each conversation's last message time, preview and last customer message, as ingest
    keeps them."""
    cursor.execute(
        """
        UPDATE inbox_conversation c
        SET last_message_at = l.sent_at, updated_at = l.sent_at, preview = left(l.text, 200),
            last_inbound_at = i.last_in
        FROM (
            SELECT DISTINCT ON (conversation_id) conversation_id, sent_at, text
            FROM inbox_message ORDER BY conversation_id, sent_at DESC, id DESC
        ) l
        LEFT JOIN (
            SELECT conversation_id, max(sent_at) AS last_in FROM inbox_message
            WHERE direction = 'inbound' GROUP BY conversation_id
        ) i USING (conversation_id)
        WHERE c.id = l.conversation_id
        """
    )


def _team_state(cursor: Any, main: Workspace, users: list[User]) -> None:
    """In the timed workspace: its owner has read 70 % of the threads (the rest are unread),
    30 % are assigned. Everywhere: 20 % of the threads carry a label."""
    cursor.execute(
        """
        INSERT INTO inbox_readmark (conversation_id, user_id, read_at)
        SELECT id, %s, last_inbound_at + interval '1 minute' FROM inbox_conversation
        WHERE workspace_id = %s AND last_inbound_at IS NOT NULL AND random() < 0.7
        """,
        [users[0].pk, main.pk],
    )
    cursor.execute(
        "UPDATE inbox_conversation SET assignee_id = (%s::int[])[1 + id %% %s]"
        " WHERE workspace_id = %s AND random() < 0.3",
        [[u.pk for u in users], len(users), main.pk],
    )
    cursor.execute(
        """
        INSERT INTO inbox_conversation_labels (conversation_id, label_id)
        SELECT c.id, l.ids[1 + c.id % array_length(l.ids, 1)]
        FROM inbox_conversation c
        JOIN (SELECT workspace_id, array_agg(id ORDER BY id) AS ids FROM inbox_label
            GROUP BY workspace_id) l USING (workspace_id)
        WHERE random() < 0.2
        """
    )


def describe(dataset: Dataset) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM inbox_message),
                (SELECT count(*) FROM inbox_conversation),
                (SELECT count(DISTINCT workspace_id) FROM inbox_conversation),
                (SELECT count(*) FROM inbox_conversation WHERE workspace_id = %(w)s),
                (SELECT count(*) FROM inbox_conversation WHERE workspace_id = %(w)s
                    AND status = 'open'),
                (SELECT count(*) FROM inbox_message m JOIN inbox_conversation c
                    ON c.id = m.conversation_id WHERE c.workspace_id = %(w)s),
                (SELECT max(n) FROM (SELECT count(*) n FROM inbox_message
                    GROUP BY conversation_id) t),
                pg_size_pretty(pg_database_size(current_database()))
            """,
            {"w": dataset.workspace_id},
        )
        total, convs, spaces, main_convs, main_open, main_msgs, biggest, size = cursor.fetchone()
    return [
        f"{total:,} messages in {convs:,} conversations over {spaces} workspaces "
        f"(database {size}); {MAIN_SLUG}: {main_convs:,} conversations ({main_open:,} open), "
        f"{main_msgs:,} messages; the longest thread has {biggest:,} messages"
    ]


# --- Pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageTiming:
    name: str
    url: str
    times: list[float]  # seconds, ascending
    rows: int  # conversations listed, or messages in the thread
    captured: list[dict[str, str]]  # the queries of one more request…
    captured_seconds: float  # … and how long that request took

    @property
    def sql_seconds(self) -> float:
        return sum(float(query["time"]) for query in self.captured)

    def cells(self) -> list[str]:
        return [
            self.name,
            str(len(self.times)),
            ms(percentile(self.times, 50)),
            ms(percentile(self.times, 95)),
            ms(self.times[-1]),
            str(len(self.captured)),
            ms(self.sql_seconds),
            str(self.rows),
        ]


PAGE_HEADERS = ["page", "n", "p50", "p95", "max", "queries", "sql ms", "rows"]


def time_page(
    client: Any, name: str, url: str, args: argparse.Namespace, marker: str
) -> PageTiming:
    """Two warm-up requests, one with its queries captured, then up to --requests timed ones
    (fewer when --page-budget runs out, never fewer than 5)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        check(client.get(url), url)
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        response = check(client.get(url), url)
        captured_seconds = time.perf_counter() - start
    queries = list(captured.captured_queries)  # now: the next request resets the log
    rows = response.content.decode().count(marker)
    times: list[float] = []
    deadline = time.monotonic() + args.page_budget
    while len(times) < args.requests and (len(times) < 5 or time.monotonic() < deadline):
        start = time.perf_counter()
        check(client.get(url), url)
        times.append(time.perf_counter() - start)
    return PageTiming(name, url, sorted(times), rows, queries, captured_seconds)


def check(response: Any, url: str) -> Any:
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def owner_client(dataset: Dataset) -> Any:
    """Django's test Client, logged in as the timed workspace's owner."""
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=dataset.owner_id))
    return client


def pages(
    args: argparse.Namespace, dataset: Dataset, client: Any, small_id: int
) -> list[PageTiming]:
    from django.urls import reverse

    from inbox import queries
    from inbox.models import Conversation

    inbox = reverse("inbox", args=[MAIN_SLUG])
    small = reverse("inbox", args=[SMALL_SLUG])
    thread = "inbox_conversation"
    shown, _ = queries.thread(Conversation.objects.get(pk=dataset.long_id))
    cases = [
        ("inbox (open)", inbox, "data-conversation="),
        (f"inbox ?q={COMMON_WORD}", f"{inbox}?q={COMMON_WORD}", "data-conversation="),
        (f"inbox ?q={RARE_WORD}", f"{inbox}?q={RARE_WORD}", "data-conversation="),
        (f"inbox ?q={NAME_QUERY}", f"{inbox}?q={NAME_QUERY}", "data-conversation="),
        ("inbox ?unread=1", f"{inbox}?unread=1", "data-conversation="),
        (
            f"inbox ?unread=1&q={COMMON_WORD}",
            f"{inbox}?unread=1&q={COMMON_WORD}",
            "data-conversation=",
        ),
        (
            f"conversation, {SHORT_THREAD} messages",
            reverse(thread, args=[MAIN_SLUG, dataset.short_id]),
            "data-message=",
        ),
        (
            f"conversation, {LONG_THREAD} messages",
            reverse(thread, args=[MAIN_SLUG, dataset.long_id]),
            "data-message=",
        ),
        (
            f"its earlier {queries.THREAD_WINDOW} (?before=)",
            reverse("inbox_thread", args=[MAIN_SLUG, dataset.long_id]) + f"?before={shown[0].pk}",
            "data-message=",
        ),
        (f"{SMALL_SLUG} ?q={COMMON_WORD}", f"{small}?q={COMMON_WORD}", "data-conversation="),
        (f"{SMALL_SLUG} ?q={RARE_WORD}", f"{small}?q={RARE_WORD}", "data-conversation="),
    ]
    results = []
    for name, url, marker in cases:
        say(f"… {name}")
        results.append(time_page(client, name, url, args, marker))
    return results


SMALL_SLUG = "bench-small"  # a small tenant beside the others' million messages
SMALL_CONVERSATIONS, SMALL_MESSAGES = 200, 2_000


def small_tenant(dataset: Dataset) -> int:
    """A workspace of SMALL_MESSAGES messages (the same vocabulary), its owner the timed
    workspace's: made once, through the ORM (the search triggers fill the documents), and kept
    for --reuse. Its id."""
    import random

    from django.db import connection

    from accounts.models import Membership, Workspace
    from accounts.roles import Role
    from connections.models import ConnectedAccount
    from inbox.models import Conversation, Message
    from inbox.search import normalise

    existing = Workspace.objects.filter(slug=SMALL_SLUG).first()
    if existing is not None:
        return existing.pk
    rng = random.Random(42)  # noqa: S311 - made-up messages
    workspace = Workspace.objects.create(name="Bench Small", slug=SMALL_SLUG)
    Membership.objects.create(workspace=workspace, user_id=dataset.owner_id, role=Role.OWNER)
    account = ConnectedAccount.objects.create(
        workspace=workspace,
        platform="x",
        external_id="bench-small-x",
        display_name="Bench Small X",
        scopes=["dm.read", "dm.write", "tweet.read", "tweet.write", "users.read"],
    )
    conversations = Conversation.objects.bulk_create(
        Conversation(
            workspace=workspace,
            account=account,
            kind="message",
            thread_key=f"small-{n}",
            participant_id=f"small-{n}",
            participant_name=(name := f"{FIRST_NAMES[n % 40]} {LAST_NAMES[n % 49]}"),
            search_name=normalise(name),
            status="open" if n % 2 else "resolved",
        )
        for n in range(SMALL_CONVERSATIONS)
    )
    texts = [" ".join(rng.choices(WORDS, k=rng.randint(5, 13))) for _ in range(SMALL_MESSAGES)]
    Message.objects.bulk_create(
        Message(
            conversation=conversations[n % SMALL_CONVERSATIONS],
            account=account,
            direction="inbound",
            text=text,
            search_text=normalise(text),
            external_id=f"small-{n}",
        )
        for n, text in enumerate(texts)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inbox_conversation")
    return workspace.pk


# The search as it was before issue 15 (inbox/queries.py at 3a089bc): the conversation's
# name, or EXISTS a message of it matching, through a GIN index on every message's text.
BASELINE_INDEX = "bench_baseline_message_search"


def baseline_filter(q: str) -> Any:
    from django.contrib.postgres.search import SearchQuery, SearchVector
    from django.db.models import Exists, OuterRef, Q

    from inbox.models import Message
    from inbox.search import normalise

    q = normalise(q)
    hits = (
        Message.objects.annotate(search=SearchVector("search_text", config="simple"))
        .filter(search=SearchQuery(q, config="simple", search_type="websearch"))
        .filter(conversation=OuterRef("pk"))
    )
    return Q(search_name__contains=q) | Exists(hits)


@dataclass(frozen=True)
class SearchTiming:
    name: str
    rows: int
    new: list[float]  # seconds, ascending
    old: list[float]

    def cells(self) -> list[str]:
        new95, old95 = percentile(self.new, 95), percentile(self.old, 95)
        return [
            self.name,
            str(self.rows),
            ms(percentile(self.new, 50)),
            ms(new95),
            ms(percentile(self.old, 50)),
            ms(old95),
            f"{old95 / new95:.0f}×",
        ]


SEARCH_HEADERS = ["list query", "rows", "p50", "p95", "before p50", "before p95", "ratio p95"]


def searches(args: argparse.Namespace, dataset: Dataset, small_id: int) -> list[SearchTiming]:
    """The list's query (one page, 51 rows asked) with the search of migration 0007 and with
    the one before it, on the same data; the baseline's message index is built for it and
    dropped afterwards (the app has no such index; --reuse keeps the database)."""
    from django.db import connection

    from accounts.models import User, Workspace
    from inbox import queries

    with connection.cursor() as cursor:
        timed(
            "baseline index (every message's text)",
            lambda: cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {BASELINE_INDEX} ON inbox_message USING gin "
                "(to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
            ),
        )
        cursor.execute("ANALYZE inbox_message")
    owner = User.objects.get(pk=dataset.owner_id)
    main, small = Workspace.objects.get(pk=dataset.workspace_id), Workspace.objects.get(pk=small_id)
    cases = [
        (main, q, unread) for unread in (False, True) for q in (COMMON_WORD, RARE_WORD, NAME_QUERY)
    ] + [(small, COMMON_WORD, False), (small, RARE_WORD, False)]
    results = []
    page = queries.PAGE_SIZE + 1
    try:
        for workspace, q, unread in cases:
            name = f"{workspace.slug} q={q}" + (" unread" if unread else "")
            say(f"… {name}")
            base = queries.conversations(workspace, owner, queries.Filters(unread=unread))
            new = queries.conversations(workspace, owner, queries.Filters(unread=unread, q=q))
            old = base.filter(baseline_filter(q))
            rows = len(new[:page])
            if rows != len(old[:page]):
                raise RuntimeError(f"{name}: {rows} rows, {len(old[:page])} before")
            results.append(
                SearchTiming(
                    name,
                    rows,
                    _times(lambda qs=new: list(qs[:page]), args),
                    _times(lambda qs=old: list(qs[:page]), args),
                )
            )
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {BASELINE_INDEX}")
    return results


def _times(run: Callable[[], Any], args: argparse.Namespace) -> list[float]:
    run()  # warm
    times: list[float] = []
    deadline = time.monotonic() + args.page_budget
    while len(times) < args.requests and (len(times) < 5 or time.monotonic() < deadline):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return sorted(times)


def explain_search(dataset: Dataset) -> list[str]:
    """EXPLAIN ANALYZE of the list's query for a common and a rare word: lines to print."""
    from django.db import connection

    from accounts.models import User, Workspace
    from inbox import queries

    owner = User.objects.get(pk=dataset.owner_id)
    workspace = Workspace.objects.get(pk=dataset.workspace_id)
    lines = []
    for q in (COMMON_WORD, RARE_WORD):
        qs = queries.conversations(workspace, owner, queries.Filters(q=q))[: queries.PAGE_SIZE + 1]
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
            plan = [row[0] for row in cursor.fetchall()]
        lines.append(f"\nq={q}, {MAIN_SLUG}, open (the default):")
        lines.extend(line for line in plan if "SubPlan" not in line)
    return lines


def explain_slow(client: Any, timings: list[PageTiming]) -> list[str]:
    """For each page whose p95 is over SLOW_MS: its slowest query under EXPLAIN ANALYZE when
    SQL is a good part of the time, else one request under cProfile. Lines to print."""
    from django.db import connection

    lines: list[str] = []
    for timing in timings:
        p95 = percentile(timing.times, 95)
        if p95 * 1000 <= SLOW_MS:
            continue
        slowest = max(timing.captured, key=lambda q: float(q["time"]))
        lines.append(
            f"\n{timing.name}: p95 {ms(p95)} ms, over {SLOW_MS} ms. The captured request took "
            f"{ms(timing.captured_seconds)} ms, {ms(timing.sql_seconds)} ms of it in "
            f"{len(timing.captured)} queries; the slowest query took "
            f"{ms(float(slowest['time']))} ms."
        )
        if float(slowest["time"]) >= timing.captured_seconds / 4:
            lines.append(f"{slowest['sql']}\n")
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
                lines.extend(row[0] for row in cursor.fetchall())
        else:
            lines.append("The time is Python (the view, the template). One request, cProfile:")
            profiler = cProfile.Profile()
            profiler.runcall(client.get, timing.url)
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
            stats.print_stats(r"template/(base|defaulttags|loader_tags)\.py|inbox/|views", 15)
            lines.append(out.getvalue().strip())
    return lines


# --- Main --------------------------------------------------------------------------------


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base_url = loopback(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mixora"))
    redis_url = loopback(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    admin_url = with_database(base_url, "postgres")
    database_url = with_database(base_url, args.database)
    queue = f"mixora-bench-{secrets.token_hex(4)}"
    broker = redis.Redis.from_url(redis_url)

    use_environment(database_url, redis_url, queue, free_port())
    # INFO lines would drown the tables (and cost time).
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    dataset = stored_dataset(database_url, args) if args.reuse else None
    if dataset is None:
        recreate_database(admin_url, args.database)
    page_rows: list[PageTiming] = []
    search_rows: list[SearchTiming] = []
    explained: list[str] = []
    load = os.getloadavg()[0]  # other work on the machine shows in the figures
    try:
        setup_django()
        if dataset is None:
            dataset = generate(args)
        else:
            say(f"Reusing the data in {args.database} (--reuse).")
        summary = describe(dataset)
        page_client = owner_client(dataset)
        small_id = timed(f"{SMALL_SLUG}", lambda: small_tenant(dataset))
        page_rows = pages(args, dataset, page_client, small_id)
        explained = explain_slow(page_client, page_rows)
        search_rows = searches(args, dataset, small_id)
        explained += explain_search(dataset)
        say()
        for line in summary:
            say(line)
        say(f"Load average (1 min): {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.")
        say(
            f"\nPages of {MAIN_SLUG} as its owner, Django test Client in-process, "
            f"{os.cpu_count()} cores (ms; queries and sql ms: one more request, captured; "
            "rows = conversations listed or messages shown):"
        )
        table(PAGE_HEADERS, [t.cells() for t in page_rows])
        say(
            "\nThe list's query alone (ms, one page): searching each conversation's document "
            "(migration 0007) and, before, every message (the search of 3a089bc with its "
            "index); ratio = before / now at p95:"
        )
        table(SEARCH_HEADERS, [t.cells() for t in search_rows])
        for line in explained:
            say(line)
    finally:
        from django.db import connections

        connections.close_all()
        broker.delete(
            queue, *(f"_kombu.{kind}.{queue}" for kind in ("binding", "binding_permanent"))
        )
        if args.drop:
            drop_database(admin_url, args.database)
    return 1 if any(percentile(t.times, 95) * 1000 > SLOW_MS for t in page_rows) else 0


if __name__ == "__main__":
    sys.exit(main())
