/* The Lua state's pooled allocator: blocks of every size class keep their
 * contents through reallocations across classes and to and from malloc'd
 * sizes, freed blocks are reused, and a whole Lua state runs on it. */
#include "check.h"
#include "lua/lalloc.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NBLOCKS 2000

typedef struct {
  unsigned char *p;
  size_t size;
  unsigned char fill;
} blk_t;

static int intact(const blk_t *b) {
  for (size_t i = 0; i < b->size; i++)
    if (b->p[i] != (unsigned char)(b->fill + i)) return 0;
  return 1;
}

static void paint(blk_t *b) {
  for (size_t i = 0; i < b->size; i++) b->p[i] = (unsigned char)(b->fill + i);
}

/* A random walk of allocations, resizes and frees, checking every block's
 * contents as it goes and each block's alignment. */
static void test_random(void) {
  lalloc_t *a = lalloc_new();
  lua_Alloc f = lalloc_pool_fn();
  static blk_t blk[NBLOCKS];
  memset(blk, 0, sizeof blk);
  unsigned seed = 12345;
  int bad = 0;
  for (int step = 0; step < 200000; step++) {
    seed = seed * 1103515245u + 12345u;
    blk_t *b = &blk[(seed >> 8) % NBLOCKS];
    seed = seed * 1103515245u + 12345u;
    /* Mostly small sizes (the pool's), sometimes past its largest class. */
    size_t n = (seed >> 16) % 8 == 0 ? 513 + (seed >> 4) % 3000 : 1 + (seed >> 4) % 512;
    if (b->p && !intact(b)) bad++;
    if (!b->p) {
      b->p = f(a, NULL, 5 /* a Lua type tag, as Lua passes for new objects */, n);
    } else if ((seed >> 20) % 4 == 0) {
      f(a, b->p, b->size, 0);
      b->p = NULL;
      continue;
    } else {
      unsigned char *q = f(a, b->p, b->size, n);
      /* What was kept must be the old bytes. */
      size_t keep = b->size < n ? b->size : n;
      for (size_t i = 0; i < keep; i++)
        if (q[i] != (unsigned char)(b->fill + i)) {
          bad++;
          break;
        }
      b->p = q;
    }
    CHECK(b->p != NULL);
    CHECK(((uintptr_t)b->p & 15) == 0);
    b->size = n;
    b->fill = (unsigned char)(seed >> 24);
    paint(b);
  }
  for (int i = 0; i < NBLOCKS; i++) {
    if (blk[i].p && !intact(&blk[i])) bad++;
    if (blk[i].p) f(a, blk[i].p, blk[i].size, 0);
  }
  CHECK_INT(bad, 0);
  lalloc_free(a);
}

/* Freed small blocks come back for the next allocation of their class. */
static void test_reuse(void) {
  lalloc_t *a = lalloc_new();
  lua_Alloc f = lalloc_pool_fn();
  void *p = f(a, NULL, 0, 40);
  f(a, p, 40, 0);
  CHECK(f(a, NULL, 0, 33) == p); /* 33..48: the same class as 40 */
  void *q = f(a, p, 33, 48);
  CHECK(q == p); /* a resize within the class stays put */
  f(a, q, 48, 0);
  lalloc_free(a);
}

/* A Lua state on the pool: tables, strings and closures made and dropped,
 * with full collections in between. */
static void test_state(void) {
  lalloc_t *a = lalloc_new();
  lua_State *L = lua_newstate(lalloc_pool_fn(), a);
  CHECK(L != NULL);
  luaL_openlibs(L);
  const char *chunk =
      "local keep = {}\n"
      "for i = 1, 20000 do\n"
      "  local t = {i, tostring(i), {x = i}, string.rep('a', i % 700)}\n"
      "  if i % 7 == 0 then keep[#keep + 1] = t end\n"
      "  if i % 5000 == 0 then collectgarbage() end\n"
      "end\n"
      "local sum = 0\n"
      "for _, t in ipairs(keep) do\n"
      "  assert(t[2] == tostring(t[1]) and t[3].x == t[1] and #t[4] == t[1] % 700)\n"
      "  sum = sum + t[1]\n"
      "end\n"
      "return sum\n";
  int rc = luaL_dostring(L, chunk);
  CHECK_INT(rc, LUA_OK);
  if (rc != LUA_OK)
    fprintf(stderr, "  %s\n", lua_tostring(L, -1));
  else
    CHECK(lua_tointeger(L, -1) == 28578571); /* 7 + 14 + ... + 19999 */
  lua_close(L);
  lalloc_free(a);
}

int main(void) {
  test_random();
  test_reuse();
  test_state();
  return check_done("lalloc");
}
