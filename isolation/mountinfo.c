#include "isolation/mountinfo.h"

#include <string.h>

/* A mountinfo path with its \ooo escapes (space, tab, newline,
 * backslash) decoded, in place. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE
 * SUPEROPTS": the optional fields end at the lone "-". */
bool mountinfo_split(char *line, struct mountinfo_entry *e)
{
	char *field[5], *sep, *save = NULL;

	line[strcspn(line, "\n")] = '\0';
	sep = strstr(line, " - ");
	if (!sep)
		return false;
	*sep = '\0';
	e->fstype = strtok_r(sep + 3, " ", &save);
	if (!e->fstype || !strtok_r(NULL, " ", &save))
		return false;
	e->superopts = strtok_r(NULL, " ", &save);
	if (!e->superopts)
		return false;
	save = NULL;
	for (int i = 0; i < 5; i++) {
		field[i] = strtok_r(i ? NULL : line, " ", &save);
		if (!field[i])
			return false;
	}
	e->root = field[3];
	e->mountpoint = field[4];
	unescape(e->root);
	unescape(e->mountpoint);
	return true;
}
