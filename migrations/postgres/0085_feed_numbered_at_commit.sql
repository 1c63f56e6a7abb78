-- Pushes no longer hold the change clock for their whole transaction.
--
-- A change written to the feed (sync_changes, sync_departures) first gets
-- a provisional negative seq (minus the next value of sync_pending, so a
-- later write in the transaction gets a lower one); pulls read only
-- seq > cursor >= 0, so a provisional row is never read. At COMMIT, the
-- deferred triggers below number each such row from the one-row clock, in
-- the order the transaction wrote them. The clock row stays locked from
-- that first number until the commit is visible, so values still become
-- visible in commit order and a pull never skips a change that committed
-- late — but the clock is held for the few statements at the end of a
-- transaction, not for all of it, and pushes run side by side.
--
-- A row written twice in one transaction is numbered once, at the place of
-- its last write (an earlier event finds its provisional value replaced and
-- does nothing): a participant that left a site and came back in one push
-- reaches phones after its departure, as before.
CREATE SEQUENCE sync_pending;

CREATE FUNCTION sync_number_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next_seq BIGINT;
BEGIN
    IF TG_TABLE_NAME = 'sync_changes' THEN
        PERFORM 1 FROM sync_changes
         WHERE entity = NEW.entity AND entity_id = NEW.entity_id AND seq = NEW.seq;
    ELSE
        PERFORM 1 FROM sync_departures
         WHERE entity = NEW.entity AND entity_id = NEW.entity_id AND site_id = NEW.site_id AND seq = NEW.seq;
    END IF;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE sync_clock SET seq = seq + 1 WHERE id = 1 RETURNING seq INTO next_seq;
    IF TG_TABLE_NAME = 'sync_changes' THEN
        UPDATE sync_changes SET seq = next_seq
         WHERE entity = NEW.entity AND entity_id = NEW.entity_id;
    ELSE
        UPDATE sync_departures SET seq = next_seq
         WHERE entity = NEW.entity AND entity_id = NEW.entity_id AND site_id = NEW.site_id;
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER sync_changes_numbered_at_commit
    AFTER INSERT OR UPDATE ON sync_changes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.seq < 0) EXECUTE FUNCTION sync_number_at_commit();

CREATE CONSTRAINT TRIGGER sync_departures_numbered_at_commit
    AFTER INSERT OR UPDATE ON sync_departures
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.seq < 0) EXECUTE FUNCTION sync_number_at_commit();
