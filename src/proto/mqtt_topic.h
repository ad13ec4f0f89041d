/* MQTT topic names and filters (MQTT 3.1.1 §4.7, the same in 5): what is
 * valid, and which filter a topic matches. Pure. */
#ifndef LUMO_PROTO_MQTT_TOPIC_H
#define LUMO_PROTO_MQTT_TOPIC_H

#define MQTT_TOPIC_MAX 65535 /* bytes, the protocol's limit */

/* A filter is valid when it is 1..MQTT_TOPIC_MAX bytes, has no NUL, and
 * '+' and '#' each fill a whole level, '#' only the last. NULL when valid,
 * else why not (for an error message). */
const char *mqtt_filter_error(const char *filter);
/* A topic to publish to: 1..MQTT_TOPIC_MAX bytes, no '+' or '#'. */
const char *mqtt_topic_error(const char *topic);

/* Whether `topic` matches the valid `filter`: '+' one level, '#' this level
 * and all below (also the parent: "a/#" matches "a"). Topics starting with
 * '$' are not matched by a filter starting with a wildcard. */
int mqtt_topic_matches(const char *filter, const char *topic);

#endif
