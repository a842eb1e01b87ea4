-- The common registration in one call: a new version of a subject whose content either is
-- stored already (its id is reused) or gets the next id of the context's sequence. One round
-- trip instead of a statement each, which is most of what a registration costs. Writes that
-- also remove versions, move identities or place an explicit id are done statement by statement.
--
-- Runs under the subject's advisory lock: in the transaction that holds it (and then commits
-- it), or on its own. In READ COMMITTED each statement below sees what committed before it
-- started, so content another writer stored meanwhile (the unique identity index settles who)
-- is found on the second look.
CREATE FUNCTION strata_insert_version(
    p_subject      TEXT,
    p_version      INTEGER,
    p_context      TEXT,
    p_sequence     TEXT,
    p_schema_type  TEXT,
    p_schema       TEXT,
    p_refs         TEXT,
    p_metadata     TEXT,
    p_rule_set     TEXT,
    p_fingerprint  TEXT,
    p_ref_subjects TEXT[],
    p_ref_versions INTEGER[]
) RETURNS INTEGER
LANGUAGE plpgsql
AS $$
DECLARE
    stored_id   INTEGER;
    stored_type TEXT;
BEGIN
    SELECT id, schema_type INTO stored_id, stored_type
    FROM schemas WHERE context = p_context AND fingerprint = p_fingerprint;
    IF stored_id IS NULL THEN
        -- A writer that loses the race for the identity burns a sequence value: ids have gaps,
        -- never duplicates, and are never reused.
        INSERT INTO schemas (context, id, schema_type, schema, refs, metadata, rule_set, fingerprint)
        VALUES (p_context, nextval(p_sequence::regclass), p_schema_type, p_schema, p_refs,
                p_metadata, p_rule_set, p_fingerprint)
        ON CONFLICT (context, fingerprint) DO NOTHING
        RETURNING id INTO stored_id;
        IF stored_id IS NOT NULL THEN
            stored_type := p_schema_type;
            INSERT INTO schema_references (context, id, ref_subject, ref_version)
            SELECT p_context, stored_id, r.subject, r.version
            FROM unnest(p_ref_subjects, p_ref_versions) AS r(subject, version);
        ELSE
            SELECT id, schema_type INTO stored_id, stored_type
            FROM schemas WHERE context = p_context AND fingerprint = p_fingerprint;
            IF stored_id IS NULL THEN
                RAISE unique_violation USING MESSAGE = 'schema identity changed concurrently';
            END IF;
        END IF;
    END IF;
    -- The identity leaves the type out: the same text under another type is another schema.
    IF stored_type <> p_schema_type THEN
        RAISE unique_violation USING MESSAGE = 'the same schema is stored under another type';
    END IF;
    INSERT INTO subject_versions (subject, version, context, schema_id, deleted)
    VALUES (p_subject, p_version, p_context, stored_id, FALSE);
    IF p_context <> '.' THEN
        INSERT INTO contexts (context) VALUES (p_context) ON CONFLICT DO NOTHING;
    END IF;
    RETURN stored_id;
END
$$;

-- A write's advisory locks, transaction-scoped, taken in the order given (`p_exclusive` says
-- how each key is held), then the versions of `p_subject` (none for NULL). Each statement of a
-- volatile function reads what committed before it started: the versions are read once the
-- locks are held. One call, whose statements keep their plans, instead of one planned
-- statement per lock.
CREATE FUNCTION strata_lock(p_keys BIGINT[], p_exclusive BOOLEAN[], p_subject TEXT)
RETURNS SETOF subject_versions
LANGUAGE plpgsql
AS $$
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
        IF p_exclusive[i] THEN
            PERFORM pg_advisory_xact_lock(p_keys[i]);
        ELSE
            PERFORM pg_advisory_xact_lock_shared(p_keys[i]);
        END IF;
    END LOOP;
    RETURN QUERY SELECT * FROM subject_versions WHERE subject = p_subject ORDER BY version;
END
$$;
