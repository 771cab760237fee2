/* Quicksort of pseudo-random integers, repeated: compares, swaps and
 * recursion over linear memory. `quicksort <rounds>`. */
#include <stdio.h>
#include <stdlib.h>

static void sort(int *a, int lo, int hi) {
    while (lo < hi) {
        int p = a[lo + (hi - lo) / 2], i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) { int t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { sort(a, lo, j); lo = i; }
        else { sort(a, i, hi); hi = j; }
    }
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 20;
    enum { N = 200000 };
    static int a[N];
    unsigned x = 42;
    long long check = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < N; i++) { x = x * 1664525u + 1013904223u; a[i] = (int)(x >> 1); }
        sort(a, 0, N - 1);
        for (int i = 1; i < N; i++) if (a[i - 1] > a[i]) { puts("unsorted"); return 1; }
        check += a[N / 2];
    }
    printf("quicksort: %d rounds, check %lld\n", rounds, check);
    return 0;
}
