/* Calls through a table of function pointers (`call_indirect`), chosen
 * by data: small callees, so the cost of the indirect call dominates.
 * `dispatch <millions>`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef uint32_t (*op_fn)(uint32_t, uint32_t);

static uint32_t op_add(uint32_t a, uint32_t b) { return a + b; }
static uint32_t op_sub(uint32_t a, uint32_t b) { return a - b; }
static uint32_t op_xor(uint32_t a, uint32_t b) { return a ^ b; }
static uint32_t op_mul(uint32_t a, uint32_t b) { return a * (b | 1); }
static uint32_t op_rot(uint32_t a, uint32_t b) { return (a << (b & 31)) | (a >> ((32 - b) & 31)); }
static uint32_t op_mix(uint32_t a, uint32_t b) { return (a ^ (a >> 15)) * 0x2c1b3c6d + b; }
static uint32_t op_min(uint32_t a, uint32_t b) { return a < b ? a : b + 3; }
static uint32_t op_max(uint32_t a, uint32_t b) { return a > b ? a : b ^ a; }

static op_fn table[8] = {op_add, op_sub, op_xor, op_mul, op_rot, op_mix, op_min, op_max};

/* Out of line so the compiler cannot resolve the pointer. */
__attribute__((noinline)) static uint32_t apply(op_fn *t, unsigned i, uint32_t a, uint32_t b) {
    return t[i & 7](a, b);
}

int main(int argc, char **argv) {
    int millions = argc > 1 ? atoi(argv[1]) : 100;
    uint32_t acc = 1, x = 7;
    for (long n = 0; n < (long)millions * 1000000; n++) {
        x = x * 1664525u + 1013904223u;
        acc = apply(table, x >> 29, acc, x);
    }
    printf("dispatch: %d M calls, acc %u\n", millions, acc);
    return 0;
}
