/* JSON for the bindings (ljson.c). */
#ifndef LUMO_LUA_LJSON_H
#define LUMO_LUA_LJSON_H

#include <lua.h>
#include <stddef.h>

/* The value at idx as compact JSON (free with ljson_free); NULL with a
 * message in err for what JSON cannot hold (functions, nan, cycles). */
char *ljson_encode(lua_State *L, int idx, char *err, size_t errsize);
void ljson_free(char *s);
/* Pushes the JSON text as a Lua value; -1 (nothing pushed) if not JSON. */
int ljson_decode(lua_State *L, const char *text, size_t len);

/* Adds lumo.json = {encode, decode} to the table on top of the stack. */
void lumo_open_json(lua_State *L);

#endif
