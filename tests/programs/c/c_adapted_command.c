// kiln-test: adapt = command
// kiln-test: args = one two
// kiln-test: env = GREETING=hello
// kiln-test: dir = fixture::/data
// kiln-test: stdin = "from stdin\n"
// kiln-test: exit = 1
// kiln-test: stdout-file
// kiln-test: stderr-contains = "error line\n"
// kiln-test: files-file
// A wasm32-wasi (preview 1) C program wrapped into a WASI 0.2 command
// component with the preview1 command adapter: stdio, arguments,
// environment, files in a preopen, a directory listing and exit(3), which
// the adapter can only report as wasi:cli/exit `err`, i.e. status 1.

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    const char *g = getenv("GREETING");
    printf("GREETING=%s\n", g ? g : "(unset)");
    printf("MISSING=%s\n", getenv("MISSING") ? "set" : "(unset)");

    char line[64];
    if (fgets(line, sizeof line, stdin))
        printf("stdin: %s", line);
    printf("stdin at end: %d\n", fgets(line, sizeof line, stdin) == NULL);

    FILE *f = fopen("/data/out.txt", "w");
    if (!f) {
        perror("fopen");
        return 2;
    }
    fprintf(f, "written by %s\n", "c");
    fclose(f);
    f = fopen("/data/out.txt", "a+");
    fputs("appended\n", f);
    fseek(f, 0, SEEK_SET);
    char buf[64] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    printf("read back %zu bytes: %s", n, buf);

    struct stat st;
    printf("stat: %d size=%lld regular=%d\n", stat("/data/out.txt", &st), (long long)st.st_size, S_ISREG(st.st_mode));
    printf("mkdir: %d\n", mkdir("/data/sub", 0755));
    printf("rename: %d\n", rename("/data/out.txt", "/data/sub/moved.txt"));
    errno = 0;
    printf("open missing: %d errno=%s\n", open("/data/missing", O_RDONLY), strerror(errno));
    errno = 0;
    printf("open escape: %d errno=%s\n", open("/data/../etc/passwd", O_RDONLY), strerror(errno));
    printf("unlink dir: %d errno=%s\n", unlink("/data/sub"), strerror(errno));

    DIR *d = opendir("/data/sub");
    char *names[16];
    int count = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && count < 16)
        names[count++] = strdup(e->d_name);
    if (d)
        closedir(d);
    qsort(names, count, sizeof names[0], cmp);
    for (int i = 0; i < count; i++)
        printf("entry: %s\n", names[i]);

    fprintf(stderr, "error line\n");
    fflush(stdout);
    exit(3);
}
