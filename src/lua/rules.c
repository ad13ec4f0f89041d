/* Rule files: each load is a generation of handles; a changed file is loaded
 * again and replaces the running version only if it loads cleanly. */
#include "lua/rules.h"

#include "core/log.h"
#include "core/mem.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A changed file is reloaded this long after the last change seen, so an
 * editor's several writes (or a copy in progress) make one reload. */
#define SETTLE_SECONDS 0.15

struct rule_file {
  char *path;
  int gen;
  runtime_t *rt;
  ev_stat watch;
  ev_timer settle;
  int watching;
  struct rule_file *next;
};

const char *rules_gen_name(runtime_t *rt, int gen) {
  for (rule_file_t *f = rt->files; f; f = f->next)
    if (f->gen == gen) return f->path;
  return NULL;
}

/* Compiles and runs `path` as generation `gen`. On failure cancels whatever
 * the partial run registered and writes the message to err. */
static int load_gen(runtime_t *rt, const char *path, int gen, char *err, size_t errsize) {
  lua_State *L = rt->L;
  int status = luaL_loadfilex(L, path, "t");
  if (status == LUA_OK) {
    status = runtime_pcall(rt, 0, 0, gen);
    if (status != LUA_OK && rt->over_budget) {
      snprintf(err, errsize, "%s: top level ran past the instruction budget of %lld: %s",
               path, rt->budget, lua_tostring(L, -1));
      lua_pop(L, 1);
      runtime_cancel_gen(rt, gen, NULL, NULL);
      return -1;
    }
  }
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    snprintf(err, errsize, "%s", msg ? msg : "(error object is not a string)");
    lua_pop(L, 1);
    runtime_cancel_gen(rt, gen, NULL, NULL);
    return -1;
  }
  return 0;
}

/* Lets a rule file require modules that sit beside it: prepends
 * "<dir>/?.lua;<dir>/?/init.lua" to package.path, once per directory. */
static void add_module_dir(lua_State *L, const char *path) {
  const char *slash = strrchr(path, '/');
  size_t dirlen = slash ? (size_t)(slash - path) : 1;
  const char *dir = slash ? path : ".";
  if (slash == path) dirlen = 1; /* a file in / */
  lua_getglobal(L, "package");
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    return;
  }
  lua_getfield(L, -1, "path");
  const char *old = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addlstring(&b, dir, dirlen);
  luaL_addstring(&b, "/?.lua;");
  luaL_pushresult(&b);
  const char *entry = lua_tostring(L, -1);
  if (strstr(old, entry) == NULL) {
    lua_pushfstring(L, "%s%s/?/init.lua;%s", entry, lua_pushlstring(L, dir, dirlen), old);
    lua_setfield(L, -5, "path");
    lua_pop(L, 1); /* dir */
  }
  lua_pop(L, 3); /* entry, old path, package */
}

int rules_load(runtime_t *rt, const char *path, char *err, size_t errsize) {
  add_module_dir(rt->L, path);
  rule_file_t *f = mem_calloc(1, sizeof *f);
  f->path = mem_strdup(path);
  f->rt = rt;
  f->gen = runtime_new_gen(rt);
  /* Linked (at the tail, so files reload in the order given) before
   * loading, so log lines of the first run name the file. */
  rule_file_t **pp = &rt->files;
  while (*pp) pp = &(*pp)->next;
  *pp = f;
  if (load_gen(rt, path, f->gen, err, errsize) != 0) {
    *pp = NULL;
    free(f->path);
    free(f);
    return -1;
  }
  log_info(path, "loaded");
  return 0;
}

int rules_reload(runtime_t *rt, rule_file_t *f) {
  char err[2048];
  int old = f->gen, gen = runtime_new_gen(rt);
  f->gen = gen;
  if (load_gen(rt, f->path, gen, err, sizeof err) != 0) {
    f->gen = old;
    log_error(f->path, "reload failed, the previous version keeps running: %s", err);
    return -1;
  }
  size_t nt = 0, ns = 0;
  runtime_cancel_gen(rt, old, &nt, &ns);
  log_info(f->path,
           "reloaded (removed the previous version's %zu timer%s and %zu handler%s)", nt,
           nt == 1 ? "" : "s", ns, ns == 1 ? "" : "s");
  return 0;
}

void rules_reload_all(runtime_t *rt) {
  for (rule_file_t *f = rt->files; f; f = f->next) rules_reload(rt, f);
}

static void on_settled(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  rule_file_t *f = w->data;
  if (f->watch.attr.st_nlink == 0) {
    log_warn(f->path, "file is gone; the loaded version keeps running");
    return;
  }
  rules_reload(f->rt, f);
}

static void on_changed(struct ev_loop *loop, ev_stat *w, int revents) {
  (void)revents;
  rule_file_t *f = w->data;
  log_debug(f->path, "changed on disk");
  ev_timer_stop(loop, &f->settle);
  ev_timer_set(&f->settle, SETTLE_SECONDS, 0);
  ev_timer_start(loop, &f->settle);
}

void rules_watch(runtime_t *rt) {
  struct ev_loop *loop = rt->eng->loop;
  for (rule_file_t *f = rt->files; f; f = f->next) {
    if (f->watching) continue;
    /* inotify where the kernel has it; otherwise a stat every second. */
    ev_stat_init(&f->watch, on_changed, f->path, 1.0);
    f->watch.data = f;
    ev_stat_start(loop, &f->watch);
    ev_init(&f->settle, on_settled);
    f->settle.data = f;
    f->watching = 1;
  }
}

void rules_close(runtime_t *rt) {
  struct ev_loop *loop = rt->eng->loop;
  while (rt->files) {
    rule_file_t *f = rt->files;
    rt->files = f->next;
    if (f->watching) {
      ev_stat_stop(loop, &f->watch);
      ev_timer_stop(loop, &f->settle);
    }
    free(f->path);
    free(f);
  }
}
