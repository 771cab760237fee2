// kiln-test: pure = yes
// kiln-test: wasi = inherit-network
// kiln-test: wasi = tcp=n
// kiln-test: stdout = "tcp: Err(ErrorCode::AccessDenied)\nudp: Ok(())\n"
//! `-S tcp=n` beside `-S inherit-network`: TCP sockets are refused at
//! creation, UDP ones are not.

use kiln_p3_tests::Out;
use wasip3::sockets::types::{IpAddressFamily, TcpSocket, UdpSocket};

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = Out::stdout();
        let tcp = TcpSocket::create(IpAddressFamily::Ipv4).map(|_| ());
        out.print(&format!("tcp: {tcp:?}\n")).await;
        let udp = UdpSocket::create(IpAddressFamily::Ipv4).map(|_| ());
        out.print(&format!("udp: {udp:?}\n")).await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
