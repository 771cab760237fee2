// kiln-test: stdout-file
// Time through wasi-libc: clock_gettime for each clock, clock_getres,
// nanosleep/usleep (poll_oneoff), time(), and CPU-time clocks (EBADF
// from wasmtime, surfaced as EINVAL-or-errno by libc).
#define _WASI_EMULATED_PROCESS_CLOCKS
#include <stdio.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
    struct timespec a, b, r;
    int e = clock_gettime(CLOCK_REALTIME, &a);
    printf("realtime -> %d sane=%d\n", e, a.tv_sec > 1672531200);
    e = clock_getres(CLOCK_REALTIME, &r);
    printf("realtime res -> %d positive=%d\n", e, ns(r) > 0);
    e = clock_gettime(CLOCK_MONOTONIC, &a);
    printf("monotonic -> %d\n", e);
    struct timespec d = {0, 20 * 1000 * 1000};
    e = nanosleep(&d, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("nanosleep 20ms -> %d elapsed>=20ms=%d\n", e, ns(b) - ns(a) >= 20000000LL);
    usleep(5000);
    clock_gettime(CLOCK_MONOTONIC, &a);
    printf("usleep 5ms ok=%d\n", ns(a) - ns(b) >= 5000000LL);
    errno = 0;
    e = clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    printf("process cputime -> %d errno=%d\n", e, e ? errno : 0);
    errno = 0;
    e = clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    printf("thread cputime -> %d errno=%d\n", e, e ? errno : 0);
    errno = 0;
    e = clock_getres(CLOCK_PROCESS_CPUTIME_ID, &r);
    printf("process cputime res -> %d errno=%d\n", e, e ? errno : 0);
    time_t t = time(NULL);
    printf("time() sane=%d\n", t > 1672531200);
    struct timespec z = {0, 0};
    printf("nanosleep 0 -> %d\n", nanosleep(&z, NULL));
    return 0;
}
