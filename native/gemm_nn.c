// Unpacked row-major GEMM, C (M,N) += A (M,K) @ B (K,N), for the shapes of inference and of the input
// gradient: B is a weight matrix already laid out (K, N) row-major, used as is.
//
// Why not the BLAS: cblas_sgemm packs B into its own panel layout on every call. When M is small (a
// decode step has one row per sequence) that copy of the whole weight matrix costs about as much as the
// arithmetic. Here each 64-column strip of B is read in place and stays in L1/L2 while every 6-row
// block of A streams past it; each k step loads the strip's 4 vectors once and broadcasts 6 values of A
// into 24 accumulators (AVX-512: 24 of the 32 zmm registers). Without AVX-512 the tile is 6 x 16.
#include "gemm_nn.h"

#include <stdlib.h>
#include <string.h>

#include "parallel.h"

#ifdef __AVX512F__
#define VW 16  // floats per vector
#define NV 4   // vectors per tile row
#else
#define VW 8
#define NV 2
#endif
#define MR 6
#define NR (VW * NV)
#define KC 128

typedef float vec __attribute__((vector_size(VW * 4), aligned(4)));  // unaligned loads/stores

// C[0:R, 0:NR] += A rows (a[r] + k) @ B strip (ldb apart). Rows of C may point at scratch. Always
// inlined with a constant R, so each row count gets its own fully unrolled register tile: a single
// decode row does not pay for six.
static inline __attribute__((always_inline)) void tile(const int R, int K, const float *const a[MR],
                                                        const float *b, int ldb, float *const c[MR]) {
  vec acc[MR][NV];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = (vec){0};
  for (int k = 0; k < K; k++) {
    vec bv[NV];
    for (int v = 0; v < NV; v++) bv[v] = *(const vec *)(b + (size_t)k * ldb + v * VW);
    for (int r = 0; r < R; r++) {
      float x = a[r][k];
      for (int v = 0; v < NV; v++) acc[r][v] += x * bv[v];
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NV; v++) *(vec *)(c[r] + v * VW) += acc[r][v];
}

static void tile_rows(int mr, int K, const float *const a[MR], const float *b, int ldb, float *const c[MR]) {
  switch (mr) {
    case 1: tile(1, K, a, b, ldb, c); break;
    case 2: tile(2, K, a, b, ldb, c); break;
    case 3: tile(3, K, a, b, ldb, c); break;
    case 4: tile(4, K, a, b, ldb, c); break;
    case 5: tile(5, K, a, b, ldb, c); break;
    default: tile(MR, K, a, b, ldb, c); break;
  }
}

typedef struct {
  int M, N, K, lda, ldb, ldc;
  const float *A, *B;
  float *C;
  int strips;  // column strips of NR (the last one may be partial)
} nn_job;

// One column strip j (all rows), or with rows split: strip j, row blocks [rb0, rb1).
static void strip_rows(const nn_job *g, int j, int row0, int row1, float *zeros, float *pad_b, float *pad_c) {
  const int n0 = j * NR, nr = g->N - n0 < NR ? g->N - n0 : NR;
  const float *b = g->B + n0;
  int ldb = g->ldb;
  if (nr < NR) {  // partial strip: copy it zero-padded to NR columns
    for (int k = 0; k < g->K; k++) {
      memcpy(pad_b + (size_t)k * NR, g->B + (size_t)k * g->ldb + n0, sizeof(float) * nr);
      memset(pad_b + (size_t)k * NR + nr, 0, sizeof(float) * (NR - nr));
    }
    b = pad_b;
    ldb = NR;
  }
  // K in blocks of KC, so that the strip's KC x NR block (32 KB) stays in L1 across the row blocks
  for (int k0 = 0; k0 < g->K; k0 += KC) {
    const int kc = g->K - k0 < KC ? g->K - k0 : KC;
    for (int i0 = row0; i0 < row1; i0 += MR) {
      const int mr = row1 - i0 < MR ? row1 - i0 : MR;
      const float *a[MR];
      float *c[MR];
      for (int r = 0; r < MR; r++) {
        a[r] = (r < mr ? g->A + (size_t)(i0 + r) * g->lda : zeros) + k0;  // rows >= mr are not read
        c[r] = (r < mr && nr == NR) ? g->C + (size_t)(i0 + r) * g->ldc + n0 : pad_c + (size_t)r * NR;
      }
      if (nr < NR) memset(pad_c, 0, sizeof(float) * MR * NR);
      tile_rows(mr, kc, a, b + (size_t)k0 * ldb, ldb, c);
      if (nr < NR)
        for (int r = 0; r < mr; r++) {
          float *dst = g->C + (size_t)(i0 + r) * g->ldc + n0;
          for (int x = 0; x < nr; x++) dst[x] += pad_c[(size_t)r * NR + x];
        }
    }
  }
}

typedef struct {
  float *zeros, *pad_b, *pad_c;
} scratch;

static int scratch_get(scratch *s, int K) {
  s->zeros = calloc((size_t)K, sizeof(float));
  s->pad_b = malloc(sizeof(float) * (size_t)K * NR);
  s->pad_c = malloc(sizeof(float) * MR * NR);
  return s->zeros && s->pad_b && s->pad_c;
}

static void scratch_free(scratch *s) {
  free(s->zeros);
  free(s->pad_b);
  free(s->pad_c);
}

static void by_strips(void *arg, int j0, int j1) {
  const nn_job *g = arg;
  scratch s;
  if (!scratch_get(&s, g->K)) abort();
  for (int j = j0; j < j1; j++) strip_rows(g, j, 0, g->M, s.zeros, s.pad_b, s.pad_c);
  scratch_free(&s);
}

// Few strips, many rows: threads take ranges of MR-row blocks and run every strip over them.
static void by_row_blocks(void *arg, int b0, int b1) {
  const nn_job *g = arg;
  scratch s;
  if (!scratch_get(&s, g->K)) abort();
  const int row0 = b0 * MR, row1 = b1 * MR < g->M ? b1 * MR : g->M;
  for (int j = 0; j < g->strips; j++) strip_rows(g, j, row0, row1, s.zeros, s.pad_b, s.pad_c);
  scratch_free(&s);
}

void gemm_nn_acc(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc) {
  if (M <= 0 || N <= 0 || K <= 0) return;
  nn_job g = {M, N, K, lda, ldb, ldc, A, B, C, (N + NR - 1) / NR};
  const double work = 2.0 * M * N * K;
  const int threads = parallel_threads();
  const int row_blocks = (M + MR - 1) / MR;
  if (g.strips >= 2 * threads || row_blocks < 2 * threads) parallel_rows(by_strips, &g, g.strips, work);
  else parallel_rows(by_row_blocks, &g, row_blocks, work);
}
