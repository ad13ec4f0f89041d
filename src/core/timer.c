/* Timers over libev: ev_timer for relative delays, ev_periodic for wall-clock
 * times of day (ev_periodic follows system clock changes; our reschedule
 * function follows the time zone's DST rules through mktime). */
#include "core/timer.h"

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

/* The first instant on calendar day `ymd` (normalised) when the local clock
 * reads hour:min:sec. Both readings of an hour that occurs twice are tried
 * and the earlier kept; a reading that does not exist (skipped by a DST
 * change) falls to the later of mktime's two interpretations, which lies
 * after the gap. mktime is never asked to guess (tm_isdst = -1), because
 * glibc's guess depends on earlier calls in the process. */
static time_t first_on_day(const struct tm *ymd, int hour, int min, int sec) {
  time_t best = (time_t)-1, fallback = (time_t)-1;
  for (int dst = 0; dst <= 1; dst++) {
    struct tm tm = {.tm_year = ymd->tm_year,
                    .tm_mon = ymd->tm_mon,
                    .tm_mday = ymd->tm_mday,
                    .tm_hour = hour,
                    .tm_min = min,
                    .tm_sec = sec,
                    .tm_isdst = dst};
    time_t t = mktime(&tm);
    if (t == (time_t)-1) continue;
    struct tm back;
    localtime_r(&t, &back);
    int exact = back.tm_year == ymd->tm_year && back.tm_mon == ymd->tm_mon &&
                back.tm_mday == ymd->tm_mday && back.tm_hour == hour &&
                back.tm_min == min && back.tm_sec == sec;
    if (exact && (best == (time_t)-1 || t < best)) best = t;
    if (fallback == (time_t)-1 || t > fallback) fallback = t;
  }
  return best != (time_t)-1 ? best : fallback;
}

double timer_next_at(double now, int hour, int min, int sec) {
  time_t base = (time_t)now;
  struct tm today;
  localtime_r(&base, &today);
  /* One firing per calendar day: the first day whose first occurrence is
   * still ahead. A time that occurs twice is thus not repeated an hour
   * later, whichever occurrence the previous firing was. */
  for (int day = 0; day < 4; day++) {
    struct tm noon = {.tm_year = today.tm_year,
                      .tm_mon = today.tm_mon,
                      .tm_mday = today.tm_mday + day,
                      .tm_hour = 12,
                      .tm_isdst = -1};
    if (mktime(&noon) == (time_t)-1) continue; /* normalises the date */
    time_t at = first_on_day(&noon, hour, min, sec);
    if (at != (time_t)-1 && (double)at > now) return (double)at;
  }
  return now + 86400; /* unreachable for a valid time zone */
}

static int two_digits(const char *s, int *out) {
  if (s[0] < '0' || s[0] > '9') return -1;
  if (s[1] >= '0' && s[1] <= '9') {
    *out = (s[0] - '0') * 10 + (s[1] - '0');
    return 2;
  }
  *out = s[0] - '0';
  return 1;
}

int timer_parse_hms(const char *s, int *hour, int *min, int *sec) {
  int h, m, sc = 0, n;
  if ((n = two_digits(s, &h)) < 0 || s[n] != ':') return -1;
  s += n + 1;
  if ((n = two_digits(s, &m)) != 2) return -1;
  s += n;
  if (*s == ':') {
    if ((n = two_digits(s + 1, &sc)) != 2) return -1;
    s += 1 + n;
  }
  if (*s != '\0' || h > 23 || m > 59 || sc > 59) return -1;
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
