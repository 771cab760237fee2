// kiln-test: pure = yes
// kiln-test: wasi = inherit-network
// kiln-test: stdout = "listening: true ipv4\nconnected\nclient sent 1048576 bytes: Ok(())\nserver got 1048576 bytes: Ok(())\nserver peer is the client: true\nserver echoed: Ok(())\nclient got 1048576 bytes back, equal: true, end: Ok(())\n"
//! A TCP echo server and its client in one program, on loopback with an
//! ephemeral port: `listen` as a stream of sockets, `connect`, a 1 MiB
//! `send` (far more than the client's small socket buffers hold, so the
//! host's copies block and resume on the reactor), `receive` to the end, the write half
//! shut down by dropping the send stream, and the echo back.

use kiln_p3_tests::{Out, join2};
use wasip3::sockets::types::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, TcpSocket};
use wasip3::wit_bindgen::StreamResult;
use wasip3::wit_bindgen::rt::async_support::StreamReader;

const SIZE: usize = 1 << 20;

struct Cmd;
wasip3::cli::command::export!(Cmd);

/// Reads `rx` to its end.
async fn read_all(mut rx: StreamReader<u8>) -> Vec<u8> {
    let mut all = Vec::new();
    loop {
        let (r, chunk) = rx.read(Vec::with_capacity(64 * 1024)).await;
        all.extend_from_slice(&chunk);
        match r {
            StreamResult::Complete(_) => {}
            StreamResult::Dropped | StreamResult::Cancelled => return all,
        }
    }
}

/// Sends `data` on `sock` and ends its write half.
async fn send_all(
    sock: &TcpSocket,
    data: Vec<u8>,
) -> Result<(), wasip3::sockets::types::ErrorCode> {
    let (mut tx, rx) = wasip3::wit_stream::new();
    let (r, ()) = join2(async { sock.send(rx).await }, async {
        let rest = tx.write_all(data).await;
        assert!(rest.is_empty());
        drop(tx);
    })
    .await;
    r
}

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = Out::stdout();
        let listener = TcpSocket::create(IpAddressFamily::Ipv4).unwrap();
        let any_port = IpSocketAddress::Ipv4(Ipv4SocketAddress {
            port: 0,
            address: (127, 0, 0, 1),
        });
        listener.bind(any_port).unwrap();
        let addr = listener.get_local_address().unwrap();
        let mut accept = listener.listen().unwrap();
        let family = match listener.get_address_family() {
            IpAddressFamily::Ipv4 => "ipv4",
            IpAddressFamily::Ipv6 => "ipv6",
        };
        out.print(&format!(
            "listening: {} {family}\n",
            listener.get_is_listening()
        ))
        .await;
        let payload: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
        let expected = payload.clone();
        let client = TcpSocket::create(IpAddressFamily::Ipv4).unwrap();
        // Small buffers: the host's copies must block and resume.
        client.set_send_buffer_size(8192).unwrap();
        client.set_receive_buffer_size(8192).unwrap();
        let mut lines = Vec::new();
        let (server_lines, client_lines) = join2(
            async {
                let mut lines = Vec::new();
                let sock = accept.next().await.unwrap();
                let (rx, done) = sock.receive();
                let got = read_all(rx).await;
                lines.push(format!(
                    "server got {} bytes: {:?}\n",
                    got.len(),
                    done.await
                ));
                let peer = sock.get_remote_address().unwrap();
                let same =
                    format!("{:?}", Some(peer)) == format!("{:?}", client.get_local_address().ok());
                lines.push(format!("server peer is the client: {same}\n"));
                lines.push(format!("server echoed: {:?}\n", send_all(&sock, got).await));
                lines
            },
            async {
                let mut lines = Vec::new();
                client.connect(addr).await.unwrap();
                lines.push("connected\n".to_string());
                let sent = send_all(&client, payload).await;
                lines.push(format!("client sent {SIZE} bytes: {sent:?}\n"));
                let (rx, done) = client.receive();
                let back = read_all(rx).await;
                lines.push(format!(
                    "client got {} bytes back, equal: {}, end: {:?}\n",
                    back.len(),
                    back == expected,
                    done.await
                ));
                lines
            },
        )
        .await;
        // The client's first line comes first; the rest in causal order.
        lines.push(client_lines[0].clone());
        lines.push(client_lines[1].clone());
        lines.extend(server_lines);
        lines.push(client_lines[2].clone());
        for l in lines {
            out.print(&l).await;
        }
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
