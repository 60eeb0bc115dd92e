/*
 * rg_test.h: the unit-test runner.  Each case is a function; CHECK records
 * a failure with file:line and lets the case continue.  Every case prints
 * "PASS suite.case", "FAIL suite.case" (the failed checks on the lines
 * before) or, when it cannot run here and says so with SKIP, "SKIP
 * suite.case: why"; tests/run counts those lines.  A FIXTURE (setup,
 * teardown) is no case: it prints nothing unless one of its checks fails,
 * and it runs even when argv[1] picks a single case.
 */
#ifndef RG_TEST_H
#define RG_TEST_H

#include <stdio.h>
#include <string.h>

struct rg_test_case {
	const char	*name;
	void		(*fn)(void);
	int		 fixture;
};

extern int		 rg_test_failed_now;
extern const char	*rg_test_skipped_now;

/*
 * SKIP(why): the case cannot run here (not root, no namespace); it ends the
 * case, which then counts as skipped, not passed.  A check that failed
 * before it still fails the case.
 */
#define SKIP(why) do {							\
	rg_test_skipped_now = (why);					\
	return;								\
} while (0)

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
const char *rg_test_skipped_now;					\
int									\
main(int argc, char **argv)						\
{									\
	static const struct rg_test_case cases[] = { __VA_ARGS__ };	\
	size_t	 i, pass = 0, fail = 0, skip = 0;			\
									\
	setvbuf(stdout, NULL, _IOLBF, 0);				\
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {	\
		if (argc > 1 && !cases[i].fixture &&			\
		    strcmp(argv[1], cases[i].name) != 0)		\
			continue;					\
		rg_test_failed_now = 0;					\
		rg_test_skipped_now = NULL;				\
		cases[i].fn();						\
		if (rg_test_failed_now) {				\
			printf("FAIL %s.%s\n", suite, cases[i].name);	\
			fail++;						\
		} else if (cases[i].fixture) {				\
			continue;					\
		} else if (rg_test_skipped_now != NULL) {		\
			printf("SKIP %s.%s: %s\n", suite, cases[i].name,	\
			    rg_test_skipped_now);			\
			skip++;						\
		} else {						\
			printf("PASS %s.%s\n", suite, cases[i].name);	\
			pass++;						\
		}							\
	}								\
	printf("# %s: %zu passed, %zu failed, %zu skipped\n", suite,	\
	    pass, fail, skip);						\
	return fail ? 1 : 0;						\
}

#define T(fn)		{ #fn, fn, 0 }
#define FIXTURE(fn)	{ #fn, fn, 1 }

#endif
