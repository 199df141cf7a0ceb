// Unpacked row-major GEMM for inference and input gradients (see gemm_nn.c for when it beats the BLAS).
#ifndef OMNI_GEMM_NN_H
#define OMNI_GEMM_NN_H

// C (M,N) += A (M,K) @ B (K,N); all row-major with leading dimensions lda, ldb, ldc. Runs on the kernel
// thread pool (parallel.h).
void gemm_nn_acc(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc);

#endif
