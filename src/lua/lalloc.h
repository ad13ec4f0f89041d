/* The allocator of the rules' Lua state (lalloc.c): pooled small blocks. */
#ifndef LUMO_LUA_LALLOC_H
#define LUMO_LUA_LALLOC_H

#include <lua.h>

typedef struct lalloc lalloc_t;

/* The allocator's state, for lua_newstate's `ud`; NULL when out of memory. */
lalloc_t *lalloc_new(void);
/* The allocation function to pass to lua_newstate with it: the pool, or
 * plain realloc in a build with AddressSanitizer (so that it still sees
 * every Lua object) or when LUMO_LUA_ALLOC=plain is set. */
lua_Alloc lalloc_fn(void);
/* The pool itself, whatever the build (for its tests). */
lua_Alloc lalloc_pool_fn(void);
/* Frees everything; call after lua_close. */
void lalloc_free(lalloc_t *a);

#endif
