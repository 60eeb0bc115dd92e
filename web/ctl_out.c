/*
 * ctl_out.c: roadgatectl's output: aligned tables for lists, "key: value"
 * lines for one object, the API's JSON with --json.  Lists print joined
 * with ", " (tables: ","), nested objects as compact JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

/* Unix times of these fields print as UTC dates in tables and shows. */
static bool
is_time(const char *key)
{
	static const char *const keys[] = { "created", "started", "ended",
	    "updated", "time", NULL };
	size_t	 i;

	for (i = 0; keys[i]; i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return false;
}

static char *
cell(const char *key, json_t *v, const char *sep)
{
	char	*s = NULL, *item, tbuf[32];
	size_t	 i, len = 0;
	json_t	*x;
	time_t	 t;
	struct tm tm;

	if (json_is_integer(v) && is_time(key)) {
		t = (time_t)json_integer_value(v);
		if (gmtime_r(&t, &tm) && strftime(tbuf, sizeof(tbuf),
		    "%Y-%m-%d %H:%M:%SZ", &tm))
			return strdup(tbuf);
	}

	if (v == NULL || json_is_null(v))
		return strdup("-");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_true(v))
		return strdup("yes");
	if (json_is_false(v))
		return strdup("no");
	if (json_is_integer(v)) {
		if (asprintf(&s, "%lld", (long long)json_integer_value(v)) < 0)
			return NULL;
		return s;
	}
	if (json_is_array(v) && json_array_size(v) == 0)
		return strdup("-");
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (!json_is_string(x))
				break;
		}
		if (i == json_array_size(v)) {
			json_array_foreach(v, i, x)
				len += strlen(json_string_value(x)) + 2;
			if ((s = calloc(1, len + 1)) == NULL)
				return NULL;
			json_array_foreach(v, i, x) {
				item = (char *)json_string_value(x);
				if (i)
					strcat(s, sep);
				strcat(s, item);
			}
			return s;
		}
	}
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

void
ctl_print_json(json_t *v, const char *unused)
{
	char	*s = v ? json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY) :
	    NULL;

	printf("%s\n", s ? s : "null");
	free(s);
}

void
ctl_print_obj(json_t *o, const char *unused)
{
	const char	*k;
	json_t		*v;
	size_t		 w = 0;
	char		*s;

	if (!json_is_object(o)) {
		ctl_print_json(o, NULL);
		return;
	}
	json_object_foreach(o, k, v)
		if (strlen(k) > w)
			w = strlen(k);
	json_object_foreach(o, k, v) {
		s = cell(k, v, ", ");
		printf("%-*s  %s\n", (int)w + 1, k, s ? s : "?");
		free(s);
	}
}

void
ctl_print_table(json_t *a, const char *columns)
{
	char		*cols[32], *dup = NULL, *tok, *save = NULL, *s;
	size_t		 ncols = 0, w[32], i, r;
	const char	*k;
	json_t		*row, *v;

	if (!json_is_array(a)) {
		ctl_print_obj(a, NULL);
		return;
	}
	if (columns) {
		dup = strdup(columns);
		for (tok = dup ? strtok_r(dup, ",", &save) : NULL; tok &&
		    ncols < 32; tok = strtok_r(NULL, ",", &save))
			cols[ncols++] = tok;
	} else if (json_array_size(a) > 0) {
		json_object_foreach(json_array_get(a, 0), k, v)
			if (!json_is_object(v) && ncols < 32)
				cols[ncols++] = (char *)k;
	}
	if (ncols == 0) {
		printf("(none)\n");
		free(dup);
		return;
	}
	for (i = 0; i < ncols; i++)
		w[i] = strlen(cols[i]);
	json_array_foreach(a, r, row)
		for (i = 0; i < ncols; i++) {
			s = cell(cols[i], json_object_get(row, cols[i]), ",");
			if (s && strlen(s) > w[i])
				w[i] = strlen(s);
			free(s);
		}
	for (i = 0; i < ncols; i++) {
		int	 j;

		printf("%s", i ? "  " : "");
		for (j = 0; cols[i][j]; j++)
			putchar(cols[i][j] >= 'a' && cols[i][j] <= 'z' ?
			    cols[i][j] - 32 : cols[i][j]);
		printf("%*s", i + 1 < ncols ? (int)(w[i] - strlen(cols[i])) :
		    0, "");
	}
	printf("\n");
	json_array_foreach(a, r, row) {
		for (i = 0; i < ncols; i++) {
			s = cell(cols[i], json_object_get(row, cols[i]), ",");
			printf("%s%-*s", i ? "  " : "", i + 1 < ncols ?
			    (int)w[i] : 0, s ? s : "?");
			free(s);
		}
		printf("\n");
	}
	free(dup);
}
