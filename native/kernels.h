// Native kernels; semantics documented in src/engine/backend.ts.
#ifndef OMNI_KERNELS_H
#define OMNI_KERNELS_H
#include <stdint.h>

void matmul_forward(float *out, const float *inp, const float *weight, const float *bias, int N, int IC, int OC);
// out (N,OC) = inp (N,IC) @ weight^T + bias, with the weight packed by pack_panels (inference; gemm_nn.c).
void matmul_forward_packed(float *out, const float *inp, const float *packed, const float *bias, int N, int IC,
                           int OC);
void matmul_backward(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                     const float *weight, int N, int IC, int OC);
void embedding_forward(float *out, const int32_t *tokens, const float *wte, int N, int C);
void embedding_backward(float *dwte, const float *dout, const int32_t *tokens, int N, int C);
void rmsnorm_forward(float *out, float *rstd, const float *inp, const float *weight, int N, int C, float eps);
void rmsnorm_backward(float *dinp, float *dweight, const float *dout, const float *inp, const float *weight,
                      const float *rstd, int N, int C);
void rope_apply(float *x, const float *cos_t, const float *sin_t, const int32_t *pos, int N, int nHeads, int D,
                float sign);
// holes: NULL, or (B*Tq) pairs [start, end): keys a query row must not see besides the causal mask.
void attention_forward(float *out, float *att, const float *q, const float *k, const float *v, int B, int Tq,
                       int Tk, int H, int KV, int D, int qPos0, const int32_t *holes);
void attention_backward(float *dq, float *dk, float *dv, const float *dout, const float *att, const float *q,
                        const float *k, const float *v, int B, int Tq, int Tk, int H, int KV, int D, int qPos0);
void attention_cached(float *out, const float *q, const float *kc, const float *vc, const int32_t *slot,
                      const int32_t *start, const int32_t *count, const int32_t *past, int chunks, int N, int H,
                      int KV, int D, int maxLen);
void swiglu_forward(float *out, const float *gate, const float *up, int n);
void swiglu_backward(float *dgate, float *dup, const float *dout, const float *gate, const float *up, int n);
void add_vec(float *out, const float *a, const float *b, int n);
void softmax_forward(float *probs, const float *logits, int N, int V, float temperature);
void logprob_forward(float *logprobs, float *entropy, float *lse, const float *logits, const int32_t *targets,
                     int N, int V);
void logprob_backward(float *dlogits, const float *logits, const float *lse, const int32_t *targets,
                      const float *dlogprobs, const float *dentropy, int N, int V);
void adamw_step(float *param, const float *grad, float *m, float *v, long n, float lr, float beta1, float beta2,
                float eps, float weight_decay, int step, float grad_scale);
double sum_squares(const float *x, long n);

#endif
