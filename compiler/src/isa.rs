//! The Cranelift `TargetIsa` for a [`crate::Config`]. (Being written.)
