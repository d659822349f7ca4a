/* Which of berth's command lines seal before the C library starts
 * (spec/base/early.h): those with a command of main.c's table that seals
 * (struct command's seal).  A word anywhere on the command line is
 * enough: a false match (a container named "run") costs one needless
 * execve, and main catches a miss. */
#include "spec/base/early.h"

EARLY_FN int early_wants_seal(char **argv)
{
	for (char **a = argv + 1; *a; a++)
		if (early_same(*a, "create") || early_same(*a, "run") || early_same(*a, "exec"))
			return 1;
	return 0;
}
