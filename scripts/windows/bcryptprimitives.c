/* A stand-in for Windows 10's bcryptprimitives.dll under Wine 8, which
 * lacks it: Rust's standard library (and so Kiln's Windows runtime and
 * Wasmtime's Windows build) imports its ProcessPrng. Test environments
 * only; every Windows that Kiln's outputs support has the real one. */
#include <windows.h>
#include <ntsecapi.h>

/* Fills buf with len random bytes; always succeeds on Windows. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE buf, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!RtlGenRandom(buf, n)) {
            return FALSE;
        }
        buf += n;
        len -= n;
    }
    return TRUE;
}
