/* Lua values to JSON and back, through cJSON: lumo.json.encode/decode, and
 * what lumo.mqtt and lumo.onenet send and receive. A table with the keys
 * 1..n and nothing else is an array; any other table an object (number keys
 * become strings). JSON null becomes nil. */
#include "lua/ljson.h"

#include <cjson/cJSON.h>
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

static int is_array(lua_State *L, int t, size_t *n) {
  size_t len = lua_rawlen(L, t), count = 0;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1)) {
      lua_pop(L, 1);
      return 0;
    }
    lua_Integer k = lua_tointeger(L, -1);
    if (k < 1 || (size_t)k > len) {
      lua_pop(L, 1);
      return 0;
    }
    count++;
  }
  *n = len;
  return count == len && len > 0;
}

/* The value at idx as cJSON; on failure NULL with a message in err. */
static cJSON *to_json(lua_State *L, int idx, int depth, char *err, size_t errsize) {
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
  case LUA_TNIL:
    return cJSON_CreateNull();
  case LUA_TBOOLEAN:
    return cJSON_CreateBool(lua_toboolean(L, idx));
  case LUA_TNUMBER: {
    double d = lua_tonumber(L, idx);
    if (!isfinite(d)) {
      snprintf(err, errsize, "cannot encode %s as JSON", isnan(d) ? "nan" : "inf");
      return NULL;
    }
    return cJSON_CreateNumber(d);
  }
  case LUA_TSTRING:
    return cJSON_CreateString(lua_tostring(L, idx));
  case LUA_TTABLE:
    break;
  default:
    snprintf(err, errsize, "cannot encode a %s as JSON", luaL_typename(L, idx));
    return NULL;
  }
  if (depth >= MAX_DEPTH) {
    snprintf(err, errsize, "tables nested more than %d deep (a cycle?)", MAX_DEPTH);
    return NULL;
  }
  luaL_checkstack(L, 4, "json");
  size_t n;
  cJSON *out;
  if (is_array(L, idx, &n)) {
    out = cJSON_CreateArray();
    for (size_t i = 1; i <= n; i++) {
      lua_rawgeti(L, idx, (lua_Integer)i);
      cJSON *v = to_json(L, -1, depth + 1, err, errsize);
      lua_pop(L, 1);
      if (!v) {
        cJSON_Delete(out);
        return NULL;
      }
      cJSON_AddItemToArray(out, v);
    }
    return out;
  }
  out = cJSON_CreateObject();
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    char keybuf[64];
    const char *key;
    if (lua_type(L, -2) == LUA_TSTRING) {
      key = lua_tostring(L, -2);
    } else if (lua_type(L, -2) == LUA_TNUMBER) {
      if (lua_isinteger(L, -2))
        snprintf(keybuf, sizeof keybuf, "%lld", (long long)lua_tointeger(L, -2));
      else
        snprintf(keybuf, sizeof keybuf, "%.14g", lua_tonumber(L, -2));
      key = keybuf;
    } else {
      snprintf(err, errsize, "cannot encode a %s key as JSON", luaL_typename(L, -2));
      lua_pop(L, 2);
      cJSON_Delete(out);
      return NULL;
    }
    cJSON *v = to_json(L, -1, depth + 1, err, errsize);
    lua_pop(L, 1);
    if (!v) {
      lua_pop(L, 1);
      cJSON_Delete(out);
      return NULL;
    }
    cJSON_AddItemToObject(out, key, v);
  }
  return out;
}

char *ljson_encode(lua_State *L, int idx, char *err, size_t errsize) {
  cJSON *j = to_json(L, idx, 0, err, errsize);
  if (!j) return NULL;
  char *s = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  if (!s) abort(); /* out of memory */
  return s;
}

void ljson_free(char *s) {
  cJSON_free(s);
}

static void push_json(lua_State *L, const cJSON *j, int depth) {
  luaL_checkstack(L, 3, "json");
  if (cJSON_IsObject(j) || cJSON_IsArray(j)) {
    int arr = cJSON_IsArray(j);
    lua_createtable(L, arr ? cJSON_GetArraySize(j) : 0, arr ? 0 : cJSON_GetArraySize(j));
    lua_Integer i = 0;
    for (const cJSON *c = j->child; c; c = c->next) {
      i++;
      if (depth >= MAX_DEPTH || cJSON_IsNull(c)) continue; /* deeper: dropped */
      push_json(L, c, depth + 1);
      if (arr)
        lua_rawseti(L, -2, i);
      else
        lua_setfield(L, -2, c->string);
    }
  } else if (cJSON_IsString(j)) {
    lua_pushstring(L, j->valuestring);
  } else if (cJSON_IsNumber(j)) {
    double d = j->valuedouble;
    if (d == floor(d) && fabs(d) < 9007199254740992.0)
      lua_pushinteger(L, (lua_Integer)d);
    else
      lua_pushnumber(L, d);
  } else if (cJSON_IsBool(j)) {
    lua_pushboolean(L, cJSON_IsTrue(j));
  } else {
    lua_pushnil(L);
  }
}

int ljson_decode(lua_State *L, const char *text, size_t len) {
  cJSON *j = cJSON_ParseWithLength(text, len);
  if (!j) return -1;
  push_json(L, j, 0);
  cJSON_Delete(j);
  return 0;
}

/* lumo.json.encode(value) -> string */
static int json_encode(lua_State *L) {
  luaL_checkany(L, 1);
  char err[160];
  char *s = ljson_encode(L, 1, err, sizeof err);
  if (!s) return luaL_error(L, "lumo.json.encode: %s", err);
  lua_pushstring(L, s);
  ljson_free(s);
  return 1;
}

/* lumo.json.decode(string) -> value, or nil and an error message */
static int json_decode(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  if (ljson_decode(L, s, len) != 0) {
    lua_pushnil(L);
    lua_pushliteral(L, "not valid JSON");
    return 2;
  }
  return 1;
}

void lumo_open_json(lua_State *L) {
  static const luaL_Reg fns[] = {
      {"encode", json_encode}, {"decode", json_decode}, {NULL, NULL}};
  luaL_newlib(L, fns);
  lua_setfield(L, -2, "json");
}
