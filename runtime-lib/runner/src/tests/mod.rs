//! Tests of the runner without the compiler: hand-built descriptors test
//! instance setup, libcalls, invocation and traps (the trap tests run in a
//! child process, since a trap ends the process).

mod traps;
