// A tiny persistent thread pool for the non-GEMM kernels. Workers wait on a condition variable (no
// spinning), so they do not steal cores from OpenBLAS's threads between kernels.
#ifndef OMNI_PARALLEL_H
#define OMNI_PARALLEL_H

// Runs fn(arg, i0, i1) over [0, n) split into one contiguous range per thread. `work` estimates the
// cost (roughly flops); small jobs run on the calling thread only.
void parallel_rows(void (*fn)(void *arg, int i0, int i1), void *arg, int n, double work);
// Sets the number of kernel threads (1..16), default OMNI_KERNEL_THREADS or the online CPU count (max 4).
void parallel_set_threads(int n);
int parallel_threads(void);

#endif
