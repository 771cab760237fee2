// kiln-test: pure = yes
// kiln-test: wasi = inherit-network
// kiln-test: stdout = "bind to a used port: Err(ErrorCode::AddressInUse)\nconnect refused: Err(ErrorCode::ConnectionRefused)\nconnect to 0.0.0.0: Err(ErrorCode::InvalidArgument)\nconnect wrong family: Err(ErrorCode::InvalidArgument)\nlisten twice: Err(ErrorCode::InvalidState)\nreceive unconnected: Err(ErrorCode::InvalidState)\nsend unconnected: Err(ErrorCode::InvalidState)\nudp bind twice: Err(ErrorCode::InvalidState)\nbacklog 0: Err(ErrorCode::InvalidArgument)\n"
//! Error paths of WASI 0.3 sockets with the network granted: a port in
//! use, a refused connection (a bound port nobody listens on), bad
//! remote addresses, state errors of `listen`, `receive`, `send` and UDP
//! `bind`, and an option value out of range.

use kiln_p3_tests::Out;
use wasip3::sockets::types::{
    IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress, TcpSocket, UdpSocket,
};

struct Cmd;
wasip3::cli::command::export!(Cmd);

fn v4(port: u16, address: (u8, u8, u8, u8)) -> IpSocketAddress {
    IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address })
}

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = Out::stdout();
        let tcp = || TcpSocket::create(IpAddressFamily::Ipv4).unwrap();
        let listener = tcp();
        listener.bind(v4(0, (127, 0, 0, 1))).unwrap();
        let _accept = listener.listen().unwrap();
        let used = listener.get_local_address().unwrap();
        out.print(&format!("bind to a used port: {:?}\n", tcp().bind(used)))
            .await;

        let idle = tcp();
        idle.bind(v4(0, (127, 0, 0, 1))).unwrap();
        let nobody = idle.get_local_address().unwrap();
        out.print(&format!(
            "connect refused: {:?}\n",
            tcp().connect(nobody).await
        ))
        .await;
        out.print(&format!(
            "connect to 0.0.0.0: {:?}\n",
            tcp().connect(v4(80, (0, 0, 0, 0))).await
        ))
        .await;
        let v6 = IpSocketAddress::Ipv6(Ipv6SocketAddress {
            port: 80,
            flow_info: 0,
            address: (0, 0, 0, 0, 0, 0, 0, 1),
            scope_id: 0,
        });
        out.print(&format!(
            "connect wrong family: {:?}\n",
            tcp().connect(v6).await
        ))
        .await;
        out.print(&format!(
            "listen twice: {:?}\n",
            listener.listen().err().map(Err::<(), _>).unwrap_or(Ok(()))
        ))
        .await;
        let lone = tcp();
        let (_rx, done) = lone.receive();
        out.print(&format!("receive unconnected: {:?}\n", done.await))
            .await;
        let (tx, rx) = wasip3::wit_stream::new::<u8>();
        drop(tx);
        out.print(&format!("send unconnected: {:?}\n", lone.send(rx).await))
            .await;
        let udp = UdpSocket::create(IpAddressFamily::Ipv4).unwrap();
        udp.bind(v4(0, (127, 0, 0, 1))).unwrap();
        out.print(&format!(
            "udp bind twice: {:?}\n",
            udp.bind(v4(0, (127, 0, 0, 1)))
        ))
        .await;
        out.print(&format!(
            "backlog 0: {:?}\n",
            tcp().set_listen_backlog_size(0)
        ))
        .await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
