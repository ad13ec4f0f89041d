/* Timers: the one place the engine schedules anything in time, so a virtual
 * clock can stand in for libev's later (`lumo test`). */
#ifndef LUMO_CORE_TIMER_H
#define LUMO_CORE_TIMER_H

#include <ev.h>

typedef enum { TIMER_AFTER, TIMER_EVERY, TIMER_AT } timer_kind_t;

typedef struct lumo_timer lumo_timer_t;
typedef void (*timer_fn)(lumo_timer_t *t, void *arg);

/* Lives wherever the caller puts it (inside a Lua userdata, usually); the
 * timer module never allocates. A stopped timer is never touched again. */
struct lumo_timer {
  union {
    ev_timer rel;     /* after, every */
    ev_periodic wall; /* at: local wall-clock time of day */
  } w;
  struct ev_loop *loop;
  timer_kind_t kind;
  double delay, interval; /* seconds; interval 0 = one shot */
  int hour, min, sec;     /* for TIMER_AT */
  int active;
  timer_fn fn;
  void *arg;
};

/* Fires once, `delay` seconds from now (fractions allowed, >= 0). */
void timer_init_after(lumo_timer_t *t, double delay, timer_fn fn, void *arg);
/* Fires every `interval` seconds (> 0), first after one interval; no drift. */
void timer_init_every(lumo_timer_t *t, double interval, timer_fn fn, void *arg);
/* Fires every day at hour:min:sec local time, following DST changes. */
void timer_init_at(lumo_timer_t *t, int hour, int min, int sec, timer_fn fn, void *arg);

void timer_start(struct ev_loop *loop, lumo_timer_t *t);
/* Safe on a stopped timer and from inside the timer's own callback. */
void timer_stop(lumo_timer_t *t);

/* Seconds until the timer next fires (negative if not active). */
double timer_remaining(const lumo_timer_t *t);

/* The next local time of day hour:min:sec strictly after `now` (Unix
 * seconds). A time skipped by a DST change falls on the first valid time after
 * it; a time that occurs twice fires once. */
double timer_next_at(double now, int hour, int min, int sec);

/* Parses "HH:MM" or "HH:MM:SS" (24-hour). Returns 0 or -1. */
int timer_parse_hms(const char *s, int *hour, int *min, int *sec);

/* Current time in Unix seconds with fractions (the engine's clock). */
double timer_now(void);

#endif
