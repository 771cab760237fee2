// kiln-test: pure = yes
// kiln-test: stdout = "tcp: Err(ErrorCode::AccessDenied)\nudp: Err(ErrorCode::AccessDenied)\nlookup: Err(ErrorCode::PermanentResolverFailure)\n"
//! WASI 0.3 sockets without a network grant: creating a socket is
//! `access-denied`, a name lookup is refused.

use kiln_p3_tests::Out;
use wasip3::sockets::ip_name_lookup::resolve_addresses;
use wasip3::sockets::types::{IpAddressFamily, TcpSocket, UdpSocket};

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = Out::stdout();
        let tcp = TcpSocket::create(IpAddressFamily::Ipv4).map(|_| ());
        out.print(&format!("tcp: {tcp:?}\n")).await;
        let udp = UdpSocket::create(IpAddressFamily::Ipv6).map(|_| ());
        out.print(&format!("udp: {udp:?}\n")).await;
        let lookup = resolve_addresses("localhost".into()).await.map(|_| ());
        out.print(&format!("lookup: {lookup:?}\n")).await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
