// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
// kiln-test: stdout-like-wasmtime
// Path semantics of WASI preview 1, differentially: every path-taking call
// on every shape of path (a name as is, with a trailing `/`, `/.`, `//` and
// `/..`) naming a file, a directory, a symlink to each (and ones whose
// target text ends in `/`), a dangling symlink and nothing, one line per
// attempt with its errno (and what it found: a type, a link's text),
// followed by the case directory when the attempt changed it. Each attempt
// gets a fresh case directory `t`, and is made twice: on bare names
// relative to `t` opened, and on `t/...` relative to the preopen (a path
// with a directory part takes other roads through the host):
//
//   t/f      a regular file (4 bytes)     t/lf   -> f       t/lfs -> f/
//   t/d/     an empty directory           t/ld   -> d       t/lds -> d/
//   t/dang   -> nope (dangling)           t/nope    nothing
//
// The calls are raw (`__wasi_path_*`), so the paths reach the host exactly
// as written (wasi-libc's own functions pass a trailing slash on too, but
// nothing here depends on it); wasi-libc sets each case directory up and
// lists it. The expected output is Wasmtime 49's, compared live as well:
// Linux's rules (`rename` with a slash on either side wants a directory
// source), but cap-std's where Wasmtime's differ from Linux's (`x/` read
// as `x/.` by `link`, `unlink`, `remove-directory`, `symlink`; `stat`
// without following a lone `x/` reads `x`). Kiln's rules for all of it are
// in `runtime-lib/wasi-kernel/src/fs/path.rs`.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#define ROOT "/sandbox/t"

enum { RD = 2, WR = 64, RDDIR = 0x4000 }; /* rights */

static const char *NAMES[] = {"SUCCESS","2BIG","ACCES","ADDRINUSE","ADDRNOTAVAIL","AFNOSUPPORT","AGAIN","ALREADY","BADF","BADMSG","BUSY","CANCELED","CHILD","CONNABORTED","CONNREFUSED","CONNRESET","DEADLK","DESTADDRREQ","DOM","DQUOT","EXIST","FAULT","FBIG","HOSTUNREACH","IDRM","ILSEQ","INPROGRESS","INTR","INVAL","IO","ISCONN","ISDIR","LOOP","MFILE","MLINK","MSGSIZE","MULTIHOP","NAMETOOLONG","NETDOWN","NETRESET","NETUNREACH","NFILE","NOBUFS","NODEV","NOENT","NOEXEC","NOLCK","NOLINK","NOMEM","NOMSG","NOPROTOOPT","NOSPC","NOSYS","NOTCONN","NOTDIR","NOTEMPTY","NOTRECOVERABLE","NOTSOCK","NOTSUP","NOTTY","NXIO","OVERFLOW","OWNERDEAD","PERM","PIPE","PROTO","PROTONOSUPPORT","PROTOTYPE","RANGE","ROFS","SPIPE","SRCH","STALE","TIMEDOUT","TXTBSY","XDEV","NOTCAPABLE"};
static const char *en(int e) { return (e >= 0 && e <= 76) ? NAMES[e] : "?"; }

/* What a successful attempt found: the type opened or stat'ed, the link
 * text read. */
static char found[80];

static void die(const char *what) {
    printf("setup failed: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* A listing of directory `path` (recursive, sorted): `name:size` for a
 * file, `name/{...}` for a directory, `name->target` for a symlink. */
static void list(const char *path, char *out, size_t cap) {
    DIR *dir = opendir(path);
    if (!dir) die(path);
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(dir);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) { char *t = names[i]; names[i] = names[j]; names[j] = t; }
    for (int i = 0; i < n; i++) {
        char p[256], part[512];
        snprintf(p, sizeof p, "%s/%s", path, names[i]);
        struct stat st;
        if (lstat(p, &st)) die(p);
        if (S_ISLNK(st.st_mode)) {
            char target[128];
            ssize_t len = readlink(p, target, sizeof target - 1);
            if (len < 0) die(p);
            target[len] = 0;
            snprintf(part, sizeof part, "%s->%s", names[i], target);
        } else if (S_ISDIR(st.st_mode)) {
            char inner[400] = "";
            list(p, inner, sizeof inner);
            snprintf(part, sizeof part, "%s/{%s}", names[i], inner);
        } else {
            snprintf(part, sizeof part, "%s:%lld", names[i], (long long)st.st_size);
        }
        if (*out) strncat(out, " ", cap - strlen(out) - 1);
        strncat(out, part, cap - strlen(out) - 1);
        free(names[i]);
    }
}

static void remove_tree(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) die(path);
    struct dirent *e;
    char *names[64];
    int n = 0;
    while ((e = readdir(dir)) && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(dir);
    for (int i = 0; i < n; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", path, names[i]);
        struct stat st;
        if (lstat(p, &st)) die(p);
        if (S_ISDIR(st.st_mode)) remove_tree(p);
        else if (unlink(p)) die(p);
        free(names[i]);
    }
    if (rmdir(path)) die(path);
}

static void link_to(const char *target, const char *name) {
    char p[64];
    snprintf(p, sizeof p, ROOT "/%s", name);
    if (symlink(target, p)) die(p);
}

static char initial[1024];

/* The case directory, opened: the base of the attempts with bare names. */
static __wasi_fd_t tfd = (__wasi_fd_t)-1;

/* A fresh case directory; returns the base for a pass: `t` itself for
 * bare names (prefix ""), the preopen for names under `t/`. */
static __wasi_fd_t setup(const char *prefix) {
    struct stat st;
    if (lstat(ROOT, &st) == 0) remove_tree(ROOT);
    if (mkdir(ROOT, 0755)) die("mkdir t");
    FILE *f = fopen(ROOT "/f", "w");
    if (!f) die("f");
    fputs("data", f);
    fclose(f);
    if (mkdir(ROOT "/d", 0755)) die("mkdir d");
    link_to("f", "lf");
    link_to("f/", "lfs");
    link_to("d", "ld");
    link_to("d/", "lds");
    link_to("nope", "dang");
    if (tfd != (__wasi_fd_t)-1) (void)__wasi_fd_close(tfd);
    tfd = (__wasi_fd_t)-1;
    if (*prefix) return 3;
    __wasi_rights_t all = 0x1fffffff & ~(__wasi_rights_t)WR; /* a directory is not opened for writing */
    if (__wasi_path_open(3, 0, "t", __WASI_OFLAGS_DIRECTORY, all, all, 0, &tfd)) die("open t");
    return tfd;
}

/* Prints the attempt's result, and the case directory if it changed. */
static void report(const char *label, int e) {
    char now[1024] = "";
    list(ROOT, now, sizeof now);
    printf("%s: %s%s\n", label, en(e), e ? "" : found);
    found[0] = 0;
    if (strcmp(now, initial)) printf("  => %s\n", now);
}

static const char *ENTRIES[] = {"f", "d", "lf", "ld", "lfs", "lds", "dang", "nope"};
static const char *SHAPES[] = {"", "/", "/.", "//", "/.."};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *type_name(__wasi_filetype_t t) {
    switch (t) {
    case __WASI_FILETYPE_DIRECTORY: return "dir";
    case __WASI_FILETYPE_REGULAR_FILE: return "file";
    case __WASI_FILETYPE_SYMBOLIC_LINK: return "symlink";
    default: return "other";
    }
}

static int open_close(int base, int follow, const char *p, int oflags, __wasi_rights_t rights) {
    __wasi_fd_t fd;
    int e = __wasi_path_open(base, follow, p, oflags, rights, rights, 0, &fd);
    if (e == 0) {
        __wasi_fdstat_t st;
        if (__wasi_fd_fdstat_get(fd, &st) == 0) snprintf(found, sizeof found, " %s", type_name(st.fs_filetype));
        (void)__wasi_fd_close(fd);
    }
    return e;
}

static int stat_at(int base, int follow, const char *p) {
    __wasi_filestat_t st;
    int e = __wasi_path_filestat_get(base, follow, p, &st);
    if (e == 0) snprintf(found, sizeof found, " %s", type_name(st.filetype));
    return e;
}

static int readlink_at(int base, const char *p) {
    uint8_t buf[64];
    __wasi_size_t used;
    int e = __wasi_path_readlink(base, p, buf, sizeof buf - 1, &used);
    if (e == 0) snprintf(found, sizeof found, " %.*s", (int)used, (const char *)buf);
    return e;
}

static int one(int b, int op, const char *p) {
    switch (op) {
    case 0: return open_close(b, 1, p, 0, RD);
    case 1: return open_close(b, 0, p, 0, RD);
    case 2: return open_close(b, 1, p, __WASI_OFLAGS_DIRECTORY, RD | RDDIR);
    case 3: return open_close(b, 0, p, __WASI_OFLAGS_DIRECTORY, RD | RDDIR);
    case 4: return open_close(b, 1, p, __WASI_OFLAGS_CREAT, RD | WR);
    case 5: return open_close(b, 0, p, __WASI_OFLAGS_CREAT, RD | WR);
    case 6: return open_close(b, 1, p, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RD | WR);
    case 7: return open_close(b, 1, p, __WASI_OFLAGS_TRUNC, RD | WR);
    case 8: return open_close(b, 0, p, 0, RD | WR);
    case 9: return __wasi_path_create_directory(b, p);
    case 10: return __wasi_path_unlink_file(b, p);
    case 11: return __wasi_path_remove_directory(b, p);
    case 12: return stat_at(b, 1, p);
    case 13: return stat_at(b, 0, p);
    case 14: return __wasi_path_filestat_set_times(b, 1, p, 0, 0, __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW);
    case 15: return __wasi_path_filestat_set_times(b, 0, p, 0, 0, __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW);
    case 16: return readlink_at(b, p);
    case 17: return __wasi_path_symlink("f", b, p);
    }
    return -1;
}

static const char *OPS[] = {
    "open", "open nofollow", "open dir", "open dir nofollow", "open creat", "open creat nofollow",
    "open creat|excl", "open trunc", "open rw nofollow", "mkdir", "unlink", "rmdir", "stat",
    "stat nofollow", "set_times", "set_times nofollow", "readlink", "symlink f at",
};

/* The other side of two-path calls. */
static const char *OTHERS[] = {"f", "d", "ld", "r", "f/", "d/", "ld/", "r/", "d/."};

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    setup("t/");
    list(ROOT, initial, sizeof initial);
    printf("fixture: %s\n", initial);
    char p[64], q[64], label[200];
    /* Bare names relative to `t`, then the same under `t/` relative to the
     * preopen: a path with a directory part takes other roads through
     * the host (its parent is opened first). */
    static const char *PREFIXES[] = {"", "t/"};
    for (unsigned pass = 0; pass < 2; pass++) {
        const char *pre = PREFIXES[pass];
        for (unsigned op = 0; op < COUNT(OPS); op++)
            for (unsigned i = 0; i < COUNT(ENTRIES); i++)
                for (unsigned s = 0; s < COUNT(SHAPES); s++) {
                    snprintf(p, sizeof p, "%s%s%s", pre, ENTRIES[i], SHAPES[s]);
                    int b = setup(pre);
                    int e = one(b, op, p);
                    snprintf(label, sizeof label, "%s %s", OPS[op], p);
                    report(label, e);
                }
        /* Both sides of rename and link, each path shape against a few others. */
        for (int side = 0; side < 2; side++)
            for (unsigned i = 0; i < COUNT(ENTRIES); i++)
                for (unsigned s = 0; s < COUNT(SHAPES); s++)
                    for (unsigned o = 0; o < COUNT(OTHERS); o++) {
                        snprintf(p, sizeof p, "%s%s%s", pre, ENTRIES[i], SHAPES[s]);
                        snprintf(q, sizeof q, "%s%s", pre, OTHERS[o]);
                        const char *from = side ? q : p, *to = side ? p : q;
                        int b = setup(pre);
                        snprintf(label, sizeof label, "rename %s %s", from, to);
                        report(label, __wasi_path_rename(b, from, b, to));
                        b = setup(pre);
                        snprintf(label, sizeof label, "link %s %s", from, to);
                        report(label, __wasi_path_link(b, 0, from, b, to));
                    }
    }
    /* Symlink targets are text: stored as given, followed later. */
    static const char *TARGETS[] = {"f/", "d/", "nope/", "f/.", "d/..", "lf/", "ld/"};
    for (unsigned i = 0; i < COUNT(TARGETS); i++) {
        int b = setup("");
        snprintf(label, sizeof label, "symlink %s at new", TARGETS[i]);
        report(label, __wasi_path_symlink(TARGETS[i], b, "new"));
        snprintf(label, sizeof label, "  stat new (-> %s)", TARGETS[i]);
        report(label, stat_at(b, 1, "new"));
        snprintf(label, sizeof label, "  open new/ (-> %s)", TARGETS[i]);
        report(label, open_close(b, 1, "new/", 0, RD));
    }
    (void)__wasi_fd_close(tfd);
    remove_tree(ROOT);
    return 0;
}
