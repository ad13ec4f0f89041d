/* Reading the options table of a binding's constructor (loptions.c). Each
 * raises "WHERE: 'key' must be ..." for a value of the wrong type. */
#ifndef LUMO_LUA_LOPTIONS_H
#define LUMO_LUA_LOPTIONS_H

#include <lua.h>

/* Raises "WHERE: unknown option 'k' (options: a, b, ...)" for a key of the
 * table at t not in the NULL-terminated `known`. */
void lopt_check(lua_State *L, int t, const char *const *known, const char *where);
/* A string option or NULL (it stays valid while the table does). */
const char *lopt_string(lua_State *L, int t, const char *key, const char *where);
lua_Integer lopt_int(lua_State *L, int t, const char *key, lua_Integer lo, lua_Integer hi,
                     lua_Integer dflt, const char *where);
int lopt_bool(lua_State *L, int t, const char *key, int dflt, const char *where);

#endif
