// The machine's fp32 FMA ceiling, the yardstick for the engine's GFLOP/s (bench/engine.ts, gemm-builtin.ts).
//
//   npm run bench:peak        (builds this file with the addon's flags and runs it on 1 and on all threads)
//
// Each thread runs 24 independent FMA chains on the widest vectors the compiler targets (with
// -march=native: 16-float zmm on AVX-512), enough to cover the FMA latency on every pipe, for about a
// second; GFLOP/s = 2 * lanes * FMAs / seconds. Prints a table, then one JSON line.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#if defined(__AVX512F__)
#define LANES 16
#elif defined(__AVX__)
#define LANES 8
#else
#define LANES 4
#endif
#define CHAINS 24

typedef float vec __attribute__((vector_size(LANES * 4)));

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *chains(void *arg) {
  long iters = *(long *)arg;
  vec acc[CHAINS];
  vec a, b;
  for (int l = 0; l < LANES; l++) a[l] = 0.9999f, b[l] = 1e-6f;
  for (int i = 0; i < CHAINS; i++)
    for (int l = 0; l < LANES; l++) acc[i][l] = (float)i * 1e-3f;
  for (long it = 0; it < iters; it++) {
#pragma GCC unroll 24
    for (int i = 0; i < CHAINS; i++) acc[i] = acc[i] * a + b;  // contracted to one FMA (-ffp-contract=fast)
  }
  float s = 0;
  for (int i = 0; i < CHAINS; i++)
    for (int l = 0; l < LANES; l++) s += acc[i][l];
  *(float *)arg = s;  // keeps the chains alive
  return NULL;
}

static double run(int threads, long iters) {
  pthread_t t[64];
  long args[64];
  double t0 = now();
  for (int i = 0; i < threads; i++) {
    args[i] = iters;
    pthread_create(&t[i], NULL, chains, &args[i]);
  }
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  return 2.0 * LANES * CHAINS * (double)iters * threads / (now() - t0) / 1e9;
}

int main(void) {
  int cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus > 64) cpus = 64;
  long iters = 40000000;  // about a second per thread at 4 GHz
  run(1, iters / 10);     // warm up (clocks)
  double one = run(1, iters), all = run(cpus, iters);
  printf("lanes  threads  GFLOP/s\n%5d  %7d  %7.1f\n%5d  %7d  %7.1f\n", LANES, 1, one, LANES, cpus, all);
  printf("{\"bench\":\"fma-peak\",\"lanes\":%d,\"gflops_1_thread\":%.1f,\"threads\":%d,\"gflops_all_threads\":%.1f}\n",
         LANES, one, cpus, all);
  return 0;
}
