// See parallel.h. One job at a time: a caller that finds the pool busy (another JS worker thread
// using the addon concurrently) simply runs its job serially.
//
// Hand-off: a worker that finishes a job spins (pause loop) for up to SPIN_NS watching for the next
// one before it sleeps on the condition variable, and the caller spins the same way for the workers
// to finish. A futex wake-up costs tens of microseconds, as long as a whole decode-step GEMM; kernels
// follow each other closely within a forward pass, so the next job usually arrives while spinning.
#include "parallel.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define SPIN_NS 200000L

#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ volatile("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

#define MAX_THREADS 16
#define MIN_WORK 32768.0

static pthread_mutex_t owner = PTHREAD_MUTEX_INITIALIZER; // held by the caller that runs a job
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv_start = PTHREAD_COND_INITIALIZER;
static pthread_cond_t cv_done = PTHREAD_COND_INITIALIZER;
static int n_threads = 0;  // configured kernel threads (0 = not yet read)
static int n_workers = 0;  // started helper threads
static long generation = 0;
static long pending = 0;
static void (*job_fn)(void *, int, int);
static void *job_arg;
static int job_n, job_parts;

static void range(int part, int parts, int n, int *i0, int *i1) {
  *i0 = (int)((long)n * part / parts);
  *i1 = (int)((long)n * (part + 1) / parts);
}

static long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

// Spins until (*value == target) == want_equal (returns 1), or SPIN_NS pass (returns 0).
static int spin_until(const long *value, long target, int want_equal) {
  long start = 0;
  for (int i = 0;; i++) {
    if ((__atomic_load_n(value, __ATOMIC_ACQUIRE) == target) == want_equal) return 1;
    CPU_RELAX();
    if ((i & 63) == 0) {
      long t = now_ns();
      if (start == 0) start = t;
      else if (t - start > SPIN_NS) return 0;
    }
  }
}

static void *worker(void *p) {
  int id = (int)(long)p; // 1..n_workers
  long seen = 0;
  for (;;) {
    if (!spin_until(&generation, seen, 0)) {  // a new job: generation moved on
      pthread_mutex_lock(&mu);
      while (__atomic_load_n(&generation, __ATOMIC_ACQUIRE) == seen) pthread_cond_wait(&cv_start, &mu);
      pthread_mutex_unlock(&mu);
    }
    // the job's fields were written before generation was bumped (release), read after (acquire)
    seen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
    void (*fn)(void *, int, int) = job_fn;
    void *arg = job_arg;
    int n = job_n, parts = job_parts;
    if (id < parts) {
      int i0, i1;
      range(id, parts, n, &i0, &i1);
      fn(arg, i0, i1);
    }
    if (__atomic_sub_fetch(&pending, 1, __ATOMIC_ACQ_REL) == 0) {
      pthread_mutex_lock(&mu);
      pthread_cond_signal(&cv_done);
      pthread_mutex_unlock(&mu);
    }
  }
  return NULL;
}

int parallel_threads(void) {
  if (n_threads == 0) {
    const char *env = getenv("OMNI_KERNEL_THREADS");
    int n = env ? atoi(env) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (!env && n > 4) n = 4;
    parallel_set_threads(n);
  }
  return n_threads;
}

void parallel_set_threads(int n) { n_threads = n < 1 ? 1 : (n > MAX_THREADS ? MAX_THREADS : n); }

void parallel_rows(void (*fn)(void *arg, int i0, int i1), void *arg, int n, double work) {
  int threads = parallel_threads();
  if (threads > n) threads = n;
  if (threads <= 1 || work < MIN_WORK || pthread_mutex_trylock(&owner) != 0) {
    fn(arg, 0, n);
    return;
  }
  pthread_mutex_lock(&mu);
  while (n_workers < threads - 1) {
    pthread_t t;
    if (pthread_create(&t, NULL, worker, (void *)(long)(n_workers + 1)) != 0) break;
    pthread_detach(t);
    n_workers++;
  }
  if (threads > n_workers + 1) threads = n_workers + 1;
  job_fn = fn;
  job_arg = arg;
  job_n = n;
  job_parts = threads;
  __atomic_store_n(&pending, n_workers, __ATOMIC_RELEASE);
  __atomic_add_fetch(&generation, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&cv_start);
  pthread_mutex_unlock(&mu);
  int i0, i1;
  range(0, threads, n, &i0, &i1);
  fn(arg, i0, i1);
  if (!spin_until(&pending, 0, 1)) {  // every worker done
    pthread_mutex_lock(&mu);
    while (__atomic_load_n(&pending, __ATOMIC_ACQUIRE) > 0) pthread_cond_wait(&cv_done, &mu);
    pthread_mutex_unlock(&mu);
  }
  pthread_mutex_unlock(&owner);
}
