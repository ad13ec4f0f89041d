/* Timers over libev: ev_timer for relative delays, ev_periodic for wall-clock
 * times of day (ev_periodic follows system clock changes; our reschedule
 * function follows the time zone's DST rules through mktime). */
#include "core/timer.h"

#include <stdio.h>
#include <time.h>

static void on_rel(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  lumo_timer_t *t = w->data;
  /* A one-shot timer is inactive by the time its callback runs, so the
   * callback may start it again or free it. */
  if (t->interval == 0) t->active = 0;
  t->fn(t, t->arg);
}

static void on_wall(struct ev_loop *loop, ev_periodic *w, int revents) {
  (void)loop;
  (void)revents;
  lumo_timer_t *t = w->data;
  t->fn(t, t->arg);
}

static ev_tstamp reschedule_at(ev_periodic *w, ev_tstamp now) {
  lumo_timer_t *t = w->data;
  return timer_next_at(now, t->hour, t->min, t->sec);
}

double timer_next_at(double now, int hour, int min, int sec) {
  time_t base = (time_t)now;
  struct tm tm;
  for (int day = 0; day < 3; day++) {
    localtime_r(&base, &tm);
    tm.tm_mday += day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    tm.tm_isdst = -1; /* let mktime decide whether DST is in force that day */
    time_t at = mktime(&tm);
    if (at != (time_t)-1 && (double)at > now) return (double)at;
  }
  return now + 86400; /* unreachable for a valid time zone */
}

int timer_parse_hms(const char *s, int *hour, int *min, int *sec) {
  int h, m, sc = 0, n = 0;
  if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2) return -1;
  if (s[n] == ':') {
    int n2 = 0;
    if (sscanf(s + n + 1, "%2d%n", &sc, &n2) != 1) return -1;
    n += 1 + n2;
  }
  if (s[n] != '\0' || h < 0 || h > 23 || m < 0 || m > 59 || sc < 0 || sc > 59) return -1;
  if (s[0] < '0' || s[0] > '9') return -1;
  *hour = h;
  *min = m;
  *sec = sc;
  return 0;
}

void timer_init_after(lumo_timer_t *t, double delay, timer_fn fn, void *arg) {
  *t = (lumo_timer_t){.kind = TIMER_AFTER, .delay = delay, .fn = fn, .arg = arg};
}

void timer_init_every(lumo_timer_t *t, double interval, timer_fn fn, void *arg) {
  *t = (lumo_timer_t){
      .kind = TIMER_EVERY, .delay = interval, .interval = interval, .fn = fn, .arg = arg};
}

void timer_init_at(lumo_timer_t *t, int hour, int min, int sec, timer_fn fn, void *arg) {
  *t = (lumo_timer_t){
      .kind = TIMER_AT, .hour = hour, .min = min, .sec = sec, .fn = fn, .arg = arg};
}

void timer_start(struct ev_loop *loop, lumo_timer_t *t) {
  if (t->active) return;
  t->loop = loop;
  t->active = 1;
  if (t->kind == TIMER_AT) {
    ev_periodic_init(&t->w.wall, on_wall, 0, 0, reschedule_at);
    t->w.wall.data = t;
    ev_periodic_start(loop, &t->w.wall);
  } else {
    /* ev_now is the time the current loop iteration began; a rule that
     * schedules from a slow callback means "from now", so refresh it. */
    ev_now_update(loop);
    ev_timer_init(&t->w.rel, on_rel, t->delay, t->interval);
    t->w.rel.data = t;
    ev_timer_start(loop, &t->w.rel);
  }
}

void timer_stop(lumo_timer_t *t) {
  if (!t->loop) return;
  if (t->kind == TIMER_AT)
    ev_periodic_stop(t->loop, &t->w.wall);
  else
    ev_timer_stop(t->loop, &t->w.rel);
  t->active = 0;
}

double timer_remaining(const lumo_timer_t *t) {
  if (!t->active) return -1;
  if (t->kind == TIMER_AT) return ev_periodic_at(&t->w.wall) - ev_now(t->loop);
  return ev_timer_remaining(t->loop, (ev_timer *)&t->w.rel);
}

double timer_now(void) {
  return ev_time();
}
