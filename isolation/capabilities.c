#include "isolation/capabilities.h"

#include <stdbool.h>
#include <stdio.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "spec/names.h"

static bool cap_known(int c)
{
	return prctl(PR_CAPBSET_READ, c, 0, 0, 0) >= 0;
}

/* Asked of prctl, which refuses a capability the kernel does not know
 * (EINVAL): two calls when the kernel knows what the headers do, where
 * /proc/sys/kernel/cap_last_cap costs an open, a read and a close of a
 * sysctl file (a path walk through /proc/sys), and a container's set-up
 * asks four times. */
int caps_last_cap(void)
{
	int lo = 0, hi = 63;

	if (cap_known(CAP_LAST_CAP) && !cap_known(CAP_LAST_CAP + 1))
		return CAP_LAST_CAP;
	if (!cap_known(0))
		return CAP_LAST_CAP;
	/* cap_known(lo) holds; find the last that does. */
	while (lo < hi) {
		int mid = lo + (hi - lo + 1) / 2;

		if (cap_known(mid))
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* The capabilities up to LAST.  Callers read cap_last_cap once and pass
 * it: each read is an open, a read and a close of a sysctl file, and a
 * loop over capabilities that read it every time cost a container's
 * set-up about forty of them. */
static uint64_t known_mask(int last)
{
	return last >= 63 ? ~UINT64_C(0) : (UINT64_C(1) << (last + 1)) - 1;
}

static uint64_t all_sets(const struct spec_caps *caps)
{
	return caps->bounding | caps->effective | caps->permitted |
	       caps->inheritable | caps->ambient;
}

/* The kernel raises an ambient capability only when it is both permitted
 * and inheritable (capabilities(7)). */
static uint64_t raisable_ambient(const struct spec_caps *caps, uint64_t known)
{
	return caps->ambient & caps->permitted & caps->inheritable & known;
}

static void warn_mask(uint64_t mask, const char *what, const char *extra,
		      void (*warn)(void *arg, const struct berr *w), void *arg)
{
	struct berr w = { 0 };
	char names[768] = "";
	size_t len = 0;

	if (!mask)
		return;
	for (int c = 0; c < 64 && len < sizeof(names); c++)
		if (mask & (UINT64_C(1) << c))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						len ? " " : "", names_name(names_capabilities, c));
	berr_fail(&w, 0, "process.capabilities: %s: %s%s", what, names, extra);
	warn(arg, &w);
}

void caps_warn(const struct spec_caps *caps,
	       void (*warn)(void *arg, const struct berr *w), void *arg)
{
	struct berr w = { 0 };
	uint64_t known;

	if (!warn)
		return;
	known = known_mask(caps_last_cap());
	if (caps->unknown) {
		berr_fail(&w, 0, "process.capabilities: ignoring unknown capabilities: %s",
			  caps->unknown);
		warn(arg, &w);
	}
	warn_mask(all_sets(caps) & ~known, "ignoring capabilities this kernel "
		  "does not know", "", warn, arg);
	warn_mask(caps->ambient & known & ~raisable_ambient(caps, known),
		  "cannot raise ambient capabilities", " (an ambient capability must "
		  "also be permitted and inheritable); left out", warn, arg);
}

int caps_check(const struct spec_caps *caps, struct berr *err)
{
	uint64_t all = all_sets(caps);
	int last = caps_last_cap();

	/* berth cannot hand out what it does not have itself: say so now
	 * rather than fail with EPERM deep inside the container's set-up. */
	for (int c = 0; c <= last; c++)
		if ((all & (1ULL << c)) && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 0)
			return berr_fail(err, EPERM,
					 "process.capabilities: %s is not in berth's own bounding "
					 "set, so the container cannot have it",
					 names_name(names_capabilities, c));
	return 0;
}

int caps_drop_bounding(const struct spec_caps *caps, struct berr *err)
{
	int last = caps_last_cap();

	for (int c = 0; c <= last; c++) {
		if (caps->bounding & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return berr_sys(err, "drop %s from the bounding set",
					names_name(names_capabilities, c));
	}
	return 0;
}

static int set_flags(cap_t c, cap_flag_t flag, uint64_t mask)
{
	cap_value_t list[64];
	int n = 0;

	for (int i = 0; i < 64; i++)
		if (mask & (1ULL << i))
			list[n++] = i;
	return n ? cap_set_flag(c, flag, n, list, CAP_SET) : 0;
}

int caps_apply(const struct spec_caps *caps, uint64_t extra_effective,
	       struct berr *err)
{
	cap_t c = cap_init();
	int last = caps_last_cap();
	int ret = 0;
	uint64_t known = known_mask(last);
	uint64_t ambient = raisable_ambient(caps, known);

	if (!c)
		return berr_sys(err, "capabilities");
	if (set_flags(c, CAP_EFFECTIVE, (caps->effective | extra_effective) & known) < 0 ||
	    set_flags(c, CAP_PERMITTED, (caps->permitted | extra_effective) & known) < 0 ||
	    set_flags(c, CAP_INHERITABLE, caps->inheritable & known) < 0)
		ret = berr_sys(err, "build capability sets");
	else if (cap_set_proc(c) < 0)
		ret = berr_sys(err, "set capabilities");
	cap_free(c);
	if (ret < 0)
		return ret;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return berr_sys(err, "clear ambient capabilities");
	/* The rest were warned about before the container was made. */
	for (int i = 0; i <= last; i++) {
		if (!(ambient & (1ULL << i)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
			return berr_sys(err, "raise ambient %s", names_name(names_capabilities, i));
	}
	return 0;
}
