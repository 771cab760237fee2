//! The process entry of Windows executables (`kiln_abi::symbols::START`,
//! given to the linker as the entry point) and what MinGW's start files
//! would otherwise give a Rust static library: the TLS directory and the
//! import stubs of the DLL functions Rust's standard library calls.
//!
//! Phase: the first instructions of the process. Inputs: the command line
//! (through `std::env::args_os`, as `GetCommandLineW` gives it). Output:
//! what `main` runs ([`crate::process::run_with_args`]) with the arguments
//! as WTF-8 byte strings, then `ExitProcess` with its status.
//!
//! Why not MinGW's `crt2.o` and its libraries: about 7 MB of start files
//! and import libraries to ship with `kiln`, for a C runtime start-up the
//! runtime does not use (Rust's standard library reads the command line
//! and environment from the OS itself). What is left of it is here: the
//! loader needs a TLS directory (`_tls_used`) for the `.tls` section
//! Rust's thread-locals live in, and the standard library's TLS
//! destructors run from its `.CRT$XLB` callback, which the directory's
//! callback list (`.CRT$XLA` .. `.CRT$XLZ`) reaches.
//!
//! Invariants: the executable imports only DLLs of every Windows 10
//! (`kernel32`, `ntdll`, `userenv`, `ws2_32`, `msvcrt`, and those the
//! standard library and `windows-sys` declare themselves:
//! `bcryptprimitives`, `api-ms-win-core-synch-l1-2-0`); the stubs come
//! from `raw-dylib` declarations, so no import library is linked.

#[link(name = "kernel32", kind = "raw-dylib")]
unsafe extern "system" {
    fn ExitProcess(code: u32) -> !;
}

/// What MinGW's start files call before `main` (static constructors,
/// which no Rust code has): nothing. LLVM inserts the call into every
/// function named `main` on MinGW targets (`crate::process::main` is
/// still compiled, unused, for Windows).
#[unsafe(no_mangle)]
pub extern "C" fn __main() {}

/// Import stubs for the DLL functions the standard library (and the C
/// code it relies on) calls that no `raw-dylib` declaration of its own or
/// of `windows-sys` provides. Found by linking every runtime entry point
/// (`-u` of each `__kiln_*` symbol) without import libraries: a function
/// missing here is an undefined-symbol error at link time, which the
/// Windows link test reports. The C functions come from the system's
/// universal C runtime (`ucrtbase.dll`, part of every Windows 10).
mod imports {
    // Only the symbols matter: the signatures are never called through.
    #![allow(
        clashing_extern_declarations,
        non_snake_case,
        reason = "declarations that only make the linker emit import stubs"
    )]

    macro_rules! imports {
        ($($dll:literal: [$($name:ident),* $(,)?]),* $(,)?) => {
            $(
                #[link(name = $dll, kind = "raw-dylib")]
                unsafe extern "C" {
                    $(fn $name();)*
                }
            )*
            /// Referenced, so that each stub is emitted and kept.
            #[used]
            static IMPORTS: &[unsafe extern "C" fn()] = &[$($($name,)*)*];
        };
    }

    imports! {
        "kernel32": [
            CompareStringOrdinal, CreateToolhelp32Snapshot, FreeEnvironmentStringsW,
            GetCommandLineW, GetCurrentDirectoryW, GetEnvironmentStringsW,
            GetEnvironmentVariableW, GetModuleFileNameW, GetModuleHandleA, GetModuleHandleW,
            GetProcAddress, Module32FirstW, Module32NextW, MultiByteToWideChar,
            SetCurrentDirectoryW, SetEnvironmentVariableW, WideCharToMultiByte, lstrlenW,
        ],
        "userenv": [GetUserProfileDirectoryW],
        "ntdll": [NtCreateNamedPipeFile],
        "advapi32": [SystemFunction036],
        "ucrtbase": [abort, fma, fmaf, memcmp, memcpy, memmove, memset, strlen],
    }
}

/// The process entry point.
#[unsafe(no_mangle)]
pub extern "system" fn __kiln_start() -> ! {
    // The arguments as the runtime holds them (WTF-8 bytes), straight to
    // what `main` runs: no C `argv` to build and copy again.
    let status = crate::process::run_with_args(|| {
        std::env::args_os()
            .map(std::ffi::OsString::into_encoded_bytes)
            .collect()
    });
    // SAFETY: ends the process; the status is its exit code as a 32-bit
    // value, as `std::process::exit` gives it.
    unsafe { ExitProcess(status as u32) }
}

/// The TLS directory the loader reads (`IMAGE_TLS_DIRECTORY64`), and the
/// section markers it spans. The names are the ones the PE linker and
/// Rust's standard library look for.
#[allow(
    non_upper_case_globals,
    reason = "the names the PE format's tools and Rust's std expect"
)]
mod tls {
    type Callback = Option<unsafe extern "system" fn(*mut u8, u32, *mut u8)>;

    #[repr(C)]
    pub struct TlsDirectory {
        start: *const u8,
        end: *const u8,
        index: *const u32,
        callbacks: *const Callback,
        zero_fill: u32,
        characteristics: u32,
    }
    // SAFETY: read-only data for the loader; the pointers are addresses
    // of statics and never dereferenced by Rust code.
    unsafe impl Sync for TlsDirectory {}

    #[repr(transparent)]
    pub struct Marker(Callback);
    // SAFETY: a constant `None`, never written.
    unsafe impl Sync for Marker {}

    /// Where the loader stores the module's TLS index.
    #[unsafe(no_mangle)]
    pub static mut _tls_index: u32 = 0;
    /// The start of the `.tls` template (the linker sorts `.tls` first).
    #[unsafe(no_mangle)]
    #[unsafe(link_section = ".tls")]
    pub static mut _tls_start: u8 = 0;
    /// Its end (`.tls$ZZZ` sorts last).
    #[unsafe(no_mangle)]
    #[unsafe(link_section = ".tls$ZZZ")]
    pub static mut _tls_end: u8 = 0;
    /// Before the first TLS callback (std's is in `.CRT$XLB`).
    #[unsafe(no_mangle)]
    #[used]
    #[unsafe(link_section = ".CRT$XLA")]
    pub static __xl_a: Marker = Marker(None);
    /// After the last: the list's null terminator.
    #[unsafe(no_mangle)]
    #[used]
    #[unsafe(link_section = ".CRT$XLZ")]
    pub static __xl_z: Marker = Marker(None);
    /// The directory.
    #[unsafe(no_mangle)]
    #[used]
    pub static _tls_used: TlsDirectory = TlsDirectory {
        start: &raw const _tls_start,
        end: &raw const _tls_end,
        index: &raw const _tls_index,
        // SAFETY: one past `__xl_a`, inside `.CRT$XL*`: the first callback.
        callbacks: unsafe { (&raw const __xl_a).cast::<Callback>().add(1) },
        zero_fill: 0,
        characteristics: 0,
    };
}
