/* The two halves of lumi_parse(), for src/proto and the tests that hold
 * them to each other: a fast scanner for the common flat v1 datagram
 * (lumi_flat.c) and the general cJSON path (lumi_parse.c). Not part of
 * the public API. */
#ifndef LUMO_PROTO_LUMI_PARSE_INTERNAL_H
#define LUMO_PROTO_LUMI_PARSE_INTERNAL_H

#include "proto/lumi.h"

#include <stddef.h>

/* lumi_parse_flat's "not the simple shape": a positive value, never a
 * LUMI_E* code, so it cannot be mistaken for a parse status. */
#define LUMI_FLAT_FALLBACK 1

/* Parses buf when it is one flat object of strings and integers with at
 * most a `data` string holding one flat object (the shape of nearly every
 * report, heartbeat and ack) and no longer than msg->text. Returns LUMI_OK
 * with *msg filled exactly as lumi_parse_json would fill it, or
 * LUMI_FLAT_FALLBACK for anything else, errors included; *msg is then
 * unspecified. */
int lumi_parse_flat(const char *buf, size_t len, lumi_msg_t *msg);

/* The general parser: lumi_parse's whole contract (lumi.h), through cJSON.
 * The reference that lumi_parse_flat must agree with. */
int lumi_parse_json(const char *buf, size_t len, lumi_msg_t *msg);

/* The command a "cmd" string names; LUMI_CMD_UNKNOWN for any other. */
lumi_cmd_t lumi_cmd_lookup(const char *name);

#endif
