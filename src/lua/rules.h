/* Rule files: loading, reloading when a file changes or on SIGHUP. */
#ifndef LUMO_LUA_RULES_H
#define LUMO_LUA_RULES_H

#include "lua/runtime.h"

#include <stddef.h>

typedef struct rule_file rule_file_t;

/* Loads a rule file as a new generation and keeps it in the runtime's list.
 * On failure nothing of it stays registered; the message (file:line: ...)
 * goes to `err`. Returns 0 or -1. */
int rules_load(runtime_t *rt, const char *path, char *err, size_t errsize);

/* Loads the file again; keeps the running version if the new one fails.
 * Returns 0 on success. */
int rules_reload(runtime_t *rt, rule_file_t *f);
void rules_reload_all(runtime_t *rt);

/* Watches every loaded file and reloads it when it changes on disk. */
void rules_watch(runtime_t *rt);

/* The file name a generation was loaded from, or NULL. */
const char *rules_gen_name(runtime_t *rt, int gen);

void rules_close(runtime_t *rt);

#endif
