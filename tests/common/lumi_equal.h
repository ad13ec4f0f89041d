/* Field-by-field equality of two parsed Lumi messages, for the tests that
 * hold the fast scanner to the cJSON path (unit test and fuzz harness). */
#ifndef LUMO_TESTS_LUMI_EQUAL_H
#define LUMO_TESTS_LUMI_EQUAL_H

#include "proto/lumi.h"

#include <stddef.h>

/* 1 when a and b carry the same message: cmd, cmd_name, proto, sid, model,
 * short_id, token, ip, port, proto_version, key, error; the attributes'
 * key, type, str and num (bitwise, so -0.0 differs from 0.0) and their
 * counts; the devices and their counts. Strings compare by content (NULL
 * equals only NULL), never by address. Else 0, with the first difference
 * described in why (NUL-terminated, cut to whylen). */
int lumi_msg_equal(const lumi_msg_t *a, const lumi_msg_t *b, char *why, size_t whylen);

#endif
