/* The allocator of the rules' Lua state (lalloc.c): pooled small blocks. */
#ifndef LUMO_LUA_LALLOC_H
#define LUMO_LUA_LALLOC_H

#include <lua.h>

typedef struct lalloc lalloc_t;

/* The allocator's state, for lua_newstate's `ud`; NULL when out of memory. */
lalloc_t *lalloc_new(void);
/* The allocation function to pass to lua_newstate with it. */
lua_Alloc lalloc_fn(void);
/* Frees everything; call after lua_close. */
void lalloc_free(lalloc_t *a);

#endif
