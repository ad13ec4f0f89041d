/* The engine: owns the loop, the bus and the signal watchers. */
#include "core/engine.h"

#include "core/log.h"

#include <signal.h>
#include <string.h>

static void on_stop_signal(struct ev_loop *loop, ev_signal *w, int revents) {
  (void)loop;
  (void)revents;
  engine_t *eng = w->data;
  if (w->signum == SIGINT && eng->on_interrupt) {
    eng->on_interrupt(eng, eng->on_interrupt_arg);
    return;
  }
  log_info(NULL, "%s received, shutting down",
           w->signum == SIGINT ? "SIGINT" : "SIGTERM");
  engine_stop(eng, 0);
}

static void on_hup(struct ev_loop *loop, ev_signal *w, int revents) {
  (void)loop;
  (void)revents;
  engine_t *eng = w->data;
  log_info(NULL, "SIGHUP received, reloading rule files");
  if (eng->on_hup) eng->on_hup(eng, eng->on_hup_arg);
}

static void signal_start(engine_t *eng, ev_signal *w,
                         void (*cb)(struct ev_loop *, ev_signal *, int), int signum) {
  ev_signal_init(w, cb, signum);
  w->data = eng;
  /* Active signal watchers keep the loop running with no other work: the
   * engine waits for device events until it is told to stop. */
  ev_signal_start(eng->loop, w);
}

int engine_init(engine_t *eng) {
  memset(eng, 0, sizeof *eng);
  eng->loop = ev_default_loop(EVFLAG_AUTO);
  if (!eng->loop) return -1;
  signal(SIGPIPE, SIG_IGN);
  bus_init(&eng->bus, eng->loop);
  registry_init(&eng->devices);
  signal_start(eng, &eng->sigint, on_stop_signal, SIGINT);
  signal_start(eng, &eng->sigterm, on_stop_signal, SIGTERM);
  signal_start(eng, &eng->sighup, on_hup, SIGHUP);
  return 0;
}

int engine_run(engine_t *eng) {
  if (!eng->stopping) ev_run(eng->loop, 0);
  return eng->exit_code;
}

void engine_stop(engine_t *eng, int code) {
  if (eng->stopping) return;
  eng->stopping = 1;
  eng->exit_code = code;
  ev_break(eng->loop, EVBREAK_ALL);
}

void engine_close(engine_t *eng) {
  if (!eng->loop) return;
  bus_close(&eng->bus);
  registry_close(&eng->devices);
  ev_signal_stop(eng->loop, &eng->sigint);
  ev_signal_stop(eng->loop, &eng->sigterm);
  ev_signal_stop(eng->loop, &eng->sighup);
  ev_loop_destroy(eng->loop);
  eng->loop = NULL;
}
