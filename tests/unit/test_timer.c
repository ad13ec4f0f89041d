/* Timers: time-of-day parsing, next occurrence across DST changes, and the
 * relative timers on a real loop. */
#include "check.h"
#include "core/timer.h"

#include <stdlib.h>
#include <time.h>

static time_t local(int y, int mo, int d, int h, int mi, int s) {
  struct tm tm = {.tm_year = y - 1900,
                  .tm_mon = mo - 1,
                  .tm_mday = d,
                  .tm_hour = h,
                  .tm_min = mi,
                  .tm_sec = s,
                  .tm_isdst = -1};
  return mktime(&tm);
}

static void test_parse(void) {
  int h, m, s;
  CHECK_INT(timer_parse_hms("07:30", &h, &m, &s), 0);
  CHECK(h == 7 && m == 30 && s == 0);
  CHECK_INT(timer_parse_hms("23:59:58", &h, &m, &s), 0);
  CHECK(h == 23 && m == 59 && s == 58);
  CHECK_INT(timer_parse_hms("7:05", &h, &m, &s), 0);
  const char *bad[] = {"",       "24:00",  "12:60", "12:00:60", "7.30",        "12",
                       "12:00:", "12:00x", " 1:00", "-1:00",    "12:00:00:00", "ab:cd"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int r = timer_parse_hms(bad[i], &h, &m, &s);
    if (r != -1) fprintf(stderr, "accepted bad time '%s'\n", bad[i]);
    CHECK_INT(r, -1);
  }
}

static void test_next_at_dst(void) {
  /* Central European rules as a POSIX TZ string: no tzdata needed.
   * 2026: summer time starts 29 March 02:00 -> 03:00, ends 25 Oct 03:00 -> 02:00. */
  setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
  tzset();

  /* An ordinary day: later today, then tomorrow once passed. */
  time_t now = local(2026, 6, 10, 6, 0, 0);
  CHECK_INT((time_t)timer_next_at((double)now, 7, 30, 0), local(2026, 6, 10, 7, 30, 0));
  now = local(2026, 6, 10, 7, 30, 0);
  CHECK_INT((time_t)timer_next_at((double)now, 7, 30, 0), local(2026, 6, 11, 7, 30, 0));

  /* Across the spring change: 07:30 the day after is 23 h away, not 24. */
  now = local(2026, 3, 28, 7, 30, 0);
  double next = timer_next_at((double)now, 7, 30, 0);
  CHECK_INT((long)(next - (double)now), 23 * 3600);
  struct tm tm;
  time_t t = (time_t)next;
  localtime_r(&t, &tm);
  CHECK(tm.tm_hour == 7 && tm.tm_min == 30 && tm.tm_mday == 29);

  /* Across the autumn change: 25 h. */
  now = local(2026, 10, 24, 7, 30, 0);
  next = timer_next_at((double)now, 7, 30, 0);
  CHECK_INT((long)(next - (double)now), 25 * 3600);

  /* 02:30 does not exist on 29 March: it fires at the first valid time after,
   * exactly once that day, and at 02:30 again the next day. */
  now = local(2026, 3, 29, 0, 0, 0);
  next = timer_next_at((double)now, 2, 30, 0);
  t = (time_t)next;
  localtime_r(&t, &tm);
  CHECK(tm.tm_mday == 29 && tm.tm_hour == 3 && tm.tm_min == 30);
  double after = timer_next_at(next, 2, 30, 0);
  CHECK_INT((long)(next - (double)local(2026, 3, 29, 1, 0, 0)),
            3600 + 1800); /* 03:30 CEST */
  t = (time_t)after;
  localtime_r(&t, &tm);
  CHECK(tm.tm_mday == 30 && tm.tm_hour == 2 && tm.tm_min == 30);

  /* Whatever mktime guessed last must not matter: prime its guess both
   * ways, then ask for a time in the repeated hour. */
  for (int prime = 0; prime <= 1; prime++) {
    struct tm p = {.tm_year = 126,
                   .tm_mon = prime ? 6 : 0,
                   .tm_mday = 1,
                   .tm_hour = 12,
                   .tm_isdst = -1};
    mktime(&p);
    now = local(2026, 10, 25, 0, 0, 0);
    next = timer_next_at((double)now, 2, 45, 0);
    t = (time_t)next;
    localtime_r(&t, &tm);
    CHECK(tm.tm_mday == 25 && tm.tm_hour == 2 && tm.tm_min == 45 && tm.tm_isdst == 1);
    /* Rescheduled at the moment it fires: tomorrow, not an hour later. */
    after = timer_next_at(next, 2, 45, 0);
    t = (time_t)after;
    localtime_r(&t, &tm);
    CHECK(tm.tm_mday == 26 && tm.tm_hour == 2 && tm.tm_min == 45);
    CHECK(after - next == 25 * 3600);
  }

  /* 02:30 happens twice on 25 October: it fires once. */
  now = local(2026, 10, 25, 0, 0, 0);
  next = timer_next_at((double)now, 2, 30, 0);
  after = timer_next_at(next, 2, 30, 0);
  /* Also from just after the first occurrence, and from inside the
   * second: both wait for tomorrow. */
  CHECK_INT((time_t)timer_next_at(next + 1, 2, 30, 0), (time_t)after);
  CHECK_INT((time_t)timer_next_at(next + 3600 + 1, 2, 30, 0), (time_t)after);
  t = (time_t)after;
  localtime_r(&t, &tm);
  CHECK(tm.tm_mday == 26 && tm.tm_hour == 2 && tm.tm_min == 30);
  CHECK(after - next > 23 * 3600);
}

static int fired[3];
static double fired_at[3];
static void on_fire(lumo_timer_t *t, void *arg) {
  int i = (int)(long)arg;
  fired[i]++;
  fired_at[i] = timer_now();
  if (i == 2 && fired[i] == 3) timer_stop(t);
}

static void test_loop(void) {
  struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
  lumo_timer_t a, b, c;
  double start = timer_now();
  timer_init_after(&a, 0.03, on_fire, (void *)0L);
  timer_init_after(&b, 0.01, on_fire, (void *)1L);
  timer_init_every(&c, 0.02, on_fire, (void *)2L);
  timer_start(loop, &a);
  timer_start(loop, &b);
  timer_start(loop, &c);
  CHECK(timer_remaining(&a) > 0.02 && timer_remaining(&a) <= 0.0301);
  ev_run(loop, 0); /* returns when every timer is done */
  CHECK_INT(fired[0], 1);
  CHECK_INT(fired[1], 1);
  CHECK_INT(fired[2], 3);
  CHECK(fired_at[1] < fired_at[0]);
  CHECK(fired_at[0] - start >= 0.029);
  CHECK(fired_at[2] - start >= 0.059);
  CHECK(!a.active && !b.active && !c.active);
  CHECK(timer_remaining(&a) < 0);
  ev_loop_destroy(loop);
}

int main(void) {
  test_parse();
  test_next_at_dst();
  test_loop();
  return check_done("timer");
}
