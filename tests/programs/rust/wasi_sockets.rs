// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
//! sock_* on descriptors that are not sockets: EBADF for unknown numbers,
//! ENOTSOCK otherwise (wasmtime preopens no sockets for P1).

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn sock_accept(fd: u32, flags: u32, out: *mut u32) -> u32;
    fn sock_recv(fd: u32, iovs: *const [usize; 2], n: usize, flags: u32, len: *mut usize, oflags: *mut u16) -> u32;
    fn sock_send(fd: u32, iovs: *const [usize; 2], n: usize, flags: u32, len: *mut usize) -> u32;
    fn sock_shutdown(fd: u32, how: u32) -> u32;
}

fn main() {
    let mut buf = [0u8; 8];
    let iov = [[buf.as_mut_ptr() as usize, 8]];
    let (mut n, mut of, mut out) = (0usize, 0u16, 0u32);
    for fd in [0u32, 1, 2, 3, 50] {
        unsafe {
            println!(
                "fd {fd}: accept={} recv={} send={} shutdown={}",
                sock_accept(fd, 0, &mut out),
                sock_recv(fd, iov.as_ptr(), 1, 0, &mut n, &mut of),
                sock_send(fd, iov.as_ptr(), 1, 0, &mut n),
                sock_shutdown(fd, 3)
            );
        }
    }
    unsafe {
        println!("accept flags nonblock -> {}", sock_accept(1, 4, &mut out));
        println!("send flags 0xffff -> {}", sock_send(1, iov.as_ptr(), 1, 0xffff, &mut n));
        println!("shutdown how 0 -> {}", sock_shutdown(1, 0));
        println!("recv flags peek|waitall -> {}", sock_recv(1, iov.as_ptr(), 1, 3, &mut n, &mut of));
    }
    println!("std TcpListener::bind: {:?}", std::net::TcpListener::bind("127.0.0.1:0").map(|_| ()).map_err(|e| e.kind()));
}
