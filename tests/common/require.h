/* REQUIRE(cond) for the fuzz harnesses: a property that must hold for
 * every input; when it does not, say which and where, and abort so that
 * libFuzzer keeps the input. */
#ifndef LUMO_TESTS_REQUIRE_H
#define LUMO_TESTS_REQUIRE_H

#include <stdio.h>
#include <stdlib.h>

#define REQUIRE(cond)                                                                    \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond);      \
      abort();                                                                           \
    }                                                                                    \
  } while (0)

#endif
