//! Tests of the archive crate's own parts: the caching allocator.

mod alloc;
