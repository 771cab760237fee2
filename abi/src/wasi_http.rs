//! The `wasi:http@0.2` host functions (the client side a command program
//! imports: `wasi:http/types` and `wasi:http/outgoing-handler`), in the same
//! form as the WASI 0.2 list ([`crate::wasi_p2`]) and numbered after the
//! WASI 0.3 list: a component's lowered import of function `i` of
//! [`WASI_HTTP_FUNCS`] calls the runtime's host function
//! `WASI_P2_FUNCS.len() + WASI_P3_FUNCS.len() + i`
//! ([`crate::symbols::wasi_host_symbol`]), and resource `i` of
//! [`WASI_HTTP_RESOURCES`] is host type number
//! `WASI_P2_RESOURCES.len() + WASI_P3_RESOURCES.len() + i`.
//!
//! A list of its own (not appended to the 0.2 one) because type
//! fingerprints encode resources by host type number: appending to the 0.2
//! resources would renumber the 0.3 ones. The cost is the converse: a
//! resource appended to the 0.3 list renumbers these, and the fingerprints
//! below must then be regenerated (the runtime test
//! `http_functions_are_implemented_with_their_types` prints them).
//!
//! Interface keys are `@0.2` keys ([`crate::component::canonical_key`]):
//! every 0.2.x `wasi:http` shares these entries. Wasmtime links them only
//! with `-S http`; Kiln's compiler resolves them always, and the CLI refuses
//! a component importing any of them without `-S http`.
//!
//! Source: the WIT of `wasi:http@0.2.12` (`types`, `outgoing-handler`), WIT
//! order. Left out: the `@unstable` `response-outparam.send-informational`
//! (Wasmtime does not link unstable functions by default). Core signatures
//! and fingerprints were derived from the runtime's host functions' Rust
//! types; the trials `wasi_wit::p2_http` and `wasi_wit::p3_http` of
//! `tests/all` check every entry against the WIT of `wasi:http@0.2.12` and
//! `wasi:http@0.3.2`.

use crate::ValType::{I32 as I, I64 as L};
use crate::wasi_p2::{
    P2Func, P2Resource, WASI_P2_RESOURCES, func, func_index_in, resource_index_in,
};
use crate::wasi_p3::WASI_P3_RESOURCES;

/// `wasi:http/types@0.2`.
const TYPES: &str = "wasi:http/types@0.2";

/// Every `wasi:http` host resource type, in WIT order; entry `i` is host
/// type number `WASI_P2_RESOURCES.len() + WASI_P3_RESOURCES.len() + i`.
#[rustfmt::skip]
pub const WASI_HTTP_RESOURCES: &[P2Resource] = &[
    P2Resource { interface: TYPES, name: "fields" },
    P2Resource { interface: TYPES, name: "incoming-request" },
    P2Resource { interface: TYPES, name: "outgoing-request" },
    P2Resource { interface: TYPES, name: "request-options" },
    P2Resource { interface: TYPES, name: "response-outparam" },
    P2Resource { interface: TYPES, name: "incoming-response" },
    P2Resource { interface: TYPES, name: "incoming-body" },
    P2Resource { interface: TYPES, name: "future-trailers" },
    P2Resource { interface: TYPES, name: "outgoing-response" },
    P2Resource { interface: TYPES, name: "outgoing-body" },
    P2Resource { interface: TYPES, name: "future-incoming-response" },
    P2Resource { interface: TYPES3, name: "fields" },
    P2Resource { interface: TYPES3, name: "request" },
    P2Resource { interface: TYPES3, name: "request-options" },
    P2Resource { interface: TYPES3, name: "response" },
];

/// `wasi:http/types@0.3` (every 0.3.x, release candidates included:
/// `crate::wasi_p3::interface_key`).
const TYPES3: &str = "wasi:http/types@0.3";

/// The first host type number of [`WASI_HTTP_RESOURCES`].
pub const FIRST_RESOURCE: usize = WASI_P2_RESOURCES.len() + WASI_P3_RESOURCES.len();

/// The host type number of `wasi:http` resource `name` of interface key
/// `interface`.
pub const fn find_resource(interface: &str, name: &str) -> Option<u32> {
    match resource_index_in(WASI_HTTP_RESOURCES, interface, name) {
        Some(i) => Some(FIRST_RESOURCE as u32 + i),
        None => None,
    }
}

/// Every `wasi:http` host function; entry `i` is host table entry
/// `WASI_P2_FUNCS.len() + WASI_P3_FUNCS.len() + i`.
#[rustfmt::skip]
pub const WASI_HTTP_FUNCS: &[P2Func] = &[
    func("wasi:http/outgoing-handler@0.2", "handle", &[I, I, I, I], &[], 0x4299779a3fea110a),
    func(TYPES, "[constructor]fields", &[], &[I], 0xa49a9fe0e65040c0),
    func(TYPES, "[static]fields.from-list", &[I, I, I], &[], 0x12da2b46f740d0c6),
    func(TYPES, "[method]fields.get", &[I, I, I, I], &[], 0x2f8eb14a56231d63),
    func(TYPES, "[method]fields.has", &[I, I, I], &[I], 0x80b0b0e898080641),
    func(TYPES, "[method]fields.set", &[I, I, I, I, I, I], &[], 0x0d9f4f2c5adbac51),
    func(TYPES, "[method]fields.delete", &[I, I, I, I], &[], 0xaeb24ece562af4e2),
    func(TYPES, "[method]fields.append", &[I, I, I, I, I, I], &[], 0xa4c64e592a7c19b7),
    func(TYPES, "[method]fields.entries", &[I, I], &[], 0xb518284623ba1ae3),
    func(TYPES, "[method]fields.clone", &[I], &[I], 0xacef2ccac25df70a),
    func(TYPES, "[method]incoming-request.method", &[I, I], &[], 0x7a4cde75dfaba9e2),
    func(TYPES, "[method]incoming-request.path-with-query", &[I, I], &[], 0x65449efd57718f81),
    func(TYPES, "[method]incoming-request.scheme", &[I, I], &[], 0xc6ffa41a88197b26),
    func(TYPES, "[method]incoming-request.authority", &[I, I], &[], 0x65449efd57718f81),
    func(TYPES, "[method]incoming-request.headers", &[I], &[I], 0x63af8ae77a0bbced),
    func(TYPES, "[method]incoming-request.consume", &[I, I], &[], 0xd287ef7095ac98b3),
    func(TYPES, "[constructor]outgoing-request", &[I], &[I], 0x3eebc6c47096d6d3),
    func(TYPES, "[method]outgoing-request.body", &[I, I], &[], 0x6a756909ead08da7),
    func(TYPES, "[method]outgoing-request.method", &[I, I], &[], 0x2981a367a3835abd),
    func(TYPES, "[method]outgoing-request.set-method", &[I, I, I, I], &[I], 0x384da823b18cc49f),
    func(TYPES, "[method]outgoing-request.path-with-query", &[I, I], &[], 0xc9bbad84b4ea3660),
    func(TYPES, "[method]outgoing-request.set-path-with-query", &[I, I, I, I], &[I], 0xe7e2f4c0d9a407f6),
    func(TYPES, "[method]outgoing-request.scheme", &[I, I], &[], 0x89625ad7533a9557),
    func(TYPES, "[method]outgoing-request.set-scheme", &[I, I, I, I, I], &[I], 0xd384c37949b68ed1),
    func(TYPES, "[method]outgoing-request.authority", &[I, I], &[], 0xc9bbad84b4ea3660),
    func(TYPES, "[method]outgoing-request.set-authority", &[I, I, I, I], &[I], 0xe7e2f4c0d9a407f6),
    func(TYPES, "[method]outgoing-request.headers", &[I], &[I], 0xc6d14e657a3feccc),
    func(TYPES, "[constructor]request-options", &[], &[I], 0xc47ffc0a955cef95),
    func(TYPES, "[method]request-options.connect-timeout", &[I, I], &[], 0x832b7aaed672b247),
    func(TYPES, "[method]request-options.set-connect-timeout", &[I, I, L], &[I], 0xe74e76dd59131d81),
    func(TYPES, "[method]request-options.first-byte-timeout", &[I, I], &[], 0x832b7aaed672b247),
    func(TYPES, "[method]request-options.set-first-byte-timeout", &[I, I, L], &[I], 0xe74e76dd59131d81),
    func(TYPES, "[method]request-options.between-bytes-timeout", &[I, I], &[], 0x832b7aaed672b247),
    func(TYPES, "[method]request-options.set-between-bytes-timeout", &[I, I, L], &[I], 0xe74e76dd59131d81),
    func(TYPES, "[static]response-outparam.set", &[I, I, I, I, L, I, I, I, I], &[], 0x4068083acbabca1a),
    func(TYPES, "[method]incoming-response.status", &[I], &[I], 0x14e709bc05d0ddc1),
    func(TYPES, "[method]incoming-response.headers", &[I], &[I], 0x2fe0fb7ed63d0ae1),
    func(TYPES, "[method]incoming-response.consume", &[I, I], &[], 0xffe68b6a248f45ff),
    func(TYPES, "[method]incoming-body.stream", &[I, I], &[], 0x59de76f163d4a6b1),
    func(TYPES, "[static]incoming-body.finish", &[I], &[I], 0xf8fd8058010b6b26),
    func(TYPES, "[method]future-trailers.subscribe", &[I], &[I], 0x122752977290b535),
    func(TYPES, "[method]future-trailers.get", &[I, I], &[], 0xc59e5da0b91c960e),
    func(TYPES, "[constructor]outgoing-response", &[I], &[I], 0x7eb67f17ceb0347d),
    func(TYPES, "[method]outgoing-response.status-code", &[I], &[I], 0xb6bc068b005cf392),
    func(TYPES, "[method]outgoing-response.set-status-code", &[I, I], &[I], 0x9f59ef02057a2ae4),
    func(TYPES, "[method]outgoing-response.headers", &[I], &[I], 0x34fe7e8a29b53502),
    func(TYPES, "[method]outgoing-response.body", &[I, I], &[], 0x7871c77e11640109),
    func(TYPES, "[method]outgoing-body.write", &[I, I], &[], 0x629f2028ea80f465),
    func(TYPES, "[static]outgoing-body.finish", &[I, I, I, I], &[], 0x622b3cd6cd6c3fcd),
    func(TYPES, "[method]future-incoming-response.subscribe", &[I], &[I], 0x0e96089998877ab2),
    func(TYPES, "[method]future-incoming-response.get", &[I, I], &[], 0x4b2a3aeffaca9376),
    func(TYPES, "http-error-code", &[I, I], &[], 0x85857fd661be2131),
    // wasi:http@0.3 (WIT order of `types`, then `client`).
    func(TYPES3, "[constructor]fields", &[], &[I], 0xc4555c4d470ad41d),
    func(TYPES3, "[static]fields.from-list", &[I, I, I], &[], 0xbe912cc04a10328f),
    func(TYPES3, "[method]fields.get", &[I, I, I, I], &[], 0x05be2f2d54b8d0ce),
    func(TYPES3, "[method]fields.has", &[I, I, I], &[I], 0xdc248a463396b7cc),
    func(TYPES3, "[method]fields.set", &[I, I, I, I, I, I], &[], 0xf4aad4aab4a1bdd4),
    func(TYPES3, "[method]fields.delete", &[I, I, I, I], &[], 0x4eebf945e5af14c3),
    func(TYPES3, "[method]fields.get-and-delete", &[I, I, I, I], &[], 0xd891d6be73948c74),
    func(TYPES3, "[method]fields.append", &[I, I, I, I, I, I], &[], 0xbd93f74e34be746a),
    func(TYPES3, "[method]fields.copy-all", &[I, I], &[], 0xdaeaad1c46f0356e),
    func(TYPES3, "[method]fields.clone", &[I], &[I], 0x6daaa04d37482ada),
    func(TYPES3, "[static]request.new", &[I, I, I, I, I, I, I], &[], 0x4f3ce0a10b702217),
    func(TYPES3, "[method]request.get-method", &[I, I], &[], 0xd871809c1454f8e3),
    func(TYPES3, "[method]request.set-method", &[I, I, I, I], &[I], 0xc0a2cf45c5ec3fe1),
    func(TYPES3, "[method]request.get-path-with-query", &[I, I], &[], 0xef71eb59a5c76dea),
    func(TYPES3, "[method]request.set-path-with-query", &[I, I, I, I], &[I], 0xa724848d9927b39c),
    func(TYPES3, "[method]request.get-scheme", &[I, I], &[], 0xdf50f93fc10d8e2d),
    func(TYPES3, "[method]request.set-scheme", &[I, I, I, I, I], &[I], 0x8a2c66926ce8bb4b),
    func(TYPES3, "[method]request.get-authority", &[I, I], &[], 0xef71eb59a5c76dea),
    func(TYPES3, "[method]request.set-authority", &[I, I, I, I], &[I], 0xa724848d9927b39c),
    func(TYPES3, "[method]request.get-options", &[I, I], &[], 0xd1bb0c403df28e51),
    func(TYPES3, "[method]request.get-headers", &[I], &[I], 0x10c1bbdbe3e7d3db),
    func(TYPES3, "[static]request.consume-body", &[I, I, I], &[], 0x83f365a609f30063),
    func(TYPES3, "[constructor]request-options", &[], &[I], 0x838ae58a1304d1a3),
    func(TYPES3, "[method]request-options.get-connect-timeout", &[I, I], &[], 0x18c8f296d1ba51d1),
    func(TYPES3, "[method]request-options.set-connect-timeout", &[I, I, L, I], &[], 0x65ea580ef98df1b9),
    func(TYPES3, "[method]request-options.get-first-byte-timeout", &[I, I], &[], 0x18c8f296d1ba51d1),
    func(TYPES3, "[method]request-options.set-first-byte-timeout", &[I, I, L, I], &[], 0x65ea580ef98df1b9),
    func(TYPES3, "[method]request-options.get-between-bytes-timeout", &[I, I], &[], 0x18c8f296d1ba51d1),
    func(TYPES3, "[method]request-options.set-between-bytes-timeout", &[I, I, L, I], &[], 0x65ea580ef98df1b9),
    func(TYPES3, "[method]request-options.clone", &[I], &[I], 0x36ee9aed550f129a),
    func(TYPES3, "[static]response.new", &[I, I, I, I, I], &[], 0xfaad8a3b6f11b909),
    func(TYPES3, "[method]response.get-status-code", &[I], &[I], 0x2218e247744ebca8),
    func(TYPES3, "[method]response.set-status-code", &[I, I], &[I], 0x5fdc6ba6eec5c2be),
    func(TYPES3, "[method]response.get-headers", &[I], &[I], 0x19d06ecf5fc81945),
    func(TYPES3, "[static]response.consume-body", &[I, I, I], &[], 0x8b478ed1929892c5),
    func("wasi:http/client@0.3", "send", &[I, I], &[], 0xde76bcdbe41738ea),
];

/// The index in [`WASI_HTTP_FUNCS`] of function `name` of interface key
/// `interface`, if the host has it.
pub const fn func_index(interface: &str, name: &str) -> Option<usize> {
    func_index_in(WASI_HTTP_FUNCS, interface, name)
}

/// The function `name` of interface key `interface`, if the host has it.
pub fn find_func(interface: &str, name: &str) -> Option<(usize, &'static P2Func)> {
    func_index(interface, name).map(|i| (i, &WASI_HTTP_FUNCS[i]))
}

/// Whether `key` (an interface key) is a `wasi:http` interface: a
/// component importing one needs Wasmtime's `-S http`.
pub fn is_http_key(key: &str) -> bool {
    key.starts_with("wasi:http/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::canonical_key;

    #[test]
    fn every_function_is_listed_once_with_a_canonical_key() {
        assert_eq!(WASI_HTTP_FUNCS.len(), 88);
        assert_eq!(WASI_HTTP_RESOURCES.len(), 15);
        for (i, f) in WASI_HTTP_FUNCS.iter().enumerate() {
            assert_eq!(func_index(f.interface, f.name), Some(i));
            assert_eq!(canonical_key(f.interface), f.interface);
            assert!(is_http_key(f.interface));
            assert!(f.results.len() <= 1 && f.params.len() <= 17, "{}", f.name);
            assert_ne!(f.type_hash, 0, "{}", f.name);
        }
        for (i, r) in WASI_HTTP_RESOURCES.iter().enumerate() {
            assert_eq!(
                find_resource(r.interface, r.name),
                Some((FIRST_RESOURCE + i) as u32)
            );
        }
    }
}
