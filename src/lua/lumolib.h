/* The `lumo` module: events, timers, logging, and the engine's clock. */
#ifndef LUMO_LUA_LUMOLIB_H
#define LUMO_LUA_LUMOLIB_H

#include <lua.h>

/* Opens the module (the runtime must be in the state's extra space). */
int luaopen_lumo(lua_State *L);

/* Adds after/every/at/now to the table on top of the stack (ltimer.c), with
 * the runtime as upvalue. */
void lumo_open_timers(lua_State *L);
/* Adds on/emit to the table on top of the stack (levents.c). */
void lumo_open_events(lua_State *L);

/* Payload tag of events posted from Lua: payload is a registry reference. */
#define PAYLOAD_LUA_REF 1

#endif
