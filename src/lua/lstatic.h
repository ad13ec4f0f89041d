/* Lua strings for C strings with static storage (a driver's vocabulary,
 * event names), made once and found again by address: pushing one costs a
 * probe and a registry read, where lua_pushstring hashes or compares the
 * characters (its own cache by address is small and emptied by every
 * garbage collection). */
#ifndef LUMO_LUA_LSTATIC_H
#define LUMO_LUA_LSTATIC_H

#include <lua.h>

#define LSTATIC_SLOTS 512 /* a power of two; at most 3/4 of it is filled */

typedef struct {
  struct {
    const char *s; /* NULL: empty */
    int ref;
  } slot[LSTATIC_SLOTS];
  int used;
} lstatic_t;

/* Pushes s, which must never change or be freed while the state lives. When
 * the cache is full, falls back to lua_pushstring. */
void lstatic_push(lua_State *L, lstatic_t *c, const char *s);

#endif
