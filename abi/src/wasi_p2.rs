//! The WASI 0.2 host: every function and resource of the `wasi:cli/command`
//! world that the runtime implements, with the core signature each
//! function's `canon lower` has (`flatten_functype(.., Lower)` with the
//! default options: 32-bit memory, sync).
//!
//! The compiler resolves each lowered import of a component against this
//! list by canonical interface key (`wasi:io/streams@0.2` for every 0.2.x,
//! see [`crate::component::canonical_key`]) and function name; an unknown
//! function, or a signature that differs from the one here, is a compile
//! error naming the import. The trampoline then calls the runtime's host
//! function `i` ([`crate::symbols::wasi_host_symbol`], a
//! [`crate::component::LoweredHostFn`] for entry `i` of [`WASI_P2_FUNCS`]).
//!
//! Host resource types are numbered by their position in
//! [`WASI_P2_RESOURCES`]: the number is the `ResourceType::Host` identity in
//! handle tables, whatever 0.2.x version of the interface imported it (two
//! versions of one interface in one component share their resources).
//! Resource drops are not listed: a component drops a handle with
//! `canon resource.drop`, a built-in, not an imported function.
//!
//! Source: the WIT of WASI 0.2.12 (`wasi:cli/command@0.2.12`, as shipped in
//! wasmtime-wasi 48.0.8). The list was generated from that WIT with
//! wit-parser 0.243 (the world's imports; core signatures from its
//! `Resolve::wasm_signature(GuestImport, ..)`); the tests below re-derive
//! a sample with our own [`crate::component`] flattening, and the trial
//! `wasi_wit::p2_command` of `tests/all` checks every entry (name, core
//! signature, fingerprint) against that WIT, as the `wasip2` crate ships it. It holds the 27
//! stable interfaces the world imports (the `@unstable` import
//! `wasi:clocks/timezone` is left out), their 14 resources and 124
//! functions: the 123 stable ones (`exit.exit-with-code` is stable since
//! 0.2.12; a 0.2.0 guest never imports it) plus the one `@unstable` function
//! of a stable interface, `wasi:sockets/network.network-error-code`, listed
//! in [`WASI_P2_UNSTABLE_FUNCS`] with its feature. No WASI 0.2 function
//! takes or returns a float, and none needs more than 16 flat parameters.
//!
//! Order: by interface key (byte order), then WIT order within an
//! interface. Appending or reordering changes host type and table numbers,
//! which are part of the compiler<->runtime contract.

use crate::ValType::{self, I32 as I, I64 as L};

/// One host function.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct P2Func {
    /// Canonical interface key, e.g. `wasi:io/streams@0.2`.
    pub interface: &'static str,
    /// Function name in the interface, e.g. `[method]output-stream.write`.
    pub name: &'static str,
    /// Core parameters of the lowered import (a return pointer included).
    pub params: &'static [ValType],
    /// Core results of the lowered import (zero or one).
    pub results: &'static [ValType],
    /// The component function type's fingerprint
    /// ([`crate::component::typehash::func_type_hash`], resources as their
    /// host type numbers): the compiler refuses an import whose type
    /// differs even when its core signature is the same. The runtime's
    /// tests check these against its host functions' Rust types.
    pub type_hash: u64,
}

/// One host resource type.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct P2Resource {
    /// Canonical interface key.
    pub interface: &'static str,
    /// Resource name, e.g. `output-stream`.
    pub name: &'static str,
}

/// One host function entry (shared by the 0.2, 0.3 and `wasi:http` lists).
pub(crate) const fn func(
    interface: &'static str,
    name: &'static str,
    params: &'static [ValType],
    results: &'static [ValType],
    type_hash: u64,
) -> P2Func {
    P2Func {
        interface,
        name,
        params,
        results,
        type_hash,
    }
}

const fn resource(interface: &'static str, name: &'static str) -> P2Resource {
    P2Resource { interface, name }
}

/// Every host resource type; the index is the host type number.
#[rustfmt::skip]
pub const WASI_P2_RESOURCES: &[P2Resource] = &[
    resource("wasi:cli/terminal-input@0.2", "terminal-input"), // 0
    resource("wasi:cli/terminal-output@0.2", "terminal-output"), // 1
    resource("wasi:filesystem/types@0.2", "descriptor"), // 2
    resource("wasi:filesystem/types@0.2", "directory-entry-stream"), // 3
    resource("wasi:io/error@0.2", "error"), // 4
    resource("wasi:io/poll@0.2", "pollable"), // 5
    resource("wasi:io/streams@0.2", "input-stream"), // 6
    resource("wasi:io/streams@0.2", "output-stream"), // 7
    resource("wasi:sockets/ip-name-lookup@0.2", "resolve-address-stream"), // 8
    resource("wasi:sockets/network@0.2", "network"), // 9
    resource("wasi:sockets/tcp@0.2", "tcp-socket"), // 10
    resource("wasi:sockets/udp@0.2", "udp-socket"), // 11
    resource("wasi:sockets/udp@0.2", "incoming-datagram-stream"), // 12
    resource("wasi:sockets/udp@0.2", "outgoing-datagram-stream"), // 13
];

/// Every host function; the index is the entry in the runtime's host table.
// One entry per line, like the WIT: rustfmt would spread the long ones.
#[rustfmt::skip]
pub const WASI_P2_FUNCS: &[P2Func] = &[
    func("wasi:cli/environment@0.2", "get-environment", &[I], &[], 0x5a83e2fa468193f9),
    func("wasi:cli/environment@0.2", "get-arguments", &[I], &[], 0xccd2962deef5f636),
    func("wasi:cli/environment@0.2", "initial-cwd", &[I], &[], 0xa7051fc8360437ec),
    func("wasi:cli/exit@0.2", "exit", &[I], &[], 0x0f405a440525cbb1),
    func("wasi:cli/exit@0.2", "exit-with-code", &[I], &[], 0x9d19bb4bd820c026),
    func("wasi:cli/stderr@0.2", "get-stderr", &[], &[I], 0x24301087a282fc14),
    func("wasi:cli/stdin@0.2", "get-stdin", &[], &[I], 0xc42abc8ff8b8b8a5),
    func("wasi:cli/stdout@0.2", "get-stdout", &[], &[I], 0x24301087a282fc14),
    func("wasi:cli/terminal-stderr@0.2", "get-terminal-stderr", &[I], &[], 0x9eced275af636f86),
    func("wasi:cli/terminal-stdin@0.2", "get-terminal-stdin", &[I], &[], 0x3ec97e7e05992c17),
    func("wasi:cli/terminal-stdout@0.2", "get-terminal-stdout", &[I], &[], 0x9eced275af636f86),
    func("wasi:clocks/monotonic-clock@0.2", "now", &[], &[L], 0x35424a13c3cefefc),
    func("wasi:clocks/monotonic-clock@0.2", "resolution", &[], &[L], 0x35424a13c3cefefc),
    func("wasi:clocks/monotonic-clock@0.2", "subscribe-instant", &[L], &[I], 0x4cd60779dfd4b97f),
    func("wasi:clocks/monotonic-clock@0.2", "subscribe-duration", &[L], &[I], 0x4cd60779dfd4b97f),
    func("wasi:clocks/wall-clock@0.2", "now", &[I], &[], 0x3b349ae6b9943fd8),
    func("wasi:clocks/wall-clock@0.2", "resolution", &[I], &[], 0x3b349ae6b9943fd8),
    func("wasi:filesystem/preopens@0.2", "get-directories", &[I], &[], 0x83c019add55d9d50),
    func("wasi:filesystem/types@0.2", "[method]descriptor.read-via-stream", &[I, L, I], &[], 0x38f5eafdf6a6460b),
    func("wasi:filesystem/types@0.2", "[method]descriptor.write-via-stream", &[I, L, I], &[], 0x0eca9d9f7ffb4b8e),
    func("wasi:filesystem/types@0.2", "[method]descriptor.append-via-stream", &[I, I], &[], 0xf7ed9835472fd1f1),
    func("wasi:filesystem/types@0.2", "[method]descriptor.advise", &[I, L, L, I, I], &[], 0xf9e2b34148e0f37a),
    func("wasi:filesystem/types@0.2", "[method]descriptor.sync-data", &[I, I], &[], 0xa2a5afaaab5e08ac),
    func("wasi:filesystem/types@0.2", "[method]descriptor.get-flags", &[I, I], &[], 0x071016a93ee518ed),
    func("wasi:filesystem/types@0.2", "[method]descriptor.get-type", &[I, I], &[], 0x11b0dc0aa12dbc9b),
    func("wasi:filesystem/types@0.2", "[method]descriptor.set-size", &[I, L, I], &[], 0x9d67853b858d256b),
    func("wasi:filesystem/types@0.2", "[method]descriptor.set-times", &[I, I, L, I, I, L, I, I], &[], 0xc35781434abf660c),
    func("wasi:filesystem/types@0.2", "[method]descriptor.read", &[I, L, L, I], &[], 0x3f418cb3e1fddc08),
    func("wasi:filesystem/types@0.2", "[method]descriptor.write", &[I, I, I, L, I], &[], 0x705b8d0bbaa231bf),
    func("wasi:filesystem/types@0.2", "[method]descriptor.read-directory", &[I, I], &[], 0xc3aa5c45c4f1eb45),
    func("wasi:filesystem/types@0.2", "[method]descriptor.sync", &[I, I], &[], 0xa2a5afaaab5e08ac),
    func("wasi:filesystem/types@0.2", "[method]descriptor.create-directory-at", &[I, I, I, I], &[], 0xdb684fba7582326f),
    func("wasi:filesystem/types@0.2", "[method]descriptor.stat", &[I, I], &[], 0x26053a2dad3c2f5d),
    func("wasi:filesystem/types@0.2", "[method]descriptor.stat-at", &[I, I, I, I, I], &[], 0x633ba96441463fc9),
    func("wasi:filesystem/types@0.2", "[method]descriptor.set-times-at", &[I, I, I, I, I, L, I, I, L, I, I], &[], 0xf47a48635635ceac),
    func("wasi:filesystem/types@0.2", "[method]descriptor.link-at", &[I, I, I, I, I, I, I, I], &[], 0x74a086e2602592a0),
    func("wasi:filesystem/types@0.2", "[method]descriptor.open-at", &[I, I, I, I, I, I, I], &[], 0x105320c9f07213fb),
    func("wasi:filesystem/types@0.2", "[method]descriptor.readlink-at", &[I, I, I, I], &[], 0xb256d31d177321f6),
    func("wasi:filesystem/types@0.2", "[method]descriptor.remove-directory-at", &[I, I, I, I], &[], 0xdb684fba7582326f),
    func("wasi:filesystem/types@0.2", "[method]descriptor.rename-at", &[I, I, I, I, I, I, I], &[], 0x2e14d96d3b1f112f),
    func("wasi:filesystem/types@0.2", "[method]descriptor.symlink-at", &[I, I, I, I, I, I], &[], 0xa38bb813e2611e76),
    func("wasi:filesystem/types@0.2", "[method]descriptor.unlink-file-at", &[I, I, I, I], &[], 0xdb684fba7582326f),
    func("wasi:filesystem/types@0.2", "[method]descriptor.is-same-object", &[I, I], &[I], 0x0f41f76c9bcc2056),
    func("wasi:filesystem/types@0.2", "[method]descriptor.metadata-hash", &[I, I], &[], 0xc30dc2b7736c34e0),
    func("wasi:filesystem/types@0.2", "[method]descriptor.metadata-hash-at", &[I, I, I, I, I], &[], 0xa3684dc04832354c),
    func("wasi:filesystem/types@0.2", "[method]directory-entry-stream.read-directory-entry", &[I, I], &[], 0x93a7862ff8676ebb),
    func("wasi:filesystem/types@0.2", "filesystem-error-code", &[I, I], &[], 0x7a6ded1f1b95975a),
    func("wasi:io/error@0.2", "[method]error.to-debug-string", &[I, I], &[], 0x3e2d52431ded4b95),
    func("wasi:io/poll@0.2", "[method]pollable.ready", &[I], &[I], 0x7565f7f2bbb3e248),
    func("wasi:io/poll@0.2", "[method]pollable.block", &[I], &[], 0xda860bdeb071be59),
    func("wasi:io/poll@0.2", "poll", &[I, I, I], &[], 0x4df512b3de9209ee),
    func("wasi:io/streams@0.2", "[method]input-stream.read", &[I, L, I], &[], 0x7727173fb46e3c92),
    func("wasi:io/streams@0.2", "[method]input-stream.blocking-read", &[I, L, I], &[], 0x7727173fb46e3c92),
    func("wasi:io/streams@0.2", "[method]input-stream.skip", &[I, L, I], &[], 0xac95d0c5e63b9686),
    func("wasi:io/streams@0.2", "[method]input-stream.blocking-skip", &[I, L, I], &[], 0xac95d0c5e63b9686),
    func("wasi:io/streams@0.2", "[method]input-stream.subscribe", &[I], &[I], 0x155abf5ff3ec4ae9),
    func("wasi:io/streams@0.2", "[method]output-stream.check-write", &[I, I], &[], 0x2d9431c7e7871438),
    func("wasi:io/streams@0.2", "[method]output-stream.write", &[I, I, I, I], &[], 0xe36b1ea8905da72a),
    func("wasi:io/streams@0.2", "[method]output-stream.blocking-write-and-flush", &[I, I, I, I], &[], 0xe36b1ea8905da72a),
    func("wasi:io/streams@0.2", "[method]output-stream.flush", &[I, I], &[], 0xa058b01c555afa6f),
    func("wasi:io/streams@0.2", "[method]output-stream.blocking-flush", &[I, I], &[], 0xa058b01c555afa6f),
    func("wasi:io/streams@0.2", "[method]output-stream.subscribe", &[I], &[I], 0x77d203e8bad80ce8),
    func("wasi:io/streams@0.2", "[method]output-stream.write-zeroes", &[I, L, I], &[], 0xdffe94aac3b2fb7e),
    func("wasi:io/streams@0.2", "[method]output-stream.blocking-write-zeroes-and-flush", &[I, L, I], &[], 0xdffe94aac3b2fb7e),
    func("wasi:io/streams@0.2", "[method]output-stream.splice", &[I, I, L, I], &[], 0x0f553fcb1c0f0eb4),
    func("wasi:io/streams@0.2", "[method]output-stream.blocking-splice", &[I, I, L, I], &[], 0x0f553fcb1c0f0eb4),
    func("wasi:random/insecure-seed@0.2", "insecure-seed", &[I], &[], 0xfbefa9f4b310f857),
    func("wasi:random/insecure@0.2", "get-insecure-random-bytes", &[L, I], &[], 0x03cc5290e6c62cb1),
    func("wasi:random/insecure@0.2", "get-insecure-random-u64", &[], &[L], 0x35424a13c3cefefc),
    func("wasi:random/random@0.2", "get-random-bytes", &[L, I], &[], 0x03cc5290e6c62cb1),
    func("wasi:random/random@0.2", "get-random-u64", &[], &[L], 0x35424a13c3cefefc),
    func("wasi:sockets/instance-network@0.2", "instance-network", &[], &[I], 0xe41018b9a7c5677a),
    func("wasi:sockets/ip-name-lookup@0.2", "[method]resolve-address-stream.resolve-next-address", &[I, I], &[], 0xe034fb0dff79dde5),
    func("wasi:sockets/ip-name-lookup@0.2", "[method]resolve-address-stream.subscribe", &[I], &[I], 0xbf5080ce075e7567),
    func("wasi:sockets/ip-name-lookup@0.2", "resolve-addresses", &[I, I, I, I], &[], 0xd7b85348553ec0bc),
    func("wasi:sockets/network@0.2", "network-error-code", &[I, I], &[], 0xffd40a27ba726328), // @unstable(feature = network-error-code)
    func("wasi:sockets/tcp-create-socket@0.2", "create-tcp-socket", &[I, I], &[], 0x39e4681f9f982669),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.start-bind", &[I, I, I, I, I, I, I, I, I, I, I, I, I, I, I], &[], 0x6215339070c693bd),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.finish-bind", &[I, I], &[], 0xb2f4b28c1debf19e),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.start-connect", &[I, I, I, I, I, I, I, I, I, I, I, I, I, I, I], &[], 0x6215339070c693bd),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.finish-connect", &[I, I], &[], 0x685be7b711953913),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.start-listen", &[I, I], &[], 0xb2f4b28c1debf19e),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.finish-listen", &[I, I], &[], 0xb2f4b28c1debf19e),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.accept", &[I, I], &[], 0x4a06d6569393a2a8),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.local-address", &[I, I], &[], 0xf6ed16ca7924793f),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.remote-address", &[I, I], &[], 0xf6ed16ca7924793f),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.is-listening", &[I], &[I], 0xd390fb23c127cc77),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.address-family", &[I], &[I], 0x2f678a134a617298),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.set-listen-backlog-size", &[I, L, I], &[], 0x5fc36214d78ee65b),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.keep-alive-enabled", &[I, I], &[], 0x87e4522aeed9536d),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.set-keep-alive-enabled", &[I, I, I], &[], 0xf9c90011ad6cc1d3),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.keep-alive-idle-time", &[I, I], &[], 0xef63d0622a9f4335),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.set-keep-alive-idle-time", &[I, L, I], &[], 0x5fc36214d78ee65b),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.keep-alive-interval", &[I, I], &[], 0xef63d0622a9f4335),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.set-keep-alive-interval", &[I, L, I], &[], 0x5fc36214d78ee65b),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.keep-alive-count", &[I, I], &[], 0xa0c5c04b6111f687),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.set-keep-alive-count", &[I, I, I], &[], 0xe581f77ac1ba39c1),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.hop-limit", &[I, I], &[], 0xcef0b2aab596f963),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.set-hop-limit", &[I, I, I], &[], 0x0cd9b9ec3bc6c6fd),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.receive-buffer-size", &[I, I], &[], 0xef63d0622a9f4335),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.set-receive-buffer-size", &[I, L, I], &[], 0x5fc36214d78ee65b),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.send-buffer-size", &[I, I], &[], 0xef63d0622a9f4335),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.set-send-buffer-size", &[I, L, I], &[], 0x5fc36214d78ee65b),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.subscribe", &[I], &[I], 0xe161903a01cb7d65),
    func("wasi:sockets/tcp@0.2", "[method]tcp-socket.shutdown", &[I, I, I], &[], 0xbb709351555c5ee6),
    func("wasi:sockets/udp-create-socket@0.2", "create-udp-socket", &[I, I], &[], 0x4246e908a462c7fa),
    func("wasi:sockets/udp@0.2", "[method]udp-socket.start-bind", &[I, I, I, I, I, I, I, I, I, I, I, I, I, I, I], &[], 0x9745f3aa6d7547e8),
    func("wasi:sockets/udp@0.2", "[method]udp-socket.finish-bind", &[I, I], &[], 0xfc6d48a2424fedcd),
    func("wasi:sockets/udp@0.2", "[method]udp-socket.stream", &[I, I, I, I, I, I, I, I, I, I, I, I, I, I, I], &[], 0x14ff5cbdf6f19665),
    func("wasi:sockets/udp@0.2", "[method]udp-socket.local-address", &[I, I], &[], 0xf0ad70173ba1deb2),
    func("wasi:sockets/udp@0.2", "[method]udp-socket.remote-address", &[I, I], &[], 0xf0ad70173ba1deb2),
    func("wasi:sockets/udp@0.2", "[method]udp-socket.address-family", &[I], &[I], 0x822f12ef4e88de7d),
    func("wasi:sockets/udp@0.2", "[method]udp-socket.unicast-hop-limit", &[I, I], &[], 0xcbc65c5ee385740c),
    func("wasi:sockets/udp@0.2", "[method]udp-socket.set-unicast-hop-limit", &[I, I, I], &[], 0x5cd31803b035561e),
    func("wasi:sockets/udp@0.2", "[method]udp-socket.receive-buffer-size", &[I, I], &[], 0x28cf2f168ec8a996),
    func("wasi:sockets/udp@0.2", "[method]udp-socket.set-receive-buffer-size", &[I, L, I], &[], 0x060ed387cb243084),
    func("wasi:sockets/udp@0.2", "[method]udp-socket.send-buffer-size", &[I, I], &[], 0x28cf2f168ec8a996),
    func("wasi:sockets/udp@0.2", "[method]udp-socket.set-send-buffer-size", &[I, L, I], &[], 0x060ed387cb243084),
    func("wasi:sockets/udp@0.2", "[method]udp-socket.subscribe", &[I], &[I], 0x43d8d4c2c8b73f64),
    func("wasi:sockets/udp@0.2", "[method]incoming-datagram-stream.receive", &[I, L, I], &[], 0x744d986233cf3adf),
    func("wasi:sockets/udp@0.2", "[method]incoming-datagram-stream.subscribe", &[I], &[I], 0x7b5901b360d680e3),
    func("wasi:sockets/udp@0.2", "[method]outgoing-datagram-stream.check-send", &[I, I], &[], 0x30bb67607c0759f8),
    func("wasi:sockets/udp@0.2", "[method]outgoing-datagram-stream.send", &[I, I, I, I], &[], 0x962fb95d34927764),
    func("wasi:sockets/udp@0.2", "[method]outgoing-datagram-stream.subscribe", &[I], &[I], 0xddd0463c27c242e2),
];

/// The entries of [`WASI_P2_FUNCS`] that the WIT marks
/// `@unstable(feature = ..)`, as (interface key, name, feature). Wasmtime
/// links them only when the feature is enabled (`wasmtime run -S
/// network-error-code`); by default a component importing one does not
/// instantiate there.
pub const WASI_P2_UNSTABLE_FUNCS: &[(&str, &str, &str)] = &[(
    "wasi:sockets/network@0.2",
    "network-error-code",
    "network-error-code",
)];

/// `a == b`, usable in constants (the runtime builds its host table and
/// resource identities at compile time with these lookups).
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The index in [`WASI_P2_FUNCS`] of function `name` of interface key
/// `interface`, if the host has it.
pub const fn func_index(interface: &str, name: &str) -> Option<usize> {
    func_index_in(WASI_P2_FUNCS, interface, name)
}

/// The index in `funcs` (a host function list: this one or WASI 0.3's) of
/// function `name` of interface key `interface`.
pub const fn func_index_in(funcs: &[P2Func], interface: &str, name: &str) -> Option<usize> {
    let mut i = 0;
    while i < funcs.len() {
        let f = &funcs[i];
        if str_eq(f.interface, interface) && str_eq(f.name, name) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The function `name` of interface key `interface`, if the host has it.
pub fn find_func(interface: &str, name: &str) -> Option<(usize, &'static P2Func)> {
    func_index(interface, name).map(|i| (i, &WASI_P2_FUNCS[i]))
}

/// The host type number of resource `name` of interface key `interface`.
pub const fn find_resource(interface: &str, name: &str) -> Option<u32> {
    resource_index_in(WASI_P2_RESOURCES, interface, name)
}

/// The index in `resources` (a host resource list: this one or WASI
/// 0.3's) of resource `name` of interface key `interface`.
pub const fn resource_index_in(
    resources: &[P2Resource],
    interface: &str,
    name: &str,
) -> Option<u32> {
    let mut i = 0;
    while i < resources.len() {
        let r = &resources[i];
        if str_eq(r.interface, interface) && str_eq(r.name, name) {
            return Some(i as u32);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::vec::Vec;

    use super::*;
    use crate::component::{
        AbiContext, FlattenOpts, FuncSig, TypeDef, TypeIndex, TypeTableBuilder, canonical_key,
    };

    /// Functions per interface, from the `wasi:cli/command@0.2.12` WIT
    /// (plus the unstable `network-error-code`).
    const COUNTS: &[(&str, usize)] = &[
        ("wasi:cli/environment@0.2", 3),
        ("wasi:cli/exit@0.2", 2),
        ("wasi:cli/stderr@0.2", 1),
        ("wasi:cli/stdin@0.2", 1),
        ("wasi:cli/stdout@0.2", 1),
        ("wasi:cli/terminal-input@0.2", 0),
        ("wasi:cli/terminal-output@0.2", 0),
        ("wasi:cli/terminal-stderr@0.2", 1),
        ("wasi:cli/terminal-stdin@0.2", 1),
        ("wasi:cli/terminal-stdout@0.2", 1),
        ("wasi:clocks/monotonic-clock@0.2", 4),
        ("wasi:clocks/wall-clock@0.2", 2),
        ("wasi:filesystem/preopens@0.2", 1),
        ("wasi:filesystem/types@0.2", 29),
        ("wasi:io/error@0.2", 1),
        ("wasi:io/poll@0.2", 3),
        ("wasi:io/streams@0.2", 15),
        ("wasi:random/insecure-seed@0.2", 1),
        ("wasi:random/insecure@0.2", 2),
        ("wasi:random/random@0.2", 2),
        ("wasi:sockets/instance-network@0.2", 1),
        ("wasi:sockets/ip-name-lookup@0.2", 3),
        ("wasi:sockets/network@0.2", 1),
        ("wasi:sockets/tcp-create-socket@0.2", 1),
        ("wasi:sockets/tcp@0.2", 28),
        ("wasi:sockets/udp-create-socket@0.2", 1),
        ("wasi:sockets/udp@0.2", 18),
    ];

    #[test]
    fn counts_match_the_wit() {
        assert_eq!(COUNTS.len(), 27);
        for (interface, n) in COUNTS {
            let got = WASI_P2_FUNCS
                .iter()
                .filter(|f| f.interface == *interface)
                .count();
            assert_eq!(got, *n, "{interface}");
        }
        assert!(
            WASI_P2_FUNCS
                .iter()
                .all(|f| COUNTS.iter().any(|(i, _)| *i == f.interface))
        );
        assert_eq!(WASI_P2_FUNCS.len(), 124);
        assert_eq!(WASI_P2_FUNCS.len() - WASI_P2_UNSTABLE_FUNCS.len(), 123);
        assert_eq!(WASI_P2_RESOURCES.len(), 14);
        assert!(find_func("wasi:cli/exit@0.2", "exit-with-code").is_some());
    }

    #[test]
    fn unstable_funcs_are_listed() {
        for (interface, name, _) in WASI_P2_UNSTABLE_FUNCS {
            assert!(find_func(interface, name).is_some(), "{interface} {name}");
        }
    }

    #[test]
    fn no_duplicates_and_sorted_by_interface() {
        for (i, f) in WASI_P2_FUNCS.iter().enumerate() {
            assert_eq!(find_func(f.interface, f.name).map(|(j, _)| j), Some(i));
        }
        for (i, r) in WASI_P2_RESOURCES.iter().enumerate() {
            assert_eq!(find_resource(r.interface, r.name), Some(i as u32));
        }
        assert!(WASI_P2_FUNCS.is_sorted_by_key(|f| f.interface));
        assert!(WASI_P2_RESOURCES.is_sorted_by_key(|r| r.interface));
    }

    #[test]
    fn keys_are_canonical() {
        let keys = WASI_P2_FUNCS
            .iter()
            .map(|f| f.interface)
            .chain(WASI_P2_RESOURCES.iter().map(|r| r.interface));
        for key in keys {
            assert_eq!(canonical_key(key), key);
            assert_eq!(canonical_key(&format!("{key}.12")), key);
            assert_eq!(canonical_key(&format!("{key}.0")), key);
        }
    }

    #[test]
    fn methods_name_a_resource_of_their_interface() {
        for f in WASI_P2_FUNCS {
            let resource = if let Some(rest) = f.name.strip_prefix("[constructor]") {
                Some(rest)
            } else if let Some(rest) = f
                .name
                .strip_prefix("[method]")
                .or_else(|| f.name.strip_prefix("[static]"))
            {
                let (r, func) = rest.split_once('.').expect("R.name");
                assert!(!func.is_empty(), "{}", f.name);
                Some(r)
            } else {
                assert!(!f.name.contains(['[', ']', '.']), "{}", f.name);
                None
            };
            if let Some(r) = resource {
                assert!(find_resource(f.interface, r).is_some(), "{}", f.name);
            }
        }
    }

    #[test]
    fn signatures_are_core_signatures() {
        for f in WASI_P2_FUNCS {
            // At most one result; a return pointer fits in the 17 slots.
            assert!(f.results.len() <= 1, "{}", f.name);
            assert!(f.params.len() <= 17, "{}", f.name);
            // Sync lower: a function either returns its one flat result or
            // stores through a trailing `i32` return pointer, never both.
            if !f.results.is_empty() {
                assert!(f.params.len() <= 16, "{}", f.name);
            }
        }
    }

    /// `ft` lowered with the default options, as (params, results).
    fn lower(b: &TypeTableBuilder, params: &[TypeIndex], results: &[TypeIndex]) -> CoreTypes {
        let sig = b.table().flatten_functype(
            FuncSig { params, results },
            FlattenOpts::default(),
            AbiContext::Lower,
        );
        assert!(!sig.params.is_truncated() && !sig.results.is_truncated());
        (
            sig.params.as_slice().to_vec(),
            sig.results.as_slice().to_vec(),
        )
    }

    type CoreTypes = (Vec<ValType>, Vec<ValType>);

    fn listed(interface: &str, name: &str) -> CoreTypes {
        let (_, f) = find_func(interface, name).expect("listed");
        (f.params.to_vec(), f.results.to_vec())
    }

    fn res(interface: &str, name: &str) -> u32 {
        find_resource(interface, name).expect("listed")
    }

    /// Re-derives six entries of varied shapes with our own flattening
    /// (an oracle independent of the wit-parser generator).
    #[test]
    fn sample_matches_our_flattening() {
        let mut b = TypeTableBuilder::new();
        let mut add = |d: TypeDef<'_>| b.add(d).expect("valid type");
        let io = "wasi:io/streams@0.2";
        let fs = "wasi:filesystem/types@0.2";
        let tcp = "wasi:sockets/tcp@0.2";
        let u8_ = add(TypeDef::U8);
        let u16_ = add(TypeDef::U16);
        let u32_ = add(TypeDef::U32);
        let u64_ = add(TypeDef::U64);
        let string = add(TypeDef::String);
        // wasi:io/streams
        let output_stream = add(TypeDef::Borrow(res(io, "output-stream")));
        let error = add(TypeDef::Own(res("wasi:io/error@0.2", "error")));
        let bytes = add(TypeDef::List(u8_));
        let stream_error = add(TypeDef::Variant(&[
            ("last-operation-failed", Some(error)),
            ("closed", None),
        ]));
        let write_result = add(TypeDef::Result {
            ok: None,
            err: Some(stream_error),
        });
        // wasi:clocks/wall-clock
        let datetime = add(TypeDef::Record(&[("seconds", u64_), ("nanoseconds", u32_)]));
        // wasi:cli/environment
        let pair = add(TypeDef::Tuple(&[string, string]));
        let environment = add(TypeDef::List(pair));
        // wasi:filesystem/types
        let descriptor = add(TypeDef::Borrow(res(fs, "descriptor")));
        let descriptor_type = add(TypeDef::Enum(&[
            "unknown",
            "block-device",
            "character-device",
            "directory",
            "fifo",
            "symbolic-link",
            "regular-file",
            "socket",
        ]));
        let timestamp = add(TypeDef::Option(datetime));
        let stat = add(TypeDef::Record(&[
            ("type", descriptor_type),
            ("link-count", u64_),
            ("size", u64_),
            ("data-access-timestamp", timestamp),
            ("data-modification-timestamp", timestamp),
            ("status-change-timestamp", timestamp),
        ]));
        // 37 cases in the WIT; only the count matters to flattening.
        let labels: Vec<_> = (0..37).map(|i| format!("e{i}")).collect();
        let labels: Vec<&str> = labels.iter().map(|s| s.as_str()).collect();
        let fs_error = add(TypeDef::Enum(&labels));
        let stat_result = add(TypeDef::Result {
            ok: Some(stat),
            err: Some(fs_error),
        });
        // wasi:sockets/tcp (the error-code enum has 21 cases)
        let labels: Vec<_> = (0..21).map(|i| format!("e{i}")).collect();
        let labels: Vec<&str> = labels.iter().map(|s| s.as_str()).collect();
        let net_error = add(TypeDef::Enum(&labels));
        let tcp_socket = add(TypeDef::Borrow(res(tcp, "tcp-socket")));
        let accepted = [
            add(TypeDef::Own(res(tcp, "tcp-socket"))),
            add(TypeDef::Own(res(io, "input-stream"))),
            add(TypeDef::Own(res(io, "output-stream"))),
        ];
        let accepted = add(TypeDef::Tuple(&accepted));
        let accept_result = add(TypeDef::Result {
            ok: Some(accepted),
            err: Some(net_error),
        });
        let network = add(TypeDef::Borrow(res("wasi:sockets/network@0.2", "network")));
        let ipv4 = add(TypeDef::Tuple(&[u8_, u8_, u8_, u8_]));
        let ipv6 = add(TypeDef::Tuple(&[u16_; 8]));
        let ipv4_addr = add(TypeDef::Record(&[("port", u16_), ("address", ipv4)]));
        let ipv6_addr = add(TypeDef::Record(&[
            ("port", u16_),
            ("flow-info", u32_),
            ("address", ipv6),
            ("scope-id", u32_),
        ]));
        let socket_addr = add(TypeDef::Variant(&[
            ("ipv4", Some(ipv4_addr)),
            ("ipv6", Some(ipv6_addr)),
        ]));
        let unit_result = add(TypeDef::Result {
            ok: None,
            err: Some(net_error),
        });

        let cases: [(&str, &str, &[TypeIndex], &[TypeIndex]); 6] = [
            (
                io,
                "[method]output-stream.write",
                &[output_stream, bytes],
                &[write_result],
            ),
            (fs, "[method]descriptor.stat", &[descriptor], &[stat_result]),
            ("wasi:clocks/wall-clock@0.2", "now", &[], &[datetime]),
            (
                "wasi:cli/environment@0.2",
                "get-environment",
                &[],
                &[environment],
            ),
            (
                tcp,
                "[method]tcp-socket.accept",
                &[tcp_socket],
                &[accept_result],
            ),
            (
                tcp,
                "[method]tcp-socket.start-bind",
                &[tcp_socket, network, socket_addr],
                &[unit_result],
            ),
        ];
        for (interface, name, params, results) in cases {
            assert_eq!(
                lower(&b, params, results),
                listed(interface, name),
                "{name}"
            );
        }
    }
}
