// kiln-test: pure = yes
// kiln-test: wasi = inherit-network
// kiln-test: stdout = "unbound receive: Err(ErrorCode::InvalidState)\nserver got [112, 105, 110, 103] from the client: true\nclient got [112, 111, 110, 103] from the server: true\nclient connected to the server: true\nunconnected send without address: Err(ErrorCode::InvalidArgument)\ndisconnect: Ok(()) then Err(ErrorCode::InvalidState)\ntoo large: Err(ErrorCode::DatagramTooLarge)\n"
//! UDP on loopback with ephemeral ports: a server socket and a connected
//! client (implicitly bound), `receive` started before the datagram is
//! sent (its subtask waits on the reactor and the datagram is lowered
//! with the guest's `realloc` when it arrives), replies by address, and
//! the error paths of `send`, `receive` and `disconnect`.

use kiln_p3_tests::{Out, join2};
use wasip3::sockets::types::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, UdpSocket};

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = Out::stdout();
        let unbound = UdpSocket::create(IpAddressFamily::Ipv4).unwrap();
        out.print(&format!("unbound receive: {:?}\n", unbound.receive().await))
            .await;
        let server = UdpSocket::create(IpAddressFamily::Ipv4).unwrap();
        server
            .bind(IpSocketAddress::Ipv4(Ipv4SocketAddress {
                port: 0,
                address: (127, 0, 0, 1),
            }))
            .unwrap();
        let server_addr = server.get_local_address().unwrap();
        let client = UdpSocket::create(IpAddressFamily::Ipv4).unwrap();
        client.connect(server_addr).unwrap();
        let (got, sent) = join2(server.receive(), client.send(b"ping".to_vec(), None)).await;
        sent.unwrap();
        let (data, from) = got.unwrap();
        let is_client =
            format!("{:?}", Some(&from)) == format!("{:?}", client.get_local_address().ok());
        out.print(&format!(
            "server got {data:?} from the client: {is_client}\n"
        ))
        .await;
        let (back, replied) =
            join2(client.receive(), server.send(b"pong".to_vec(), Some(from))).await;
        replied.unwrap();
        let (data, from) = back.unwrap();
        out.print(&format!(
            "client got {data:?} from the server: {}\n",
            format!("{from:?}") == format!("{server_addr:?}")
        ))
        .await;
        out.print(&format!(
            "client connected to the server: {}\n",
            format!("{:?}", client.get_remote_address().ok()) == format!("{:?}", Some(server_addr))
        ))
        .await;
        let lone = UdpSocket::create(IpAddressFamily::Ipv4).unwrap();
        out.print(&format!(
            "unconnected send without address: {:?}\n",
            lone.send(vec![0], None).await
        ))
        .await;
        let first = client.disconnect();
        let second = client.disconnect();
        out.print(&format!("disconnect: {first:?} then {second:?}\n"))
            .await;
        out.print(&format!(
            "too large: {:?}\n",
            server.send(vec![0; 70000], Some(from)).await
        ))
        .await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
