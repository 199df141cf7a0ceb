// N-API bindings (C API, context-aware so it loads in worker threads too). Every function takes typed
// arrays zero-copy, checks their element type and length against the shapes it is given (a bad call
// throws a TypeError/RangeError instead of reading out of bounds), and runs synchronously.
#include <node_api.h>
#include <stdio.h>
#include <string.h>

#include "gemm.h"
#include "gemm_nn.h"
#include "kernels.h"
#include "parallel.h"

#define MAX_ARGS 16

typedef struct {
  napi_env env;
  const char *fn;
  size_t argc;
  napi_value argv[MAX_ARGS];
  int failed;
} Args;

static int get_args(napi_env env, napi_callback_info info, Args *a, const char *fn, size_t want) {
  a->env = env;
  a->fn = fn;
  a->failed = 0;
  a->argc = MAX_ARGS;
  napi_get_cb_info(env, info, &a->argc, a->argv, NULL, NULL);
  if (a->argc < want) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s: expected %zu arguments, got %zu", fn, want, a->argc);
    napi_throw_type_error(env, NULL, msg);
    a->failed = 1;
  }
  return !a->failed;
}

static void fail(Args *a, int i, const char *what) {
  if (a->failed) return;
  char msg[192];
  snprintf(msg, sizeof msg, "%s: argument %d: %s", a->fn, i, what);
  napi_throw_range_error(a->env, NULL, msg);
  a->failed = 1;
}

static void *typed(Args *a, int i, napi_typedarray_type want, size_t need, int nullable) {
  if (a->failed) return NULL;
  napi_valuetype vt;
  napi_typeof(a->env, a->argv[i], &vt);
  if (vt == napi_null || vt == napi_undefined) {
    if (!nullable) fail(a, i, "must not be null");
    return NULL;
  }
  bool is_ta = false;
  napi_is_typedarray(a->env, a->argv[i], &is_ta);
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (is_ta) napi_get_typedarray_info(a->env, a->argv[i], &type, &length, &data, NULL, NULL);
  if (!is_ta || type != want) {
    fail(a, i, want == napi_float32_array ? "expected a Float32Array" : "expected an Int32Array");
    return NULL;
  }
  if (length < need) {
    char what[96];
    snprintf(what, sizeof what, "too short (%zu elements, need %zu)", length, need);
    fail(a, i, what);
    return NULL;
  }
  return data;
}

static float *f32(Args *a, int i, size_t need) { return typed(a, i, napi_float32_array, need, 0); }
static float *f32_or_null(Args *a, int i, size_t need) { return typed(a, i, napi_float32_array, need, 1); }
static int32_t *i32(Args *a, int i, size_t need) { return typed(a, i, napi_int32_array, need, 0); }

static double num(Args *a, int i) {
  double x = 0;
  if (!a->failed && napi_get_value_double(a->env, a->argv[i], &x) != napi_ok) fail(a, i, "expected a number");
  return x;
}

// A non-negative integer dimension.
static int dim(Args *a, int i) {
  double x = num(a, i);
  if (!a->failed && (x < 0 || x > 2147483647.0 || x != (double)(long)x)) fail(a, i, "expected an integer >= 0");
  return (int)x;
}

static int flag(Args *a, int i) {
  bool b = false;
  if (!a->failed && napi_get_value_bool(a->env, a->argv[i], &b) != napi_ok) fail(a, i, "expected a boolean");
  return b;
}

// Elements spanned by a (rows, cols) matrix with leading dimension ld.
static size_t span(int rows, int cols, int ld) { return rows == 0 || cols == 0 ? 0 : (size_t)(rows - 1) * ld + cols; }

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// ---- Bindings -----------------------------------------------------------------------------------

static napi_value js_sgemm(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "sgemm", 13)) return NULL;
  int ta = flag(&a, 0), tb = flag(&a, 1), M = dim(&a, 2), N = dim(&a, 3), K = dim(&a, 4);
  float alpha = (float)num(&a, 5);
  int lda = dim(&a, 7), ldb = dim(&a, 9), ldc = dim(&a, 12);
  float beta = (float)num(&a, 10);
  if (!a.failed && (lda < (ta ? M : K) || ldb < (tb ? K : N) || ldc < N)) fail(&a, 7, "leading dimension too small");
  const float *A = f32(&a, 6, ta ? span(K, M, lda) : span(M, K, lda));
  const float *B = f32(&a, 8, tb ? span(N, K, ldb) : span(K, N, ldb));
  float *C = f32(&a, 11, span(M, N, ldc));
  if (a.failed) return NULL;
  omni_sgemm(ta, tb, M, N, K, alpha, A, lda ? lda : 1, B, ldb ? ldb : 1, beta, C, ldc ? ldc : 1);
  return undefined(env);
}

static napi_value js_matmul_forward(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "matmulForward", 7)) return NULL;
  int N = dim(&a, 4), IC = dim(&a, 5), OC = dim(&a, 6);
  float *out = f32(&a, 0, (size_t)N * OC);
  const float *inp = f32(&a, 1, (size_t)N * IC), *w = f32(&a, 2, (size_t)OC * IC), *bias = f32_or_null(&a, 3, OC);
  if (a.failed) return NULL;
  matmul_forward(out, inp, w, bias, N, IC, OC);
  return undefined(env);
}

static napi_value js_matmul_forward_packed(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "matmulForwardPacked", 7)) return NULL;
  int N = dim(&a, 4), IC = dim(&a, 5), OC = dim(&a, 6);
  size_t packed = (size_t)IC * ((OC + PANEL - 1) / PANEL) * PANEL;
  float *out = f32(&a, 0, (size_t)N * OC);
  const float *inp = f32(&a, 1, (size_t)N * IC), *wp = f32(&a, 2, packed), *bias = f32_or_null(&a, 3, OC);
  if (a.failed) return NULL;
  matmul_forward_packed(out, inp, wp, bias, N, IC, OC);
  return undefined(env);
}

static napi_value js_pack_linear_weight(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "packLinearWeight", 4)) return NULL;
  int OC = dim(&a, 2), IC = dim(&a, 3);
  float *out = f32(&a, 0, (size_t)IC * ((OC + PANEL - 1) / PANEL) * PANEL);
  const float *w = f32(&a, 1, (size_t)OC * IC);
  if (a.failed) return NULL;
  pack_panels(out, w, OC, IC);
  return undefined(env);
}

static napi_value js_matmul_backward(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "matmulBackward", 9)) return NULL;
  int N = dim(&a, 6), IC = dim(&a, 7), OC = dim(&a, 8);
  float *dinp = f32_or_null(&a, 0, (size_t)N * IC), *dw = f32_or_null(&a, 1, (size_t)OC * IC);
  float *db = f32_or_null(&a, 2, OC);
  const float *dout = f32(&a, 3, (size_t)N * OC), *inp = f32(&a, 4, (size_t)N * IC);
  const float *w = f32(&a, 5, (size_t)OC * IC);
  if (a.failed) return NULL;
  matmul_backward(dinp, dw, db, dout, inp, w, N, IC, OC);
  return undefined(env);
}

// Token ids must index rows of the table: checked here, once, so the kernels can trust them.
static int check_tokens(Args *a, int i, const int32_t *tokens, int N, long rows) {
  if (a->failed) return 0;
  for (int n = 0; n < N; n++) {
    if (tokens[n] < 0 || tokens[n] >= rows) {
      char what[96];
      snprintf(what, sizeof what, "token id %d at index %d is outside [0, %ld)", tokens[n], n, rows);
      fail(a, i, what);
      return 0;
    }
  }
  return 1;
}

static long typed_length(Args *a, int i) {
  size_t length = 0;
  napi_typedarray_type type;
  napi_get_typedarray_info(a->env, a->argv[i], &type, &length, NULL, NULL, NULL);
  return (long)length;
}

static napi_value js_embedding_forward(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "embeddingForward", 5)) return NULL;
  int N = dim(&a, 3), C = dim(&a, 4);
  float *out = f32(&a, 0, (size_t)N * C);
  const int32_t *tok = i32(&a, 1, N);
  const float *wte = f32(&a, 2, 0);
  if (a.failed || !check_tokens(&a, 1, tok, N, C ? typed_length(&a, 2) / C : 0)) return NULL;
  embedding_forward(out, tok, wte, N, C);
  return undefined(env);
}

static napi_value js_embedding_backward(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "embeddingBackward", 5)) return NULL;
  int N = dim(&a, 3), C = dim(&a, 4);
  float *dwte = f32(&a, 0, 0);
  const float *dout = f32(&a, 1, (size_t)N * C);
  const int32_t *tok = i32(&a, 2, N);
  if (a.failed || !check_tokens(&a, 2, tok, N, C ? typed_length(&a, 0) / C : 0)) return NULL;
  embedding_backward(dwte, dout, tok, N, C);
  return undefined(env);
}

static napi_value js_rmsnorm_forward(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "rmsnormForward", 7)) return NULL;
  int N = dim(&a, 4), C = dim(&a, 5);
  float eps = (float)num(&a, 6);
  float *out = f32(&a, 0, (size_t)N * C), *rstd = f32(&a, 1, N);
  const float *inp = f32(&a, 2, (size_t)N * C), *w = f32(&a, 3, C);
  if (a.failed) return NULL;
  rmsnorm_forward(out, rstd, inp, w, N, C, eps);
  return undefined(env);
}

static napi_value js_rmsnorm_backward(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "rmsnormBackward", 8)) return NULL;
  int N = dim(&a, 6), C = dim(&a, 7);
  float *dinp = f32(&a, 0, (size_t)N * C), *dw = f32_or_null(&a, 1, C);
  const float *dout = f32(&a, 2, (size_t)N * C), *inp = f32(&a, 3, (size_t)N * C), *w = f32(&a, 4, C);
  const float *rstd = f32(&a, 5, N);
  if (a.failed) return NULL;
  rmsnorm_backward(dinp, dw, dout, inp, w, rstd, N, C);
  return undefined(env);
}

static napi_value rope(napi_env env, napi_callback_info info, const char *fn, float sign) {
  Args a;
  if (!get_args(env, info, &a, fn, 7)) return NULL;
  int N = dim(&a, 4), nh = dim(&a, 5), D = dim(&a, 6);
  if (!a.failed && D % 2 != 0) fail(&a, 6, "head dim must be even");
  float *x = f32(&a, 0, (size_t)N * nh * D);
  const float *c = f32(&a, 1, 0), *s = f32(&a, 2, 0);
  const int32_t *pos = i32(&a, 3, N);
  if (a.failed || !check_tokens(&a, 3, pos, N, D ? typed_length(&a, 1) / (D / 2) : 0)) return NULL;
  if (typed_length(&a, 2) < typed_length(&a, 1)) fail(&a, 2, "sin table shorter than cos table");
  if (a.failed) return NULL;
  rope_apply(x, c, s, pos, N, nh, D, sign);
  return undefined(env);
}

static napi_value js_rope_forward(napi_env env, napi_callback_info info) {
  return rope(env, info, "ropeForward", 1.0f);
}
static napi_value js_rope_backward(napi_env env, napi_callback_info info) {
  return rope(env, info, "ropeBackward", -1.0f);
}

static int attention_dims(Args *a, int i, int *d) {
  for (int j = 0; j < 7; j++) d[j] = dim(a, i + j); // B Tq Tk H KV D qPos0
  if (!a->failed && (d[4] == 0 || d[3] % d[4] != 0)) fail(a, i + 4, "H must be a multiple of KV");
  return !a->failed;
}

static napi_value js_attention_forward(napi_env env, napi_callback_info info) {
  Args a;
  int d[7];
  if (!get_args(env, info, &a, "attentionForward", 12) || !attention_dims(&a, 5, d)) return NULL;
  int B = d[0], Tq = d[1], Tk = d[2], H = d[3], KV = d[4], D = d[5];
  size_t nq = (size_t)B * Tq * H * D, nk = (size_t)B * Tk * KV * D;
  float *out = f32(&a, 0, nq), *att = f32(&a, 1, (size_t)B * H * Tq * Tk);
  const float *q = f32(&a, 2, nq), *k = f32(&a, 3, nk), *v = f32(&a, 4, nk);
  const int32_t *holes = typed(&a, 12, napi_int32_array, (size_t)B * Tq * 2, 1);
  if (a.failed) return NULL;
  // A hole may not hide a row's own position, so every row keeps at least one key.
  for (size_t r = 0; holes && r < (size_t)B * Tq; r++) {
    int h0 = holes[2 * r], h1 = holes[2 * r + 1], own = d[6] + (int)(r % Tq);
    if (h0 < h1 && (h0 < 0 || h1 > own)) {
      fail(&a, 12, "hole [start, end) must satisfy 0 <= start and end <= the row's own position");
      return NULL;
    }
  }
  attention_forward(out, att, q, k, v, B, Tq, Tk, H, KV, D, d[6], holes);
  return undefined(env);
}

static napi_value js_attention_backward(napi_env env, napi_callback_info info) {
  Args a;
  int d[7];
  if (!get_args(env, info, &a, "attentionBackward", 15) || !attention_dims(&a, 8, d)) return NULL;
  int B = d[0], Tq = d[1], Tk = d[2], H = d[3], KV = d[4], D = d[5];
  size_t nq = (size_t)B * Tq * H * D, nk = (size_t)B * Tk * KV * D;
  float *dq = f32(&a, 0, nq), *dk = f32(&a, 1, nk), *dv = f32(&a, 2, nk);
  const float *dout = f32(&a, 3, nq), *att = f32(&a, 4, (size_t)B * H * Tq * Tk);
  const float *q = f32(&a, 5, nq), *k = f32(&a, 6, nk), *v = f32(&a, 7, nk);
  if (a.failed) return NULL;
  attention_backward(dq, dk, dv, dout, att, q, k, v, B, Tq, Tk, H, KV, D, d[6]);
  return undefined(env);
}

static napi_value js_attention_cached(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "attentionCached", 15)) return NULL;
  int chunks = dim(&a, 8), N = dim(&a, 9), H = dim(&a, 10), KV = dim(&a, 11), D = dim(&a, 12);
  int slots = dim(&a, 13), maxLen = dim(&a, 14);
  if (!a.failed && (KV == 0 || H % KV != 0)) fail(&a, 11, "H must be a multiple of KV");
  size_t nq = (size_t)N * H * D, nc = (size_t)slots * maxLen * KV * D;
  float *out = f32(&a, 0, nq);
  const float *q = f32(&a, 1, nq), *kc = f32(&a, 2, nc), *vc = f32(&a, 3, nc);
  const int32_t *slot = i32(&a, 4, chunks), *start = i32(&a, 5, chunks);
  const int32_t *count = i32(&a, 6, chunks), *past = i32(&a, 7, chunks);
  for (int c = 0; !a.failed && c < chunks; c++) {
    if (slot[c] < 0 || slot[c] >= slots) fail(&a, 4, "slot out of range");
    else if (start[c] < 0 || count[c] < 0 || (long)start[c] + count[c] > N) fail(&a, 5, "chunk rows out of [0, N)");
    else if (past[c] < 0 || (long)past[c] + count[c] > maxLen) fail(&a, 7, "past + count exceeds maxLen");
  }
  if (a.failed) return NULL;
  attention_cached(out, q, kc, vc, slot, start, count, past, chunks, N, H, KV, D, maxLen);
  return undefined(env);
}

static napi_value js_swiglu_forward(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "swigluForward", 4)) return NULL;
  int n = dim(&a, 3);
  float *out = f32(&a, 0, n);
  const float *g = f32(&a, 1, n), *u = f32(&a, 2, n);
  if (a.failed) return NULL;
  swiglu_forward(out, g, u, n);
  return undefined(env);
}

static napi_value js_swiglu_backward(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "swigluBackward", 6)) return NULL;
  int n = dim(&a, 5);
  float *dg = f32(&a, 0, n), *du = f32(&a, 1, n);
  const float *dout = f32(&a, 2, n), *g = f32(&a, 3, n), *u = f32(&a, 4, n);
  if (a.failed) return NULL;
  swiglu_backward(dg, du, dout, g, u, n);
  return undefined(env);
}

static napi_value js_add(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "add", 4)) return NULL;
  int n = dim(&a, 3);
  float *out = f32(&a, 0, n);
  const float *x = f32(&a, 1, n), *y = f32(&a, 2, n);
  if (a.failed) return NULL;
  add_vec(out, x, y, n);
  return undefined(env);
}

static napi_value js_softmax_forward(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "softmaxForward", 5)) return NULL;
  int N = dim(&a, 2), V = dim(&a, 3);
  float temp = (float)num(&a, 4);
  if (!a.failed && !(temp > 0)) fail(&a, 4, "temperature must be > 0");
  float *p = f32(&a, 0, (size_t)N * V);
  const float *z = f32(&a, 1, (size_t)N * V);
  if (a.failed) return NULL;
  softmax_forward(p, z, N, V, temp);
  return undefined(env);
}

// Targets: -1 (ignored) or a class index < V.
static int check_targets(Args *a, int i, const int32_t *t, int N, int V) {
  if (a->failed) return 0;
  for (int n = 0; n < N; n++) {
    if (t[n] >= V) {
      char what[96];
      snprintf(what, sizeof what, "target %d at index %d is >= vocab size %d", t[n], n, V);
      fail(a, i, what);
      return 0;
    }
  }
  return 1;
}

static napi_value js_logprob_forward(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "logprobForward", 7)) return NULL;
  int N = dim(&a, 5), V = dim(&a, 6);
  float *lp = f32(&a, 0, N), *ent = f32(&a, 1, N), *lse = f32(&a, 2, N);
  const float *z = f32(&a, 3, (size_t)N * V);
  const int32_t *t = i32(&a, 4, N);
  if (a.failed || !check_targets(&a, 4, t, N, V)) return NULL;
  logprob_forward(lp, ent, lse, z, t, N, V);
  return undefined(env);
}

static napi_value js_logprob_backward(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "logprobBackward", 8)) return NULL;
  int N = dim(&a, 6), V = dim(&a, 7);
  float *dz = f32(&a, 0, (size_t)N * V);
  const float *z = f32(&a, 1, (size_t)N * V), *lse = f32(&a, 2, N);
  const int32_t *t = i32(&a, 3, N);
  const float *dlp = f32(&a, 4, N), *dent = f32_or_null(&a, 5, N);
  if (a.failed || !check_targets(&a, 3, t, N, V)) return NULL;
  logprob_backward(dz, z, lse, t, dlp, dent, N, V);
  return undefined(env);
}

static napi_value js_adamw_step(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "adamwStep", 12)) return NULL;
  int n = dim(&a, 4);
  float *p = f32(&a, 0, n);
  const float *g = f32(&a, 1, n);
  float *m = f32(&a, 2, n), *v = f32(&a, 3, n);
  double lr = num(&a, 5), b1 = num(&a, 6), b2 = num(&a, 7), eps = num(&a, 8), wd = num(&a, 9);
  int step = dim(&a, 10);
  double scale = num(&a, 11);
  if (!a.failed && step < 1) fail(&a, 10, "step counts from 1");
  if (a.failed) return NULL;
  adamw_step(p, g, m, v, n, (float)lr, (float)b1, (float)b2, (float)eps, (float)wd, step, (float)scale);
  return undefined(env);
}

static napi_value js_sum_squares(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "sumSquares", 2)) return NULL;
  int n = dim(&a, 1);
  const float *x = f32(&a, 0, n);
  if (a.failed) return NULL;
  napi_value r;
  napi_create_double(env, sum_squares(x, n), &r);
  return r;
}

// info() -> { gemm: "openblas"|"builtin", gemmReason, openblasCoreType?: string (loaded, used or not),
//           blasThreads, kernelThreads }
static napi_value js_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_string_utf8(env, gemm_uses_openblas() ? "openblas" : "builtin", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "gemm", v);
  napi_create_string_utf8(env, gemm_choice_reason(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "gemmReason", v);
  const char *core = gemm_openblas_loaded_core();
  if (core) {
    napi_create_string_utf8(env, core, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, o, "openblasCoreType", v);
  }
  napi_create_int32(env, gemm_threads(), &v);
  napi_set_named_property(env, o, "blasThreads", v);
  napi_create_int32(env, parallel_threads(), &v);
  napi_set_named_property(env, o, "kernelThreads", v);
  return o;
}

// setGemm("builtin" | "openblas"): switch GEMM at run time (tests compare both paths in one process).
static napi_value js_set_gemm(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "setGemm", 1)) return NULL;
  char name[32] = {0};
  size_t len = 0;
  if (napi_get_value_string_utf8(env, a.argv[0], name, sizeof name, &len) != napi_ok) {
    fail(&a, 0, "expected a string");
    return NULL;
  }
  gemm_force_builtin(strcmp(name, "builtin") == 0);
  return undefined(env);
}

static napi_value js_set_kernel_threads(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, "setKernelThreads", 1)) return NULL;
  int n = dim(&a, 0);
  if (a.failed) return NULL;
  parallel_set_threads(n);
  builtin_set_threads(n);
  return undefined(env);
}

NAPI_MODULE_INIT() {
  static int initialized = 0;
  if (!initialized) {
    gemm_init();
    initialized = 1;
  }
  napi_property_descriptor props[] = {
      {"sgemm", NULL, js_sgemm, NULL, NULL, NULL, napi_default, NULL},
      {"matmulForward", NULL, js_matmul_forward, NULL, NULL, NULL, napi_default, NULL},
      {"matmulForwardPacked", NULL, js_matmul_forward_packed, NULL, NULL, NULL, napi_default, NULL},
      {"packLinearWeight", NULL, js_pack_linear_weight, NULL, NULL, NULL, napi_default, NULL},
      {"matmulBackward", NULL, js_matmul_backward, NULL, NULL, NULL, napi_default, NULL},
      {"embeddingForward", NULL, js_embedding_forward, NULL, NULL, NULL, napi_default, NULL},
      {"embeddingBackward", NULL, js_embedding_backward, NULL, NULL, NULL, napi_default, NULL},
      {"rmsnormForward", NULL, js_rmsnorm_forward, NULL, NULL, NULL, napi_default, NULL},
      {"rmsnormBackward", NULL, js_rmsnorm_backward, NULL, NULL, NULL, napi_default, NULL},
      {"ropeForward", NULL, js_rope_forward, NULL, NULL, NULL, napi_default, NULL},
      {"ropeBackward", NULL, js_rope_backward, NULL, NULL, NULL, napi_default, NULL},
      {"attentionForward", NULL, js_attention_forward, NULL, NULL, NULL, napi_default, NULL},
      {"attentionBackward", NULL, js_attention_backward, NULL, NULL, NULL, napi_default, NULL},
      {"attentionCached", NULL, js_attention_cached, NULL, NULL, NULL, napi_default, NULL},
      {"swigluForward", NULL, js_swiglu_forward, NULL, NULL, NULL, napi_default, NULL},
      {"swigluBackward", NULL, js_swiglu_backward, NULL, NULL, NULL, napi_default, NULL},
      {"add", NULL, js_add, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxForward", NULL, js_softmax_forward, NULL, NULL, NULL, napi_default, NULL},
      {"logprobForward", NULL, js_logprob_forward, NULL, NULL, NULL, napi_default, NULL},
      {"logprobBackward", NULL, js_logprob_backward, NULL, NULL, NULL, napi_default, NULL},
      {"adamwStep", NULL, js_adamw_step, NULL, NULL, NULL, napi_default, NULL},
      {"sumSquares", NULL, js_sum_squares, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, js_info, NULL, NULL, NULL, napi_default, NULL},
      {"setGemm", NULL, js_set_gemm, NULL, NULL, NULL, napi_default, NULL},
      {"setKernelThreads", NULL, js_set_kernel_threads, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
