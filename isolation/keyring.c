#include "isolation/keyring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef KEYCTL_SETPERM
#define KEYCTL_SETPERM 5
#endif
#ifndef KEYCTL_DESCRIBE
#define KEYCTL_DESCRIBE 6
#endif
#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

/* The search bits of keyctl(2)'s permission mask. */
#define KEY_USR_SEARCH 0x00080000u
#define KEY_GRP_SEARCH 0x00000800u
#define KEY_OTH_SEARCH 0x00000008u

int keyring_join_session(const char *name, struct berr *err)
{
	long serial = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name);

	if (serial < 0)
		return berr_sys(err, "join the session keyring %s", name);
	return (int)serial;
}

/* The permission mask from a description "type;uid;gid;perm;name". */
static int read_perm(int serial, unsigned int *perm, struct berr *err)
{
	char desc[512];
	const char *p = desc;
	char *end;

	if (syscall(SYS_keyctl, KEYCTL_DESCRIBE, serial, desc, sizeof(desc)) < 0)
		return berr_sys(err, "describe keyring %d", serial);
	desc[sizeof(desc) - 1] = '\0';
	for (int field = 0; field < 3 && p; field++) {
		p = strchr(p, ';');
		if (p)
			p++;
	}
	if (!p)
		return berr_fail(err, EINVAL, "keyring %d: unexpected description \"%s\"",
				 serial, desc);
	errno = 0;
	*perm = (unsigned int)strtoul(p, &end, 16);
	if (errno || end == p || *end != ';')
		return berr_fail(err, EINVAL, "keyring %d: unexpected description \"%s\"",
				 serial, desc);
	return 0;
}

int keyring_let_find(int serial, enum keyring_finder finder, struct berr *err)
{
	unsigned int perm, bits;
	int ret;

	if (finder == KEYRING_FINDER_NONE)
		return 0;
	bits = KEY_USR_SEARCH;
	if (finder == KEYRING_FINDER_ANYONE)
		bits |= KEY_GRP_SEARCH | KEY_OTH_SEARCH;
	ret = read_perm(serial, &perm, err);
	if (ret < 0 || (perm & bits) == bits)
		return ret;
	if (syscall(SYS_keyctl, KEYCTL_SETPERM, serial, perm | bits) < 0)
		return berr_sys(err, "let exec'd processes find keyring %d", serial);
	return 0;
}
