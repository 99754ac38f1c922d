// The machine's memory read bandwidth, the limit of a decode step that streams every weight once: a sum over
// 440 MB of floats (a stories110M fp32 decode step reads 0.438 GB), on every core, best and median of 9 passes.
// Eight independent partial sums per thread so the adds vectorise without reassociating anything.
//
//   gcc -O3 -march=native -fopenmp benchmarks/scripts/memory_read_bandwidth.c -o /tmp/bw && /tmp/bw
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

static int by_value(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

int main(void) {
    const size_t n = 440000000 / sizeof(float);
    float* a = aligned_alloc(64, n * sizeof(float));
    if (a == NULL) {
        return 1;
    }
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        a[i] = (float)(i & 1023) * 1e-3f; // first touch by the thread that reads it later
    }
    enum { PASSES = 9 };
    double gbs[PASSES];
    float check = 0;
    for (int pass = 0; pass < PASSES; pass++) {
        double t = omp_get_wtime();
        float total = 0;
#pragma omp parallel reduction(+ : total)
        {
            float s[8] = {0};
#pragma omp for schedule(static)
            for (size_t i = 0; i < n; i += 8) {
                for (int k = 0; k < 8; k++) {
                    s[k] += a[i + k];
                }
            }
            for (int k = 0; k < 8; k++) {
                total += s[k];
            }
        }
        gbs[pass] = n * sizeof(float) / (omp_get_wtime() - t) / 1e9;
        check += total;
    }
    qsort(gbs, PASSES, sizeof(double), by_value);
    printf("read bandwidth, %d threads: median %.1f GB/s, best %.1f GB/s (checksum %g)\n", omp_get_max_threads(),
           gbs[PASSES / 2], gbs[PASSES - 1], check);
    free(a);
    return 0;
}
