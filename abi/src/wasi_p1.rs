//! The host functions of `wasi_snapshot_preview1` with their core signatures.
//!
//! The compiler resolves an import `(wasi_snapshot_preview1, name)` against
//! this list (an unknown name or a signature mismatch is a compile error) and
//! calls the runtime's `extern "C" fn __kiln_p1_<name>(vmctx: ptr, params...)
//! -> result`, which reads guest memory through `VMOffsets::WASI_MEMORY`.

use crate::libcalls::AbiType;

/// Invokes `$mac!` with every WASI P1 function, as
/// `name(param: type, ...) -> i32;` or, for `proc_exit`, without a result.
#[macro_export]
macro_rules! for_each_wasi_p1 {
    ($mac:ident) => {
        $mac! {
            args_get(argv: i32, argv_buf: i32) -> i32;
            args_sizes_get(argc: i32, argv_buf_size: i32) -> i32;
            environ_get(environ: i32, environ_buf: i32) -> i32;
            environ_sizes_get(environc: i32, environ_buf_size: i32) -> i32;
            clock_res_get(id: i32, resolution: i32) -> i32;
            clock_time_get(id: i32, precision: i64, time: i32) -> i32;
            fd_advise(fd: i32, offset: i64, len: i64, advice: i32) -> i32;
            fd_allocate(fd: i32, offset: i64, len: i64) -> i32;
            fd_close(fd: i32) -> i32;
            fd_datasync(fd: i32) -> i32;
            fd_fdstat_get(fd: i32, buf: i32) -> i32;
            fd_fdstat_set_flags(fd: i32, flags: i32) -> i32;
            fd_fdstat_set_rights(fd: i32, fs_rights_base: i64, fs_rights_inheriting: i64) -> i32;
            fd_filestat_get(fd: i32, buf: i32) -> i32;
            fd_filestat_set_size(fd: i32, size: i64) -> i32;
            fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, fst_flags: i32) -> i32;
            fd_pread(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nread: i32) -> i32;
            fd_prestat_get(fd: i32, buf: i32) -> i32;
            fd_prestat_dir_name(fd: i32, path: i32, path_len: i32) -> i32;
            fd_pwrite(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nwritten: i32) -> i32;
            fd_read(fd: i32, iovs: i32, iovs_len: i32, nread: i32) -> i32;
            fd_readdir(fd: i32, buf: i32, buf_len: i32, cookie: i64, bufused: i32) -> i32;
            fd_renumber(fd: i32, to: i32) -> i32;
            fd_seek(fd: i32, offset: i64, whence: i32, newoffset: i32) -> i32;
            fd_sync(fd: i32) -> i32;
            fd_tell(fd: i32, offset: i32) -> i32;
            fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32) -> i32;
            path_create_directory(fd: i32, path: i32, path_len: i32) -> i32;
            path_filestat_get(fd: i32, flags: i32, path: i32, path_len: i32, buf: i32) -> i32;
            path_filestat_set_times(fd: i32, flags: i32, path: i32, path_len: i32, atim: i64, mtim: i64, fst_flags: i32) -> i32;
            path_link(old_fd: i32, old_flags: i32, old_path: i32, old_path_len: i32, new_fd: i32, new_path: i32, new_path_len: i32) -> i32;
            path_open(fd: i32, dirflags: i32, path: i32, path_len: i32, oflags: i32, fs_rights_base: i64, fs_rights_inheriting: i64, fdflags: i32, opened_fd: i32) -> i32;
            path_readlink(fd: i32, path: i32, path_len: i32, buf: i32, buf_len: i32, bufused: i32) -> i32;
            path_remove_directory(fd: i32, path: i32, path_len: i32) -> i32;
            path_rename(fd: i32, old_path: i32, old_path_len: i32, new_fd: i32, new_path: i32, new_path_len: i32) -> i32;
            path_symlink(old_path: i32, old_path_len: i32, fd: i32, new_path: i32, new_path_len: i32) -> i32;
            path_unlink_file(fd: i32, path: i32, path_len: i32) -> i32;
            poll_oneoff(r#in: i32, out: i32, nsubscriptions: i32, nevents: i32) -> i32;
            proc_exit(rval: i32);
            proc_raise(sig: i32) -> i32;
            sched_yield() -> i32;
            random_get(buf: i32, buf_len: i32) -> i32;
            sock_accept(fd: i32, flags: i32, result_fd: i32) -> i32;
            sock_recv(fd: i32, ri_data: i32, ri_data_len: i32, ri_flags: i32, ro_datalen: i32, ro_flags: i32) -> i32;
            sock_send(fd: i32, si_data: i32, si_data_len: i32, si_flags: i32, so_datalen: i32) -> i32;
            sock_shutdown(fd: i32, how: i32) -> i32;
            // Not P1: wasi-threads' `thread-spawn`, imported as
            // (`WASI_THREADS_MODULE`, `THREAD_SPAWN_IMPORT`); it shares the
            // P1 host-call path (`__kiln_p1_thread_spawn`).
            thread_spawn(start_arg: i32) -> i32;
        }
    };
}

/// A host function's core signature.
#[derive(Copy, Clone, Debug)]
pub struct HostFuncSig {
    /// Field name in the import.
    pub name: &'static str,
    /// Wasm parameter types (without `vmctx`).
    pub params: &'static [AbiType],
    /// Wasm result type, if any.
    pub result: Option<AbiType>,
}

macro_rules! host_table {
    ($( $name:ident( $($p:ident : $t:ident),* ) $(-> $r:ident)? ;)*) => {
        /// Every WASI P1 function, in list order.
        pub const WASI_P1_FUNCS: &[HostFuncSig] = &[
            $(HostFuncSig {
                name: stringify!($name),
                params: &[$($crate::__abi_type!($t)),*],
                result: { #[allow(unused_mut, unused_assignments, reason = "macro-generated optional result")] let mut r = None; $(r = Some($crate::__abi_type!($r));)? r },
            },)*
        ];
    };
}
for_each_wasi_p1!(host_table);

/// Import module name of wasi-threads.
pub const WASI_THREADS_MODULE: &str = "wasi";
/// Import field name of wasi-threads' spawn function, `(param i32) (result
/// i32)`; it is the entry `thread_spawn` of [`WASI_P1_FUNCS`].
pub const THREAD_SPAWN_IMPORT: &str = "thread-spawn";
/// Name of wasi-threads' spawn function in [`WASI_P1_FUNCS`].
pub const THREAD_SPAWN_FUNC: &str = "thread_spawn";

/// Looks up a WASI P1 function by its import field name (not
/// [`THREAD_SPAWN_FUNC`], which is imported from [`WASI_THREADS_MODULE`]).
pub fn wasi_p1_func(name: &str) -> Option<&'static HostFuncSig> {
    WASI_P1_FUNCS
        .iter()
        .find(|f| f.name == name && f.name != THREAD_SPAWN_FUNC)
}

/// The index in [`WASI_P1_FUNCS`] of the host function an import
/// `(module, name)` names, if any: a WASI P1 function, or wasi-threads'
/// `thread-spawn`.
pub fn host_func_index(module: &str, name: &str) -> Option<usize> {
    let name = match module {
        crate::symbols::WASI_P1_MODULE if name != THREAD_SPAWN_FUNC => name,
        WASI_THREADS_MODULE if name == THREAD_SPAWN_IMPORT => THREAD_SPAWN_FUNC,
        _ => return None,
    };
    WASI_P1_FUNCS.iter().position(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn all_46_functions() {
        // The 46 of P1, plus wasi-threads' `thread-spawn`.
        assert_eq!(super::WASI_P1_FUNCS.len(), 47);
        assert!(super::wasi_p1_func("thread_spawn").is_none());
        assert_eq!(
            super::host_func_index("wasi_snapshot_preview1", "thread_spawn"),
            None
        );
        assert_eq!(super::host_func_index("wasi", "thread-spawn"), Some(46));
        assert_eq!(
            super::host_func_index("wasi_snapshot_preview1", "fd_write"),
            Some(26)
        );
        assert!(super::wasi_p1_func("proc_exit").is_some_and(|f| f.result.is_none()));
        assert!(super::wasi_p1_func("poll_oneoff").is_some());
    }
}
