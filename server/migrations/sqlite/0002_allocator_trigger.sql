-- Every id written into `schemas` (allocated or imported) moves its context's allocator past it,
-- in the same statement: allocation needs no statement of its own.
CREATE TRIGGER schemas_move_allocator AFTER INSERT ON schemas
BEGIN
    INSERT OR REPLACE INTO id_allocators (context, next_id)
    VALUES (
        NEW.context,
        MAX(NEW.id + 1, COALESCE((SELECT next_id FROM id_allocators WHERE context = NEW.context), 1))
    );
END;
