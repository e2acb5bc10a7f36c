/* STREAM-like memory bandwidth, one thread, best of N: copy (c[i] = a[i] loop), memcpy (glibc,
 * non-temporal stores for large sizes, as numpy's copy), triad (a = b + s*c) and read (sum of a).
 *
 *     gcc -O3 -march=native -o /tmp/membw bench/membw.c
 *     /tmp/membw                 # 2^27 doubles per array (1 GiB each, 3 GiB total), 10 reps
 *     /tmp/membw N REPS          # N doubles per array
 *     /tmp/membw sweep           # cache levels: 16 KiB .. 1 GiB per array
 *
 * Bytes counted as STREAM does: copy and memcpy 16 B/element (8 read + 8 written), triad
 * 24 B/element (16 read + 8 written), read 8 B/element; write-allocate traffic (the read of the destination line before it is
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

static void run(size_t n, int reps, int inner, double *gbs) {
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
    double best[4] = {1e30, 1e30, 1e30, 1e30}, s = 3.0, sum = 0.0;
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
        for (int k = 0; k < inner; k++) {
            memcpy(b, c, n * sizeof(double));
            __asm__ volatile("" ::"r"(b) : "memory");
        }
        double t3 = now();
        for (int k = 0; k < inner; k++) {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
            for (size_t i = 0; i + 8 <= n; i += 8) {
                s0 += a[i]; s1 += a[i + 1]; s2 += a[i + 2]; s3 += a[i + 3];
                s4 += a[i + 4]; s5 += a[i + 5]; s6 += a[i + 6]; s7 += a[i + 7];
            }
            sum += s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
            __asm__ volatile("" ::"r"(a) : "memory");
        }
        double t4 = now();
        double t[4] = {t1 - t0, t3 - t2, t2 - t1, t4 - t3};
        for (int j = 0; j < 4; j++)
            if (t[j] < best[j]) best[j] = t[j];
    }
    double check = 0;
    for (size_t i = 0; i < n; i += n / 16 + 1) check += a[i] + c[i];
    if (check + sum == 12345.678) puts(""); /* keep results live */
    const double bytes[4] = {16.0, 16.0, 24.0, 8.0}; /* copy, memcpy, triad, read */
    for (int j = 0; j < 4; j++) gbs[j] = bytes[j] * n * inner / best[j] / 1e9;
    free(a);
    free(b);
    free(c);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "sweep") == 0) {
        printf("%10s %8s %8s %8s %8s   (GB/s)\n", "KiB/array", "copy", "memcpy", "triad", "read");
        for (size_t kib = 16; kib <= (size_t)1 << 20; kib *= 4) {
            size_t n = kib * 1024 / sizeof(double);
            /* ~256 MiB of traffic per timed repetition, at least one pass */
            int inner = (int)(((size_t)256 << 20) / (kib * 1024));
            if (inner < 1) inner = 1;
            double g[4];
            run(n, kib >= (1 << 18) ? 5 : 10, inner, g);
            printf("%10zu %8.1f %8.1f %8.1f %8.1f\n", kib, g[0], g[1], g[2], g[3]);
        }
        return 0;
    }
    size_t n = argc > 1 ? strtoull(argv[1], 0, 10) : (size_t)1 << 27;
    int reps = argc > 2 ? atoi(argv[2]) : 10;
    double g[4];
    run(n, reps, 1, g);
    printf("{\"doubles_per_array\": %zu, \"mib_per_array\": %.0f, \"reps\": %d, "
           "\"copy_gbs\": %.2f, \"memcpy_gbs\": %.2f, \"triad_gbs\": %.2f, \"read_gbs\": %.2f}\n",
           n, n * 8.0 / (1 << 20), reps, g[0], g[1], g[2], g[3]);
    return 0;
}
