// kiln-test: dir = fixture::/data
// kiln-test: nofile = 128
// kiln-test: stdout-file
// Running out of descriptors never kills the guest: once the host's fd
// limit is reached, open() fails with an errno the guest handles (as in
// Wasmtime), and what the runtime needs for itself (the event loop behind
// poll) was created at start-up, so polling and writing still work.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    int fd = open("/data/f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror("create");
        return 1;
    }
    close(fd);
    int opened = 0, err = 0;
    for (int i = 0; i < 100000; i++) {
        if (open("/data/f", O_RDONLY) < 0) {
            err = errno;
            break;
        }
        opened++;
    }
    printf("open stopped with an error: %s\n", err ? "yes" : "no");
    printf("errno: %s\n", strerror(err));
    printf("opened more than 50: %s\n", opened > 50 ? "yes" : "no");
    fflush(stdout);
    // poll(2) on stdout (a pipe) and a timeout: both go through the
    // runtime's event loop.
    struct pollfd p = {.fd = 1, .events = POLLOUT};
    int r = poll(&p, 1, 1000);
    printf("poll stdout: %d, writable: %s\n", r, (p.revents & POLLOUT) ? "yes" : "no");
    r = poll(NULL, 0, 10);
    printf("poll timeout: %d\n", r);
    return 0;
}
