// See parallel.h. One job at a time: a caller that finds the pool busy (another JS worker thread
// using the addon concurrently) simply runs its job serially.
#include "parallel.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_THREADS 16
#define MIN_WORK 32768.0

static pthread_mutex_t owner = PTHREAD_MUTEX_INITIALIZER; // held by the caller that runs a job
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv_start = PTHREAD_COND_INITIALIZER;
static pthread_cond_t cv_done = PTHREAD_COND_INITIALIZER;
static int n_threads = 0;  // configured kernel threads (0 = not yet read)
static int n_workers = 0;  // started helper threads
static long generation = 0;
static int pending = 0;
static void (*job_fn)(void *, int, int);
static void *job_arg;
static int job_n, job_parts;

static void range(int part, int parts, int n, int *i0, int *i1) {
  *i0 = (int)((long)n * part / parts);
  *i1 = (int)((long)n * (part + 1) / parts);
}

static void *worker(void *p) {
  int id = (int)(long)p; // 1..n_workers
  long seen = 0;
  for (;;) {
    pthread_mutex_lock(&mu);
    while (generation == seen) pthread_cond_wait(&cv_start, &mu);
    seen = generation;
    void (*fn)(void *, int, int) = job_fn;
    void *arg = job_arg;
    int n = job_n, parts = job_parts;
    pthread_mutex_unlock(&mu);
    if (id < parts) {
      int i0, i1;
      range(id, parts, n, &i0, &i1);
      fn(arg, i0, i1);
    }
    pthread_mutex_lock(&mu);
    if (--pending == 0) pthread_cond_signal(&cv_done);
    pthread_mutex_unlock(&mu);
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
  pending = n_workers;
  generation++;
  pthread_cond_broadcast(&cv_start);
  pthread_mutex_unlock(&mu);
  int i0, i1;
  range(0, threads, n, &i0, &i1);
  fn(arg, i0, i1);
  pthread_mutex_lock(&mu);
  while (pending > 0) pthread_cond_wait(&cv_done, &mu);
  pthread_mutex_unlock(&mu);
  pthread_mutex_unlock(&owner);
}
