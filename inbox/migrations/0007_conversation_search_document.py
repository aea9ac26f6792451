"""Search by conversation (issue 15): `inbox_conversation.search_document`, the distinct words of
the participant's name and handle and of every message of the thread (their normalised copies,
inbox/search.py), kept by triggers on both tables, with a GIN index on (workspace_id, document).
It replaces the per-message GIN index of 0006, whose search had to fetch every tenant's matching
messages before it could pick a conversation (bench/README.md, "Inbox benchmark").

PostgreSQL only: the local SQLite mode has no column and keeps its substring search. Not atomic,
so large tables are filled in batches of their own transactions and the index is built
CONCURRENTLY; the triggers exist before the backfill, so nothing written meanwhile is missed
(a batch rebuilds its conversations from scratch). Every step can run again."""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

BATCH = 2000
INDEX = "inbox_conv_search_document"
OLD_INDEX = "inbox_message_search_text"

# Words: the lexemes of the 'simple' configuration (lower-cased tokens, no stop words, no
# stemming), distinct and without positions, so a long thread's document stays small.
FUNCTIONS = """
CREATE OR REPLACE FUNCTION inbox_words(source text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT strip(to_tsvector('simple'::regconfig, COALESCE(source, '')))
$$;

-- The whole document of one conversation, from its name and the messages it has now. Past
-- PostgreSQL's 1 MB tsvector limit (some 80,000 distinct words in one thread) it holds the
-- name only: a deleted message's words must never stay findable.
CREATE OR REPLACE FUNCTION inbox_search_document(conversation bigint, search_name text)
RETURNS tsvector LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN inbox_words(search_name) || COALESCE(
        (SELECT array_to_tsvector(array_agg(DISTINCT w.lexeme))
         FROM inbox_message m, unnest(to_tsvector('simple'::regconfig, m.search_text)) w
         WHERE m.conversation_id = conversation),
        ''::tsvector);
EXCEPTION WHEN program_limit_exceeded THEN
    RAISE WARNING 'inbox conversation % has too many words to search', conversation;
    RETURN inbox_words(search_name);
END $$;

-- New messages add their words, once per statement (a bulk insert updates each conversation
-- once, and not at all when it already had every word). A document that would pass the 1 MB
-- limit stops growing rather than refusing the message.
CREATE OR REPLACE FUNCTION inbox_messages_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    added record;
BEGIN
    BEGIN
        UPDATE inbox_conversation c SET search_document = c.search_document || n.words
        FROM (
            SELECT m.conversation_id, array_to_tsvector(array_agg(DISTINCT w.lexeme)) AS words
            FROM new_rows m, unnest(to_tsvector('simple'::regconfig, m.search_text)) w
            GROUP BY m.conversation_id
        ) n
        WHERE c.id = n.conversation_id AND c.search_document || n.words <> c.search_document;
    EXCEPTION WHEN program_limit_exceeded THEN
        -- One conversation at a time, so the others still get their words.
        FOR added IN
            SELECT m.conversation_id, array_to_tsvector(array_agg(DISTINCT w.lexeme)) AS words
            FROM new_rows m, unnest(to_tsvector('simple'::regconfig, m.search_text)) w
            GROUP BY m.conversation_id
        LOOP
            BEGIN
                UPDATE inbox_conversation c SET search_document = c.search_document || added.words
                WHERE c.id = added.conversation_id;
            EXCEPTION WHEN program_limit_exceeded THEN
                RAISE WARNING 'inbox conversation % has too many words to search',
                    added.conversation_id;
            END;
        END LOOP;
    END;
    RETURN NULL;
END $$;

-- Deleted messages take their words away: the documents are rebuilt from what is left (once
-- per statement, so a purge batch rebuilds each conversation once).
CREATE OR REPLACE FUNCTION inbox_messages_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inbox_conversation c
    SET search_document = inbox_search_document(c.id, c.search_name)
    WHERE c.id IN (SELECT conversation_id FROM old_rows);
    RETURN NULL;
END $$;

-- An edited (or moved) message: its conversations are rebuilt.
CREATE OR REPLACE FUNCTION inbox_message_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inbox_conversation c
    SET search_document = inbox_search_document(c.id, c.search_name)
    WHERE c.id IN (OLD.conversation_id, NEW.conversation_id);
    RETURN NULL;
END $$;

-- A new conversation starts with its name's words; a new name replaces the old one's.
CREATE OR REPLACE FUNCTION inbox_conversation_named() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.search_document := inbox_words(NEW.search_name);
    ELSE
        NEW.search_document := inbox_search_document(NEW.id, NEW.search_name);
    END IF;
    RETURN NEW;
END $$;
"""

TRIGGERS = """
DROP TRIGGER IF EXISTS inbox_messages_inserted ON inbox_message;
CREATE TRIGGER inbox_messages_inserted AFTER INSERT ON inbox_message
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION inbox_messages_inserted();
DROP TRIGGER IF EXISTS inbox_messages_deleted ON inbox_message;
CREATE TRIGGER inbox_messages_deleted AFTER DELETE ON inbox_message
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION inbox_messages_deleted();
DROP TRIGGER IF EXISTS inbox_message_changed ON inbox_message;
CREATE TRIGGER inbox_message_changed AFTER UPDATE OF search_text, conversation_id
    ON inbox_message FOR EACH ROW
    WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text
        OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id)
    EXECUTE FUNCTION inbox_message_changed();
DROP TRIGGER IF EXISTS inbox_conversation_named ON inbox_conversation;
CREATE TRIGGER inbox_conversation_named BEFORE INSERT ON inbox_conversation
    FOR EACH ROW EXECUTE FUNCTION inbox_conversation_named();
DROP TRIGGER IF EXISTS inbox_conversation_renamed ON inbox_conversation;
CREATE TRIGGER inbox_conversation_renamed BEFORE UPDATE OF search_name ON inbox_conversation
    FOR EACH ROW WHEN (OLD.search_name IS DISTINCT FROM NEW.search_name)
    EXECUTE FUNCTION inbox_conversation_named();
"""

REMOVE = """
DROP TRIGGER IF EXISTS inbox_messages_inserted ON inbox_message;
DROP TRIGGER IF EXISTS inbox_messages_deleted ON inbox_message;
DROP TRIGGER IF EXISTS inbox_message_changed ON inbox_message;
DROP TRIGGER IF EXISTS inbox_conversation_named ON inbox_conversation;
DROP TRIGGER IF EXISTS inbox_conversation_renamed ON inbox_conversation;
DROP FUNCTION IF EXISTS inbox_messages_inserted();
DROP FUNCTION IF EXISTS inbox_messages_deleted();
DROP FUNCTION IF EXISTS inbox_message_changed();
DROP FUNCTION IF EXISTS inbox_conversation_named();
DROP FUNCTION IF EXISTS inbox_search_document(bigint, text);
DROP FUNCTION IF EXISTS inbox_words(text);
ALTER TABLE inbox_conversation DROP COLUMN IF EXISTS search_document;
"""


def _postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def add(apps, schema_editor):
    if not _postgresql(schema_editor):
        return
    # A constant default: no table rewrite.
    schema_editor.execute(
        "ALTER TABLE inbox_conversation "
        "ADD COLUMN IF NOT EXISTS search_document tsvector NOT NULL DEFAULT ''::tsvector"
    )
    schema_editor.execute(FUNCTIONS, params=None)  # its % are PL/pgSQL's
    schema_editor.execute(TRIGGERS)


def backfill(apps, schema_editor):
    if not _postgresql(schema_editor):
        return
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            cursor.execute(
                "WITH batch AS (SELECT id FROM inbox_conversation WHERE id > %s "
                "ORDER BY id LIMIT %s) "
                "UPDATE inbox_conversation c "
                "SET search_document = inbox_search_document(c.id, c.search_name) "
                "FROM batch WHERE c.id = batch.id RETURNING c.id",
                [last, BATCH],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            last = max(ids)


def index(apps, schema_editor):
    if _postgresql(schema_editor):
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
            "ON inbox_conversation USING gin (workspace_id, search_document)"
        )
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD_INDEX}")
        schema_editor.execute("ANALYZE inbox_conversation")


def unindex(apps, schema_editor):
    if _postgresql(schema_editor):
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {OLD_INDEX} ON inbox_message "
            "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
        )


def remove(apps, schema_editor):
    if _postgresql(schema_editor):
        schema_editor.execute(REMOVE)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("inbox", "0006_accent_insensitive_search")]

    operations = [
        BtreeGinExtension(),  # workspace_id inside the GIN index (skipped off PostgreSQL)
        migrations.RunPython(add, remove),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
