/* libFuzzer harness for MQTT topic filters: any bytes, split at the first
 * NUL into a filter and a topic, are judged and matched without crashing,
 * and the answers agree with the rules: a topic is matched by itself as a
 * filter when it is valid; "#" matches every topic not starting with '$';
 * an invalid filter is never reported valid after a valid prefix check. */
#include "proto/mqtt_topic.h"

#include "require.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = malloc(size + 2);
  REQUIRE(buf);
  memcpy(buf, data, size);
  buf[size] = buf[size + 1] = '\0';
  const char *filter = buf, *topic = buf + strlen(buf) + 1;
  if (topic > buf + size) topic = buf + size;
  int fvalid = mqtt_filter_error(filter) == NULL;
  int tvalid = mqtt_topic_error(topic) == NULL;
  if (fvalid && *topic) (void)mqtt_topic_matches(filter, topic);
  if (tvalid) {
    REQUIRE(mqtt_filter_error(topic) == NULL); /* a topic is a valid filter */
    REQUIRE(mqtt_topic_matches(topic, topic));
    REQUIRE(mqtt_topic_matches("#", topic) == (topic[0] != '$'));
  }
  if (mqtt_topic_error(filter) == NULL) REQUIRE(fvalid);
  free(buf);
  return 0;
}
