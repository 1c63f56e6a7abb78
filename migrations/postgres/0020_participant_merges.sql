-- One person, one participant: when a coordinator merges two registrations
-- of the same person, the merged-away row stays (deleted, its code still
-- unique) and points at the survivor for ever, so a phone that still holds
-- its id or its code (an outbox item queued offline) lands on the survivor.
-- Chains are kept flat: a later merge of the survivor repoints every alias.
ALTER TABLE participants ADD COLUMN merged_into TEXT;
CREATE INDEX participants_merged_into ON participants(merged_into);
