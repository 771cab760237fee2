// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
// Files and directories through wasi-libc: fopen/fwrite/fread/fseek,
// open flags and their errno, stat, mkdir/rmdir/unlink/rename, opendir
// listings (sorted by the program), ftruncate, symlinks.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

static void list(const char *path) {
    DIR *d = opendir(path);
    if (!d) { printf("opendir %s: errno %d\n", path, errno); return; }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) {
        char buf[300];
        snprintf(buf, sizeof buf, "%s(%d)", e->d_name, e->d_type);
        names[n++] = strdup(buf);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("%s:", path);
    for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
    printf("\n");
}

#define TRY(expr) do { errno = 0; long r_ = (long)(expr); printf("%-48s -> %ld errno=%d\n", #expr, r_, r_ < 0 ? errno : 0); } while (0)

int main(void) {
    FILE *f = fopen("/sandbox/hello.txt", "w");
    fprintf(f, "Hello, %s!\n", "world");
    fputs("second line\n", f);
    fclose(f);
    f = fopen("/sandbox/hello.txt", "r");
    char buf[128];
    while (fgets(buf, sizeof buf, f)) printf("read: %s", buf);
    fseek(f, 7, SEEK_SET);
    size_t n = fread(buf, 1, 5, f);
    buf[n] = 0;
    printf("fseek 7 + fread 5: [%s] ftell=%ld\n", buf, ftell(f));
    fclose(f);
    f = fopen("/sandbox/hello.txt", "a");
    fputs("appended\n", f);
    fclose(f);
    struct stat st;
    stat("/sandbox/hello.txt", &st);
    printf("size=%lld nlink=%llu regular=%d dir=%d\n", (long long)st.st_size, (unsigned long long)st.st_nlink, S_ISREG(st.st_mode), S_ISDIR(st.st_mode));

    TRY(open("/sandbox/missing.txt", O_RDONLY));
    TRY(open("/sandbox/hello.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
    TRY(open("/sandbox/hello.txt/x", O_RDONLY));
    TRY(open("/sandbox", O_WRONLY));
    TRY(open("/sandbox/hello.txt", O_RDONLY | O_DIRECTORY));
    TRY(open("/sandbox/../etc/passwd", O_RDONLY));
    TRY(open("/etc/passwd", O_RDONLY));
    TRY(open("relative.txt", O_RDONLY));
    TRY(mkdir("/sandbox/dir", 0755));
    TRY(mkdir("/sandbox/dir", 0755));
    TRY(mkdir("/sandbox/dir/sub", 0755));
    TRY(rmdir("/sandbox/dir"));
    TRY(unlink("/sandbox/dir"));
    TRY(rmdir("/sandbox/hello.txt"));
    TRY(rename("/sandbox/hello.txt", "/sandbox/dir/moved.txt"));
    TRY(rename("/sandbox/nothing", "/sandbox/x"));
    TRY(symlink("moved.txt", "/sandbox/dir/link"));
    TRY(symlink("/etc/passwd", "/sandbox/abs"));
    TRY(readlink("/sandbox/dir/link", buf, sizeof buf));
    TRY(access("/sandbox/dir/moved.txt", F_OK));
    TRY(access("/sandbox/dir/nothing", F_OK));
    TRY(truncate("/sandbox/dir/moved.txt", 5));
    stat("/sandbox/dir/link", &st);
    printf("stat via link: size=%lld\n", (long long)st.st_size);
    lstat("/sandbox/dir/link", &st);
    printf("lstat link: islnk=%d size=%lld\n", S_ISLNK(st.st_mode), (long long)st.st_size);
    int fd = open("/sandbox/dir/moved.txt", O_RDWR);
    TRY(ftruncate(fd, 2));
    TRY(lseek(fd, 0, SEEK_END));
    TRY(write(fd, "XY", 2));
    TRY(pwrite(fd, "Z", 1, 0));
    TRY(pread(fd, buf, sizeof buf, 0));
    buf[4] = 0;
    printf("contents: [%s]\n", buf);
    TRY(fsync(fd));
    TRY(close(fd));
    TRY(close(fd));
    list("/sandbox");
    list("/sandbox/dir");
    list("/sandbox/nope");
    TRY(unlink("/sandbox/dir/link"));
    TRY(unlink("/sandbox/dir/moved.txt"));
    TRY(rmdir("/sandbox/dir/sub"));
    TRY(rmdir("/sandbox/dir"));
    list("/sandbox");
    return 0;
}
