/* A switch-dispatched bytecode interpreter (a stack machine) running a
 * nested counting loop: `br_table` dispatch, loads and stores of the VM
 * stack. `interp <outer>`. */
#include <stdio.h>
#include <stdlib.h>

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, XOR, JNZ, DUP, DROP, SHR, AND, HALT };

static long run(const int *code, long *vars) {
    long stack[64];
    int sp = 0, pc = 0;
    for (;;) {
        int op = code[pc++];
        switch (op) {
        case PUSH: stack[sp++] = code[pc++]; break;
        case LOAD: stack[sp++] = vars[code[pc++]]; break;
        case STORE: vars[code[pc++]] = stack[--sp]; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case SHR: sp--; stack[sp - 1] >>= stack[sp]; break;
        case AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case DROP: sp--; break;
        case JNZ: { int t = code[pc++]; if (stack[--sp]) pc = t; break; }
        case HALT: return stack[sp - 1];
        default: return -1;
        }
    }
}

int main(int argc, char **argv) {
    int outer = argc > 1 ? atoi(argv[1]) : 300;
    /* v0 = outer counter, v1 = inner counter, v2 = accumulator. */
    int code[] = {
        /* 0 */ PUSH, 10000, STORE, 1,
        /* 4: inner loop */
        LOAD, 2, PUSH, 31, MUL, LOAD, 1, XOR, DUP, PUSH, 7, SHR, XOR,
        PUSH, 0xffffff, AND, STORE, 2,
        LOAD, 1, PUSH, 1, SUB, DUP, STORE, 1, JNZ, 4,
        /* 32 */ LOAD, 0, PUSH, 1, SUB, DUP, STORE, 0, JNZ, 0,
        /* 42 */ LOAD, 2, HALT};
    long vars[3] = {outer, 0, 1};
    printf("interp: %d, result %ld\n", outer, run(code, vars));
    return 0;
}
