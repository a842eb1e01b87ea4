//! Unit tests of the Avro format beyond the golden corpus.
