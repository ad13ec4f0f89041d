/* The REPL's evaluator: accumulates input lines into chunks the way the
 * stock `lua` prompt does and runs them in the engine's state. */
#ifndef LUMO_CLI_REPL_EVAL_H
#define LUMO_CLI_REPL_EVAL_H

#include "lua/runtime.h"

#include <stddef.h>

typedef struct {
  runtime_t *rt;
  char *buf; /* the chunk so far (lines joined with '\n') */
  size_t len, cap;
} repl_eval_t;

void repl_eval_init(repl_eval_t *e, runtime_t *rt);
void repl_eval_free(repl_eval_t *e);

/* Feeds one line (without its newline). Returns 1 if the chunk is incomplete
 * and needs more lines, 0 once it ran (results printed to stdout, errors to
 * stderr). */
int repl_eval_line(repl_eval_t *e, const char *line);

/* Whether a chunk is waiting for more lines. */
int repl_eval_pending(const repl_eval_t *e);
void repl_eval_reset(repl_eval_t *e);

#endif
