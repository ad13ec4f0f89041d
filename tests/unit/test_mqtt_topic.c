/* MQTT topic filters: validity and matching, including the edge cases of
 * MQTT 3.1.1 §4.7 (empty levels, '#' matching its parent, '$' topics). */
#include "check.h"
#include "proto/mqtt_topic.h"

#include <stdlib.h>
#include <string.h>

static void test_valid(void) {
  const char *good[] = {"a",     "a/b", "+",    "#",  "a/+",    "a/#",
                        "+/+/#", "/",   "a//b", "/+", "$SYS/#", "home/+/temp"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    if (mqtt_filter_error(good[i])) fprintf(stderr, "  refused %s\n", good[i]);
    CHECK(mqtt_filter_error(good[i]) == NULL);
  }
  const char *bad[] = {"", "a+", "+a", "a/b+", "#/a", "a#", "a/#/b", "a/##", "++"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (!mqtt_filter_error(bad[i])) fprintf(stderr, "  accepted %s\n", bad[i]);
    CHECK(mqtt_filter_error(bad[i]) != NULL);
  }
  CHECK(mqtt_filter_error(NULL) != NULL);
  CHECK(mqtt_topic_error("a/b") == NULL);
  CHECK(mqtt_topic_error("a/+") != NULL);
  CHECK(mqtt_topic_error("#") != NULL);
  CHECK(mqtt_topic_error("") != NULL);
  char *big = malloc(MQTT_TOPIC_MAX + 2);
  memset(big, 'a', MQTT_TOPIC_MAX + 1);
  big[MQTT_TOPIC_MAX + 1] = '\0';
  CHECK(mqtt_topic_error(big) != NULL);
  CHECK(mqtt_filter_error(big) != NULL);
  big[MQTT_TOPIC_MAX] = '\0';
  CHECK(mqtt_topic_error(big) == NULL);
  free(big);
}

static void test_match(void) {
  static const struct {
    const char *filter, *topic;
    int match;
  } cases[] = {
      {"a/b", "a/b", 1},
      {"a/b", "a/bc", 0},
      {"a/b", "a/b/c", 0},
      {"a/b/c", "a/b", 0},
      {"a/+", "a/b", 1},
      {"a/+", "a/b/c", 0},
      {"a/+", "a/", 1},
      {"a/+/c", "a//c", 1},
      {"+/+", "/x", 1},
      {"+", "a", 1},
      {"+", "/a", 0},
      {"#", "a/b/c", 1},
      {"a/#", "a", 1},
      {"a/#", "a/b/c", 1},
      {"a/#", "ab", 0},
      {"a/b/#", "a/b", 1},
      {"#", "$SYS/x", 0},
      {"+/x", "$SYS/x", 0},
      {"$SYS/#", "$SYS/x", 1},
      {"home/+/temp", "home/lounge/temp", 1},
      {"home/+/temp", "home/lounge/humidity", 0},
      {"/", "/", 1},
      {"a", "b", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int got = mqtt_topic_matches(cases[i].filter, cases[i].topic);
    if (got != cases[i].match)
      fprintf(stderr, "  %s ~ %s: got %d\n", cases[i].filter, cases[i].topic, got);
    CHECK_INT(got, cases[i].match);
  }
}

int main(void) {
  test_valid();
  test_match();
  return check_done("mqtt_topic");
}
