"""The library's SQLite schema, its migrations, and the key that makes two tweets the same.

Version 1 (the first release) had people, tweets and analyses. Version 2 lets a person grow: several
imports (the `imports` table), tweets de-duplicated by `dedup` (unique per person), replies
flagged, per-tweet results kept per model (`results`, by tweet; `engine_cache`, by the tweet's token
ids, so the engine never sees the same input twice), and a cache key on saved analyses.
"""

from __future__ import annotations

import hashlib

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    handle TEXT,
    search_key TEXT NOT NULL,
    source_file TEXT,
    source_hash TEXT,
    imported_at TEXT NOT NULL,
    tweet_count INTEGER NOT NULL DEFAULT 0,
    first_date TEXT,
    last_date TEXT,
    skipped_rows INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    encoding TEXT,
    columns TEXT
);
CREATE TABLE IF NOT EXISTS tweets (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    date TEXT,
    tweet_id TEXT,
    likes INTEGER,
    retweets INTEGER,
    replies INTEGER,
    is_retweet INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tweets_person ON tweets (person_id, id);
CREATE TABLE IF NOT EXISTS analyses (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    model_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    summary TEXT NOT NULL,
    probs BLOB NOT NULL,
    PRIMARY KEY (person_id, model_name)
);
"""

# Version 2: a person grows (several imports, tweets de-duplicated by a key), replies are flagged,
# and per-tweet results are kept per model (the library as a result cache).
_MIGRATE_TO_2 = """
DROP INDEX IF EXISTS people_source_hash;
ALTER TABLE tweets ADD COLUMN is_reply INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tweets ADD COLUMN dedup INTEGER;
UPDATE tweets SET dedup = cta_dedup(tweet_id, date, text);
DELETE FROM tweets WHERE id NOT IN (SELECT MIN(id) FROM tweets GROUP BY person_id, dedup);
CREATE UNIQUE INDEX IF NOT EXISTS tweets_dedup ON tweets (person_id, dedup);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT,
    imported_at TEXT NOT NULL,
    new INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    skipped INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS imports_sha256 ON imports (sha256);
INSERT INTO imports (person_id, file, sha256, format, imported_at, new, duplicates, skipped)
    SELECT id, coalesce(source_file, ''), coalesce(source_hash, ''), 'CSV', imported_at, tweet_count, duplicates,
           skipped_rows FROM people;
CREATE TABLE IF NOT EXISTS results (
    model_name TEXT NOT NULL,
    tweet INTEGER NOT NULL,
    probs BLOB NOT NULL,
    PRIMARY KEY (model_name, tweet)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS engine_cache (
    model_name TEXT NOT NULL,
    ids_hash INTEGER NOT NULL,
    probs BLOB NOT NULL,
    PRIMARY KEY (model_name, ids_hash)
) WITHOUT ROWID;
ALTER TABLE analyses ADD COLUMN cache_key TEXT;
"""


def dedup_key(tweet_id: str | None, date: str | None, text: str) -> int:
    """A person's tweets are the same when their ids are; without an id, when date and text are."""
    raw = f"i{tweet_id}" if tweet_id else f"d{date or ''}\x1f{text}"
    return int.from_bytes(hashlib.blake2b(raw.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "little", signed=True)
