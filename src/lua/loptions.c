/* Options tables of the bindings' constructors (lumo.mqtt.connect{...},
 * lumo.onenet.connect{...}, lumo.lumi.gateway{...}): unknown keys and
 * wrong types raise an error that names the option and lists the known
 * ones. */
#include "lua/loptions.h"

#include <lauxlib.h>
#include <string.h>

const char *lopt_string(lua_State *L, int t, const char *key, const char *where) {
  int type = lua_getfield(L, t, key);
  const char *s = NULL;
  if (type == LUA_TSTRING)
    s = lua_tostring(L, -1);
  else if (type != LUA_TNIL)
    luaL_error(L, "%s: '%s' must be a string, got %s", where, key, lua_typename(L, type));
  lua_pop(L, 1); /* the options table keeps it alive */
  return s;
}

lua_Integer lopt_int(lua_State *L, int t, const char *key, lua_Integer lo, lua_Integer hi,
                     lua_Integer dflt, const char *where) {
  int type = lua_getfield(L, t, key);
  lua_Integer v = dflt;
  if (type != LUA_TNIL) {
    if (!lua_isinteger(L, -1) || (v = lua_tointeger(L, -1)) < lo || v > hi)
      luaL_error(L, "%s: '%s' must be a whole number from %I to %I", where, key, lo, hi);
  }
  lua_pop(L, 1);
  return v;
}

int lopt_bool(lua_State *L, int t, const char *key, int dflt, const char *where) {
  int type = lua_getfield(L, t, key), v = dflt;
  if (type == LUA_TBOOLEAN)
    v = lua_toboolean(L, -1);
  else if (type != LUA_TNIL)
    luaL_error(L, "%s: '%s' must be true or false", where, key);
  lua_pop(L, 1);
  return v;
}

void lopt_check(lua_State *L, int t, const char *const *known, const char *where) {
  t = lua_absindex(L, t);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
    int ok = 0;
    for (int i = 0; known[i]; i++) ok |= !strcmp(k, known[i]);
    if (!ok) {
      luaL_Buffer b;
      luaL_buffinit(L, &b);
      for (int i = 0; known[i]; i++) {
        if (i) luaL_addstring(&b, ", ");
        luaL_addstring(&b, known[i]);
      }
      luaL_pushresult(&b);
      luaL_error(L, "%s: unknown option '%s' (options: %s)", where, k,
                 lua_tostring(L, -1));
    }
    lua_pop(L, 1);
  }
}
