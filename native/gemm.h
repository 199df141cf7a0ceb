// GEMM dispatch: the built-in blocked GEMM on AVX-512 builds (faster there, see gemm_init), else
// OpenBLAS's cblas_sgemm when dlopen finds it at load time; OMNI_GEMM=openblas|builtin overrides.
#ifndef OMNI_GEMM_H
#define OMNI_GEMM_H

// Row-major C (M,N) = alpha * op(A) (M,K) @ op(B) (K,N) + beta * C, cblas_sgemm semantics.
void omni_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                const float *B, int ldb, float beta, float *C, int ldc);

// The built-in GEMM (same semantics), always available. Big products run on the kernel thread pool.
void builtin_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                   const float *B, int ldb, float beta, float *C, int ldc);

// The built-in GEMM on the calling thread only (for callers that are already parallel).
void builtin_sgemm_serial(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                          const float *B, int ldb, float beta, float *C, int ldc);

// Called once at addon load: dlopen OpenBLAS unless OMNI_GEMM=builtin. Returns 1 when OpenBLAS is used.
int gemm_init(void);
// 1 when OpenBLAS is in use.
int gemm_uses_openblas(void);
// openblas_get_corename() or NULL.
const char *gemm_openblas_corename(void);
// BLAS thread count (OpenBLAS's, or the built-in GEMM's).
int gemm_threads(void);
// Why gemm_init chose the GEMM it did (for `doctor`).
const char *gemm_choice_reason(void);
// OpenBLAS's core type when the library is loaded, even if the built-in GEMM is in use (else NULL).
const char *gemm_openblas_loaded_core(void);
// Switches to the built-in GEMM (1) or back to OpenBLAS when loaded (0).
void gemm_force_builtin(int on);
// Sets the built-in GEMM's thread count (1..16; default: the kernel thread pool's, see parallel.h).
void builtin_set_threads(int n);

#endif
