// GEMM for the native backend.
// - OpenBLAS is not linked at build time (the addon must build with only a C toolchain). At load time we
//   dlopen libopenblas.so.0 (then libopenblas.so) and dlsym cblas_sgemm; OMNI_GEMM=builtin skips it.
// - The built-in GEMM is a classic packed, cache-blocked GEMM: pack a KCxNC panel of op(B) into 16-wide
//   strips and an MCxKC block of op(A) into 6-tall strips, then a 6x16 register-tile micro-kernel
//   (GCC vector extensions: AVX2/AVX-512 FMA under -march=native). Packing reads through the
//   transpose flags, so transposed operands cost nothing extra. Large products split the N range
//   across threads.
#define _GNU_SOURCE
#include "gemm.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// ---- OpenBLAS through dlopen ------------------------------------------------------------------------

enum { CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112 };
typedef void (*cblas_sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int,
                               float, float *, int);
static cblas_sgemm_fn blas_sgemm = NULL;
static char *(*blas_corename)(void) = NULL;
static int (*blas_get_threads)(void) = NULL;
static int use_builtin = 1;
static int builtin_threads = 2;

int gemm_init(void) {
  const char *pref = getenv("OMNI_GEMM");
  if (pref && strcmp(pref, "builtin") == 0) return 0;
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
  return !use_builtin;
}

int gemm_uses_openblas(void) { return !use_builtin; }
const char *gemm_openblas_corename(void) { return (!use_builtin && blas_corename) ? blas_corename() : NULL; }
int gemm_threads(void) {
  if (!use_builtin) return blas_get_threads ? blas_get_threads() : 1;
  return builtin_threads;
}
void gemm_force_builtin(int on) { use_builtin = on || blas_sgemm == NULL; }
void builtin_set_threads(int n) { builtin_threads = n < 1 ? 1 : (n > 8 ? 8 : n); }

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

#define MR 6
#define NR 16
#define MC 96   // multiple of MR: an A block (MC x KC) stays in L2
#define KC 256  // one packed strip of B (KC x NR) stays in L1
#define NC 512  // multiple of NR: a B panel (KC x NC, 512 KB) stays in L2

typedef float v8 __attribute__((vector_size(32)));                // aligned: packed panels
typedef float v8u __attribute__((vector_size(32), aligned(4)));  // unaligned: rows of C

static inline float a_at(const float *A, int lda, int transA, int i, int p) {
  return transA ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p];
}

// Packs op(A)[i0:i0+mc, p0:p0+kc] into MR-tall strips: Ap[strip][p][r], zero-padded.
static void pack_a(float *Ap, const float *A, int lda, int transA, int i0, int mc, int p0, int kc) {
  for (int is = 0; is < mc; is += MR) {
    int mr = mc - is < MR ? mc - is : MR;
    for (int p = 0; p < kc; p++) {
      for (int r = 0; r < MR; r++) *Ap++ = r < mr ? a_at(A, lda, transA, i0 + is + r, p0 + p) : 0.0f;
    }
  }
}

// Packs op(B)[p0:p0+kc, j0:j0+nc] into NR-wide strips: Bp[strip][p][c], zero-padded.
static void pack_b(float *Bp, const float *B, int ldb, int transB, int p0, int kc, int j0, int nc) {
  for (int js = 0; js < nc; js += NR) {
    int nr = nc - js < NR ? nc - js : NR;
    for (int p = 0; p < kc; p++) {
      if (!transB && nr == NR) {
        memcpy(Bp, B + (size_t)(p0 + p) * ldb + j0 + js, NR * sizeof(float));
        Bp += NR;
        continue;
      }
      for (int c = 0; c < NR; c++) {
        float x = 0.0f;
        if (c < nr) x = transB ? B[(size_t)(j0 + js + c) * ldb + p0 + p] : B[(size_t)(p0 + p) * ldb + j0 + js + c];
        *Bp++ = x;
      }
    }
  }
}

// C[0:mr, 0:nr] += alpha * Ap (MR x kc) @ Bp (kc x NR).
static void micro_kernel(int kc, const float *Ap, const float *Bp, float *C, int ldc, int mr, int nr,
                         float alpha) {
  v8 c0a = {0}, c0b = {0}, c1a = {0}, c1b = {0}, c2a = {0}, c2b = {0};
  v8 c3a = {0}, c3b = {0}, c4a = {0}, c4b = {0}, c5a = {0}, c5b = {0};
  for (int p = 0; p < kc; p++) {
    v8 b0 = *(const v8 *)Bp; // packed panels are 64-byte aligned
    v8 b1 = *(const v8 *)(Bp + 8);
    c0a += Ap[0] * b0;
    c0b += Ap[0] * b1;
    c1a += Ap[1] * b0;
    c1b += Ap[1] * b1;
    c2a += Ap[2] * b0;
    c2b += Ap[2] * b1;
    c3a += Ap[3] * b0;
    c3b += Ap[3] * b1;
    c4a += Ap[4] * b0;
    c4b += Ap[4] * b1;
    c5a += Ap[5] * b0;
    c5b += Ap[5] * b1;
    Ap += MR;
    Bp += NR;
  }
  float tile[MR][NR];
  v8 rows[MR][2] = {{c0a, c0b}, {c1a, c1b}, {c2a, c2b}, {c3a, c3b}, {c4a, c4b}, {c5a, c5b}};
  if (mr == MR && nr == NR) {
    for (int r = 0; r < MR; r++) {
      v8u *row = (v8u *)(C + (size_t)r * ldc);
      row[0] += alpha * rows[r][0];
      row[1] += alpha * rows[r][1];
    }
    return;
  }
  for (int r = 0; r < MR; r++) {
    memcpy(&tile[r][0], &rows[r][0], sizeof(v8));
    memcpy(&tile[r][8], &rows[r][1], sizeof(v8));
  }
  for (int r = 0; r < mr; r++)
    for (int c = 0; c < nr; c++) C[(size_t)r * ldc + c] += alpha * tile[r][c];
}

typedef struct {
  int transA, transB, M, K, j_begin, j_end, lda, ldb, ldc;
  float alpha;
  const float *A, *B;
  float *C;
} gemm_job;

// Computes columns [j_begin, j_end) of C += alpha * op(A) op(B) (beta already applied).
static void *gemm_columns(void *arg) {
  gemm_job *g = (gemm_job *)arg;
  // per-thread packing buffers, allocated once per thread
  static __thread float *Ap = NULL, *Bp = NULL;
  if (!Ap) Ap = aligned_alloc(64, sizeof(float) * MC * KC);
  if (!Bp) Bp = aligned_alloc(64, sizeof(float) * KC * NC);
  if (!Ap || !Bp) abort();
  for (int j0 = g->j_begin; j0 < g->j_end; j0 += NC) {
    int nc = g->j_end - j0 < NC ? g->j_end - j0 : NC;
    for (int p0 = 0; p0 < g->K; p0 += KC) {
      int kc = g->K - p0 < KC ? g->K - p0 : KC;
      pack_b(Bp, g->B, g->ldb, g->transB, p0, kc, j0, nc);
      for (int i0 = 0; i0 < g->M; i0 += MC) {
        int mc = g->M - i0 < MC ? g->M - i0 : MC;
        pack_a(Ap, g->A, g->lda, g->transA, i0, mc, p0, kc);
        for (int js = 0; js < nc; js += NR) {
          int nr = nc - js < NR ? nc - js : NR;
          for (int is = 0; is < mc; is += MR) {
            int mr = mc - is < MR ? mc - is : MR;
            micro_kernel(kc, Ap + (size_t)is * kc, Bp + (size_t)js * kc,
                         g->C + (size_t)(i0 + is) * g->ldc + j0 + js, g->ldc, mr, nr, g->alpha);
          }
        }
      }
    }
  }
  return NULL;
}

static void builtin_gemm(int threads, int transA, int transB, int M, int N, int K, float alpha, const float *A,
                         int lda, const float *B, int ldb, float beta, float *C, int ldc) {
  for (int i = 0; i < M; i++) {
    float *row = C + (size_t)i * ldc;
    if (beta == 0.0f) memset(row, 0, sizeof(float) * N);
    else if (beta != 1.0f)
      for (int j = 0; j < N; j++) row[j] *= beta;
  }
  if (K <= 0 || alpha == 0.0f) return;
  // Threads pay off only for big products; each thread takes a range of whole NR strips.
  if ((double)M * N * K < 4e6 || N < 2 * NR) threads = 1;
  gemm_job jobs[8];
  pthread_t tids[8];
  int strips = (N + NR - 1) / NR;
  for (int t = 0; t < threads; t++) {
    int s0 = strips * t / threads, s1 = strips * (t + 1) / threads;
    jobs[t] = (gemm_job){transA, transB, M, K, s0 * NR, s1 * NR < N ? s1 * NR : N, lda, ldb, ldc, alpha, A, B, C};
  }
  for (int t = 1; t < threads; t++) pthread_create(&tids[t], NULL, gemm_columns, &jobs[t]);
  gemm_columns(&jobs[0]);
  for (int t = 1; t < threads; t++) pthread_join(tids[t], NULL);
}

void builtin_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                   const float *B, int ldb, float beta, float *C, int ldc) {
  builtin_gemm(builtin_threads, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void builtin_sgemm_serial(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                          const float *B, int ldb, float beta, float *C, int ldc) {
  if (M <= 0 || N <= 0) return;
  builtin_gemm(1, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
