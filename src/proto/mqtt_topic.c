/* MQTT topic filters: validation and matching, level by level. */
#include "proto/mqtt_topic.h"

#include <string.h>

const char *mqtt_filter_error(const char *f) {
  size_t n = f ? strlen(f) : 0;
  if (n == 0) return "a topic filter must not be empty";
  if (n > MQTT_TOPIC_MAX) return "a topic filter must be at most 65535 bytes";
  for (size_t i = 0; i < n; i++) {
    int starts = i == 0 || f[i - 1] == '/', ends = i + 1 == n || f[i + 1] == '/';
    if (f[i] == '+' && (!starts || !ends))
      return "'+' must fill a whole level of a topic filter (a/+/c)";
    if (f[i] == '#' && (!starts || i + 1 != n))
      return "'#' must be the last level of a topic filter on its own (a/#)";
  }
  return NULL;
}

const char *mqtt_topic_error(const char *t) {
  size_t n = t ? strlen(t) : 0;
  if (n == 0) return "a topic must not be empty";
  if (n > MQTT_TOPIC_MAX) return "a topic must be at most 65535 bytes";
  if (strpbrk(t, "+#"))
    return "a topic to publish to cannot hold the wildcards '+' or '#'";
  return NULL;
}

int mqtt_topic_matches(const char *f, const char *t) {
  if (*t == '$' && (*f == '+' || *f == '#')) return 0;
  for (;;) {
    if (f[0] == '#') return 1;
    if (f[0] == '+') {
      while (*t && *t != '/') t++;
      f++;
    } else {
      while (*f && *f != '/' && *f == *t) f++, t++;
      if ((*f && *f != '/') || (*t && *t != '/')) return 0;
    }
    /* Both at the end of a level. */
    if (!*f && !*t) return 1;
    if (!*t) return f[0] == '/' && f[1] == '#' && f[2] == '\0'; /* "a/#" matches "a" */
    if (!*f) return 0;
    f++, t++;
  }
}
