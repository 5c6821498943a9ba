#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "warn.h"

#define WARN_MAX 1024

void (*warn_hook)(const char *msg);

void
warn(const char *fmt, ...)
{
	char msg[WARN_MAX];
	va_list ap;

	if (warn_hook == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	warn_hook(msg);
}
