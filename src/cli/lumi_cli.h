/* Internal to `lumo lumi`: the parsed options and what lumi.c (options,
 * dispatch), lumi_discover.c, lumi_session.c and lumi_print.c share. */
#ifndef LUMO_CLI_LUMI_CLI_H
#define LUMO_CLI_LUMI_CLI_H

#include "core/bus.h"
#include "core/device.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

#define LUMI_CLI_MAX_FILTERS 32
#define LUMI_CLI_PASSWORD_ENV "LUMO_LUMI_PASSWORD"

/* What the command line gave; the strings point into argv. */
typedef struct {
  const char *cmd; /* "lumi read", for messages */
  const char *password, *ip, *iface, *sid;
  double timeout;
  int json;
  long count;   /* listen: stop after this many events (0: no limit) */
  double for_s; /* listen: stop after this long (0: no limit) */
  const char *events[LUMI_CLI_MAX_FILTERS], *devices[LUMI_CLI_MAX_FILTERS];
  int nevents, ndevices;
  char **args; /* the positional arguments */
  int nargs;
} opts_t;

/* lumi.c: a sid as the gateway would send it (short, no spaces or quotes),
 * and the messages for a gateway that did not answer or a socket that could
 * not be bound, naming what to check for the options given. */
int lumi_cli_is_sid(const char *s);
void lumi_cli_not_found(const opts_t *o);
void lumi_cli_bind_failed(const opts_t *o, const char *err);

/* The subcommands, on parsed options; each returns the exit status. */
int lumi_cli_discover(opts_t *o); /* lumi_discover.c */
int lumi_cli_devices(opts_t *o);  /* lumi_session.c, as are the rest */
int lumi_cli_read(opts_t *o);
int lumi_cli_write(opts_t *o);
int lumi_cli_listen(opts_t *o);

/* lumi_print.c: each prints as a table or key=value lines, or with `json`
 * as JSON lines. */
void lumi_print_gateways(FILE *out, const cJSON *gateways, int json);
void lumi_print_devices(FILE *out, const registry_t *reg, const void *driver, int json);
void lumi_print_state(FILE *out, const device_t *dev, const value_t *values, size_t n,
                      int json);
void lumi_print_written(FILE *out, const device_t *dev, const value_t *written,
                        size_t nwritten, const value_t *ack, size_t nack, int json);
void lumi_print_event(FILE *out, const bus_event_t *ev, int json);

#endif
