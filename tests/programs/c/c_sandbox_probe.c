// kiln-test: fixture = sandbox_probe
// kiln-test: fixture-symlink = in/abs_passwd /etc/passwd
// kiln-test: fixture-symlink = in/abs_root /
// kiln-test: fixture-symlink = in/abs_tmp /tmp
// kiln-test: dir = fixture/in::/sandbox
// kiln-test: dir = fixture/ro::/other
// kiln-test: stdout-file
// kiln-test: files-file
// A differential probe of the WASI preview 1 sandbox, through raw imports
// (any length, pointer, flag or fd the guest likes): every path-taking call
// with `..`, absolute paths, symlinks out of the preopen (relative,
// absolute ones from the fixture, chains, loops, dangling, one in the
// middle of a path), hard links and renames across preopens and out,
// path_open with the oflags, rights and fdflags combinations worth abusing,
// names too long, with NUL bytes or invalid UTF-8, readlink into small
// buffers, fd tricks (renumber onto preopens and stdio, closed, negative
// and huge fds, seek/read/write on directories, readdir cookies past the
// end), sockets calls on non-sockets, poll_oneoff and clock edge cases.
// One line per attempt; the expected output is Wasmtime 49's, and the
// fixture's `out/` (outside every preopen) must end unchanged.
//
// `trap N` (not run as a trial: each ends the program) makes attempt N one
// whose argument wasmtime refuses fatally: bad flag, enum or integer values
// (0-29), pointers straddling or past the end of memory, misaligned,
// negative, huge iovec counts (30-59); compare the stderr and exit status
// of `kiln run` and `wasmtime run` by hand with it.
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#define IMP(n) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#n)))
typedef int32_t P; /* a raw guest address */
IMP(path_open) int32_t w_path_open(int32_t fd, int32_t df, P path, int32_t len, int32_t of, int64_t base, int64_t inh, int32_t ff, P out);
IMP(path_symlink) int32_t w_path_symlink(P old, int32_t ol, int32_t fd, P nw, int32_t nl);
IMP(path_readlink) int32_t w_path_readlink(int32_t fd, P path, int32_t len, P buf, int32_t blen, P used);
IMP(path_create_directory) int32_t w_path_create_directory(int32_t fd, P path, int32_t len);
IMP(path_remove_directory) int32_t w_path_remove_directory(int32_t fd, P path, int32_t len);
IMP(path_unlink_file) int32_t w_path_unlink_file(int32_t fd, P path, int32_t len);
IMP(path_filestat_get) int32_t w_path_filestat_get(int32_t fd, int32_t fl, P path, int32_t len, P buf);
IMP(path_filestat_set_times) int32_t w_path_filestat_set_times(int32_t fd, int32_t fl, P path, int32_t len, int64_t a, int64_t m, int32_t fst);
IMP(path_rename) int32_t w_path_rename(int32_t fd, P old, int32_t ol, int32_t nfd, P nw, int32_t nl);
IMP(path_link) int32_t w_path_link(int32_t ofd, int32_t fl, P old, int32_t ol, int32_t nfd, P nw, int32_t nl);
IMP(fd_close) int32_t w_fd_close(int32_t fd);
IMP(fd_renumber) int32_t w_fd_renumber(int32_t from, int32_t to);
IMP(fd_read) int32_t w_fd_read(int32_t fd, P iov, int32_t n, P nread);
IMP(fd_write) int32_t w_fd_write(int32_t fd, P iov, int32_t n, P nw);
IMP(fd_pread) int32_t w_fd_pread(int32_t fd, P iov, int32_t n, int64_t off, P nread);
IMP(fd_pwrite) int32_t w_fd_pwrite(int32_t fd, P iov, int32_t n, int64_t off, P nw);
IMP(fd_seek) int32_t w_fd_seek(int32_t fd, int64_t off, int32_t wh, P out);
IMP(fd_tell) int32_t w_fd_tell(int32_t fd, P out);
IMP(fd_readdir) int32_t w_fd_readdir(int32_t fd, P buf, int32_t len, int64_t cookie, P used);
IMP(fd_fdstat_get) int32_t w_fd_fdstat_get(int32_t fd, P out);
IMP(fd_fdstat_set_flags) int32_t w_fd_fdstat_set_flags(int32_t fd, int32_t fl);
IMP(fd_fdstat_set_rights) int32_t w_fd_fdstat_set_rights(int32_t fd, int64_t b, int64_t i);
IMP(fd_filestat_get) int32_t w_fd_filestat_get(int32_t fd, P out);
IMP(fd_filestat_set_size) int32_t w_fd_filestat_set_size(int32_t fd, int64_t sz);
IMP(fd_filestat_set_times) int32_t w_fd_filestat_set_times(int32_t fd, int64_t a, int64_t m, int32_t fst);
IMP(fd_prestat_get) int32_t w_fd_prestat_get(int32_t fd, P out);
IMP(fd_prestat_dir_name) int32_t w_fd_prestat_dir_name(int32_t fd, P buf, int32_t len);
IMP(fd_advise) int32_t w_fd_advise(int32_t fd, int64_t off, int64_t len, int32_t adv);
IMP(fd_allocate) int32_t w_fd_allocate(int32_t fd, int64_t off, int64_t len);
IMP(fd_datasync) int32_t w_fd_datasync(int32_t fd);
IMP(fd_sync) int32_t w_fd_sync(int32_t fd);
IMP(poll_oneoff) int32_t w_poll_oneoff(P in, P out, int32_t n, P nev);
IMP(clock_time_get) int32_t w_clock_time_get(int32_t id, int64_t prec, P out);
IMP(clock_res_get) int32_t w_clock_res_get(int32_t id, P out);
IMP(random_get) int32_t w_random_get(P buf, int32_t len);
IMP(args_sizes_get) int32_t w_args_sizes_get(P a, P b);
IMP(environ_sizes_get) int32_t w_environ_sizes_get(P a, P b);
IMP(args_get) int32_t w_args_get(P a, P b);
IMP(environ_get) int32_t w_environ_get(P a, P b);
IMP(sock_accept) int32_t w_sock_accept(int32_t fd, int32_t fl, P out);
IMP(sock_recv) int32_t w_sock_recv(int32_t fd, P iov, int32_t n, int32_t fl, P a, P b);
IMP(sock_send) int32_t w_sock_send(int32_t fd, P iov, int32_t n, int32_t fl, P a);
IMP(sock_shutdown) int32_t w_sock_shutdown(int32_t fd, int32_t how);
IMP(sched_yield) int32_t w_sched_yield(void);
IMP(proc_raise) int32_t w_proc_raise(int32_t sig);

static const char *NAMES[] = {"SUCCESS","2BIG","ACCES","ADDRINUSE","ADDRNOTAVAIL","AFNOSUPPORT","AGAIN","ALREADY","BADF","BADMSG","BUSY","CANCELED","CHILD","CONNABORTED","CONNREFUSED","CONNRESET","DEADLK","DESTADDRREQ","DOM","DQUOT","EXIST","FAULT","FBIG","HOSTUNREACH","IDRM","ILSEQ","INPROGRESS","INTR","INVAL","IO","ISCONN","ISDIR","LOOP","MFILE","MLINK","MSGSIZE","MULTIHOP","NAMETOOLONG","NETDOWN","NETRESET","NETUNREACH","NFILE","NOBUFS","NODEV","NOENT","NOEXEC","NOLCK","NOLINK","NOMEM","NOMSG","NOPROTOOPT","NOSPC","NOSYS","NOTCONN","NOTDIR","NOTEMPTY","NOTRECOVERABLE","NOTSOCK","NOTSUP","NOTTY","NXIO","OVERFLOW","OWNERDEAD","PERM","PIPE","PROTO","PROTONOSUPPORT","PROTOTYPE","RANGE","ROFS","SPIPE","SRCH","STALE","TIMEDOUT","TXTBSY","XDEV","NOTCAPABLE"};
static const char *en(int e) { return (e >= 0 && e <= 76) ? NAMES[e] : "?"; }
static int n_attempts, trapmode = -1;
/* The end of linear memory (one past its last byte). */
#define END ((P)(__builtin_wasm_memory_size(0) * 65536u))
#define R(label, expr) do { int e_ = (expr); n_attempts++; printf("%s: %s\n", label, en(e_)); } while (0)
#define A(p) ((P)(uintptr_t)(p))
#define S(s) A(s), (int32_t)strlen(s)

static uint32_t fdout;
/* Opens and closes at once; returns the errno. */
static int op(int dir, int df, const char *p, int of, int64_t base, int ff) {
    uint32_t fd = 0;
    int e = w_path_open(dir, df, S(p), of, base, base, ff, A(&fdout));
    if (e == 0) w_fd_close(fdout);
    return e;
}
static int opfd(int dir, const char *p, int of, int64_t base, int ff) {
    uint32_t fd = 0;
    int e = w_path_open(dir, 0, S(p), of, base, base, ff, A(&fd));
    return e ? -e : (int)fd;
}
static int readfile(int dir, const char *p, char *buf, int cap) {
    int fd = opfd(dir, p, 0, 2, 0);
    if (fd < 0) return fd;
    uint32_t iov[2] = {(uint32_t)A(buf), (uint32_t)cap}, n = 0;
    w_fd_read(fd, A(iov), 1, A(&n));
    w_fd_close(fd);
    buf[n] = 0;
    return (int)n;
}
static void sym(const char *target, const char *name) {
    char l[200]; snprintf(l, sizeof l, "symlink %s -> %s", name, target);
    R(l, w_path_symlink(S(target), 3, S(name)));
}

static const char *PATHS[] = {
    "file.txt", "sub/x.txt", "", ".", "..", "../", "./..", "../out/secret.txt", "../in/file.txt",
    "/etc/passwd", "/sandbox/file.txt", "/", "sub/../file.txt", "sub/../../out/secret.txt", "sub/./../sub/x.txt",
    "file.txt/", "file.txt/.", "file.txt/..", "sub/", "sub//x.txt", "sub/.", "nonexist", "nonexist/x", "nonexist/..",
    "lout", "lout/", "ldir", "ldir/", "ldir/secret.txt", "ldir/../in/file.txt", "c1", "c1ok", "loop1", "loop1/x", "self",
    "dang", "dangout", "dangabs", "mid", "mid/x.txt", "mid/../file.txt", "mid/../../out", "subup", "subup/file.txt",
    "deep", "deep/secret.txt", "updir/file.txt", "updir/../out", "lfile", "lfile/", "lsubslash",
    "abs_passwd", "abs_tmp", "abs_tmp/x", "abs_root/etc/passwd", "abs_root/",
};
#define NPATHS (sizeof PATHS / sizeof PATHS[0])

enum { RD = 2, WR = 64, SEEK = 4, TELL = 32, RDDIR = 0x4000, CREATF = 0x400, OPENR = 0x2000, ALLR = 0x1fffffff };

static void paths(void) {
    char l[300];
    for (unsigned i = 0; i < NPATHS; i++) {
        const char *p = PATHS[i];
#define T(what, e) do { snprintf(l, sizeof l, "[%s] %s", p, what); R(l, e); } while (0)
        T("open ro follow", op(3, 1, p, 0, RD, 0));
        T("open ro nofollow", op(3, 0, p, 0, RD, 0));
        T("open dir follow", op(3, 1, p, 2, RD | RDDIR, 0));
        T("open dir nofollow", op(3, 0, p, 2, RD | RDDIR, 0));
        T("open all-rights", op(3, 1, p, 0, ALLR, 0));
        T("open trunc ro-rights", op(3, 1, p, 8, RD, 0));
        T("open trunc|dir", op(3, 1, p, 8 | 2, ALLR, 0));
        T("open wr append", op(3, 1, p, 0, WR, 1));
        T("open rw sync", op(3, 1, p, 0, RD | WR, 16 | 2 | 8));
        T("open dsync|rsync|nonblock", op(3, 0, p, 0, RD, 2 | 4 | 8));
        T("stat follow", ({ uint64_t s[8]; w_path_filestat_get(3, 1, S(p), A(s)); }));
        T("stat nofollow", ({ uint64_t s[8]; w_path_filestat_get(3, 0, S(p), A(s)); }));
        T("readlink", ({ char b[64]; uint32_t n = 0; w_path_readlink(3, S(p), A(b), 64, A(&n)); }));
        T("readlink buf1", ({ char b[1]; uint32_t n = 0; int e = w_path_readlink(3, S(p), A(b), 1, A(&n)); if (!e) printf("  n=%u\n", n); e; }));
        T("readlink buf0", ({ char b[1]; uint32_t n = 7; int e = w_path_readlink(3, S(p), A(b), 0, A(&n)); if (!e) printf("  n=%u\n", n); e; }));
        T("set_times nofollow", w_path_filestat_set_times(3, 0, S(p), 0, 0, 2 | 8));
        T("set_times bad fst", w_path_filestat_set_times(3, 0, S(p), 0, 0, 1 | 2));
    }
}

/* Creations and removals that must all stay inside or fail. */
static const char *MUT[] = {
    "../out/new", "/tmp/kiln-probe-new", "lout", "ldir/new", "dang", "dangout", "dangabs", "mid/new", "deep/new",
    "updir/new", "abs_tmp/kiln-probe-new2", "abs_passwd", "c1", "loop1", "nonexist/x", "file.txt/x", "sub/../../out/new", "..", ".", "", "sub/", "file.txt/",
};
#define NMUT (sizeof MUT / sizeof MUT[0])

static void mutations(void) {
    char l[300];
    for (unsigned i = 0; i < NMUT; i++) {
        const char *p = MUT[i];
        T("creat nofollow", op(3, 0, p, 1, RD | WR, 0));
        T("creat follow", op(3, 1, p, 1, RD | WR, 0));
        T("creat|excl nofollow", op(3, 0, p, 1 | 4, RD | WR, 0));
        T("creat|excl follow", op(3, 1, p, 1 | 4, RD | WR, 0));
        T("creat|dir", op(3, 0, p, 1 | 2, RD | WR, 0));
        T("mkdir", w_path_create_directory(3, S(p)));
        T("symlink to file.txt", w_path_symlink(S("file.txt"), 3, S(p)));
        T("link from file.txt", w_path_link(3, 0, S("file.txt"), 3, S(p)));
        T("link to x", w_path_link(3, 0, S(p), 3, S("hl_x")));
        T("link follow to y", w_path_link(3, 1, S(p), 3, S("hl_y")));
        T("rename from", w_path_rename(3, S(p), 3, S("ren_x")));
        T("rename to", w_path_rename(3, S("victim.txt"), 3, S(p)));
        T("unlink", w_path_unlink_file(3, S(p)));
        T("rmdir", w_path_remove_directory(3, S(p)));
    }
}

static void cross(void) {
    R("link in->other", w_path_link(3, 0, S("file.txt"), 4, S("hl_in")));
    R("link other->in", w_path_link(4, 0, S("r.txt"), 3, S("hl_r")));
    R("rename in->other", w_path_rename(3, S("victim2.txt"), 4, S("moved.txt")));
    R("rename other->in", w_path_rename(4, S("moved.txt"), 3, S("back.txt")));
    R("rename dir into itself", w_path_rename(3, S("sub"), 3, S("sub/inner")));
    R("rename dir over file", w_path_rename(3, S("sub"), 3, S("file.txt")));
    R("rename file over dir", w_path_rename(3, S("file.txt"), 3, S("sub")));
    R("rename file over nonempty dir", w_path_rename(3, S("back.txt"), 3, S("emptydir/..")));
    R("rename nonexist", w_path_rename(3, S("nope"), 3, S("nope2")));
    R("rename dir onto nonempty dir", w_path_rename(3, S("emptydir"), 3, S("sub")));
    R("rmdir nonempty", w_path_remove_directory(3, S("sub")));
    R("rmdir file", w_path_remove_directory(3, S("file.txt")));
    R("unlink dir", w_path_unlink_file(3, S("sub")));
    R("unlink dir/", w_path_unlink_file(3, S("emptydir/")));
    R("mkdir existing", w_path_create_directory(3, S("sub")));
    R("mkdir trailing slash", w_path_create_directory(3, S("newdir/")));
    R("rmdir trailing slash", w_path_remove_directory(3, S("newdir/")));
    R("symlink trailing slash name", w_path_symlink(S("file.txt"), 3, S("sl/")));
    R("symlink empty target", w_path_symlink(S(""), 3, S("sl_empty")));
    R("symlink empty name", w_path_symlink(S("x"), 3, S("")));
    R("symlink target ../../..", w_path_symlink(S("../../.."), 3, S("sl_up3")));
    R("symlink target with NUL", w_path_symlink(A("a\0b"), 3, 3, S("sl_nul")));
    R("open via sl_up3", op(3, 1, "sl_up3/etc/passwd", 0, RD, 0));
    R("symlink in other preopen -> ../in", w_path_symlink(S("../in/file.txt"), 4, S("cross")));
    R("open other/cross", op(4, 1, "cross", 0, RD, 0));
    R("link other/cross nofollow into in", w_path_link(4, 0, S("cross"), 3, S("crosslink")));
    R("open in/crosslink", op(3, 1, "crosslink", 0, RD, 0));
    R("readlink in/crosslink", ({ char b[64]; uint32_t n = 0; w_path_readlink(3, S("crosslink"), A(b), 64, A(&n)); }));
}

static void names(void) {
    static char big[5000];
    memset(big, 'a', sizeof big - 1);
    R("open name 255", ({ big[255] = 0; int e = op(3, 0, big, 1, RD | WR, 0); big[255] = 'a'; e; }));
    R("unlink name 255", ({ big[255] = 0; int e = w_path_unlink_file(3, S(big)); big[255] = 'a'; e; }));
    R("open name 256", ({ big[256] = 0; int e = op(3, 0, big, 1, RD | WR, 0); big[256] = 'a'; e; }));
    R("open name 4999", op(3, 0, big, 0, RD, 0));
    R("stat name 4999", ({ uint64_t s[8]; w_path_filestat_get(3, 0, S(big), A(s)); }));
    for (int i = 0; i < 4998; i += 2) big[i + 1] = '/';
    R("open path 4999 a/a/", op(3, 0, big, 0, RD, 0));
    for (int i = 0; i < 4998; i += 3) { big[i] = '.'; big[i + 1] = '.'; big[i + 2] = '/'; }
    big[4998] = 0;
    R("open path ../../..", op(3, 0, big, 0, RD, 0));
    R("open NUL inside", w_path_open(3, 0, A("file.txt\0x"), 10, 0, RD, RD, 0, A(&fdout)));
    R("open NUL at end", w_path_open(3, 0, A("file.txt\0"), 9, 0, RD, RD, 0, A(&fdout)));
    R("open invalid utf8", w_path_open(3, 0, A("\xff\xfe"), 2, 0, RD, RD, 0, A(&fdout)));
    R("creat invalid utf8", w_path_open(3, 0, A("\xc3("), 2, 1, RD | WR, RD | WR, 0, A(&fdout)));
    R("mkdir invalid utf8", w_path_create_directory(3, A("\xed\xa0\x80"), 3));
    R("symlink target invalid utf8", w_path_symlink(A("\xff"), 1, 3, S("sl_bad")));
    R("open len 0 ptr 0", w_path_open(3, 0, 0, 0, 0, RD, RD, 0, A(&fdout)));
    R("open backslash", op(3, 0, "..\\out", 0, RD, 0));
    R("open ../ with len cut", w_path_open(3, 0, A("../out"), 2, 0, RD, RD, 0, A(&fdout)));
}

static void fds(void) {
    char buf[256];
    uint64_t u64 = 0;
    uint32_t n = 0;
    int f = opfd(3, "file.txt", 0, RD | SEEK | TELL, 0);
    printf("open file.txt -> %s\n", f < 0 ? en(-f) : "ok");
    int d = opfd(3, "sub", 2, ALLR, 0);
    printf("open sub -> %s\n", d < 0 ? en(-d) : "ok");
    uint32_t iov[4] = {(uint32_t)A(buf), 16, (uint32_t)A(buf), 16};
    R("fd_read file", w_fd_read(f, A(iov), 1, A(&n)));
    R("fd_write ro file", w_fd_write(f, A(iov), 1, A(&n)));
    R("fd_pwrite ro file", w_fd_pwrite(f, A(iov), 1, 0, A(&n)));
    R("fd_filestat_set_size ro file", w_fd_filestat_set_size(f, 0));
    R("fd_allocate ro file", w_fd_allocate(f, 0, 10));
    R("fd_seek file end-100", w_fd_seek(f, -100, 2, A(&u64)));
    if (trapmode == 7) R("fd_seek file bad whence", w_fd_seek(f, 0, 3, A(&u64)));
    R("fd_seek file huge", w_fd_seek(f, 0x7fffffffffffffffLL, 0, A(&u64)));
    R("fd_seek file cur huge", w_fd_seek(f, 0x7fffffffffffffffLL, 1, A(&u64)));
    R("fd_pread huge offset", w_fd_pread(f, A(iov), 1, -1LL, A(&n)));
    if (trapmode == 8) R("fd_advise bad", w_fd_advise(f, 0, 0, 6));
    R("fd_advise ok", w_fd_advise(f, 0, 0, 0));
    if (trapmode == 9) R("fd_fdstat_set_flags bad", w_fd_fdstat_set_flags(f, 0x20));
    R("fd_fdstat_set_flags append", w_fd_fdstat_set_flags(f, 1));
    R("fd_fdstat_set_flags sync", w_fd_fdstat_set_flags(f, 16));
    R("fd_fdstat_set_rights grow", w_fd_fdstat_set_rights(f, ALLR, ALLR));
    R("fd_fdstat_set_rights shrink", w_fd_fdstat_set_rights(f, RD, 0));
    R("fd_seek after shrink", w_fd_seek(f, 0, 0, A(&u64)));
    R("fd_read after shrink", w_fd_read(f, A(iov), 1, A(&n)));
    R("fd_readdir on file", w_fd_readdir(f, A(buf), 256, 0, A(&n)));
    R("fd_read on dir", w_fd_read(d, A(iov), 1, A(&n)));
    R("fd_write on dir", w_fd_write(d, A(iov), 1, A(&n)));
    R("fd_pread on dir", w_fd_pread(d, A(iov), 1, 0, A(&n)));
    R("fd_seek on dir", w_fd_seek(d, 0, 0, A(&u64)));
    R("fd_tell on dir", w_fd_tell(d, A(&u64)));
    R("fd_seek on preopen", w_fd_seek(3, 0, 1, A(&u64)));
    R("fd_filestat_set_size on dir", w_fd_filestat_set_size(d, 0));
    R("fd_allocate on dir", w_fd_allocate(d, 0, 1));
    R("fd_datasync dir", w_fd_datasync(d));
    R("fd_sync dir", w_fd_sync(d));
    R("fd_readdir len 0", w_fd_readdir(d, A(buf), 0, 0, A(&n)));
    R("fd_readdir cookie huge", ({ n = 99; int e = w_fd_readdir(d, A(buf), 256, 1000000, A(&n)); printf("  used=%u\n", n); e; }));
    R("fd_readdir cookie max", ({ n = 99; int e = w_fd_readdir(d, A(buf), 256, -1LL, A(&n)); printf("  used=%u\n", n); e; }));
    R("fd_readdir small buf", ({ n = 99; int e = w_fd_readdir(d, A(buf), 5, 0, A(&n)); printf("  used=%u\n", n); e; }));
    R("fd_readdir cookie 1", ({ n = 99; int e = w_fd_readdir(d, A(buf), 256, 1, A(&n)); printf("  used=%u\n", n); e; }));
    R("fd_readdir cookie 3", ({ n = 99; int e = w_fd_readdir(d, A(buf), 256, 3, A(&n)); printf("  used=%u\n", n); e; }));
    R("path_open relative to file fd", op(f, 0, "x", 0, RD, 0));
    R("path_open .. relative to subdir fd", op(d, 0, "..", 0, RD, 0));
    R("path_open ../file.txt relative to subdir fd", op(d, 0, "../file.txt", 0, RD, 0));
    R("path_open x.txt relative to subdir fd", op(d, 0, "x.txt", 0, RD, 0));
    R("fd_read 0 iovecs", w_fd_read(f, A(iov), 0, A(&n)));
    R("fd_write stdout 0 iovecs", w_fd_write(1, A(iov), 0, A(&n)));
    R("fd_seek stdout", w_fd_seek(1, 0, 1, A(&u64)));
    R("fd_tell stdin", w_fd_tell(0, A(&u64)));
    R("fd_prestat_get stdin", w_fd_prestat_get(0, A(buf)));
    R("fd_prestat_get file", w_fd_prestat_get(f, A(buf)));
    R("fd_prestat_get 3", w_fd_prestat_get(3, A(buf)));
    R("fd_prestat_get 5000", w_fd_prestat_get(5000, A(buf)));
    R("fd_prestat_dir_name len 0", w_fd_prestat_dir_name(3, A(buf), 0));
    R("fd_prestat_dir_name len 3", w_fd_prestat_dir_name(3, A(buf), 3));
    R("fd_prestat_dir_name len 8", w_fd_prestat_dir_name(3, A(buf), 8));
    R("fd_prestat_dir_name len 100", w_fd_prestat_dir_name(3, A(buf), 100));
    R("fd_prestat_dir_name file", w_fd_prestat_dir_name(f, A(buf), 100));
    R("fd_prestat_dir_name stdout", w_fd_prestat_dir_name(1, A(buf), 100));
    int bad[] = {-1, 77, 0x7fffffff, 1 << 20, 65536};
    for (int i = 0; i < 5; i++) {
        char l[100];
        int b = bad[i];
        snprintf(l, sizeof l, "fd %d fd_read", b); R(l, w_fd_read(b, A(iov), 1, A(&n)));
        snprintf(l, sizeof l, "fd %d fd_close", b); R(l, w_fd_close(b));
        snprintf(l, sizeof l, "fd %d fdstat", b); R(l, w_fd_fdstat_get(b, A(buf)));
        snprintf(l, sizeof l, "fd %d path_open", b); R(l, op(b, 0, "file.txt", 0, RD, 0));
        snprintf(l, sizeof l, "fd %d renumber to it", b); R(l, w_fd_renumber(f, b));
        snprintf(l, sizeof l, "fd %d renumber from it", b); R(l, w_fd_renumber(b, f));
        snprintf(l, sizeof l, "fd %d sock_accept", b); R(l, w_sock_accept(b, 0, A(&n)));
    }
    R("sock_accept on file", w_sock_accept(f, 0, A(&n)));
    R("sock_accept on preopen", w_sock_accept(3, 0, A(&n)));
    R("sock_accept on stdin", w_sock_accept(0, 0, A(&n)));
    if (trapmode == 10) R("sock_accept bad flags", w_sock_accept(f, 0xff, A(&n)));
    R("sock_recv on file", w_sock_recv(f, A(iov), 1, 0, A(&n), A(&n)));
    R("sock_send on file", w_sock_send(f, A(iov), 1, 0, A(&n)));
    R("sock_send on stdout", w_sock_send(1, A(iov), 1, 0, A(&n)));
    R("sock_shutdown on file", w_sock_shutdown(f, 3));
    if (trapmode == 11) R("sock_shutdown bad how", w_sock_shutdown(f, 9));
    if (trapmode == 12) R("sock_recv bad flags", w_sock_recv(f, A(iov), 1, 0xff, A(&n), A(&n)));
    /* renumber onto stdio and preopens */
    int g = opfd(3, "file.txt", 0, RD, 0);
    R("renumber self", w_fd_renumber(g, g));
    R("renumber file onto preopen 4", w_fd_renumber(g, 4));
    R("prestat 4 after", w_fd_prestat_get(4, A(buf)));
    R("open via 4 after", op(4, 0, "r.txt", 0, RD, 0));
    R("read via 4 after", w_fd_read(4, A(iov), 1, A(&n)));
    R("old fd after renumber", w_fd_close(g));
    R("renumber preopen 3 onto stdin", w_fd_renumber(3, 0));
    R("open via 0 after", op(0, 0, "file.txt", 0, RD, 0));
    R("prestat 0 after", w_fd_prestat_get(0, A(buf)));
    R("open via 3 after", op(3, 0, "file.txt", 0, RD, 0));
    R("renumber back 0 -> 3", w_fd_renumber(0, 3));
    R("close stderr", w_fd_close(2));
    R("write stderr after close", w_fd_write(2, A(iov), 1, A(&n)));
    R("close preopen 3", w_fd_close(3));
    R("open via closed 3", op(3, 0, "file.txt", 0, RD, 0));
    R("open via d after preopen closed", op(d, 0, "x.txt", 0, RD, 0));
    R("open via d .. after preopen closed", op(d, 0, "../file.txt", 0, RD, 0));
    int h = opfd(d, "x.txt", 0, RD, 0);
    printf("new fd reuses %s\n", h == 3 ? "3" : h < 0 ? en(-h) : "another");
    R("prestat new fd", w_fd_prestat_get(h, A(buf)));
    w_fd_close(f);
    w_fd_close(d);
}

static void misc(void) {
    uint64_t t = 0, sz[2];
    uint8_t buf[64];
    if (trapmode == 4) R("clock_time_get 4", w_clock_time_get(4, 0, A(&t)));
    if (trapmode == 5) R("clock_time_get -1", w_clock_time_get(-1, 0, A(&t)));
    R("clock_time_get 2", w_clock_time_get(2, 0, A(&t)));
    R("clock_time_get 3", w_clock_time_get(3, 0, A(&t)));
    if (trapmode == 6) R("clock_res_get 4", w_clock_res_get(4, A(&t)));
    R("clock_res_get 2", w_clock_res_get(2, A(&t)));
    R("random_get 0", w_random_get(A(buf), 0));
    R("random_get 0 at null", w_random_get(0, 0));
    R("args_sizes_get", w_args_sizes_get(A(&sz[0]), A(&sz[1])));
    R("environ_sizes_get", w_environ_sizes_get(A(&sz[0]), A(&sz[1])));
    R("sched_yield", w_sched_yield());
    uint8_t sub[3][48], ev[3][32];
    uint32_t n = 77;
    memset(sub, 0, sizeof sub);
    R("poll_oneoff 0", ({ int e = w_poll_oneoff(A(sub), A(ev), 0, A(&n)); printf("  n=%u\n", n); e; }));
    sub[0][8] = 0; sub[0][16] = 9; /* clock id 9 */
    if (trapmode == 13) R("poll_oneoff bad clock", ({ n = 77; memset(ev, 0, sizeof ev); int e = w_poll_oneoff(A(sub), A(ev), 1, A(&n)); printf("  n=%u err=%u type=%u\n", n, ev[0][8] | ev[0][9] << 8, ev[0][10]); e; }));
    memset(sub, 0, sizeof sub);
    sub[0][8] = 7; /* bad tag */
    if (trapmode == 14) R("poll_oneoff bad tag", ({ n = 77; int e = w_poll_oneoff(A(sub), A(ev), 1, A(&n)); printf("  n=%u\n", n); e; }));
    memset(sub, 0, sizeof sub);
    sub[0][8] = 1; sub[0][16] = 99; /* fd_read on bad fd 99 */
    R("poll_oneoff fd_read bad fd", ({ n = 77; memset(ev, 0, sizeof ev); int e = w_poll_oneoff(A(sub), A(ev), 1, A(&n)); printf("  n=%u err=%u type=%u\n", n, ev[0][8] | ev[0][9] << 8, ev[0][10]); e; }));
    memset(sub, 0, sizeof sub);
    sub[0][8] = 2; sub[0][16] = 4; /* fd_write on a directory preopen */
    R("poll_oneoff fd_write dir", ({ n = 77; memset(ev, 0, sizeof ev); int e = w_poll_oneoff(A(sub), A(ev), 1, A(&n)); printf("  n=%u err=%u type=%u\n", n, ev[0][8] | ev[0][9] << 8, ev[0][10]); e; }));
    memset(sub, 0, sizeof sub);
    sub[0][8] = 0; sub[0][16] = 1; sub[0][40] = 1; /* abstime 0 on monotonic */
    R("poll_oneoff abstime 0", ({ n = 77; int e = w_poll_oneoff(A(sub), A(ev), 1, A(&n)); printf("  n=%u\n", n); e; }));
    memset(sub, 0, sizeof sub);
    sub[0][8] = 0; sub[0][16] = 0; sub[0][40] = 0xff; /* bad subclock flags */
    if (trapmode == 15) R("poll_oneoff bad subclock flags", ({ n = 77; int e = w_poll_oneoff(A(sub), A(ev), 1, A(&n)); printf("  n=%u\n", n); e; }));
    R("proc_raise 0", w_proc_raise(0));
    if (trapmode == 16) R("proc_raise 200", w_proc_raise(200));
}

static void traps(int i) {
    switch (i) {
    case 0: R("bad oflags", w_path_open(3, 0, S("file.txt"), 0x10, RD, RD, 0, A(&fdout))); break;
    case 1: R("bad fdflags", w_path_open(3, 0, S("file.txt"), 0, RD, RD, 0x20, A(&fdout))); break;
    case 2: R("bad dirflags", w_path_open(3, 2, S("file.txt"), 0, RD, RD, 0, A(&fdout))); break;
    case 3: R("huge rights", w_path_open(3, 0, S("file.txt"), 0, -1LL, -1LL, 0, A(&fdout))); break;
    case 17: R("whence 256", w_fd_seek(1, 0, 256, A(&fdout))); break;
    case 18: R("whence -1", w_fd_seek(1, 0, -1, A(&fdout))); break;
    case 19: R("siflags 0x10000", w_sock_send(1, A(&fdout), 0, 0x10000, A(&fdout))); break;
    case 20: R("fdflags 0x10000", w_fd_fdstat_set_flags(1, 0x10000)); break;
    case 21: R("oflags 0x10000", w_path_open(3, 0, S("x"), 0x10000, 0, 0, 0, A(&fdout))); break;
    case 22: R("dirflags -1", w_path_open(3, -1, S("x"), 0, 0, 0, 0, A(&fdout))); break;
    case 23: R("fst 0x10000", w_path_filestat_set_times(3, 0, S("x"), 0, 0, 0x10000)); break;
    case 24: R("advice -1", w_fd_advise(1, 0, 0, -1)); break;
    case 25: R("riflags -1", w_sock_recv(1, A(&fdout), 0, -1, A(&fdout), A(&fdout))); break;
    case 26: R("sdflags 256", w_sock_shutdown(1, 256)); break;
    case 27: R("signal -1", w_proc_raise(-1)); break;
    case 28: R("clock 0x7fffffff", w_clock_res_get(0x7fffffff, A(&fdout))); break;
    case 29: R("fdflags -1", w_fd_fdstat_set_flags(1, -1)); break;
    case 30: R("fd_write iovec straddling the end", w_fd_write(1, END - 4, 1, A(&fdout))); break;
    case 31: R("fd_write iovec at the end", w_fd_write(1, END, 1, A(&fdout))); break;
    case 32: R("fd_write buffer straddling the end", ({ static uint32_t v[2]; v[0] = END - 2; v[1] = 4; w_fd_write(1, A(v), 1, A(&fdout)); })); break;
    case 33: R("fd_write buffer at the end, len 0", ({ static uint32_t v[2]; v[0] = END; v[1] = 0; w_fd_write(1, A(v), 1, A(&fdout)); })); break;
    case 34: R("fd_write huge iovec count", w_fd_write(1, A(&fdout), 0x10000000, A(&fdout))); break;
    case 35: R("fd_write iovec lens overflow", ({ static uint32_t v[4]; v[0] = A(v); v[1] = 0x80000000; v[2] = A(v); v[3] = 0x80000000; w_fd_write(1, A(v), 2, A(&fdout)); })); break;
    case 36: R("fd_read nread at the end", ({ static uint32_t v[2]; v[0] = A(v); v[1] = 0; w_fd_read(0, A(v), 1, END - 2); })); break;
    case 37: R("path_open path straddling the end", w_path_open(3, 0, END - 2, 4, 0, 2, 2, 0, A(&fdout))); break;
    case 38: R("path_open path at the end, len 0", w_path_open(3, 0, END, 0, 0, 2, 2, 0, A(&fdout))); break;
    case 39: R("path_open fd out at the end", w_path_open(3, 0, S("file.txt"), 0, 2, 2, 0, END - 2)); break;
    case 40: R("fd_prestat_dir_name buffer straddling", w_fd_prestat_dir_name(3, END - 4, 8)); break;
    case 41: R("fd_prestat_dir_name huge len", w_fd_prestat_dir_name(3, A(&fdout), 0x7fffffff)); break;
    case 42: R("fd_prestat_get at the end", w_fd_prestat_get(3, END - 4)); break;
    case 43: R("fd_fdstat_get straddling", w_fd_fdstat_get(1, END - 16)); break;
    case 44: R("clock_time_get straddling", w_clock_time_get(0, 0, END - 4)); break;
    case 45: R("clock_time_get exactly at the end - 8", w_clock_time_get(0, 0, END - 8)); break;
    case 46: R("random_get straddling", w_random_get(END - 4, 8)); break;
    case 47: R("random_get at the end, len 0", w_random_get(END, 0)); break;
    case 48: R("args_sizes_get at the end", w_args_sizes_get(END - 4, END - 2)); break;
    case 49: R("args_get bad pointers", w_args_get(END - 2, END - 2)); break;
    case 50: R("environ_get bad pointers", w_environ_get(END - 2, END - 2)); break;
    case 51: R("fd_readdir buffer straddling", w_fd_readdir(3, END - 8, 64, 0, A(&fdout))); break;
    case 52: R("path_readlink buffer straddling", w_path_readlink(3, S("x"), END - 8, 64, A(&fdout))); break;
    case 53: R("poll_oneoff subscriptions straddling", w_poll_oneoff(END - 24, A(&fdout), 1, A(&fdout))); break;
    case 54: R("poll_oneoff huge nsubscriptions", ({ static uint8_t ev[64]; w_poll_oneoff(A(ev), A(ev), 0x7fffffff, A(&fdout)); })); break;
    case 55: R("path_filestat_get buf straddling", w_path_filestat_get(3, 0, S("file.txt"), END - 32)); break;
    case 56: R("fd_write misaligned iovec", w_fd_write(1, A(&fdout) + 1, 1, A(&fdout))); break;
    case 57: R("clock_time_get misaligned", w_clock_time_get(0, 0, A(&fdout) + 1)); break;
    case 58: R("fd_write negative pointer", w_fd_write(1, -8, 1, A(&fdout))); break;
    case 59: R("path_symlink old straddling", w_path_symlink(END - 2, 4, 3, S("x"))); break;
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 2 && !strcmp(argv[1], "trap")) { trapmode = atoi(argv[2]); if (trapmode < 4 || trapmode > 16) { traps(trapmode); return 0; } }
    w_path_create_directory(3, S("emptydir"));
    char b[256];
    if (readfile(3, "file.txt", b, 255) >= 0) printf("file.txt: %s", b);
    /* the escaping links, made by the guest itself */
    sym("../out/secret.txt", "lout");
    sym("../out", "ldir");
    sym("c2", "c1"); sym("c3", "c2"); sym("../out/secret.txt", "c3");
    sym("c2ok", "c1ok"); sym("file.txt", "c2ok");
    sym("loop2", "loop1"); sym("loop1", "loop2"); sym("self", "self");
    sym("nonexist", "dang"); sym("../out/nonexist", "dangout"); sym("/tmp/kiln-probe-dangabs", "dangabs");
    sym("sub", "mid"); sym("sub/..", "subup"); sym("sub/../../out", "deep"); sym("..", "updir");
    sym("file.txt", "lfile"); sym("sub/", "lsubslash");
    paths();
    mutations();
    cross();
    names();
    misc();
    fds();
    printf("%d attempts\n", n_attempts);
    if (readfile(4, "r.txt", b, 255) >= 0) printf("r.txt: %s", b);
    return 0;
}
