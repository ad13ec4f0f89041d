/* `lumo repl`: an interactive Lua prompt with the engine live. stdin is an
 * ev_io watcher, so timers fire and events print while the prompt waits; on a
 * terminal libedit's callback interface edits the line, otherwise plain lines
 * are read. */
#include "cli/cli.h"
#include "cli/repl_eval.h"

#include "core/log.h"
#include "core/mem.h"
#include "lua/rules.h"

#include <editline/readline.h>
#include <errno.h>
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROMPT "lumo> "
#define PROMPT_MORE "  >> "

typedef struct {
  engine_t *eng;
  runtime_t *rt;
  repl_eval_t eval;
  ev_io input;
  ev_timer linger; /* after end of input, --wait seconds */
  double wait;
  int tty;
  int evaluating;  /* a typed line is running: output needs no prompt redraw */
  int interrupted; /* Ctrl-C stopped a typed line; its SIGINT is spent */
  char history[1024];
  /* plain mode: bytes read but not yet a whole line */
  char *pending;
  size_t plen, pcap;
} repl_t;

static repl_t *the_repl; /* libedit's line callback takes no argument */

static const char repl_help[] =
    "usage: lumo repl [options] [RULES.lua...]\n"
    "\n"
    "An interactive Lua 5.4 prompt with the engine running: timers fire and\n"
    "event handlers run while the prompt waits. Expressions print their values;\n"
    "an unfinished statement continues on the next line. Rule files given\n"
    "are loaded first (and reloaded when they change). Ctrl-D or lumo.exit()\n"
    "leaves; Ctrl-C discards the current input.\n"
    "\n"
    "On a terminal, lines are edited with libedit and kept in a history file\n"
    "($LUMO_HISTORY, else $XDG_STATE_HOME/lumo/history, else\n"
    "~/.local/state/lumo/history). Otherwise lines are read as they come, so\n"
    "input can be piped in.\n"
    "\n"
    "options:\n" CLI_ENGINE_HELP
    "  --wait SECONDS     after the end of input, keep the engine running this\n"
    "                     long before exiting (default 0)\n"
    "  -h, --help         show this help\n";

static void finish(repl_t *r) {
  ev_io_stop(r->eng->loop, &r->input);
  if (r->wait > 0) {
    ev_timer_start(r->eng->loop, &r->linger);
  } else {
    engine_stop(r->eng, 0);
  }
}

static void on_linger(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  repl_t *r = w->data;
  engine_stop(r->eng, 0);
}

/* ---- terminal mode ---- */

static void on_tty_line(char *line) {
  repl_t *r = the_repl;
  if (!line) { /* Ctrl-D */
    fputc('\n', stdout);
    rl_callback_handler_remove();
    finish(r);
    return;
  }
  if (*line) add_history(line);
  r->evaluating = 1;
  int more = repl_eval_line(&r->eval, line);
  r->evaluating = 0;
  r->interrupted = r->rt->interrupted;
  free(line);
  if (r->eng->stopping) return;
  /* Installing the handler again sets the prompt for the next line. */
  rl_callback_handler_install(more ? PROMPT_MORE : PROMPT, on_tty_line);
}

/* Clears the prompt line before a log line is written and redraws the
 * prompt, with whatever the user had typed, after it. */
static void tty_log_hook(int before, void *arg) {
  repl_t *r = arg;
  if (!ev_is_active(&r->input) || r->evaluating) return;
  if (before) {
    fputs("\r\033[K", stdout);
    fflush(stdout);
  } else {
    rl_forced_update_display();
  }
}

static void on_tty_interrupt(engine_t *eng, void *arg) {
  (void)eng;
  repl_t *r = arg;
  if (r->interrupted) { /* this Ctrl-C already stopped the line that ran */
    r->interrupted = 0;
    return;
  }
  repl_eval_reset(&r->eval);
  /* Drop the half-typed line and start over on a fresh prompt. */
  rl_callback_handler_remove();
  fputs("^C\n", stdout);
  fflush(stdout);
  rl_callback_handler_install(PROMPT, on_tty_line);
}

static void on_tty_input(struct ev_loop *loop, ev_io *w, int revents) {
  (void)loop;
  (void)w;
  (void)revents;
  rl_callback_read_char();
}

static void history_path(char *out, size_t size) {
  const char *env = getenv("LUMO_HISTORY");
  if (env && *env) {
    snprintf(out, size, "%s", env);
    return;
  }
  char dir[768];
  const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
  if (state && *state)
    snprintf(dir, sizeof dir, "%s/lumo", state);
  else if (home && *home)
    snprintf(dir, sizeof dir, "%s/.local/state/lumo", home);
  else {
    out[0] = '\0';
    return;
  }
  /* mkdir -p, one level at a time from the top. */
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    mkdir(dir, 0700);
    *p = '/';
  }
  mkdir(dir, 0700);
  snprintf(out, size, "%s/history", dir);
}

/* ---- plain mode: whole lines from a pipe or file ---- */

static void feed_lines(repl_t *r) {
  size_t start = 0;
  for (size_t i = 0; i < r->plen && !r->eng->stopping; i++) {
    if (r->pending[i] != '\n') continue;
    r->pending[i] = '\0';
    if (i > start && r->pending[i - 1] == '\r') r->pending[i - 1] = '\0';
    repl_eval_line(&r->eval, r->pending + start);
    start = i + 1;
  }
  memmove(r->pending, r->pending + start, r->plen - start);
  r->plen -= start;
}

static void on_plain_input(struct ev_loop *loop, ev_io *w, int revents) {
  (void)loop;
  (void)revents;
  repl_t *r = w->data;
  if (r->pcap - r->plen < 4096) {
    r->pcap = r->pcap ? r->pcap * 2 : 8192;
    r->pending = mem_realloc(r->pending, r->pcap);
  }
  ssize_t n = read(w->fd, r->pending + r->plen, r->pcap - r->plen - 1);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    /* End of input: a last line without newline still counts. */
    if (r->plen > 0) {
      r->pending[r->plen++] = '\n';
      feed_lines(r);
    }
    if (repl_eval_pending(&r->eval)) {
      fprintf(stderr, "stdin: unexpected end of input in an unfinished statement\n");
      repl_eval_reset(&r->eval);
    }
    finish(r);
    return;
  }
  r->plen += (size_t)n;
  feed_lines(r);
}

/* print() in the REPL goes through the log hook, so it does not scribble
 * over the prompt when a timer prints. */
static int repl_print(lua_State *L) {
  repl_t *r = lua_touserdata(L, lua_upvalueindex(1));
  int n = lua_gettop(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 1; i <= n; i++) {
    if (i > 1) luaL_addchar(&b, '\t');
    luaL_tolstring(L, i, NULL);
    luaL_addvalue(&b);
  }
  luaL_addchar(&b, '\n');
  luaL_pushresult(&b);
  if (r->tty) tty_log_hook(1, r);
  size_t len;
  const char *s = lua_tolstring(L, -1, &len);
  fwrite(s, 1, len, stdout);
  fflush(stdout);
  if (r->tty) tty_log_hook(0, r);
  return 0;
}

int cmd_repl(int argc, char **argv) {
  enum { OPT_WAIT = 0x200 };
  static const struct option longopts[] = {
      CLI_ENGINE_LONGOPTS,
      {"wait", required_argument, NULL, OPT_WAIT},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  cli_engine_opts_t o = {.budget = RT_DEFAULT_BUDGET};
  repl_t r = {0};
  int opt;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    int res = cli_engine_option("repl", opt, optarg, &o);
    if (res < 0) return EXIT_USAGE;
    if (res > 0) continue;
    switch (opt) {
    case 'h':
      fputs(repl_help, stdout);
      return EXIT_OK;
    case OPT_WAIT: {
      char *end;
      r.wait = strtod(optarg, &end);
      if (*end || end == optarg || !isfinite(r.wait) || r.wait < 0)
        return cli_usage_error("repl", "--wait needs a number of seconds >= 0, not '%s'",
                               optarg);
      break;
    }
    case ':':
      return cli_usage_error("repl", "option '%s' needs a value", argv[optind - 1]);
    default:
      return cli_usage_error("repl", "unknown option '%s'", argv[optind - 1]);
    }
  }

  engine_t eng;
  runtime_t rt;
  int status = cli_engine_start(&eng, &rt, &o, argv + optind, argc - optind);
  if (status != EXIT_OK) return status;
  rules_watch(&rt);
  r.eng = &eng;
  r.rt = &rt;
  r.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  repl_eval_init(&r.eval, &rt);
  ev_init(&r.linger, on_linger);
  ev_timer_set(&r.linger, r.wait, 0);
  r.linger.data = &r;
  the_repl = &r;

  lua_pushlightuserdata(rt.L, &r);
  lua_pushcclosure(rt.L, repl_print, 1);
  lua_setglobal(rt.L, "print");

  if (r.tty) {
    history_path(r.history, sizeof r.history);
    using_history();
    stifle_history(1000);
    if (r.history[0]) read_history(r.history);
    printf("lumo %s (Lua 5.4) — Ctrl-D to leave\n", LUMO_VERSION);
    log_set_hook(tty_log_hook, &r);
    eng.on_interrupt = on_tty_interrupt;
    eng.on_interrupt_arg = &r;
    rl_callback_handler_install(PROMPT, on_tty_line);
    ev_io_init(&r.input, on_tty_input, STDIN_FILENO, EV_READ);
  } else {
    ev_io_init(&r.input, on_plain_input, STDIN_FILENO, EV_READ);
  }
  r.input.data = &r;
  ev_io_start(eng.loop, &r.input);

  status = engine_run(&eng);

  if (r.tty) {
    if (ev_is_active(&r.input)) rl_callback_handler_remove();
    if (r.history[0]) write_history(r.history);
    log_set_hook(NULL, NULL);
  }
  ev_io_stop(eng.loop, &r.input);
  ev_timer_stop(eng.loop, &r.linger);
  repl_eval_free(&r.eval);
  free(r.pending);
  the_repl = NULL;
  cli_engine_stop(&eng, &rt);
  return status;
}
