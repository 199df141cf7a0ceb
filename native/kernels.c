// Non-GEMM kernels of the native backend, forward and backward side by side (llm.c style).
// Semantics match src/engine/backend.ts exactly; see the doc comments there. Backward kernels
// accumulate (+=) into gradients unless noted. Loops are written so GCC vectorizes them under
// -O3 -march=native (reductions are allowed to reassociate: see binding.gyp).
#include "kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "gemm_nn.h"
#include "parallel.h"

// exp(x) to ~2 ulp for x in [-87, 88], branch-free so loops over it vectorize.
static inline float fast_expf(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  float n = floorf(x * 1.44269504088896341f + 0.5f);
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  // Taylor/Cephes polynomial for exp(r), |r| <= ln2/2
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int bits = ((int)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// ---- Linear -------------------------------------------------------------------------------------

void matmul_forward(float *out, const float *inp, const float *weight, const float *bias, int N, int IC, int OC) {
  // out (N,OC) = inp (N,IC) @ weight (OC,IC)^T + bias
  if (bias) {
    for (int n = 0; n < N; n++) memcpy(out + (size_t)n * OC, bias, sizeof(float) * OC);
  }
  omni_sgemm(0, 1, N, OC, IC, 1.0f, inp, IC, weight, IC, bias ? 1.0f : 0.0f, out, OC);
}

void matmul_forward_packed(float *out, const float *inp, const float *packed, const float *bias, int N, int IC,
                           int OC) {
  for (int n = 0; n < N; n++) {
    if (bias) memcpy(out + (size_t)n * OC, bias, sizeof(float) * OC);
    else memset(out + (size_t)n * OC, 0, sizeof(float) * OC);
  }
  gemm_panels_acc(N, OC, IC, inp, IC, packed, out, OC);
}

void matmul_backward(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                     const float *weight, int N, int IC, int OC) {
  // dinp (N,IC) += dout (N,OC) @ weight (OC,IC);  dweight (OC,IC) += dout^T @ inp (N,IC)
  if (dinp) omni_sgemm(0, 0, N, IC, OC, 1.0f, dout, OC, weight, IC, 1.0f, dinp, IC);
  if (dweight) omni_sgemm(1, 0, OC, IC, N, 1.0f, dout, OC, inp, IC, 1.0f, dweight, IC);
  if (dbias) {
    for (int n = 0; n < N; n++) {
      const float *row = dout + (size_t)n * OC;
      for (int o = 0; o < OC; o++) dbias[o] += row[o];
    }
  }
}

// ---- Embedding ----------------------------------------------------------------------------------

void embedding_forward(float *out, const int32_t *tokens, const float *wte, int N, int C) {
  for (int n = 0; n < N; n++) memcpy(out + (size_t)n * C, wte + (size_t)tokens[n] * C, sizeof(float) * C);
}

void embedding_backward(float *dwte, const float *dout, const int32_t *tokens, int N, int C) {
  for (int n = 0; n < N; n++) {
    float *row = dwte + (size_t)tokens[n] * C;
    const float *g = dout + (size_t)n * C;
    for (int c = 0; c < C; c++) row[c] += g[c];
  }
}

// ---- RMSNorm ------------------------------------------------------------------------------------

typedef struct {
  float *out, *rstd;
  const float *inp, *weight;
  int C;
  float eps;
} rmsnorm_fwd_args;

static void rmsnorm_forward_rows(void *a, int n0, int n1) {
  rmsnorm_fwd_args *g = a;
  int C = g->C;
  for (int n = n0; n < n1; n++) {
    const float *x = g->inp + (size_t)n * C;
    float *y = g->out + (size_t)n * C;
    float ss = 0.0f;
    for (int c = 0; c < C; c++) ss += x[c] * x[c];
    float r = 1.0f / sqrtf(ss / C + g->eps);
    g->rstd[n] = r;
    for (int c = 0; c < C; c++) y[c] = x[c] * r * g->weight[c];
  }
}

void rmsnorm_forward(float *out, float *rstd, const float *inp, const float *weight, int N, int C, float eps) {
  // inp (N,C) -> out (N,C), rstd (N)
  rmsnorm_fwd_args a = {out, rstd, inp, weight, C, eps};
  parallel_rows(rmsnorm_forward_rows, &a, N, (double)N * C);
}

typedef struct {
  float *dinp;
  const float *dout, *inp, *weight, *rstd;
  int C;
} rmsnorm_bwd_args;

static void rmsnorm_backward_rows(void *a, int n0, int n1) {
  rmsnorm_bwd_args *g = a;
  int C = g->C;
  for (int n = n0; n < n1; n++) {
    const float *x = g->inp + (size_t)n * C;
    const float *dy = g->dout + (size_t)n * C;
    float *dx = g->dinp + (size_t)n * C;
    float r = g->rstd[n];
    float dot = 0.0f;
    for (int c = 0; c < C; c++) dot += g->weight[c] * dy[c] * x[c];
    float k = dot * r * r * r / C;
    for (int c = 0; c < C; c++) dx[c] += r * g->weight[c] * dy[c] - x[c] * k;
  }
}

void rmsnorm_backward(float *dinp, float *dweight, const float *dout, const float *inp, const float *weight,
                      const float *rstd, int N, int C) {
  rmsnorm_bwd_args a = {dinp, dout, inp, weight, rstd, C};
  parallel_rows(rmsnorm_backward_rows, &a, N, (double)N * C);
  // dweight is a reduction over rows: kept serial (cheap, and avoids a per-thread buffer).
  if (dweight) {
    for (int n = 0; n < N; n++) {
      const float *x = inp + (size_t)n * C;
      const float *dy = dout + (size_t)n * C;
      float r = rstd[n];
      for (int c = 0; c < C; c++) dweight[c] += dy[c] * x[c] * r;
    }
  }
}

// ---- RoPE ---------------------------------------------------------------------------------------

void rope_apply(float *x, const float *cos_t, const float *sin_t, const int32_t *pos, int N, int nHeads, int D,
                float sign) {
  // x (N,nHeads,D) in place; pairs (i, i+D/2); sign -1 applies the inverse rotation (backward).
  int half = D / 2;
  for (int n = 0; n < N; n++) {
    const float *c = cos_t + (size_t)pos[n] * half;
    const float *s = sin_t + (size_t)pos[n] * half;
    for (int h = 0; h < nHeads; h++) {
      float *a = x + ((size_t)n * nHeads + h) * D;
      float *b = a + half;
      for (int i = 0; i < half; i++) {
        float ai = a[i], bi = b[i], si = sign * s[i];
        a[i] = ai * c[i] - bi * si;
        b[i] = bi * c[i] + ai * si;
      }
    }
  }
}

// ---- Attention ----------------------------------------------------------------------------------
// Work is split over (batch, kv head) units across the kernel threads; a unit handles the query heads
// of its group one after another (so dk/dv accumulation never races). Per head, query rows go in
// blocks of QB: a block needs only keys [0, kend), which skips most of the masked upper triangle.
// The GEMMs run over strided head views (no copies) on the built-in single-threaded GEMM, since the
// units already occupy the threads.

#define QB 64

static inline int last_key(int t, int qPos0, int Tk) { return qPos0 + t < Tk - 1 ? qPos0 + t : Tk - 1; }

typedef struct {
  float *out, *att, *dq, *dk, *dv;
  const float *q, *k, *v, *dout, *att_in;
  int B, Tq, Tk, H, KV, D, qPos0;
  const int32_t *holes; // forward only; NULL = plain causal
} attn_args;

static void attention_forward_units(void *arg, int u0, int u1) {
  attn_args *g = arg;
  int Tq = g->Tq, Tk = g->Tk, H = g->H, KV = g->KV, D = g->D, group = H / KV;
  float scale = 1.0f / sqrtf((float)D);
  size_t qs = (size_t)H * D, ks = (size_t)KV * D;
  for (int u = u0; u < u1; u++) {
    int b = u / KV, kvh = u % KV;
    const float *kh = g->k + (size_t)b * Tk * ks + (size_t)kvh * D;
    const float *vh = g->v + (size_t)b * Tk * ks + (size_t)kvh * D;
    for (int h = kvh * group; h < (kvh + 1) * group; h++) {
      size_t qo = (size_t)b * Tq * qs + (size_t)h * D;
      float *P = g->att + ((size_t)b * H + h) * Tq * Tk;
      for (int t0 = 0; t0 < Tq; t0 += QB) {
        int rows = Tq - t0 < QB ? Tq - t0 : QB;
        int kend = last_key(t0 + rows - 1, g->qPos0, Tk) + 1;
        float *Pb = P + (size_t)t0 * Tk;
        builtin_sgemm_serial(0, 1, rows, kend, D, scale, g->q + qo + t0 * qs, (int)qs, kh, (int)ks, 0.0f, Pb, Tk);
        for (int t = t0; t < t0 + rows; t++) {
          float *row = P + (size_t)t * Tk;
          int last = last_key(t, g->qPos0, Tk);
          // visible keys: [0, h0) and [h1, last]; the hole [h0, h1) and everything past last get 0
          int h0 = last + 1, h1 = last + 1;
          if (g->holes) {
            const int32_t *hole = g->holes + 2 * ((size_t)b * Tq + t);
            if (hole[0] < hole[1]) h0 = hole[0], h1 = hole[1];
          }
          float max = -INFINITY;
          for (int j = 0; j < h0; j++) max = row[j] > max ? row[j] : max;
          for (int j = h1; j <= last; j++) max = row[j] > max ? row[j] : max;
          float sum = 0.0f;
          for (int j = 0; j < h0; j++) {
            row[j] = fast_expf(row[j] - max);
            sum += row[j];
          }
          for (int j = h1; j <= last; j++) {
            row[j] = fast_expf(row[j] - max);
            sum += row[j];
          }
          float inv = 1.0f / sum;
          for (int j = 0; j < h0; j++) row[j] *= inv;
          for (int j = h0; j < h1; j++) row[j] = 0.0f;
          for (int j = h1; j <= last; j++) row[j] *= inv;
          for (int j = last + 1; j < Tk; j++) row[j] = 0.0f;
        }
        builtin_sgemm_serial(0, 0, rows, D, kend, 1.0f, Pb, Tk, vh, (int)ks, 0.0f, g->out + qo + t0 * qs, (int)qs);
      }
    }
  }
}

void attention_forward(float *out, float *att, const float *q, const float *k, const float *v, int B, int Tq,
                       int Tk, int H, int KV, int D, int qPos0, const int32_t *holes) {
  // q (B,Tq,H,D), k/v (B,Tk,KV,D) -> out (B,Tq,H,D), att (B,H,Tq,Tk)
  attn_args a = {out, att, NULL, NULL, NULL, q, k, v, NULL, NULL, B, Tq, Tk, H, KV, D, qPos0, holes};
  parallel_rows(attention_forward_units, &a, B * KV, 4.0 * B * H * Tq * Tk * D);
}

static void attention_backward_units(void *arg, int u0, int u1) {
  attn_args *g = arg;
  int Tq = g->Tq, Tk = g->Tk, H = g->H, KV = g->KV, D = g->D, group = H / KV;
  float scale = 1.0f / sqrtf((float)D);
  size_t qs = (size_t)H * D, ks = (size_t)KV * D;
  float *dS = malloc(sizeof(float) * (size_t)QB * Tk);
  if (!dS) abort();
  for (int u = u0; u < u1; u++) {
    int b = u / KV, kvh = u % KV;
    size_t ko = (size_t)b * Tk * ks + (size_t)kvh * D;
    for (int h = kvh * group; h < (kvh + 1) * group; h++) {
      size_t qo = (size_t)b * Tq * qs + (size_t)h * D;
      const float *P = g->att_in + ((size_t)b * H + h) * Tq * Tk;
      for (int t0 = 0; t0 < Tq; t0 += QB) {
        int rows = Tq - t0 < QB ? Tq - t0 : QB;
        int kend = last_key(t0 + rows - 1, g->qPos0, Tk) + 1;
        const float *Pb = P + (size_t)t0 * Tk;
        const float *dob = g->dout + qo + t0 * qs;
        // dP (rows,kend) = dout V^T
        builtin_sgemm_serial(0, 1, rows, kend, D, 1.0f, dob, (int)qs, g->v + ko, (int)ks, 0.0f, dS, kend);
        // dS = P * (dP - sum_j P dP) * scale (0 past each row's causal limit, because P is)
        for (int r = 0; r < rows; r++) {
          const float *p = Pb + (size_t)r * Tk;
          float *d = dS + (size_t)r * kend;
          float dot = 0.0f;
          for (int j = 0; j < kend; j++) dot += p[j] * d[j];
          for (int j = 0; j < kend; j++) d[j] = p[j] * (d[j] - dot) * scale;
        }
        builtin_sgemm_serial(0, 0, rows, D, kend, 1.0f, dS, kend, g->k + ko, (int)ks, 1.0f, g->dq + qo + t0 * qs,
                             (int)qs); // dq += dS K
        builtin_sgemm_serial(1, 0, kend, D, rows, 1.0f, dS, kend, g->q + qo + t0 * qs, (int)qs, 1.0f, g->dk + ko,
                             (int)ks); // dk += dS^T Q
        builtin_sgemm_serial(1, 0, kend, D, rows, 1.0f, Pb, Tk, dob, (int)qs, 1.0f, g->dv + ko,
                             (int)ks); // dv += P^T dout
      }
    }
  }
  free(dS);
}

void attention_backward(float *dq, float *dk, float *dv, const float *dout, const float *att, const float *q,
                        const float *k, const float *v, int B, int Tq, int Tk, int H, int KV, int D, int qPos0) {
  attn_args a = {NULL, NULL, dq, dk, dv, q, k, v, dout, att, B, Tq, Tk, H, KV, D, qPos0, NULL};
  parallel_rows(attention_backward_units, &a, B * KV, 8.0 * B * H * Tq * Tk * D);
}

// ---- Attention over a KV cache (batched decode / prefill) ----------------------------------------
// One call for a whole decode/prefill step: chunk c holds count[c] new tokens of cache slot slot[c],
// packed at rows [start[c], start[c] + count[c]) of q/out; its keys/values are already appended to
// the cache after past[c] older positions. New token i attends to cache positions [0, past[c] + i].
// Units are packed rows (new tokens). A row handles all H heads together, so it streams its slot's
// cache rows (KV*D contiguous floats per position) front to back exactly once, four positions at a
// time: decoding is bound by reading the cache, and this keeps the reads sequential and each K/V row
// shared by a GQA group in L1. No attention matrix is kept (inference only).

typedef struct {
  float *out;
  const float *q, *kc, *vc;
  const int32_t *slot, *start, *count, *past;
  const int32_t *chunk_of; // (N) chunk of each packed row, -1 for rows in no chunk
  int H, KV, D, maxLen;
} attn_cached_args;

// Prefetches n floats from p with the non-temporal hint: the KV cache is read once per decode step,
// so it should not push the model's weights out of the last-level cache.
static inline void prefetch_nta(const float *p, size_t n) {
  for (size_t i = 0; i < n; i += 16) __builtin_prefetch(p + i, 0, 0);
}

static void attention_cached_rows(void *arg, int n0, int n1) {
  const attn_cached_args *g = arg;
  int H = g->H, KV = g->KV, D = g->D, group = H / KV, L = g->maxLen;
  float scale = 1.0f / sqrtf((float)D);
  size_t qs = (size_t)H * D, ks = (size_t)KV * D;
  float *scores = malloc(sizeof(float) * ((size_t)H * L + H)); // (H, maxLen) + sums (H)
  if (!scores) abort();
  float *sums = scores + (size_t)H * L;
  for (int n = n0; n < n1; n++) {
    int c = g->chunk_of[n];
    if (c < 0) continue;
    int len = g->past[c] + (n - g->start[c]) + 1; // keys [0, len)
    size_t base = (size_t)g->slot[c] * L * ks;
    const float *kb = g->kc + base, *vb = g->vc + base;
    const float *qn = g->q + (size_t)n * qs;
    float *on = g->out + (size_t)n * qs;
    // scores (H, len) = q_h . k_j * scale, four positions per pass (four independent accumulators)
    int j = 0;
    for (; j + 4 <= len; j += 4) {
      prefetch_nta(kb + (size_t)(j + 8) * ks, 4 * ks);
      for (int h = 0; h < H; h++) {
        const float *restrict qr = qn + (size_t)h * D;
        const float *restrict k0 = kb + (size_t)j * ks + (size_t)(h / group) * D, *restrict k1 = k0 + ks;
        const float *restrict k2 = k1 + ks, *restrict k3 = k2 + ks;
        float d0 = 0.0f, d1 = 0.0f, d2 = 0.0f, d3 = 0.0f;
        for (int d = 0; d < D; d++) {
          d0 += qr[d] * k0[d];
          d1 += qr[d] * k1[d];
          d2 += qr[d] * k2[d];
          d3 += qr[d] * k3[d];
        }
        float *restrict s = scores + (size_t)h * L + j;
        s[0] = d0 * scale;
        s[1] = d1 * scale;
        s[2] = d2 * scale;
        s[3] = d3 * scale;
      }
    }
    for (; j < len; j++) {
      for (int h = 0; h < H; h++) {
        const float *restrict qr = qn + (size_t)h * D;
        const float *restrict kr = kb + (size_t)j * ks + (size_t)(h / group) * D;
        float dot = 0.0f;
        for (int d = 0; d < D; d++) dot += qr[d] * kr[d];
        scores[(size_t)h * L + j] = dot * scale;
      }
    }
    // stable softmax per head, unnormalized (1/sum is applied to the output)
    for (int h = 0; h < H; h++) {
      float *restrict s = scores + (size_t)h * L;
      float max = -INFINITY;
      for (j = 0; j < len; j++) max = s[j] > max ? s[j] : max;
      float sum = 0.0f;
      for (j = 0; j < len; j++) {
        s[j] = fast_expf(s[j] - max);
        sum += s[j];
      }
      sums[h] = sum;
    }
    // out_h = sum_j p_hj v_j / sum_h, four positions per pass over out_h
    for (size_t i = 0; i < qs; i++) on[i] = 0.0f;
    for (j = 0; j + 4 <= len; j += 4) {
      prefetch_nta(vb + (size_t)(j + 8) * ks, 4 * ks);
      for (int h = 0; h < H; h++) {
        const float *restrict v0 = vb + (size_t)j * ks + (size_t)(h / group) * D, *restrict v1 = v0 + ks;
        const float *restrict v2 = v1 + ks, *restrict v3 = v2 + ks;
        const float *s = scores + (size_t)h * L + j;
        float p0 = s[0], p1 = s[1], p2 = s[2], p3 = s[3];
        float *restrict o = on + (size_t)h * D;
        for (int d = 0; d < D; d++) o[d] += p0 * v0[d] + p1 * v1[d] + p2 * v2[d] + p3 * v3[d];
      }
    }
    for (; j < len; j++) {
      for (int h = 0; h < H; h++) {
        const float *restrict vr = vb + (size_t)j * ks + (size_t)(h / group) * D;
        float p = scores[(size_t)h * L + j];
        float *restrict o = on + (size_t)h * D;
        for (int d = 0; d < D; d++) o[d] += p * vr[d];
      }
    }
    for (int h = 0; h < H; h++) {
      float inv = 1.0f / sums[h];
      float *restrict o = on + (size_t)h * D;
      for (int d = 0; d < D; d++) o[d] *= inv;
    }
  }
  free(scores);
}

void attention_cached(float *out, const float *q, const float *kc, const float *vc, const int32_t *slot,
                      const int32_t *start, const int32_t *count, const int32_t *past, int chunks, int N, int H,
                      int KV, int D, int maxLen) {
  // q, out (N,H,D) packed rows; kc, vc (slots,maxLen,KV,D); slot/start/count/past (chunks)
  int32_t *chunk_of = malloc(sizeof(int32_t) * ((size_t)N + 1));
  if (!chunk_of) abort();
  for (int n = 0; n < N; n++) chunk_of[n] = -1;
  double work = 0.0;
  for (int c = 0; c < chunks; c++) {
    for (int i = 0; i < count[c]; i++) chunk_of[start[c] + i] = c;
    work += 4.0 * H * D * count[c] * (past[c] + 0.5 * (count[c] + 1));
  }
  attn_cached_args a = {out, q, kc, vc, slot, start, count, past, chunk_of, H, KV, D, maxLen};
  parallel_rows(attention_cached_rows, &a, N, work);
  free(chunk_of);
}

// ---- SwiGLU -------------------------------------------------------------------------------------

typedef struct {
  float *out, *dgate, *dup;
  const float *dout, *gate, *up;
} swiglu_args;

static void swiglu_forward_range(void *a, int i0, int i1) {
  const swiglu_args *g = a;
  // Local restrict pointers: through the struct the compiler must assume out aliases gate/up and
  // will not vectorize (measured 2-4x slower than the backward pass, which does more work).
  float *restrict out = g->out;
  const float *restrict gate = g->gate;
  const float *restrict up = g->up;
  for (int i = i0; i < i1; i++) {
    float x = gate[i];
    float s = 1.0f / (1.0f + fast_expf(-x));
    out[i] = x * s * up[i];
  }
}

void swiglu_forward(float *out, const float *gate, const float *up, int n) {
  swiglu_args a = {out, NULL, NULL, NULL, gate, up};
  parallel_rows(swiglu_forward_range, &a, n, (double)n * 8);
}

static void swiglu_backward_range(void *a, int i0, int i1) {
  swiglu_args *g = a;
  for (int i = i0; i < i1; i++) {
    float x = g->gate[i];
    float s = 1.0f / (1.0f + fast_expf(-x));
    float dy = g->dout[i];
    g->dup[i] += dy * x * s;
    g->dgate[i] += dy * g->up[i] * s * (1.0f + x * (1.0f - s));
  }
}

void swiglu_backward(float *dgate, float *dup, const float *dout, const float *gate, const float *up, int n) {
  swiglu_args a = {NULL, dgate, dup, dout, gate, up};
  parallel_rows(swiglu_backward_range, &a, n, (double)n * 8);
}

void add_vec(float *out, const float *a, const float *b, int n) {
  for (int i = 0; i < n; i++) out[i] = a[i] + b[i];
}

// ---- Softmax, log-prob, entropy -----------------------------------------------------------------

typedef struct {
  float *probs;
  const float *logits;
  int V;
  float inv_t;
} softmax_args;

static void softmax_forward_rows(void *arg, int n0, int n1) {
  const softmax_args *g = arg;
  const int V = g->V;
  const float inv_t = g->inv_t;
  for (int n = n0; n < n1; n++) {
    const float *z = g->logits + (size_t)n * V;
    float *p = g->probs + (size_t)n * V;
    float max = -INFINITY;
    for (int j = 0; j < V; j++) max = z[j] * inv_t > max ? z[j] * inv_t : max;
    float sum = 0.0f;
    for (int j = 0; j < V; j++) {
      p[j] = fast_expf(z[j] * inv_t - max);
      sum += p[j];
    }
    float inv = 1.0f / sum;
    for (int j = 0; j < V; j++) p[j] *= inv;
  }
}

void softmax_forward(float *probs, const float *logits, int N, int V, float temperature) {
  softmax_args a = {probs, logits, V, 1.0f / temperature};
  parallel_rows(softmax_forward_rows, &a, N, (double)N * V * 8);
}

typedef struct {
  float *logprobs, *entropy, *lse, *dlogits;
  const float *logits, *dlogprobs, *dentropy;
  const int32_t *targets;
  int V;
} logprob_args;

static void logprob_forward_rows(void *a, int n0, int n1) {
  logprob_args *g = a;
  int V = g->V;
  for (int n = n0; n < n1; n++) {
    const float *z = g->logits + (size_t)n * V;
    float max = -INFINITY;
    for (int j = 0; j < V; j++) max = z[j] > max ? z[j] : max;
    float sum = 0.0f, sz = 0.0f;
    for (int j = 0; j < V; j++) {
      float e = fast_expf(z[j] - max);
      sum += e;
      sz += e * (z[j] - max);
    }
    float l = max + logf(sum);
    g->lse[n] = l;
    int y = g->targets[n];
    if (y < 0) {
      g->logprobs[n] = 0.0f;
      g->entropy[n] = 0.0f;
      continue;
    }
    g->logprobs[n] = z[y] - l;
    // H = lse - E[z] = log(sum) - E[z - max]
    g->entropy[n] = logf(sum) - sz / sum;
  }
}

void logprob_forward(float *logprobs, float *entropy, float *lse, const float *logits, const int32_t *targets,
                     int N, int V) {
  logprob_args a = {logprobs, entropy, lse, NULL, logits, NULL, NULL, targets, V};
  parallel_rows(logprob_forward_rows, &a, N, (double)N * V * 4);
}

static void logprob_backward_rows(void *a, int n0, int n1) {
  logprob_args *g = a;
  int V = g->V;
  for (int n = n0; n < n1; n++) {
    const float *z = g->logits + (size_t)n * V;
    float *dz = g->dlogits + (size_t)n * V;
    int y = g->targets[n];
    if (y < 0) {
      memset(dz, 0, sizeof(float) * V);
      continue;
    }
    float l = g->lse[n];
    float dlp = g->dlogprobs[n];
    float dH = g->dentropy ? g->dentropy[n] : 0.0f;
    if (dH == 0.0f) {
      for (int j = 0; j < V; j++) dz[j] = -dlp * fast_expf(z[j] - l);
    } else {
      float pz = 0.0f;
      for (int j = 0; j < V; j++) pz += fast_expf(z[j] - l) * (z[j] - l);
      float H = -pz;
      for (int j = 0; j < V; j++) {
        float logp = z[j] - l;
        float p = fast_expf(logp);
        dz[j] = -dlp * p - dH * p * (logp + H);
      }
    }
    dz[y] += dlp;
  }
}

void logprob_backward(float *dlogits, const float *logits, const float *lse, const int32_t *targets,
                      const float *dlogprobs, const float *dentropy, int N, int V) {
  logprob_args a = {NULL, NULL, (float *)lse, dlogits, logits, dlogprobs, dentropy, targets, V};
  parallel_rows(logprob_backward_rows, &a, N, (double)N * V * 4);
}

// ---- Optimizer ----------------------------------------------------------------------------------

void adamw_step(float *param, const float *grad, float *m, float *v, long n, float lr, float beta1, float beta2,
                float eps, float weight_decay, int step, float grad_scale) {
  float inv_c1 = (float)(1.0 / (1.0 - pow(beta1, step)));
  float inv_c2 = (float)(1.0 / (1.0 - pow(beta2, step)));
  for (long i = 0; i < n; i++) {
    float g = grad[i] * grad_scale;
    float mi = beta1 * m[i] + (1.0f - beta1) * g;
    float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] -= lr * (mi * inv_c1 / (sqrtf(vi * inv_c2) + eps) + weight_decay * param[i]);
  }
}

double sum_squares(const float *x, long n) {
  // float partial sums over short blocks, then float64 across blocks: accurate and vectorizable
  double total = 0.0;
  for (long i0 = 0; i0 < n; i0 += 4096) {
    long i1 = i0 + 4096 < n ? i0 + 4096 : n;
    float s = 0.0f;
    for (long i = i0; i < i1; i++) s += x[i] * x[i];
    total += s;
  }
  return total;
}
