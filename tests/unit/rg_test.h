/*
 * rg_test.h: the unit-test runner.  Each case is a function; CHECK records
 * a failure with file:line and lets the case continue.  Every case prints
 * "PASS suite.case" or "FAIL suite.case: why"; tests/run counts those lines.
 */
#ifndef RG_TEST_H
#define RG_TEST_H

#include <stdio.h>
#include <string.h>

struct rg_test_case {
	const char	*name;
	void		(*fn)(void);
};

extern int	 rg_test_failed_now;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("  check failed %s:%d: %s\n", __FILE__, __LINE__,	\
		    #cond);						\
		rg_test_failed_now = 1;					\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	if (a_ != b_) {							\
		printf("  check failed %s:%d: %s == %s (%lld != %lld)\n",	\
		    __FILE__, __LINE__, #a, #b, a_, b_);		\
		rg_test_failed_now = 1;					\
	}								\
} while (0)

#define CHECK_MEM(a, b, n) do {						\
	if (memcmp((a), (b), (n)) != 0) {				\
		printf("  check failed %s:%d: %s == %s (%zu bytes)\n",	\
		    __FILE__, __LINE__, #a, #b, (size_t)(n));		\
		rg_test_failed_now = 1;					\
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *a_ = (a), *b_ = (b);				\
	if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {		\
		printf("  check failed %s:%d: %s == %s (\"%s\" != \"%s\")\n",\
		    __FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)",	\
		    b_ ? b_ : "(null)");				\
		rg_test_failed_now = 1;					\
	}								\
} while (0)

#define RG_TEST_MAIN(suite, ...)					\
int rg_test_failed_now;							\
int									\
main(int argc, char **argv)						\
{									\
	static const struct rg_test_case cases[] = { __VA_ARGS__ };	\
	size_t	 i, pass = 0, fail = 0;					\
									\
	setvbuf(stdout, NULL, _IOLBF, 0);				\
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {	\
		if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)	\
			continue;					\
		rg_test_failed_now = 0;					\
		cases[i].fn();						\
		printf("%s %s.%s\n", rg_test_failed_now ? "FAIL" : "PASS",	\
		    suite, cases[i].name);				\
		if (rg_test_failed_now)					\
			fail++;						\
		else							\
			pass++;						\
	}								\
	printf("# %s: %zu passed, %zu failed\n", suite, pass, fail);	\
	return fail ? 1 : 0;						\
}

#define T(fn)	{ #fn, fn }

#endif
