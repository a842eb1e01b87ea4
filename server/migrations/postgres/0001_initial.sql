-- The same tables as the SQLite store; only the dialect differs. Ids come from one sequence
-- per context (`strata_ids_default` for the default context, others created on first use)
-- instead of an allocator row, so that writers never queue on one row.

-- Schemas by id, per context. A row is never deleted: ids are never reused and the same content
-- keeps its id for the life of the registry.
CREATE TABLE schemas (
    context     TEXT    NOT NULL,
    id          INTEGER NOT NULL,
    schema_type TEXT    NOT NULL,
    schema      TEXT    NOT NULL,
    refs        TEXT    NOT NULL,
    metadata    TEXT,
    rule_set    TEXT,
    fingerprint TEXT    NOT NULL,
    PRIMARY KEY (context, id)
);
CREATE UNIQUE INDEX schemas_identity ON schemas (context, fingerprint);

-- The references each schema makes, by qualified subject and version.
CREATE TABLE schema_references (
    context     TEXT    NOT NULL,
    id          INTEGER NOT NULL,
    ref_subject TEXT    NOT NULL,
    ref_version INTEGER NOT NULL
);
CREATE INDEX schema_references_target ON schema_references (ref_subject, ref_version);
CREATE INDEX schema_references_source ON schema_references (context, id);

-- Versions of subjects. `subject` is the qualified subject (`:.ctx:name`, or `name` in the
-- default context).
CREATE TABLE subject_versions (
    subject   TEXT    NOT NULL,
    version   INTEGER NOT NULL,
    context   TEXT    NOT NULL,
    schema_id INTEGER NOT NULL,
    deleted   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (subject, version)
);
CREATE INDEX subject_versions_schema ON subject_versions (context, schema_id);

-- The ids of the default context.
CREATE SEQUENCE strata_ids_default;

-- Every non-default context that ever held a subject.
CREATE TABLE contexts (
    context TEXT PRIMARY KEY
);

-- Compatibility configuration and modes by scope (`__GLOBAL`, `:.ctx:` or a subject).
CREATE TABLE configs (
    scope  TEXT PRIMARY KEY,
    config TEXT NOT NULL
);
CREATE TABLE modes (
    scope TEXT PRIMARY KEY,
    mode  TEXT NOT NULL
);
