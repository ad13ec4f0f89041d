/* One allocation family: these abort on out-of-memory, so callers never
 * handle a NULL from them. */
#ifndef LUMO_CORE_MEM_H
#define LUMO_CORE_MEM_H

#include <stddef.h>

void *mem_alloc(size_t size);
void *mem_calloc(size_t n, size_t size);
void *mem_realloc(void *p, size_t size);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n);

#endif
