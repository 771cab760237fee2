// kiln-test: stdin = "line one\n"
// kiln-test: stdin-open
// kiln-test: stdout = "wait 1: stdin ready\nread 9 bytes\nwait 2: clock, stdin not ready\n"
// A `poll_oneoff` on stdin and a 300 ms clock is ready on stdin only once
// input has arrived: first with a line there (stdin), then with stdin
// held open and nothing more in it (the clock). Windows cannot wait on a
// pipe or console the way it waits on sockets; Kiln's Windows runtime once
// reported stdin ready at every wait, where Wasmtime for Windows (a reader
// thread) waits for the input, and so does Kiln's now.
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

// Waits on stdin and a relative monotonic clock of 300 ms; returns the
// userdata of the first event (1 stdin, 2 the clock), 0 on an error.
static unsigned long long wait_stdin_or_clock(void) {
    __wasi_subscription_t subs[2];
    memset(subs, 0, sizeof subs);
    subs[0].userdata = 1;
    subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
    subs[0].u.u.fd_read.file_descriptor = 0;
    subs[1].userdata = 2;
    subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[1].u.u.clock.timeout = 300000000ull;
    __wasi_event_t ev[2];
    __wasi_size_t n = 0;
    if (__wasi_poll_oneoff(subs, ev, 2, &n) != 0 || n == 0) return 0;
    return ev[0].userdata;
}

int main(void) {
    unsigned long long first = wait_stdin_or_clock();
    printf("wait 1: %s\n", first == 1 ? "stdin ready" : first == 2 ? "clock" : "error");
    char buf[64];
    ssize_t got = read(0, buf, sizeof buf);
    printf("read %zd bytes\n", got);
    unsigned long long second = wait_stdin_or_clock();
    printf("wait 2: %s\n", second == 2 ? "clock, stdin not ready" : second == 1 ? "stdin ready" : "error");
    return 0;
}
