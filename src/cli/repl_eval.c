/* The REPL's evaluator, after lua.c: try "return <line>" first so
 * expressions print their values, then the input as statements; a syntax
 * error at <eof> means the chunk continues on the next line. */
#include "cli/repl_eval.h"

#include "core/mem.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EOF_MARK "<eof>"

void repl_eval_init(repl_eval_t *e, runtime_t *rt) {
  memset(e, 0, sizeof *e);
  e->rt = rt;
}

void repl_eval_free(repl_eval_t *e) {
  free(e->buf);
  e->buf = NULL;
  e->len = e->cap = 0;
}

int repl_eval_pending(const repl_eval_t *e) {
  return e->len > 0;
}

void repl_eval_reset(repl_eval_t *e) {
  e->len = 0;
}

static void append(repl_eval_t *e, const char *s, size_t n) {
  if (e->len + n + 1 > e->cap) {
    e->cap = (e->len + n + 1) * 2;
    e->buf = mem_realloc(e->buf, e->cap);
  }
  memcpy(e->buf + e->len, s, n);
  e->len += n;
  e->buf[e->len] = '\0';
}

static int incomplete(lua_State *L, int status) {
  if (status != LUA_ERRSYNTAX) return 0;
  size_t lmsg;
  const char *msg = lua_tolstring(L, -1, &lmsg);
  size_t lmark = sizeof(EOF_MARK) - 1;
  return lmsg >= lmark && strcmp(msg + lmsg - lmark, EOF_MARK) == 0;
}

/* Prints its arguments: strings raw (as `lua` does), anything else through
 * lumo.inspect; tab-separated. Runs protected: a __tostring may raise. */
static int print_results(lua_State *L) {
  int base = 0;
  int n = lua_gettop(L);
  if (n == 0) return 0;
  lua_getglobal(L, "require");
  lua_pushliteral(L, "lumo.inspect");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) lua_pushnil(L);
  int inspect = lua_gettop(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 1; i <= n; i++) {
    int v = base + i;
    if (i > 1) luaL_addchar(&b, '\t');
    if (lua_type(L, v) == LUA_TSTRING || lua_isnil(L, inspect)) {
      luaL_tolstring(L, v, NULL);
    } else {
      lua_pushvalue(L, inspect);
      lua_pushvalue(L, v);
      if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        luaL_tolstring(L, v, NULL);
      }
    }
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  puts(lua_tostring(L, -1));
  fflush(stdout);
  return 0;
}

int repl_eval_line(repl_eval_t *e, const char *line) {
  lua_State *L = e->rt->L;
  int base = lua_gettop(L);
  int status;
  if (e->len == 0) {
    /* A fresh chunk: is it an expression? */
    lua_pushfstring(L, "return %s;", line);
    size_t n;
    const char *code = lua_tolstring(L, -1, &n);
    status = luaL_loadbuffer(L, code, n, "=stdin");
    lua_remove(L, -2);
    if (status == LUA_OK) goto run;
    lua_pop(L, 1);
  } else {
    append(e, "\n", 1);
  }
  append(e, line, strlen(line));
  status = luaL_loadbuffer(L, e->buf, e->len, "=stdin");
  if (incomplete(L, status)) {
    lua_pop(L, 1);
    return 1;
  }
  if (status != LUA_OK) {
    fprintf(stderr, "%s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
    e->len = 0;
    return 0;
  }
run:
  e->len = 0;
  status = runtime_pcall(e->rt, 0, LUA_MULTRET, 0);
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    if (e->rt->over_budget)
      fprintf(stderr, "stopped: ran past the instruction budget of %lld (see --budget)\n",
              e->rt->budget);
    fprintf(stderr, "%s\n", msg ? msg : "(error object is not a string)");
    fflush(stderr);
  } else if (lua_gettop(L) > base) {
    lua_pushcfunction(L, print_results);
    lua_insert(L, base + 1);
    if (lua_pcall(L, lua_gettop(L) - base - 1, 0, 0) != LUA_OK)
      fprintf(stderr, "cannot print the result: %s\n", lua_tostring(L, -1));
  }
  lua_settop(L, base);
  return 0;
}
