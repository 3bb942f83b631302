-- Optimistic concurrency now rests on the events table's own unique (stream_id, stream_version):
-- an append inserts the next versions only while the stream's head (max stream_version, one index
-- step) is the expected one, and a writer that commits the same version first makes the other's
-- insert fail. The `streams` head row it replaces cost every append a second heap and index insert
-- plus a speculative ON CONFLICT insert; nothing reads it any more.
drop table if exists streams;
