// GEMM against a weight packed once into 64-column panels, for inference: C (M,N) += A (M,K) @ B (K,N)
// where B is a linear layer's weight (N,K) transposed and packed by pack_panels.
//
// Why not the BLAS: cblas_sgemm packs the weight into its own panel layout on every call. When M is
// small (a decode step has one row per sequence) that copy of the whole weight costs about as much as
// the arithmetic. Here the packing is done once per weight snapshot: panel j holds columns
// [64j, 64j+64) of B as K contiguous rows of 64 floats (zero-padded past N), so a K-block of a panel
// is one contiguous stretch that stays in L1 while every 6-row block of A streams past it. Each k
// step loads the panel row's 4 vectors and broadcasts 6 values of A into 24 accumulators (AVX-512: 24
// of the 32 zmm registers); without AVX-512 a panel is four 16-wide tiles.
#include "gemm_nn.h"

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
#define NR (VW * NV)  // tile width; divides PANEL
#define KC 128        // K block: a 128 x 64 panel block is 32 KB (L1)

typedef float vec __attribute__((vector_size(VW * 4), aligned(4)));  // unaligned loads/stores

typedef struct {
  float *out;
  const float *w;
  int N, K;
} pack_job;

// Panels [j0, j1). Rows are read 16 floats (one cache line) at a time and scattered down the panel, so
// each pass over a panel touches 16 of its rows; a thread's panels are its own (the first touch of a
// freshly allocated buffer is spread over the threads too).
static void pack_panel_range(void *arg, int j0, int j1) {
  const pack_job *g = arg;
  const int K = g->K;
  for (int j = j0; j < j1; j++) {
    float *p = g->out + (size_t)j * K * PANEL;
    for (int k0 = 0; k0 < K; k0 += 16) {
      const int kb = K - k0 < 16 ? K - k0 : 16;
      for (int c = 0; c < PANEL; c++) {
        const int n = j * PANEL + c;
        float *dst = p + (size_t)k0 * PANEL + c;
        if (n < g->N) {
          const float *row = g->w + (size_t)n * K + k0;
          for (int k = 0; k < kb; k++) dst[(size_t)k * PANEL] = row[k];
        } else
          for (int k = 0; k < kb; k++) dst[(size_t)k * PANEL] = 0.0f;
      }
    }
  }
}

void pack_panels(float *out, const float *w, int N, int K) {
  pack_job g = {out, w, N, K};
  const int panels = (N + PANEL - 1) / PANEL;
  parallel_rows(pack_panel_range, &g, panels, 8.0 * panels * PANEL * K);
}

// C[0:R, 0:NR] += A rows (a[r] + k) @ B (rows PANEL floats apart). Always inlined with a constant R,
// so each row count gets its own fully unrolled register tile: a single decode row does not pay for six.
static inline __attribute__((always_inline)) void tile(const int R, int K, const float *const a[MR],
                                                        const float *b, float *const c[MR]) {
  vec acc[MR][NV];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = (vec){0};
  for (int k = 0; k < K; k++) {
    vec bv[NV];
    for (int v = 0; v < NV; v++) bv[v] = *(const vec *)(b + (size_t)k * PANEL + v * VW);
    for (int r = 0; r < R; r++) {
      float x = a[r][k];
      for (int v = 0; v < NV; v++) acc[r][v] += x * bv[v];
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NV; v++) *(vec *)(c[r] + v * VW) += acc[r][v];
}

static void tile_rows(int mr, int K, const float *const a[MR], const float *b, float *const c[MR]) {
  switch (mr) {
    case 1: tile(1, K, a, b, c); break;
    case 2: tile(2, K, a, b, c); break;
    case 3: tile(3, K, a, b, c); break;
    case 4: tile(4, K, a, b, c); break;
    case 5: tile(5, K, a, b, c); break;
    default: tile(MR, K, a, b, c); break;
  }
}

typedef struct {
  int M, N, K, lda, ldc;
  const float *A, *B;
  float *C;
  int panels;
} nn_job;

// Panel j over rows [row0, row1).
static void panel_rows(const nn_job *g, int j, int row0, int row1) {
  const float *panel = g->B + (size_t)j * g->K * PANEL;
  for (int t0 = 0; t0 < PANEL; t0 += NR) {
    const int n0 = j * PANEL + t0;
    if (n0 >= g->N) break;
    const int nr = g->N - n0 < NR ? g->N - n0 : NR;
    float pad_c[MR * NR];  // a tile sticking out past column N computes here
    for (int k0 = 0; k0 < g->K; k0 += KC) {
      const int kc = g->K - k0 < KC ? g->K - k0 : KC;
      for (int i0 = row0; i0 < row1; i0 += MR) {
        const int mr = row1 - i0 < MR ? row1 - i0 : MR;
        const float *a[MR];
        float *c[MR];
        for (int r = 0; r < MR; r++) {
          a[r] = r < mr ? g->A + (size_t)(i0 + r) * g->lda + k0 : NULL;  // rows >= mr are not read
          c[r] = nr == NR && r < mr ? g->C + (size_t)(i0 + r) * g->ldc + n0 : pad_c + r * NR;
        }
        if (nr < NR) memset(pad_c, 0, sizeof pad_c);
        tile_rows(mr, kc, a, panel + (size_t)k0 * PANEL + t0, c);
        if (nr < NR)
          for (int r = 0; r < mr; r++) {
            float *dst = g->C + (size_t)(i0 + r) * g->ldc + n0;
            for (int x = 0; x < nr; x++) dst[x] += pad_c[r * NR + x];
          }
      }
    }
  }
}

static void by_panels(void *arg, int j0, int j1) {
  const nn_job *g = arg;
  for (int j = j0; j < j1; j++) panel_rows(g, j, 0, g->M);
}

// Few panels, many rows: threads take ranges of MR-row blocks and run every panel over them.
static void by_row_blocks(void *arg, int b0, int b1) {
  const nn_job *g = arg;
  const int row0 = b0 * MR, row1 = b1 * MR < g->M ? b1 * MR : g->M;
  for (int j = 0; j < g->panels; j++) panel_rows(g, j, row0, row1);
}

void gemm_panels_acc(int M, int N, int K, const float *A, int lda, const float *Bp, float *C, int ldc) {
  if (M <= 0 || N <= 0 || K <= 0) return;
  nn_job g = {M, N, K, lda, ldc, A, Bp, C, (N + PANEL - 1) / PANEL};
  const double work = 2.0 * M * N * K;
  const int threads = parallel_threads();
  const int row_blocks = (M + MR - 1) / MR;
  if (g.panels >= 2 * threads || row_blocks < 2 * threads) parallel_rows(by_panels, &g, g.panels, work);
  else parallel_rows(by_row_blocks, &g, row_blocks, work);
}
