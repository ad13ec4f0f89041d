/* The Lua state's allocator: free lists per 16-byte size class for small
 * blocks, carved from 16 KiB chunks; larger blocks go to malloc.
 *
 * Every event makes a few small Lua objects (the event, its data table, a
 * string or two) that die young. glibc's malloc and free cost a few hundred
 * instructions per pair on that path; a free list costs a handful. Lua
 * passes the old size of every block it frees or resizes, so the blocks
 * need no header. Memory from chunks is kept for reuse, never returned to
 * the system: it is bounded by the most the rules ever held at once.
 *
 * Built with AddressSanitizer, the plain allocator is used instead, so that
 * it still sees every Lua object's bounds and lifetime; LUMO_LUA_ALLOC=pool
 * or =plain overrides the choice (the test suite runs the Lua tests once
 * more with the pool). */
#include "lua/lalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define LUMO_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LUMO_POOL 0
#endif
#endif
#ifndef LUMO_POOL
#define LUMO_POOL 1
#endif

#define GRAIN 16
#define MAX_SMALL 512 /* larger blocks: malloc */
#define NCLASSES (MAX_SMALL / GRAIN)
#define CHUNK (16 * 1024)

typedef struct block {
  struct block *next;
} block_t;

typedef struct chunk {
  struct chunk *next;
} chunk_t;

struct lalloc {
  block_t *free[NCLASSES];
  chunk_t *chunks;
  char *cur, *end; /* the unused tail of the newest chunk */
};

static size_t class_of(size_t n) {
  return (n + GRAIN - 1) / GRAIN - 1;
}

static void *small_alloc(lalloc_t *a, size_t n) {
  size_t c = class_of(n);
  block_t *b = a->free[c];
  if (b) {
    a->free[c] = b->next;
    return b;
  }
  size_t size = (c + 1) * GRAIN;
  if ((size_t)(a->end - a->cur) < size) {
    /* The old tail (less than one block of this class) is given to the
     * free lists of the sizes it can hold, so nothing is wasted for good. */
    while ((size_t)(a->end - a->cur) >= GRAIN) {
      size_t tail = (size_t)(a->end - a->cur) / GRAIN * GRAIN;
      size_t tc = class_of(tail < MAX_SMALL ? tail : MAX_SMALL);
      block_t *t = (block_t *)a->cur;
      t->next = a->free[tc];
      a->free[tc] = t;
      a->cur += (tc + 1) * GRAIN;
    }
    chunk_t *ch = malloc(CHUNK);
    if (!ch) return NULL;
    ch->next = a->chunks;
    a->chunks = ch;
    a->cur = (char *)ch + GRAIN; /* the header rounded up to keep alignment */
    a->end = (char *)ch + CHUNK;
  }
  void *p = a->cur;
  a->cur += size;
  return p;
}

static void small_free(lalloc_t *a, void *p, size_t n) {
  block_t *b = p;
  size_t c = class_of(n);
  b->next = a->free[c];
  a->free[c] = b;
}

static void *pool(void *ud, void *ptr, size_t osize, size_t nsize) {
  lalloc_t *a = ud;
  if (!ptr) osize = 0; /* then osize tells the kind of object, not a size */
  int was_small = ptr && osize <= MAX_SMALL;
  if (nsize == 0) {
    if (was_small)
      small_free(a, ptr, osize);
    else
      free(ptr);
    return NULL;
  }
  int small = nsize <= MAX_SMALL;
  if (!ptr) return small ? small_alloc(a, nsize) : malloc(nsize);
  if (was_small && small && class_of(osize) == class_of(nsize)) return ptr;
  if (!was_small && !small) return realloc(ptr, nsize);
  void *q = small ? small_alloc(a, nsize) : malloc(nsize);
  if (!q) return NULL; /* Lua keeps the old block */
  memcpy(q, ptr, osize < nsize ? osize : nsize);
  if (was_small)
    small_free(a, ptr, osize);
  else
    free(ptr);
  return q;
}

static void *plain(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, nsize);
}

lalloc_t *lalloc_new(void) {
  return calloc(1, sizeof(lalloc_t));
}

lua_Alloc lalloc_fn(void) {
  const char *env = getenv("LUMO_LUA_ALLOC");
  if (env && strcmp(env, "plain") == 0) return plain;
  if (env && strcmp(env, "pool") == 0) return pool;
  return LUMO_POOL ? pool : plain;
}

lua_Alloc lalloc_pool_fn(void) {
  return pool;
}

void lalloc_free(lalloc_t *a) {
  if (!a) return;
  while (a->chunks) {
    chunk_t *next = a->chunks->next;
    free(a->chunks);
    a->chunks = next;
  }
  free(a);
}
