/* Allocation wrappers that abort with a message on out-of-memory. */
#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p, size_t size) {
  if (!p && size) {
    fprintf(stderr, "lumo: out of memory (%zu bytes)\n", size);
    abort();
  }
  return p;
}

void *mem_alloc(size_t size) {
  return check(malloc(size ? size : 1), size);
}

void *mem_calloc(size_t n, size_t size) {
  return check(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *mem_realloc(void *p, size_t size) {
  return check(realloc(p, size ? size : 1), size);
}

char *mem_strdup(const char *s) {
  return mem_strndup(s, strlen(s));
}

char *mem_strndup(const char *s, size_t n) {
  char *d = mem_alloc(n + 1);
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}
