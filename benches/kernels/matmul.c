/* Dense matrix multiply of doubles (i-k-j order), repeated: float
 * arithmetic and strided loads and stores. `matmul <n> <rounds>`. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200;
    int rounds = argc > 2 ? atoi(argv[2]) : 10;
    double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n),
           *c = malloc(sizeof(double) * n * n);
    for (int i = 0; i < n * n; i++) { a[i] = (i % 17) * 0.5; b[i] = (i % 13) * 0.25; }
    double sum = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n * n; i++) c[i] = 0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) {
                double aik = a[i * n + k];
                for (int j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
            }
        sum += c[(r * 7) % (n * n)];
        a[r % (n * n)] += 1.0;
    }
    printf("matmul: n=%d rounds=%d sum=%.3f\n", n, rounds, sum);
    return 0;
}
