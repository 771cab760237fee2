//! The WASI 0.3 host functions Kiln implements, in the same form as the
//! WASI 0.2 list ([`crate::wasi_p2`]) and numbered after it: a
//! component's lowered import of function `i` of [`WASI_P3_FUNCS`] calls
//! the runtime's host function `WASI_P2_FUNCS.len() + i`
//! ([`crate::symbols::wasi_host_symbol`]).
//!
//! Interface keys end in `@0.3` and stand for every 0.3 version,
//! release candidates included ([`interface_key`]): WASI 0.3 toolchains
//! emit `0.3.0-rc-…` and `0.3.x` names, and Wasmtime serves all of them
//! with one implementation.
//!
//! Each entry's core signature is its *sync* lowering (`flatten_functype`
//! with default options); an `async` lowering of the same function (what
//! `wit-bindgen` emits for an `async func`) is resolved by name and type
//! fingerprint only, its core signature following from the async
//! flattening rules.
//!
//! Source: the WIT of `wasi:cli/command@0.3.2` (as shipped with the
//! `wasip3` crate 0.10): cli (environment, exit, stdio, terminals),
//! clocks (monotonic with `wait-for`/`wait-until`, system), random,
//! `wasi:filesystem` (`types`, `preopens`; its `descriptor` is the first
//! entry of [`WASI_P3_RESOURCES`]), and `wasi:sockets` (`types` with its
//! `tcp-socket` and `udp-socket` resources, `ip-name-lookup`); the two
//! terminal resources follow the socket ones. The trial
//! `wasi_wit::p3_command` of `tests/all` checks the list against that WIT
//! (every function of the world, its sync lowering, its fingerprint).
//! Order: by interface key, then WIT order; appending changes table
//! numbers, which are part of the compiler<->runtime contract.

use crate::ValType::{I32 as I, I64 as L};
use crate::component::canonical_key;
use crate::wasi_p2::{
    P2Func, P2Resource, WASI_P2_RESOURCES, func, func_index_in, resource_index_in,
};

/// `wasi:filesystem/types@0.3`.
const FS: &str = "wasi:filesystem/types@0.3";

/// Every WASI 0.3 host resource type; entry `i` is host type number
/// `WASI_P2_RESOURCES.len() + i` (after the 0.2 ones, so the two
/// `descriptor`s are distinct types, as in Wasmtime).
#[rustfmt::skip]
pub const WASI_P3_RESOURCES: &[P2Resource] = &[
    P2Resource { interface: FS, name: "descriptor" }, // 14
    P2Resource { interface: SOCK, name: "tcp-socket" }, // 15
    P2Resource { interface: SOCK, name: "udp-socket" }, // 16
    P2Resource { interface: "wasi:cli/terminal-input@0.3", name: "terminal-input" }, // 17
    P2Resource { interface: "wasi:cli/terminal-output@0.3", name: "terminal-output" }, // 18
];

/// `wasi:sockets/types@0.3`.
const SOCK: &str = "wasi:sockets/types@0.3";

/// The host type number of 0.3 resource `name` of interface key
/// `interface`.
pub const fn find_resource(interface: &str, name: &str) -> Option<u32> {
    match resource_index_in(WASI_P3_RESOURCES, interface, name) {
        Some(i) => Some(WASI_P2_RESOURCES.len() as u32 + i),
        None => None,
    }
}

/// Every WASI 0.3 host function; entry `i` is host table entry
/// `WASI_P2_FUNCS.len() + i`.
#[rustfmt::skip]
pub const WASI_P3_FUNCS: &[P2Func] = &[
    func("wasi:cli/environment@0.3", "get-environment", &[I], &[], 0x5a83e2fa468193f9),
    func("wasi:cli/environment@0.3", "get-arguments", &[I], &[], 0xccd2962deef5f636),
    func("wasi:cli/environment@0.3", "get-initial-cwd", &[I], &[], 0xa7051fc8360437ec),
    func("wasi:cli/exit@0.3", "exit", &[I], &[], 0x0f405a440525cbb1),
    func("wasi:cli/exit@0.3", "exit-with-code", &[I], &[], 0x9d19bb4bd820c026),
    func("wasi:cli/stderr@0.3", "write-via-stream", &[I], &[I], 0x4cb8d8390f31f4a6),
    func("wasi:cli/stdin@0.3", "read-via-stream", &[I], &[], 0x5456f280aa970970),
    func("wasi:cli/stdout@0.3", "write-via-stream", &[I], &[I], 0x4cb8d8390f31f4a6),
    func("wasi:cli/terminal-stderr@0.3", "get-terminal-stderr", &[I], &[], 0xfe7ee6f2bc897c05),
    func("wasi:cli/terminal-stdin@0.3", "get-terminal-stdin", &[I], &[], 0x9e7992fb12bf3896),
    func("wasi:cli/terminal-stdout@0.3", "get-terminal-stdout", &[I], &[], 0xfe7ee6f2bc897c05),
    func("wasi:clocks/monotonic-clock@0.3", "now", &[], &[L], 0x35424a13c3cefefc),
    func("wasi:clocks/monotonic-clock@0.3", "get-resolution", &[], &[L], 0x35424a13c3cefefc),
    func("wasi:clocks/monotonic-clock@0.3", "wait-until", &[L], &[], 0x56fa658219bc7cec),
    func("wasi:clocks/monotonic-clock@0.3", "wait-for", &[L], &[], 0x56fa658219bc7cec),
    func("wasi:clocks/system-clock@0.3", "now", &[I], &[], 0x247b8f6808bf4389),
    func("wasi:clocks/system-clock@0.3", "get-resolution", &[], &[L], 0x35424a13c3cefefc),
    func("wasi:filesystem/preopens@0.3", "get-directories", &[I], &[], 0xcf573515056a27dc),
    func(FS, "[method]descriptor.read-via-stream", &[I, L, I], &[], 0x0f07896c475b4122),
    func(FS, "[method]descriptor.write-via-stream", &[I, I, L], &[I], 0xd7b88bb590a38cd0),
    func(FS, "[method]descriptor.append-via-stream", &[I, I], &[I], 0xf6b96526f90df2ed),
    func(FS, "[method]descriptor.advise", &[I, L, L, I, I], &[], 0xa019a4b06a5c19c9),
    func(FS, "[method]descriptor.sync-data", &[I, I], &[], 0xdbb539940f48178f),
    func(FS, "[method]descriptor.get-flags", &[I, I], &[], 0x52545ba9704faf36),
    func(FS, "[method]descriptor.get-type", &[I, I], &[], 0xd662aa97b2c522a4),
    func(FS, "[method]descriptor.set-size", &[I, L, I], &[], 0x138d93baf25e1600),
    func(FS, "[method]descriptor.set-times", &[I, I, L, I, I, L, I, I], &[], 0x5f63a79bd9f18505),
    func(FS, "[method]descriptor.read-directory", &[I, I], &[], 0x5fbe76fd8ebe8386),
    func(FS, "[method]descriptor.sync", &[I, I], &[], 0xdbb539940f48178f),
    func(FS, "[method]descriptor.create-directory-at", &[I, I, I, I], &[], 0x065241efc1d53d7c),
    func(FS, "[method]descriptor.stat", &[I, I], &[], 0x89506647b3b01be5),
    func(FS, "[method]descriptor.stat-at", &[I, I, I, I, I], &[], 0x021aefe80ed63669),
    func(FS, "[method]descriptor.set-times-at", &[I, I, I, I, I, L, I, I, L, I, I], &[], 0x42371bdd43802165),
    func(FS, "[method]descriptor.link-at", &[I, I, I, I, I, I, I, I], &[], 0x7ea5d504cc9072e7),
    func(FS, "[method]descriptor.open-at", &[I, I, I, I, I, I, I], &[], 0x44a1325ebc867eec),
    func(FS, "[method]descriptor.readlink-at", &[I, I, I, I], &[], 0xa156bf701525d21d),
    func(FS, "[method]descriptor.remove-directory-at", &[I, I, I, I], &[], 0x065241efc1d53d7c),
    func(FS, "[method]descriptor.rename-at", &[I, I, I, I, I, I, I], &[], 0xe2a9ca946ec700b8),
    func(FS, "[method]descriptor.symlink-at", &[I, I, I, I, I, I], &[], 0xd6164a60fc38079d),
    func(FS, "[method]descriptor.unlink-file-at", &[I, I, I, I], &[], 0x065241efc1d53d7c),
    func(FS, "[method]descriptor.is-same-object", &[I, I], &[I], 0x8ffc76d27f4b17d6),
    func(FS, "[method]descriptor.metadata-hash", &[I, I], &[], 0x1fe0f527d9305243),
    func(FS, "[method]descriptor.metadata-hash-at", &[I, I, I, I, I], &[], 0xd6e7db3c1ad7a907),
    func("wasi:random/insecure-seed@0.3", "get-insecure-seed", &[I], &[], 0xfbefa9f4b310f857),
    func("wasi:random/insecure@0.3", "get-insecure-random-bytes", &[L, I], &[], 0x03cc5290e6c62cb1),
    func("wasi:random/insecure@0.3", "get-insecure-random-u64", &[], &[L], 0x35424a13c3cefefc),
    func("wasi:random/random@0.3", "get-random-bytes", &[L, I], &[], 0x03cc5290e6c62cb1),
    func("wasi:random/random@0.3", "get-random-u64", &[], &[L], 0x35424a13c3cefefc),
    func("wasi:sockets/ip-name-lookup@0.3", "resolve-addresses", &[I, I, I], &[], 0x3f56947c10c8db28),
    func(SOCK, "[static]tcp-socket.create", &[I, I], &[], 0xe1a1f72148473bd5),
    func(SOCK, "[method]tcp-socket.bind", &[I, I, I, I, I, I, I, I, I, I, I, I, I, I], &[], 0xf0eb97a78ea7e18f),
    func(SOCK, "[method]tcp-socket.connect", &[I, I, I, I, I, I, I, I, I, I, I, I, I, I], &[], 0xf0eb97a78ea7e18f),
    func(SOCK, "[method]tcp-socket.listen", &[I, I], &[], 0x1109f9558a125cb9),
    func(SOCK, "[method]tcp-socket.send", &[I, I], &[I], 0xefb9ebfd5633ab38),
    func(SOCK, "[method]tcp-socket.receive", &[I, I], &[], 0x23f3918743d60a88),
    func(SOCK, "[method]tcp-socket.get-local-address", &[I, I], &[], 0xfd2338c3d26852ed),
    func(SOCK, "[method]tcp-socket.get-remote-address", &[I, I], &[], 0xfd2338c3d26852ed),
    func(SOCK, "[method]tcp-socket.get-is-listening", &[I], &[I], 0xb5d0e2309ade8e22),
    func(SOCK, "[method]tcp-socket.get-address-family", &[I], &[I], 0x36d8812abfdfa0d9),
    func(SOCK, "[method]tcp-socket.set-listen-backlog-size", &[I, L, I], &[], 0xf8d67b52c10d0ceb),
    func(SOCK, "[method]tcp-socket.get-keep-alive-enabled", &[I, I], &[], 0x24948d63b133c239),
    func(SOCK, "[method]tcp-socket.set-keep-alive-enabled", &[I, I, I], &[], 0x3b5e8fe58f014fd3),
    func(SOCK, "[method]tcp-socket.get-keep-alive-idle-time", &[I, I], &[], 0xc98256c34eb84a11),
    func(SOCK, "[method]tcp-socket.set-keep-alive-idle-time", &[I, L, I], &[], 0xf8d67b52c10d0ceb),
    func(SOCK, "[method]tcp-socket.get-keep-alive-interval", &[I, I], &[], 0xc98256c34eb84a11),
    func(SOCK, "[method]tcp-socket.set-keep-alive-interval", &[I, L, I], &[], 0xf8d67b52c10d0ceb),
    func(SOCK, "[method]tcp-socket.get-keep-alive-count", &[I, I], &[], 0x3bf58ede173ec6d7),
    func(SOCK, "[method]tcp-socket.set-keep-alive-count", &[I, I, I], &[], 0x6c5304fa0cb850bd),
    func(SOCK, "[method]tcp-socket.get-hop-limit", &[I, I], &[], 0x5e3af7054c01cd83),
    func(SOCK, "[method]tcp-socket.set-hop-limit", &[I, I, I], &[], 0x00b7af97c8207de9),
    func(SOCK, "[method]tcp-socket.get-receive-buffer-size", &[I, I], &[], 0xc98256c34eb84a11),
    func(SOCK, "[method]tcp-socket.set-receive-buffer-size", &[I, L, I], &[], 0xf8d67b52c10d0ceb),
    func(SOCK, "[method]tcp-socket.get-send-buffer-size", &[I, I], &[], 0xc98256c34eb84a11),
    func(SOCK, "[method]tcp-socket.set-send-buffer-size", &[I, L, I], &[], 0xf8d67b52c10d0ceb),
    func(SOCK, "[static]udp-socket.create", &[I, I], &[], 0xc49a4ac4209e3ef8),
    func(SOCK, "[method]udp-socket.bind", &[I, I, I, I, I, I, I, I, I, I, I, I, I, I], &[], 0x3c454d45c7ce69a8),
    func(SOCK, "[method]udp-socket.connect", &[I, I, I, I, I, I, I, I, I, I, I, I, I, I], &[], 0x3c454d45c7ce69a8),
    func(SOCK, "[method]udp-socket.disconnect", &[I, I], &[], 0x3a6ce38bae0ee56f),
    func(SOCK, "[method]udp-socket.send", &[I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I], &[], 0x5a78844c85dc9809),
    func(SOCK, "[method]udp-socket.receive", &[I, I], &[], 0x583f0698135385ad),
    func(SOCK, "[method]udp-socket.get-local-address", &[I, I], &[], 0x2276e9df3aa6263a),
    func(SOCK, "[method]udp-socket.get-remote-address", &[I, I], &[], 0x2276e9df3aa6263a),
    func(SOCK, "[method]udp-socket.get-address-family", &[I], &[I], 0x404334061ea05612),
    func(SOCK, "[method]udp-socket.get-unicast-hop-limit", &[I, I], &[], 0xc5d3ab02bf423c52),
    func(SOCK, "[method]udp-socket.set-unicast-hop-limit", &[I, I, I], &[], 0x1c5310b7a35dbae4),
    func(SOCK, "[method]udp-socket.get-receive-buffer-size", &[I, I], &[], 0x7a03a1f3103271dc),
    func(SOCK, "[method]udp-socket.set-receive-buffer-size", &[I, L, I], &[], 0xc1e80c983b13a52a),
    func(SOCK, "[method]udp-socket.get-send-buffer-size", &[I, I], &[], 0x7a03a1f3103271dc),
    func(SOCK, "[method]udp-socket.set-send-buffer-size", &[I, L, I], &[], 0xc1e80c983b13a52a),
];

/// The interface key of a 0.3 interface name: `ns:pkg/iface@0.3` for any
/// `@0.3.*` version (release candidates included), else `None`.
pub fn p3_key(name: &str) -> Option<&str> {
    let at = name.find('@')?;
    let rest = &name[at + 1..];
    if rest == "0.3" || rest.starts_with("0.3.") || rest.starts_with("0.3-") {
        Some(&name[..at + 4])
    } else {
        None
    }
}

/// Whether `key` (an interface key) names a WASI 0.3 interface.
pub fn is_p3_key(key: &str) -> bool {
    key.ends_with("@0.3")
}

/// The key host lists are searched by: [`p3_key`] for a 0.3 interface,
/// else the semver [`canonical_key`] (`@0.2` for every 0.2.x).
pub fn interface_key(name: &str) -> &str {
    p3_key(name).unwrap_or_else(|| canonical_key(name))
}

/// The index in [`WASI_P3_FUNCS`] of function `name` of interface key
/// `interface`, if the host has it.
pub const fn func_index(interface: &str, name: &str) -> Option<usize> {
    func_index_in(WASI_P3_FUNCS, interface, name)
}

/// The function `name` of interface key `interface`, if the host has it.
pub fn find_func(interface: &str, name: &str) -> Option<(usize, &'static P2Func)> {
    func_index(interface, name).map(|i| (i, &WASI_P3_FUNCS[i]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cover_every_03_version() {
        assert_eq!(p3_key("wasi:cli/stdout@0.3.2"), Some("wasi:cli/stdout@0.3"));
        assert_eq!(
            p3_key("wasi:cli/stdout@0.3.0-rc-2025-09-16"),
            Some("wasi:cli/stdout@0.3")
        );
        assert_eq!(p3_key("wasi:cli/stdout@0.3"), Some("wasi:cli/stdout@0.3"));
        assert_eq!(p3_key("wasi:cli/stdout@0.30.1"), None);
        assert_eq!(p3_key("wasi:cli/stdout@0.2.6"), None);
        assert_eq!(
            interface_key("wasi:cli/stdout@0.2.6"),
            "wasi:cli/stdout@0.2"
        );
        assert!(is_p3_key(interface_key("wasi:cli/run@0.3.0-rc-2026-01-01")));
    }

    #[test]
    fn functions_are_listed_once_and_sorted() {
        for (i, f) in WASI_P3_FUNCS.iter().enumerate() {
            assert_eq!(func_index(f.interface, f.name), Some(i));
            assert!(is_p3_key(f.interface));
            if i > 0 {
                assert!(WASI_P3_FUNCS[i - 1].interface <= f.interface);
            }
        }
    }
}
