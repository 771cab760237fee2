// kiln-test: pure = yes
// kiln-test: wasi = inherit-network
// kiln-test: wasi = allow-ip-name-lookup
// kiln-test: stdout = "localhost has 127.0.0.1: true\n127.0.0.1: Ok([IpAddress::Ipv4((127, 0, 0, 1))])\n[::1]: Ok([IpAddress::Ipv6((0, 0, 0, 0, 0, 0, 0, 1))])\nempty: Err(ErrorCode::InvalidArgument)\nbad host: Err(ErrorCode::InvalidArgument)\nconcurrent lookups: true true\n"
//! `ip-name-lookup.resolve-addresses`: `localhost` through the host
//! resolver (off the event loop in Kiln), address literals, malformed
//! names, and two lookups in flight at once.

use kiln_p3_tests::{Out, join2};
use wasip3::sockets::ip_name_lookup::resolve_addresses;
use wasip3::sockets::types::IpAddress;

struct Cmd;
wasip3::cli::command::export!(Cmd);

fn has_loopback(r: &Result<Vec<IpAddress>, wasip3::sockets::ip_name_lookup::ErrorCode>) -> bool {
    r.as_ref().is_ok_and(|v| {
        v.iter()
            .any(|a| matches!(a, IpAddress::Ipv4((127, 0, 0, 1))))
    })
}

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = Out::stdout();
        let local = resolve_addresses("localhost".into()).await;
        out.print(&format!(
            "localhost has 127.0.0.1: {}\n",
            has_loopback(&local)
        ))
        .await;
        for name in ["127.0.0.1", "[::1]"] {
            let r = resolve_addresses(name.into()).await;
            out.print(&format!("{name}: {r:?}\n")).await;
        }
        let r = resolve_addresses(String::new()).await;
        out.print(&format!("empty: {r:?}\n")).await;
        let r = resolve_addresses("a b%".into()).await;
        out.print(&format!("bad host: {r:?}\n")).await;
        let (a, b) = join2(
            resolve_addresses("localhost".into()),
            resolve_addresses("LocalHost".into()),
        )
        .await;
        out.print(&format!(
            "concurrent lookups: {} {}\n",
            has_loopback(&a),
            has_loopback(&b)
        ))
        .await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
