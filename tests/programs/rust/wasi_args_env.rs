// kiln-test: args = alpha beta gamma
// kiln-test: env = FOO=bar
// kiln-test: env = EMPTY=
// kiln-test: stdout-file
//! Arguments and environment, through std and through the raw P1 calls
//! (sizes, NUL terminators, pointer arrays).

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn args_sizes_get(argc: *mut u32, buf_size: *mut u32) -> u32;
    fn args_get(argv: *mut *mut u8, buf: *mut u8) -> u32;
    fn environ_sizes_get(count: *mut u32, buf_size: *mut u32) -> u32;
    fn environ_get(environ: *mut *mut u8, buf: *mut u8) -> u32;
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("argc={}", args.len());
    for (i, a) in args.iter().enumerate().skip(1) {
        println!("arg[{i}]={a}");
    }
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    for (k, v) in &vars {
        println!("env {k}={v:?}");
    }
    println!("FOO via var: {:?}", std::env::var("FOO").ok());
    println!("MISSING via var: {:?}", std::env::var("MISSING").ok());

    unsafe {
        let (mut n, mut size) = (0u32, 0u32);
        println!("args_sizes_get -> {}", args_sizes_get(&mut n, &mut size));
        // argv[0] is the program name, whose length we do not print.
        let name_len = args[0].len() as u32 + 1;
        println!("argc={n} argv_buf_size-argv0={}", size - name_len);
        let mut ptrs = vec![std::ptr::null_mut::<u8>(); n as usize];
        let mut buf = vec![0u8; size as usize];
        println!("args_get -> {}", args_get(ptrs.as_mut_ptr(), buf.as_mut_ptr()));
        let base = buf.as_mut_ptr();
        for (i, p) in ptrs.iter().enumerate().skip(1) {
            let off = p.offset_from(base) as usize;
            let end = off + buf[off..].iter().position(|&b| b == 0).unwrap();
            println!("raw arg[{i}] at +{} = {:?}", off - name_len as usize, std::str::from_utf8(&buf[off..end]).unwrap());
        }
        println!("buffer ends with NUL: {}", buf.last() == Some(&0));

        println!("environ_sizes_get -> {}", environ_sizes_get(&mut n, &mut size));
        println!("environ count={n} buf_size={size}");
        let mut ptrs = vec![std::ptr::null_mut::<u8>(); n as usize];
        let mut buf = vec![0u8; size as usize];
        println!("environ_get -> {}", environ_get(ptrs.as_mut_ptr(), buf.as_mut_ptr()));
        let mut entries: Vec<String> = ptrs
            .iter()
            .map(|p| {
                let off = p.offset_from(buf.as_ptr()) as usize;
                let end = off + buf[off..].iter().position(|&b| b == 0).unwrap();
                String::from_utf8(buf[off..end].to_vec()).unwrap()
            })
            .collect();
        entries.sort();
        println!("raw environ: {entries:?}");
    }
}
