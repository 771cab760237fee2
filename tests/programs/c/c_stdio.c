// kiln-test: args = one two
// kiln-test: env = GREETING=hello
// kiln-test: stdin = "line one\nline two\nlast"
// kiln-test: exit = 3
// kiln-test: stdout-file
// kiln-test: stderr-contains = warning: done
// stdio through wasi-libc: argv, getenv, line reading from stdin, buffered
// stdout flushed at exit(), unbuffered stderr, and the exit status.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    const char *g = getenv("GREETING");
    printf("GREETING=%s\n", g ? g : "(null)");
    printf("MISSING=%s\n", getenv("MISSING") ? "set" : "(null)");
    char line[64];
    int n = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        printf("stdin line %d: [%s]\n", ++n, line);
    }
    printf("feof=%d ferror=%d\n", feof(stdin), ferror(stdin));
    printf("isatty(0)=%d isatty(1)=%d\n", isatty(0), isatty(1));
    errno = 0;
    off_t r = lseek(1, 0, SEEK_CUR);
    printf("lseek(stdout) -> %lld errno=%d\n", (long long)r, errno);
    ssize_t w = write(1, "raw write\n", 10);
    printf("write returned %zd (printed after: stdout is buffered)\n", w);
    fflush(stdout);
    errno = 0;
    w = write(0, "x", 1);
    printf("write(stdin) -> %zd errno=%d\n", w, errno);
    fprintf(stderr, "warning: done\n");
    printf("exiting with 3\n");
    exit(3);
}
