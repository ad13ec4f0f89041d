/* The rule runtime: one lua_State, protected calls with tracebacks, the
 * instruction budget, and the list of active handles. */
#include "lua/runtime.h"

#include "lua/lalloc.h"

#include "core/log.h"
#include "lua/embedded.h"
#include "lua/lumolib.h"
#include "lua/rules.h"

#include <lauxlib.h>
#include <lualib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

runtime_t *runtime_from(lua_State *L) {
  return *(runtime_t **)lua_getextraspace(L);
}

static int traceback(lua_State *L);

/* The budget hook: fires first after `budget` instructions. From then on it
 * fires on every instruction, call and return and raises each time, except
 * on the call of our own traceback handler. An error raised on the return
 * from pcall (or on the next instruction after it) lands outside that
 * pcall's protection, so a rule that catches the error cannot keep running:
 * the error climbs one protected level per step until it reaches us. */
static void budget_hook(lua_State *L, lua_Debug *ar) {
  runtime_t *rt = runtime_from(L);
  if (ar->event == LUA_HOOKCALL && lua_getinfo(L, "f", ar)) {
    int ours = lua_tocfunction(L, -1) == traceback;
    lua_pop(L, 1);
    if (ours) return;
  }
  if (!rt->over_budget && !rt->interrupted) {
    rt->over_budget = 1;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT | LUA_MASKCALL | LUA_MASKRET, 1);
  }
  /* Name the line that was running: luaL_error's level 1 would be its caller. */
  if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
    lua_pushfstring(L, "%s:%d: ", ar->short_src, ar->currentline);
  else
    lua_pushliteral(L, "");
  if (rt->interrupted)
    lua_pushliteral(L, "interrupted by a signal: rule stopped");
  else
    lua_pushfstring(L, "instruction budget exceeded (%I instructions): rule stopped",
                    (lua_Integer)rt->budget);
  lua_concat(L, 2);
  lua_error(L);
}

static int traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (!msg) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      msg = lua_tostring(L, -1);
    else
      msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* SIGINT and SIGTERM while Lua runs. libev's own handler only wakes the
 * loop, which cannot run until the rule returns; a rule that never returns
 * (with --budget 0, or a long one) would make the engine deaf to them. So
 * the handler libev installed is wrapped: it still runs, and then, as lua.c
 * does for Ctrl-C, the hook is armed to stop the running rule (lua_sethook
 * is safe in a signal handler). */
static runtime_t *volatile signal_rt;
static struct sigaction libev_action[2];
static const int stop_signals[2] = {SIGINT, SIGTERM};

static void on_stop_signal(int sig) {
  int i = sig == SIGINT ? 0 : 1;
  if (libev_action[i].sa_handler != SIG_DFL && libev_action[i].sa_handler != SIG_IGN)
    libev_action[i].sa_handler(sig);
  runtime_t *rt = signal_rt;
  if (rt && rt->in_lua) {
    rt->interrupted = 1;
    lua_sethook(rt->L, budget_hook, LUA_MASKCOUNT | LUA_MASKCALL | LUA_MASKRET, 1);
  }
}

static void wrap_signals(runtime_t *rt) {
  for (int i = 0; i < 2; i++) {
    struct sigaction sa = {0};
    if (sigaction(stop_signals[i], NULL, &libev_action[i]) != 0) continue;
    sa.sa_handler = on_stop_signal;
    sa.sa_mask = libev_action[i].sa_mask;
    sa.sa_flags = libev_action[i].sa_flags & ~SA_SIGINFO;
    sigaction(stop_signals[i], &sa, NULL);
  }
  signal_rt = rt;
}

static void unwrap_signals(void) {
  signal_rt = NULL;
  for (int i = 0; i < 2; i++) sigaction(stop_signals[i], &libev_action[i], NULL);
}

/* Entering and leaving Lua from C: the generation that owns what the call
 * creates, and, for the outermost call, the budget hook and the flags the
 * signal handler and the hook read. */
static int enter(runtime_t *rt, int gen) {
  int saved_gen = rt->gen;
  rt->gen = gen;
  if (rt->depth++ == 0) {
    rt->over_budget = 0;
    rt->interrupted = 0;
    if (rt->budget > 0)
      lua_sethook(rt->L, budget_hook, LUA_MASKCOUNT,
                  rt->budget > 0x7fffffff ? 0x7fffffff : (int)rt->budget);
    rt->in_lua = 1;
  }
  return saved_gen;
}

static void leave(runtime_t *rt, int saved_gen) {
  if (--rt->depth == 0) {
    rt->in_lua = 0;
    lua_sethook(rt->L, NULL, 0, 0);
  }
  rt->gen = saved_gen;
}

int runtime_pcall(runtime_t *rt, int nargs, int nresults, int gen) {
  lua_State *L = rt->L;
  int base = lua_gettop(L) - nargs; /* the function's index */
  lua_pushcfunction(L, traceback);
  lua_insert(L, base);
  int saved_gen = enter(rt, gen);
  int status = lua_pcall(L, nargs, nresults, base);
  leave(rt, saved_gen);
  lua_remove(L, base);
  return status;
}

int runtime_call(runtime_t *rt, int nargs, int nresults, int gen, const char *what) {
  return runtime_callf(rt, nargs, nresults, gen, "%s", what);
}

/* Logs a failed call: the error message is on top of the stack, the
 * function that failed just below it; pops both. */
static void report(runtime_t *rt, int gen, const char *what_fmt, const char *what_arg) {
  lua_State *L = rt->L;
  char where[256], what[160];
  lua_Debug ar;
  int line = 0;
  lua_pushvalue(L, -2); /* not a function when a handle turned itself off */
  if (!lua_isfunction(L, -1))
    lua_pop(L, 1);
  else if (lua_getinfo(L, ">S", &ar)) /* pops it */
    line = ar.linedefined;
  if (line > 0)
    snprintf(where, sizeof where, "%s:%d", ar.short_src, line);
  else
    snprintf(where, sizeof where, "%s", runtime_gen_name(rt, gen));
  snprintf(what, sizeof what, what_fmt, what_arg);
  const char *msg = lua_tostring(L, -1);
  if (rt->interrupted)
    log_warn(where, "%s interrupted by a signal\n%s", what, msg ? msg : "");
  else if (rt->over_budget)
    log_error(where,
              "%s aborted: ran past its instruction budget of %lld "
              "(raise it with --budget)\n%s",
              what, rt->budget, msg ? msg : "");
  else
    log_error(where, "error in %s: %s", what, msg ? msg : "(no message)");
  lua_pop(L, 2); /* message, function */
}

int runtime_callf(runtime_t *rt, int nargs, int nresults, int gen, const char *what_fmt,
                  const char *what_arg) {
  lua_State *L = rt->L;
  /* A copy of the function stays below the call, so that on error the log
   * line can name where it was defined. Nothing is formatted unless the
   * call fails. */
  int base = lua_gettop(L) - nargs; /* the function */
  lua_pushvalue(L, base);
  lua_insert(L, base);
  int status = runtime_pcall(rt, nargs, nresults, gen);
  if (status == LUA_OK) {
    lua_remove(L, base);
    return status;
  }
  report(rt, gen, what_fmt, what_arg);
  return status;
}

int runtime_handle_begin(rt_handle_t *h) {
  lua_State *L = h->rt->L;
  int base = lua_gettop(L) + 1;
  lua_pushcfunction(L, traceback);
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->self_ref); /* anchors the handle */
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->fn_ref);
  return base;
}

int runtime_handle_call(rt_handle_t *h, int base, int nargs, const char *what_fmt,
                        const char *what_arg) {
  runtime_t *rt = h->rt;
  lua_State *L = rt->L;
  int gen = h->gen;
  int saved_gen = enter(rt, gen);
  int status = lua_pcall(L, nargs, 0, base);
  leave(rt, saved_gen);
  if (status != LUA_OK) {
    /* The function, for the log line's "where", below the message. */
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->fn_ref);
    lua_insert(L, -2);
    report(rt, gen, what_fmt, what_arg);
  }
  lua_settop(L, base - 1);
  return status;
}

void runtime_handle_pin(lua_State *L, runtime_t *rt, rt_handle_t *h, int fn_index) {
  h->rt = rt;
  h->gen = rt->gen;
  if (fn_index) {
    lua_pushvalue(L, fn_index);
    h->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  } else {
    h->fn_ref = LUA_NOREF;
  }
  h->self_ref = luaL_ref(L, LUA_REGISTRYINDEX); /* pops the userdata */
  h->prev = NULL;
  h->next = rt->handles;
  if (rt->handles) rt->handles->prev = h;
  rt->handles = h;
  if (h->kind == HANDLE_TIMER)
    rt->ntimers++;
  else if (h->kind == HANDLE_SUBSCRIPTION)
    rt->nsubs++;
  else
    rt->ndrivers++;
}

int runtime_handle_active(const rt_handle_t *h) {
  return h->rt != NULL && h->self_ref != LUA_NOREF;
}

void runtime_handle_cancel(rt_handle_t *h) {
  if (!runtime_handle_active(h)) return;
  runtime_t *rt = h->rt;
  h->stop(h);
  if (h->prev)
    h->prev->next = h->next;
  else
    rt->handles = h->next;
  if (h->next) h->next->prev = h->prev;
  h->prev = h->next = NULL;
  if (h->kind == HANDLE_TIMER)
    rt->ntimers--;
  else if (h->kind == HANDLE_SUBSCRIPTION)
    rt->nsubs--;
  else
    rt->ndrivers--;
  /* Unpinning may let the collector free the userdata holding `h`, so the
   * references are read out before either is released. */
  int self_ref = h->self_ref, fn_ref = h->fn_ref;
  h->self_ref = h->fn_ref = LUA_NOREF;
  luaL_unref(rt->L, LUA_REGISTRYINDEX, fn_ref);
  luaL_unref(rt->L, LUA_REGISTRYINDEX, self_ref);
}

void runtime_handle_push(rt_handle_t *h) {
  lua_rawgeti(h->rt->L, LUA_REGISTRYINDEX, h->self_ref);
  lua_rawgeti(h->rt->L, LUA_REGISTRYINDEX, h->fn_ref);
}

size_t runtime_cancel_gen(runtime_t *rt, int gen, size_t *ntimers, size_t *nsubs) {
  size_t n = 0;
  rt_handle_t *h = rt->handles;
  while (h) {
    rt_handle_t *next = h->next;
    if (h->gen == gen) {
      size_t *count = h->kind == HANDLE_TIMER          ? ntimers
                      : h->kind == HANDLE_SUBSCRIPTION ? nsubs
                                                       : NULL;
      if (count) (*count)++;
      runtime_handle_cancel(h);
      n++;
    }
    h = next;
  }
  return n;
}

int runtime_new_gen(runtime_t *rt) {
  return ++rt->next_gen;
}

const char *runtime_gen_name(runtime_t *rt, int gen) {
  const char *name = rules_gen_name(rt, gen);
  return name ? name : "repl";
}

static int load_embedded(lua_State *L) {
  const struct embedded_lua *m = lua_touserdata(L, lua_upvalueindex(1));
  char chunkname[96];
  snprintf(chunkname, sizeof chunkname, "=[lumo]/%s.lua", m->name + strlen("lumo."));
  if (luaL_loadbufferx(L, m->source, m->len, chunkname, "t") != LUA_OK)
    return lua_error(L);
  lua_pushstring(L, m->name);
  lua_call(L, 1, 1);
  return 1;
}

static void preload_embedded(lua_State *L) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  for (const struct embedded_lua *m = embedded_lua; m->name; m++) {
    lua_pushlightuserdata(L, (void *)m);
    lua_pushcclosure(L, load_embedded, 1);
    lua_setfield(L, -2, m->name);
  }
  lua_pop(L, 1);
}

/* An error outside any protected call: nothing to return to. */
static int panic(lua_State *L) {
  const char *msg = lua_tostring(L, -1);
  log_error(NULL, "unprotected error in Lua: %s", msg ? msg : "(not a string)");
  abort();
}

int runtime_init(runtime_t *rt, engine_t *eng, long long budget) {
  memset(rt, 0, sizeof *rt);
  rt->eng = eng;
  rt->budget = budget;
  rt->alloc = lalloc_new();
  rt->L = rt->alloc ? lua_newstate(lalloc_fn(), rt->alloc) : NULL;
  if (!rt->L) {
    lalloc_free(rt->alloc);
    rt->alloc = NULL;
    return -1;
  }
  lua_atpanic(rt->L, panic);
  *(runtime_t **)lua_getextraspace(rt->L) = rt;
  luaL_openlibs(rt->L);
  preload_embedded(rt->L);
  luaL_requiref(rt->L, "lumo", luaopen_lumo, 1);
  lua_pop(rt->L, 1);
  wrap_signals(rt);
  return 0;
}

void runtime_close(runtime_t *rt) {
  if (!rt->L) return;
  unwrap_signals();
  rt->closing = 1;
  rules_close(rt);
  while (rt->handles) runtime_handle_cancel(rt->handles);
  /* Queued events hold registry references into this state. */
  bus_close(&rt->eng->bus);
  lua_close(rt->L);
  rt->L = NULL;
  lalloc_free(rt->alloc);
  rt->alloc = NULL;
}
