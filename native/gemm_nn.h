// GEMM against a weight packed once into column panels, for inference (see gemm_nn.c for why).
#ifndef OMNI_GEMM_NN_H
#define OMNI_GEMM_NN_H

// Panel width of the packed layout.
#define PANEL 64

// Packs a linear layer's weight w (N,K) row-major (HF nn.Linear: out features x in features) into
// ceil(N/PANEL) panels of K x PANEL floats: out[(j*K + k)*PANEL + c] = w[(j*PANEL + c)*K + k], zero
// past N.
void pack_panels(float *out, const float *w, int N, int K);

// C (M,N) += A (M,K) @ W^T, with W packed by pack_panels; A and C row-major with leading dimensions
// lda and ldc. Runs on the kernel thread pool (parallel.h).
void gemm_panels_acc(int M, int N, int K, const float *A, int lda, const float *Bp, float *C, int ldc);

#endif
