// GEMM for the native backend.
// - OpenBLAS is not linked at build time (the addon must build with only a C toolchain). At load time we
//   dlopen libopenblas.so.0 (then libopenblas.so) and dlsym cblas_sgemm; OMNI_GEMM=builtin skips it.
// - The built-in GEMM is a classic packed, cache-blocked GEMM: pack a KCxNC panel of op(B) into NR-wide
//   strips and an MCxKC block of op(A) into MR-tall strips, then an MRxNR register-tile micro-kernel
//   (GCC vector extensions: 12x32 with AVX-512, 6x16 with AVX2 or without x86 SIMD). Packing reads
//   through the transpose flags (with AVX-512, transposing packs go through 16x16 register transposes),
//   so transposed operands cost little extra. Large products split the rows or columns of C across the
//   kernel thread pool (parallel.h).
#define _GNU_SOURCE
#include "gemm.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

#include "parallel.h"

// ---- OpenBLAS through dlopen ------------------------------------------------------------------------

enum { CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112 };
typedef void (*cblas_sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int,
                               float, float *, int);
static cblas_sgemm_fn blas_sgemm = NULL;
static char *(*blas_corename)(void) = NULL;
static int (*blas_get_threads)(void) = NULL;
static int use_builtin = 1;
static int builtin_threads = 0;  // 0: as many as the kernel thread pool (parallel_threads())

static const char *choice_reason = "OpenBLAS not found";

int gemm_init(void) {
  const char *pref = getenv("OMNI_GEMM");
  if (pref && strcmp(pref, "builtin") == 0) {
    choice_reason = "OMNI_GEMM=builtin";
    return 0;
  }
  const char *names[] = {"libopenblas.so.0", "libopenblas.so"};
  for (int i = 0; i < 2 && !blas_sgemm; i++) {
    void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) continue;
    blas_sgemm = (cblas_sgemm_fn)dlsym(h, "cblas_sgemm");
    if (!blas_sgemm) {
      dlclose(h);
      continue;
    }
    blas_corename = (char *(*)(void))dlsym(h, "openblas_get_corename");
    blas_get_threads = (int (*)(void))dlsym(h, "openblas_get_num_threads");
  }
  use_builtin = blas_sgemm == NULL;
  if (use_builtin) return 0;
  choice_reason = "OpenBLAS found";
  if (pref && strcmp(pref, "openblas") == 0) {
    choice_reason = "OMNI_GEMM=openblas";
    return 1;
  }
#ifdef __AVX512F__
  // On an AVX-512 CPU our 12x32 kernel beats OpenBLAS on the engine's whole training step, against its
  // AVX2 core types (OPENBLAS_CORETYPE=Haswell) by about 1.3x and against its own AVX-512 kernels
  // (Cooperlake) by 1.1-1.2x (bench/engine.ts, docs/results.md), so the default takes it.
  use_builtin = 1;
  choice_reason = "the built-in AVX-512 GEMM is faster than OpenBLAS on this CPU";
  return 0;
#endif
  return 1;
}

const char *gemm_choice_reason(void) { return choice_reason; }
// The core type OpenBLAS loaded, whether or not it is the GEMM in use (NULL without OpenBLAS).
const char *gemm_openblas_loaded_core(void) { return blas_corename ? blas_corename() : NULL; }

int gemm_uses_openblas(void) { return !use_builtin; }
const char *gemm_openblas_corename(void) { return (!use_builtin && blas_corename) ? blas_corename() : NULL; }
int gemm_threads(void) {
  if (!use_builtin) return blas_get_threads ? blas_get_threads() : 1;
  return builtin_threads ? builtin_threads : parallel_threads();
}
void gemm_force_builtin(int on) {
  use_builtin = on || blas_sgemm == NULL;
  choice_reason = blas_sgemm == NULL ? "OpenBLAS not found" : on ? "setGemm(builtin)" : "setGemm(openblas)";
}
void builtin_set_threads(int n) { builtin_threads = n < 1 ? 1 : (n > 16 ? 16 : n); }

void omni_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                const float *B, int ldb, float beta, float *C, int ldc) {
  if (M <= 0 || N <= 0) return;
  if (!use_builtin) {
    blas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, M, N, K,
               alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  builtin_sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

// ---- Built-in GEMM ----------------------------------------------------------------------------------
//
// Loop nest (per thread, over its share of rows or columns of C):
//   for j0 over N in NC steps          B panel  op(B)[p0:p0+KC, j0:j0+NC], packed once, kept in L2
//     for p0 over K in KC steps
//       pack the B panel into NR-wide strips
//       for i0 over M in MC steps      A block  op(A)[i0:i0+MC, p0:p0+KC], packed, kept in L2
//         pack the A block into MR-tall strips
//         for each NR strip of B       one B strip (KC x NR) stays in L1 ...
//           for each MR strip of A     ... while the A strips stream past it from L2
//             micro-kernel: an MR x NR tile of C in registers, KC rank-1 updates
// Every element of C is summed in the same order (K blocks in order, p in order within a block) whatever
// the thread count, because threads split only whole MR row strips or NR column strips of C: results
// are bitwise identical for any number of threads.

#if defined(__AVX512F__)
// 32 zmm registers: a 12 x 32 tile is 24 accumulators (12 rows x two 16-float vectors), plus the two B
// vectors of a k step and a broadcast of A. Per k step: 2 vector loads, 12 broadcasts, 24 FMAs.
#define VW 16
#define MR 12
#else
// AVX2 has 16 ymm registers: 6 x 16 is 12 accumulators, 2 B vectors and a broadcast. Elsewhere (SSE,
// NEON, or scalar code from GCC's generic vector lowering) the same shape is a reasonable default.
#define VW 8
#define MR 6
#endif
#define NV 2          // vectors per tile row
#define NR (VW * NV)  // tile width
// Zen 5 per core: 48 KB L1D, 1 MB L2. KC = 256 makes a B strip KC x NR (32 KB with NR = 32) fit in L1
// next to the streaming A strip (12 KB), and covers the common K = hidden size = 256 in one block (C is
// then read and written once). MC x KC (A block, 144 KB) plus KC x NC (B panel, 512 KB) fit in L2.
#define KC 256
#define MC (MR * 12)
#define NC 512

typedef float vf __attribute__((vector_size(VW * 4)));                // aligned: packed panels
typedef float vfu __attribute__((vector_size(VW * 4), aligned(4)));  // unaligned: rows of C

// Packing. A strip of a packed panel is W floats wide (W = MR for A, NR for B) and kc long: element
// (p, w) at strip[p * W + w], zero past the operand's edge. Two cases per operand:
//  - "copy": the strip's W values for one p are contiguous in the source (op(A) = A^T, op(B) = B).
//    Rows of the source are walked in order, each feeding every strip it crosses.
//  - "transpose": each of the strip's W lines is contiguous along p in the source (op(A) = A,
//    op(B) = B^T), so the strip is a transpose of a W x kc block.

// strips[s][p][w] = src[p * ld + s * W + w] for w < n - s * W (zero beyond), over kc rows of the source.
static inline __attribute__((always_inline)) void pack_copy(float *restrict dst, const float *src, size_t ld,
                                                            int n, int kc, const int W) {
  const int full = n / W, rest = n % W;
  for (int p = 0; p < kc; p++) {
    const float *row = src + (size_t)p * ld;
    float *d = dst + (size_t)p * W;
    for (int s = 0; s < full; s++) memcpy(d + (size_t)s * kc * W, row + s * W, sizeof(float) * W);
    if (rest) {
      float *t = d + (size_t)full * kc * W;
      for (int w = 0; w < W; w++) t[w] = w < rest ? row[full * W + w] : 0.0f;
    }
  }
}

#ifdef __AVX512F__
// Transposes the 16 x 16 block t[r][q] in registers: on return t[q] holds column q (16 rows).
static inline void transpose16(__m512 t[16]) {
  __m512 a[16], b[16];
  for (int i = 0; i < 16; i += 2) {  // 2x2 blocks within each 128-bit lane
    a[i] = _mm512_unpacklo_ps(t[i], t[i + 1]);
    a[i + 1] = _mm512_unpackhi_ps(t[i], t[i + 1]);
  }
  for (int j = 0; j < 16; j += 4) {  // b[j + c], lane l: rows j..j+3 of column 4l + c
    b[j + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(a[j]), _mm512_castps_pd(a[j + 2])));
    b[j + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(a[j]), _mm512_castps_pd(a[j + 2])));
    b[j + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(a[j + 1]), _mm512_castps_pd(a[j + 3])));
    b[j + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(a[j + 1]), _mm512_castps_pd(a[j + 3])));
  }
  for (int c = 0; c < 4; c++) {  // gather lane l of b[c], b[4 + c], b[8 + c], b[12 + c] into column 4l + c
    const __m512 u0 = _mm512_shuffle_f32x4(b[c], b[4 + c], 0x44);  // lanes 0, 1 of each
    const __m512 u1 = _mm512_shuffle_f32x4(b[c], b[4 + c], 0xEE);  // lanes 2, 3 of each
    const __m512 u2 = _mm512_shuffle_f32x4(b[8 + c], b[12 + c], 0x44);
    const __m512 u3 = _mm512_shuffle_f32x4(b[8 + c], b[12 + c], 0xEE);
    t[c] = _mm512_shuffle_f32x4(u0, u2, 0x88);
    t[4 + c] = _mm512_shuffle_f32x4(u0, u2, 0xDD);
    t[8 + c] = _mm512_shuffle_f32x4(u1, u3, 0x88);
    t[12 + c] = _mm512_shuffle_f32x4(u1, u3, 0xDD);
  }
}
#endif

// strips[s][p][w] = src[(s * W + w) * ld + p] for s * W + w < n (zero beyond), p < kc.
static inline __attribute__((always_inline)) void pack_transpose(float *restrict dst, const float *src,
                                                                 size_t ld, int n, int kc, const int W) {
  for (int s0 = 0; s0 < n; s0 += W, dst += (size_t)kc * W) {
    const int lines = n - s0 < W ? n - s0 : W;  // source lines in this strip
#ifdef __AVX512F__
    // 16 lines x 16 p at a time through a register transpose; masked loads and stores take the edges.
    for (int w0 = 0; w0 < W; w0 += 16) {
      const int w = W - w0 < 16 ? W - w0 : 16;  // strip columns written by this block
      const __mmask16 wmask = (__mmask16)((1u << w) - 1);
      for (int p0 = 0; p0 < kc; p0 += 16) {
        const int q = kc - p0 < 16 ? kc - p0 : 16;
        const __mmask16 pmask = (__mmask16)((1u << q) - 1);
        __m512 t[16];
        for (int r = 0; r < 16; r++)
          t[r] = w0 + r < lines ? _mm512_maskz_loadu_ps(pmask, src + (size_t)(s0 + w0 + r) * ld + p0)
                                : _mm512_setzero_ps();
        transpose16(t);
        for (int j = 0; j < q; j++) _mm512_mask_storeu_ps(dst + (size_t)(p0 + j) * W + w0, wmask, t[j]);
      }
    }
#else
    for (int w = 0; w < W; w++) {
      if (w < lines) {
        const float *line = src + (size_t)(s0 + w) * ld;
        for (int p = 0; p < kc; p++) dst[(size_t)p * W + w] = line[p];
      } else {
        for (int p = 0; p < kc; p++) dst[(size_t)p * W + w] = 0.0f;
      }
    }
#endif
  }
}

// Packs op(A)[i0:i0+mc, p0:p0+kc] into MR-tall strips: Ap[strip][p][r].
static void pack_a(float *Ap, const float *A, int lda, int transA, int i0, int mc, int p0, int kc) {
  if (transA) pack_copy(Ap, A + (size_t)p0 * lda + i0, lda, mc, kc, MR);
  else pack_transpose(Ap, A + (size_t)i0 * lda + p0, lda, mc, kc, MR);
}

// Packs op(B)[p0:p0+kc, j0:j0+nc] into NR-wide strips: Bp[strip][p][c].
static void pack_b(float *Bp, const float *B, int ldb, int transB, int p0, int kc, int j0, int nc) {
  if (transB) pack_transpose(Bp, B + (size_t)j0 * ldb + p0, ldb, nc, kc, NR);
  else pack_copy(Bp, B + (size_t)p0 * ldb + j0, ldb, nc, kc, NR);
}

// C[0:R, 0:V*VW] = alpha * Ap (R x kc) @ Bp (kc x V*VW) + beta * C, for packed strips (row stride MR in
// Ap, NR in Bp). beta == 0 does not read C (it may hold NaN); beta == 1 is a plain accumulate. Always
// inlined with constant R and V, so each tile shape gets its own fully unrolled register tile.
static inline __attribute__((always_inline)) void tile_kernel(const int R, const int V, int kc,
                                                             const float *restrict Ap, const float *restrict Bp,
                                                             float *C, int ldc, float alpha, float beta) {
  vf acc[MR][NV];
#pragma GCC unroll 16
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int v = 0; v < V; v++) acc[r][v] = (vf){0};
  // The C tile is read (beta != 0) and written after the k loop: start fetching its lines now.
#pragma GCC unroll 16
  for (int r = 0; r < R; r++) {
    __builtin_prefetch(C + (size_t)r * ldc, 1);
    __builtin_prefetch(C + (size_t)r * ldc + V * VW - 1, 1);
  }
  for (int p = 0; p < kc; p++) {
    vf b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < V; v++) b[v] = *(const vf *)(Bp + v * VW);  // packed panels are 64-byte aligned
#pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      const float a = Ap[r];
#pragma GCC unroll 4
      for (int v = 0; v < V; v++) acc[r][v] += a * b[v];
    }
    Ap += MR;
    Bp += NR;
  }
  if (alpha != 1.0f)
#pragma GCC unroll 16
    for (int r = 0; r < R; r++)
#pragma GCC unroll 4
      for (int v = 0; v < V; v++) acc[r][v] *= alpha;
#pragma GCC unroll 16
  for (int r = 0; r < R; r++) {
    vfu *c = (vfu *)(C + (size_t)r * ldc);
#pragma GCC unroll 4
    for (int v = 0; v < V; v++) {
      if (beta == 0.0f) c[v] = acc[r][v];
      else if (beta == 1.0f) c[v] += acc[r][v];
      else c[v] = acc[r][v] + beta * c[v];
    }
  }
}

// A full MR x NR tile.
static void micro_kernel(int kc, const float *Ap, const float *Bp, float *C, int ldc, float alpha, float beta) {
  tile_kernel(MR, NV, kc, Ap, Bp, C, ldc, alpha, beta);
}

// A tile that sticks out past M or N (an mr x nr corner): the smallest tile of R = MR/3, 2MR/3 or MR rows
// and 1 or NV vectors that covers it is computed into a scratch tile (the packed panels are zero-padded),
// then the corner is merged into C with the same arithmetic as micro_kernel. Small tiles matter for the
// attention products (64-row query blocks, any number of keys).
static void edge_kernel(int kc, const float *Ap, const float *Bp, float *C, int ldc, int mr, int nr, float alpha,
                        float beta) {
  float tile[MR * NR] __attribute__((aligned(64)));
  const int rows = mr <= MR / 3 ? 1 : mr <= 2 * MR / 3 ? 2 : 3;  // thirds of MR
  const int wide = nr > VW;
  switch (rows * 2 + wide) {
    case 2: tile_kernel(MR / 3, 1, kc, Ap, Bp, tile, NR, alpha, 0.0f); break;
    case 3: tile_kernel(MR / 3, NV, kc, Ap, Bp, tile, NR, alpha, 0.0f); break;
    case 4: tile_kernel(2 * MR / 3, 1, kc, Ap, Bp, tile, NR, alpha, 0.0f); break;
    case 5: tile_kernel(2 * MR / 3, NV, kc, Ap, Bp, tile, NR, alpha, 0.0f); break;
    case 6: tile_kernel(MR, 1, kc, Ap, Bp, tile, NR, alpha, 0.0f); break;
    default: tile_kernel(MR, NV, kc, Ap, Bp, tile, NR, alpha, 0.0f); break;
  }
  for (int r = 0; r < mr; r++) {
    float *c = C + (size_t)r * ldc;
    const float *t = tile + r * NR;
    if (beta == 0.0f)
      for (int j = 0; j < nr; j++) c[j] = t[j];
    else if (beta == 1.0f)
      for (int j = 0; j < nr; j++) c[j] += t[j];
    else
      for (int j = 0; j < nr; j++) c[j] = t[j] + beta * c[j];
  }
}

// Per-thread packing buffers (an A block and a B panel), allocated on a thread's first GEMM and freed
// when the thread exits. The kernel thread pool's workers live for the whole process, so this is once.
static pthread_key_t pack_key;
static pthread_once_t pack_key_once = PTHREAD_ONCE_INIT;
static void pack_key_create(void) { pthread_key_create(&pack_key, free); }

static float *pack_buffers(void) {
  static __thread float *buf = NULL;
  if (!buf) {
    pthread_once(&pack_key_once, pack_key_create);
    buf = aligned_alloc(64, sizeof(float) * ((size_t)MC * KC + (size_t)KC * NC));
    if (!buf) abort();
    pthread_setspecific(pack_key, buf);
  }
  return buf;
}

typedef struct {
  int transA, transB, M, N, K, lda, ldb, ldc;
  float alpha, beta;
  const float *A, *B;
  float *C;
  int split_rows;  // 1: parts are ranges of MR row strips, 0: ranges of NR column strips
  int parts;
} gemm_job;

// C[i_begin:i_end, j_begin:j_end] = alpha * op(A) op(B) + beta * C over those rows and columns.
static void gemm_block(const gemm_job *g, int i_begin, int i_end, int j_begin, int j_end) {
  float *Ap = pack_buffers();
  float *Bp = Ap + (size_t)MC * KC;
  for (int j0 = j_begin; j0 < j_end; j0 += NC) {
    const int nc = j_end - j0 < NC ? j_end - j0 : NC;
    for (int p0 = 0; p0 < g->K; p0 += KC) {
      const int kc = g->K - p0 < KC ? g->K - p0 : KC;
      const float beta = p0 == 0 ? g->beta : 1.0f;  // later K blocks accumulate onto the first
      pack_b(Bp, g->B, g->ldb, g->transB, p0, kc, j0, nc);
      for (int i0 = i_begin; i0 < i_end; i0 += MC) {
        const int mc = i_end - i0 < MC ? i_end - i0 : MC;
        pack_a(Ap, g->A, g->lda, g->transA, i0, mc, p0, kc);
        for (int js = 0; js < nc; js += NR) {
          const int nr = nc - js < NR ? nc - js : NR;
          const float *b = Bp + (size_t)js * kc;
          for (int is = 0; is < mc; is += MR) {
            const int mr = mc - is < MR ? mc - is : MR;
            const float *a = Ap + (size_t)is * kc;
            float *c = g->C + (size_t)(i0 + is) * g->ldc + j0 + js;
            if (mr == MR && nr == NR) micro_kernel(kc, a, b, c, g->ldc, g->alpha, beta);
            else edge_kernel(kc, a, b, c, g->ldc, mr, nr, g->alpha, beta);
          }
        }
      }
    }
  }
}

// Pool task: parts [part0, part1) of the split, as whole MR row strips or NR column strips.
static void gemm_parts(void *arg, int part0, int part1) {
  const gemm_job *g = (const gemm_job *)arg;
  if (g->split_rows) {
    const int strips = (g->M + MR - 1) / MR;
    const int s0 = (int)((long)strips * part0 / g->parts), s1 = (int)((long)strips * part1 / g->parts);
    gemm_block(g, s0 * MR, s1 * MR < g->M ? s1 * MR : g->M, 0, g->N);
  } else {
    const int strips = (g->N + NR - 1) / NR;
    const int s0 = (int)((long)strips * part0 / g->parts), s1 = (int)((long)strips * part1 / g->parts);
    gemm_block(g, 0, g->M, s0 * NR, s1 * NR < g->N ? s1 * NR : g->N);
  }
}

static void builtin_gemm(int threads, int transA, int transB, int M, int N, int K, float alpha, const float *A,
                         int lda, const float *B, int ldb, float beta, float *C, int ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.0f) {  // C = beta * C only
    for (int i = 0; i < M; i++) {
      float *row = C + (size_t)i * ldc;
      if (beta == 0.0f) memset(row, 0, sizeof(float) * N);
      else if (beta != 1.0f)
        for (int j = 0; j < N; j++) row[j] *= beta;
    }
    return;
  }
  gemm_job g = {transA, transB, M, N, K, lda, ldb, ldc, alpha, beta, A, B, C, 0, 1};
  // Split the longer side of C, so that the operand each thread packs for itself in full is the
  // smaller one: threads splitting rows each pack all of op(B) (K x N), splitting columns all of op(A).
  g.split_rows = M >= N;
  const int strips = g.split_rows ? (M + MR - 1) / MR : (N + NR - 1) / NR;
  if (threads > strips) threads = strips;
  // Threads pay off only for products that take more than a few tens of microseconds.
  if ((double)M * N * K < 2e6) threads = 1;
  if (threads <= 1) {
    gemm_block(&g, 0, M, 0, N);
    return;
  }
  // On the kernel thread pool: `threads` parts, one per pool thread (fewer pool threads take several
  // parts each). Called from inside a pool task (or while another thread owns the pool), parallel_rows
  // runs every part on the calling thread, so this never deadlocks; the result is the same either way.
  g.parts = threads;
  parallel_rows(gemm_parts, &g, threads, 2.0 * M * N * K);
}

void builtin_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                   const float *B, int ldb, float beta, float *C, int ldc) {
  const int threads = builtin_threads ? builtin_threads : parallel_threads();
  builtin_gemm(threads, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void builtin_sgemm_serial(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                          const float *B, int ldb, float beta, float *C, int ldc) {
  builtin_gemm(1, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
