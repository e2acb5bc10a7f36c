/* STREAM-like memory bandwidth: copy (c = a) and triad (a = b + s*c), best of N, one thread.
 *
 *     gcc -O3 -march=native -o /tmp/membw bench/membw.c
 *     /tmp/membw                 # 2^27 doubles per array (1 GiB each, 3 GiB total), 10 reps
 *     /tmp/membw N REPS          # N doubles per array
 *     /tmp/membw sweep           # cache levels: 16 KiB .. 1 GiB per array
 *
 * Bytes counted as STREAM does: copy 16 B/element (8 read + 8 written), triad 24 B/element
 * (16 read + 8 written); write-allocate traffic (the read of the destination line before it is
 * written, ~+50 % for copy, ~+33 % for triad) is not counted. Single-threaded on purpose: the
 * simulator step is single-threaded. Arrays are first touched before timing.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void run(size_t n, int reps, int inner, double *copy_gbs, double *triad_gbs) {
    double *a = aligned_alloc(64, n * sizeof(double));
    double *b = aligned_alloc(64, n * sizeof(double));
    double *c = aligned_alloc(64, n * sizeof(double));
    if (!a || !b || !c) {
        fprintf(stderr, "allocation of 3 x %zu doubles failed\n", n);
        exit(2);
    }
    for (size_t i = 0; i < n; i++) {
        a[i] = 1.0;
        b[i] = 2.0;
        c[i] = 0.5;
    }
    double best_copy = 1e30, best_triad = 1e30, s = 3.0;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (int k = 0; k < inner; k++) {
            for (size_t i = 0; i < n; i++) c[i] = a[i];
            __asm__ volatile("" ::"r"(c) : "memory");
        }
        double t1 = now();
        for (int k = 0; k < inner; k++) {
            for (size_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
            __asm__ volatile("" ::"r"(a) : "memory");
        }
        double t2 = now();
        if (t1 - t0 < best_copy) best_copy = t1 - t0;
        if (t2 - t1 < best_triad) best_triad = t2 - t1;
    }
    double check = 0;
    for (size_t i = 0; i < n; i += n / 16 + 1) check += a[i] + c[i];
    if (check == 12345.678) puts(""); /* keep results live */
    *copy_gbs = 16.0 * n * inner / best_copy / 1e9;
    *triad_gbs = 24.0 * n * inner / best_triad / 1e9;
    free(a);
    free(b);
    free(c);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "sweep") == 0) {
        printf("%12s %12s %12s\n", "KiB/array", "copy GB/s", "triad GB/s");
        for (size_t kib = 16; kib <= (size_t)1 << 20; kib *= 4) {
            size_t n = kib * 1024 / sizeof(double);
            /* ~256 MiB of traffic per timed repetition, at least one pass */
            int inner = (int)(((size_t)256 << 20) / (kib * 1024));
            if (inner < 1) inner = 1;
            double cp, tr;
            run(n, kib >= (1 << 18) ? 5 : 10, inner, &cp, &tr);
            printf("%12zu %12.1f %12.1f\n", kib, cp, tr);
        }
        return 0;
    }
    size_t n = argc > 1 ? strtoull(argv[1], 0, 10) : (size_t)1 << 27;
    int reps = argc > 2 ? atoi(argv[2]) : 10;
    double cp, tr;
    run(n, reps, 1, &cp, &tr);
    printf("{\"doubles_per_array\": %zu, \"mib_per_array\": %.0f, \"reps\": %d, "
           "\"copy_gbs\": %.2f, \"triad_gbs\": %.2f}\n",
           n, n * 8.0 / (1 << 20), reps, cp, tr);
    return 0;
}
