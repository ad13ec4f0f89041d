/* The cache of Lua strings for static C strings: open addressing on the
 * pointer, entries never removed (there are only so many static strings). */
#include "lua/lstatic.h"

#include <lauxlib.h>
#include <stdint.h>

void lstatic_push(lua_State *L, lstatic_t *c, const char *s) {
  uintptr_t h = (uintptr_t)s;
  h ^= h >> 17;
  h *= 0x9e3779b97f4a7c15ull;
  unsigned i = (unsigned)(h >> 40) & (LSTATIC_SLOTS - 1);
  for (; c->slot[i].s; i = (i + 1) & (LSTATIC_SLOTS - 1)) {
    if (c->slot[i].s == s) {
      lua_rawgeti(L, LUA_REGISTRYINDEX, c->slot[i].ref);
      return;
    }
  }
  lua_pushstring(L, s);
  if (c->used >= LSTATIC_SLOTS / 4 * 3) return;
  lua_pushvalue(L, -1);
  c->slot[i].s = s;
  c->slot[i].ref = luaL_ref(L, LUA_REGISTRYINDEX);
  c->used++;
}
