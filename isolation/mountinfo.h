/* One line of /proc/self/mountinfo, split into the fields berth reads. */
#ifndef BERTH_ISOLATION_MOUNTINFO_H
#define BERTH_ISOLATION_MOUNTINFO_H

#include <stdbool.h>

struct mountinfo_entry {
	char *root;       /* the part of the file system mounted ("/": all of it) */
	char *mountpoint; /* \ooo escapes decoded */
	char *fstype;
	char *superopts;
};

/* Split line in place (the entry points into it); false when it is not a
 * mountinfo line. */
bool mountinfo_split(char *line, struct mountinfo_entry *e);

#endif
