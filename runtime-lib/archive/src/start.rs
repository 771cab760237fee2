//! The process entry of x86-64 static-pie executables
//! (`kiln_abi::symbols::START`, given to the linker as the entry point
//! instead of musl's `rcrt1.o` `_start`).
//!
//! Phase: the first instructions of the process, before the C library.
//! Inputs: the kernel's initial stack (`argc`, `argv`, `envp`, auxv) and
//! the executable's own dynamic section. Output: the image relocated for
//! its load address, then `__libc_start_main(main, argc, argv, _init,
//! _fini, 0)`, exactly what `rcrt1.o` ends with.
//!
//! Why not `rcrt1.o`: musl's self-relocation walks every bit position of
//! each `DT_RELR` bitmap word, about five instructions per position
//! whether a relocation sits there or not: about 8,000 instructions of a
//! Rust hello world's 28,000 before anything else runs. This loop jumps
//! from set bit to set bit (`bsf`), five instructions per relocation.
//!
//! Invariants: runs before relocation, so it reads no pointer from data
//! (every address is `%rip`-relative); handles what a static-pie link
//! produces: `DT_RELR`, and `R_X86_64_RELATIVE` entries of `DT_RELA`
//! (anything else would need a dynamic loader, which a static executable
//! does not have; musl's `rcrt1.o` ignores them too). The base is
//! `__ehdr_start`: a position-independent executable is linked at address
//! 0 with its ELF header at the start of its first segment.

#[cfg(all(target_arch = "x86_64", target_env = "musl"))]
core::arch::global_asm!(
    ".pushsection .text.__kiln_start,\"ax\",@progbits",
    ".globl __kiln_start",
    ".hidden __kiln_start",
    ".type __kiln_start,@function",
    "__kiln_start:",
    "xor %ebp, %ebp",
    "mov %rsp, %r12",
    "andq $-16, %rsp",
    "lea __ehdr_start(%rip), %rdx",
    "lea _DYNAMIC(%rip), %rsi",
    // r8/r9: DT_RELR address and size; r10/r11: DT_RELA address and size.
    "xor %r8d, %r8d",
    "xor %r9d, %r9d",
    "xor %r10d, %r10d",
    "xor %r11d, %r11d",
    "2:",
    "mov (%rsi), %rax",
    "test %rax, %rax",
    "jz 4f",
    "mov 8(%rsi), %rcx",
    "add $16, %rsi",
    "cmp $36, %rax", // DT_RELR
    "cmove %rcx, %r8",
    "cmp $35, %rax", // DT_RELRSZ
    "cmove %rcx, %r9",
    "cmp $7, %rax", // DT_RELA
    "cmove %rcx, %r10",
    "cmp $8, %rax", // DT_RELASZ
    "cmove %rcx, %r11",
    "jmp 2b",
    // DT_RELA: `*(base + offset) = base + addend` for R_X86_64_RELATIVE (8).
    "4:",
    "test %r10, %r10",
    "jz 6f",
    "add %rdx, %r10",
    "add %r10, %r11",
    "5:",
    "cmp %r11, %r10",
    "jae 6f",
    "cmpl $8, 8(%r10)",
    "jne 55f",
    "mov 16(%r10), %rax",
    "add %rdx, %rax",
    "mov (%r10), %rcx",
    "mov %rax, (%rdx,%rcx)",
    "55:",
    "add $24, %r10",
    "jmp 5b",
    // DT_RELR: an even word is the offset of one relocation (and the next
    // word's base); an odd word's bits 1..63 mark which of the 63 words
    // after the current base hold one.
    "6:",
    "test %r8, %r8",
    "jz 9f",
    "add %rdx, %r8",
    "add %r8, %r9",
    "xor %edi, %edi",
    "7:",
    "cmp %r9, %r8",
    "jae 9f",
    "mov (%r8), %rax",
    "add $8, %r8",
    "test $1, %al",
    "jnz 8f",
    "lea (%rdx,%rax), %rdi",
    "add %rdx, (%rdi)",
    "add $8, %rdi",
    "jmp 7b",
    "8:",
    "shr %rax",
    "jz 89f",
    // Five instructions per relocation: the lowest set bit's word, then
    // the bit cleared.
    "88:",
    "bsf %rax, %rcx",
    "add %rdx, (%rdi,%rcx,8)",
    "lea -1(%rax), %rcx",
    "and %rcx, %rax",
    "jnz 88b",
    "89:",
    "add $504, %rdi",
    "jmp 7b",
    // __libc_start_main(main, argc, argv, _init, _fini, 0); never returns.
    "9:",
    "lea main(%rip), %rdi",
    "mov (%r12), %esi",
    "lea 8(%r12), %rdx",
    "lea _init(%rip), %rcx",
    "lea _fini(%rip), %r8",
    "xor %r9d, %r9d",
    "call __libc_start_main",
    "ud2",
    ".size __kiln_start, . - __kiln_start",
    ".popsection",
    options(att_syntax)
);
