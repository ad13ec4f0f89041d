/* The `lumo` module table: assembles events and timers, and adds logging,
 * stats and exit. */
#include "lua/lumolib.h"

#include "core/log.h"
#include "lua/runtime.h"

#include <lauxlib.h>
#include <stdio.h>

/* lumo.log.<level>(fmt, ...): string.format, then one log line naming the
 * calling rule's file:line. Upvalues: runtime, string.format, level. */
static int log_at(lua_State *L) {
  log_level_t level = (log_level_t)lua_tointeger(L, lua_upvalueindex(3));
  int n = lua_gettop(L);
  if (n == 0) return luaL_error(L, "lumo.log: expected a message or format string");
  if (!log_enabled(level)) return 0;
  if (n == 1 || lua_type(L, 1) != LUA_TSTRING) {
    luaL_tolstring(L, 1, NULL);
  } else {
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_insert(L, 1);
    lua_call(L, n, 1);
  }
  char where[256] = "";
  lua_Debug ar;
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0)
    snprintf(where, sizeof where, "%s:%d", ar.short_src, ar.currentline);
  log_msg(level, where, "%s", lua_tostring(L, -1));
  return 0;
}

static void open_log(lua_State *L) {
  static const char *const names[] = {"debug", "info", "warn", "error"};
  lua_createtable(L, 0, 4);
  for (int i = 0; i < 4; i++) {
    lua_pushlightuserdata(L, runtime_from(L));
    lua_getglobal(L, "string");
    lua_getfield(L, -1, "format");
    lua_remove(L, -2);
    lua_pushinteger(L, i);
    lua_pushcclosure(L, log_at, 3);
    lua_setfield(L, -2, names[i]);
  }
  lua_setfield(L, -2, "log");
}

/* lumo.exit([code]): stops the engine after the current callback. */
static int lumo_exit(lua_State *L) {
  runtime_t *rt = lua_touserdata(L, lua_upvalueindex(1));
  lua_Integer code = luaL_optinteger(L, 1, 0);
  luaL_argcheck(L, code >= 0 && code <= 255, 1, "exit status must be 0..255");
  engine_stop(rt->eng, (int)code);
  return 0;
}

/* lumo.stats() -> {timers=, handlers=, events=}: what the engine holds now. */
static int lumo_stats(lua_State *L) {
  runtime_t *rt = lua_touserdata(L, lua_upvalueindex(1));
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, (lua_Integer)rt->ntimers);
  lua_setfield(L, -2, "timers");
  lua_pushinteger(L, (lua_Integer)rt->nsubs);
  lua_setfield(L, -2, "handlers");
  lua_pushinteger(L, (lua_Integer)rt->eng->bus.delivered);
  lua_setfield(L, -2, "events");
  lua_pushinteger(L, (lua_Integer)rt->ndrivers);
  lua_setfield(L, -2, "drivers");
  lua_pushinteger(L, (lua_Integer)rt->eng->devices.count);
  lua_setfield(L, -2, "devices");
  return 1;
}

void lumo_new_type(lua_State *L, const char *name, const luaL_Reg *meta,
                   const luaL_Reg *methods, lua_CFunction index) {
  luaL_newmetatable(L, name);
  luaL_setfuncs(L, meta, 0);
  lua_pushvalue(L, -1);
  lua_newtable(L);
  luaL_setfuncs(L, methods, 0);
  lua_pushcclosure(L, index, 2);
  lua_setfield(L, -2, "__index");
}

static const luaL_Reg lumolib[] = {
    {"exit", lumo_exit},
    {"stats", lumo_stats},
    {NULL, NULL},
};

int luaopen_lumo(lua_State *L) {
  lua_newtable(L);
  lumo_open_events(L);
  lumo_open_timers(L);
  lumo_open_devices(L);
  lumo_open_lumi(L);
  lumo_open_mqtt(L);
  lumo_open_json(L);
  lumo_open_onenet(L);
  open_log(L);
  lua_pushlightuserdata(L, runtime_from(L));
  luaL_setfuncs(L, lumolib, 1);
  lua_pushliteral(L, LUMO_VERSION);
  lua_setfield(L, -2, "version");
  return 1;
}
